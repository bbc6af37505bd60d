"""How every tuneforge process logs: one JSON object per line (or plain text).

``TUNEFORGE_LOG_FORMAT`` chooses: ``json`` (the default, for log collectors) or ``text``
(for a terminal). ``tuneforge api`` configures gunicorn with :func:`dict_config`;
``tuneforge worker`` configures Celery through its ``setup_logging`` signal, which calls
:func:`configure`. Each JSON line holds ``time`` (RFC 3339 UTC), ``level``, ``logger``,
``message`` and ``process``; the ids of the work in hand, set with :func:`context` or
:func:`bind` (``job_id``, ``trial``); the fields a call passes in ``extra``; and
``exception`` (the formatted traceback) when there is one. A value that is not JSON is
written as its ``str``, and each record is exactly one line (JSON escapes the newlines of
messages and tracebacks). The context is read when a record is formatted, which the
stream handlers here do at once, in the thread that logs. For example,
``with context(job_id="job_1", trial=3): log.warning("slow", extra={"seconds": 2.5})``
writes::

    {"time": "2026-11-27T10:00:00.000+00:00", "level": "WARNING", "logger": "models.x",
     "message": "slow", "process": 4242, "job_id": "job_1", "trial": 3, "seconds": 2.5}
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("json", "text")
# Loggers too talkative at INFO: alembic announces each of its plugins whenever it loads.
QUIETER = {"alembic.runtime.plugins": "WARNING"}
# The ids of the work this thread (or Celery pool process) is doing, read at each record.
# The default is never mutated: bind() always sets a new dict.
_context: ContextVar[dict[str, Any]] = ContextVar("tuneforge_log_context", default={})  # noqa: B039
# Every attribute a plain LogRecord has: anything else on a record came from ``extra``.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


def bind(**fields: Any) -> dict[str, Any]:
    """Add ``fields`` (``None`` values left out) to every following record of this context;
    returns what to pass to :func:`restore` to undo it."""
    previous = _context.get()
    _context.set({**previous, **{k: v for k, v in fields.items() if v is not None}})
    return previous


def restore(previous: dict[str, Any]) -> None:
    """Put back the fields :func:`bind` replaced."""
    _context.set(previous)


@contextmanager
def context(**fields: Any) -> Iterator[None]:
    """Within the block, every record carries ``fields`` (``job_id=…``, ``trial=…``)."""
    previous = bind(**fields)
    try:
        yield
    finally:
        restore(previous)


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The context's fields, then the ``extra`` fields of ``record`` (``None`` left out)."""
    extra = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
    return {**_context.get(), **{k: v for k, v in extra.items() if v is not None}}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        document.update(fields_of(record))
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            document["exception"] = record.exc_text
        if record.stack_info:
            document["stack"] = self.formatStack(record.stack_info)
        return json.dumps(document, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger [pid] message key=value…`` (the context and ``extra`` fields)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = " ".join(f"{k}={v}" for k, v in fields_of(record).items())
        if not fields:
            return text
        head, sep, tail = text.partition("\n")  # keep a traceback below the first line
        return f"{head} {fields}{sep}{tail}"


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``TUNEFORGE_LOG_FORMAT``; ``ValueError`` if it is neither."""
    check(log_format)
    return JsonFormatter() if log_format == "json" else TextFormatter()


def check(log_format: str) -> None:
    """Raise ``ValueError`` naming the variable unless ``log_format`` is json or text."""
    if log_format not in FORMATS:
        raise ValueError(f"TUNEFORGE_LOG_FORMAT must be json or text, got {log_format!r}")


def configure(
    log_format: str, level: int | str = logging.INFO, stream: TextIO | None = None
) -> None:
    """Send every record of this process at ``level`` and above to ``stream`` (stderr),
    formatted as ``log_format``; Python warnings are logged too."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, quieter in QUIETER.items():
        logging.getLogger(name).setLevel(quieter)
    logging.captureWarnings(True)


def dict_config(log_format: str) -> dict[str, Any]:
    """The same set-up as :func:`configure`, as gunicorn's ``logconfig_dict``.

    gunicorn's own lines (``gunicorn.error``) go through the root handler; its access log
    is off because the app logs each request itself (``api/access.py``), with the route,
    the job and the tenant that gunicorn cannot see.
    """
    check(log_format)
    name = "JsonFormatter" if log_format == "json" else "TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"tuneforge": {"()": f"{__name__}.{name}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "tuneforge",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
            **{name: {"level": level} for name, level in QUIETER.items()},
        },
    }
