"""The embedded broker: kombu's filesystem transport, safe against half-written messages.

kombu 5.7's filesystem channel creates a message file, locks it and only then writes it,
while its reader takes any ``*.msg`` file without looking at the lock. A reader that comes
between the create and the write, or a writer killed there, leaves an empty message, which
kombu fails to decode; Celery calls that an unrecoverable error and the worker consumes
nothing more until it is restarted. So here a message is written under a name the reader
skips and renamed into place (atomic within one folder), and a message that still does not
decode (left by an older version, or by hand) is set aside with a warning, never raised.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from queue import Empty
from time import time, time_ns
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)

# Appended to a message's name while it is written: not ``.msg``, so no reader takes it.
PARTIAL_SUFFIX = ".part"
# A message's name starts with its time in milliseconds, zero-padded to this many digits,
# so that name order is time order (kombu's unpadded monotonic count sorts 10_ before 9_,
# and starts again after a reboot while the broker folder keeps its messages).
STAMP_DIGITS = 20
# A message still being written after this long was left by a writer that died: a write
# takes milliseconds. Readers delete it (the recovery sweep re-sends the job it was for).
PARTIAL_MAX_AGE_S = 300


class Channel(filesystem.Channel):
    """kombu's filesystem channel with atomic writes and a reader that skips bad files."""

    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:
        """Write ``payload`` whole, then give it the ``.msg`` name readers look for."""
        # The reader takes files in name order: oldest first.
        name = f"{time_ns() // 1_000_000:0{STAMP_DIGITS}d}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "xb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            if os.path.exists(partial):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str) -> dict[str, Any]:
        """The oldest message of ``queue`` that decodes; bad files are set aside on the way."""
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] == f"{queue}.msg{PARTIAL_SUFFIX}":
                self._drop_if_abandoned(os.path.join(self.data_folder_in, name))
            if name.partition(".")[2] != f"{queue}.msg":
                continue
            claimed = os.path.join(self.processed_folder, name)
            try:
                # A rename within the broker's folder: exactly one reader gets each file
                # (kombu moves it to the temporary folder, a copy across file systems).
                shutil.move(os.path.join(self.data_folder_in, name), claimed)
            except OSError:
                continue  # another reader took it first
            payload = self._read(claimed)
            if payload is not None:
                return payload
        raise Empty()

    def _read(self, path: str) -> dict[str, Any] | None:
        """The message in the claimed file ``path``, or None (and the file set aside)."""
        try:
            with open(path, "rb") as file:
                raw = file.read()
        except OSError as exc:
            raise ChannelError(f"Cannot read file {path!r} from queue.") from exc
        try:
            payload = loads(bytes_to_str(raw))
        except ValueError as exc:
            self._set_aside(path, f"it does not decode ({exc})")
            return None
        if not isinstance(payload, dict):
            self._set_aside(path, "it is not a message")
            return None
        if not self.store_processed:
            os.remove(path)
        return payload

    def _drop_if_abandoned(self, path: str) -> None:
        """Delete the partial message ``path`` if its writer stopped long ago."""
        try:
            if time() - os.path.getmtime(path) > PARTIAL_MAX_AGE_S:
                os.remove(path)
                log.warning("deleted %s, a message its writer never finished", path)
        except OSError:
            pass  # renamed into place, or deleted by another reader, meanwhile

    def _set_aside(self, path: str, reason: str) -> None:
        """Keep an unreadable message file for a person to look at; deleting it would hide
        that a message was lost (the recovery sweep re-sends the job it was for)."""
        name = os.path.basename(path)
        os.makedirs(self.corrupt_folder, exist_ok=True)
        moved = os.path.join(self.corrupt_folder, name)
        os.replace(path, moved)
        log.warning("skipped the message file %s: %s; moved it to %s", name, reason, moved)

    @property
    def corrupt_folder(self) -> str:
        """Where unreadable message files go: ``corrupt_folder``, else the queue's ``corrupt/``."""
        default = os.path.join(self.data_folder_in, "corrupt")
        return self.transport_options.get("corrupt_folder", default)


class Transport(filesystem.Transport):
    """The embedded broker's transport (``broker_transport`` in :mod:`tasks.app`)."""

    Channel = Channel
