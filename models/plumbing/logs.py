"""How every tuneforge process logs: one readable line per record on a terminal, one JSON
object per line for everything else.

``TUNEFORGE_LOG_FORMAT`` chooses: ``auto`` (the default: ``text`` when the process's stderr
is a terminal, ``json`` when it is a file, a pipe or a log collector), ``json`` or
``text``. The processes ``tuneforge serve`` starts share its stderr, so they choose alike;
the image sets ``json``. ``tuneforge api`` configures gunicorn with :func:`dict_config`;
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

and on a terminal (local time, the logger's short name: :func:`short_name`)::

    10:00:00 WARNING x         slow job_id=job_1 trial=3 seconds=2.5
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("auto", "json", "text")
# Loggers too talkative at INFO: alembic announces each of its plugins whenever it loads,
# and its SQLite "context impl" twice each time a process starts or /readyz asks for the
# revision (models/store/migrate.py says, once, when it migrated a database).
QUIETER = {"alembic.runtime.plugins": "WARNING", "alembic.runtime.migration": "WARNING"}
# Our packages' loggers are shown on a terminal by their last part (``tuneforge.access``:
# ``access``), others' by their first (``celery.app.trace``: ``celery``), or as named here.
OWN_PACKAGES = frozenset({"tuneforge", "api", "models", "tasks"})
SHORT_NAMES = {"py.warnings": "warnings"}
# ``extra`` fields a terminal line leaves out: an access line's route template and client
# address (api/access.py) are for searching collected logs, not for reading.
NOT_ON_A_TERMINAL = frozenset({"route", "remote_addr"})
# Loggers a terminal shows at WARNING only: Celery's "received" and "succeeded" lines, two
# for each task (with its whole request), where the search's own line says how the trial
# ended (tasks/search.py). JSON keeps them, for collectors.
QUIETER_ON_A_TERMINAL = {"celery.worker.strategy": "WARNING", "celery.app.trace": "WARNING"}
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
    """``time level logger message key=value…``: the local time, the logger's short name,
    then the context and ``extra`` fields; a traceback below the line."""

    def format(self, record: logging.LogRecord) -> str:
        when = self.formatTime(record, "%H:%M:%S")
        line = f"{when} {record.levelname:<7} {short_name(record.name):<9} {record.getMessage()}"
        shown = " ".join(f"{k}={v}" for k, v in _unsaid(record).items())
        if shown:
            line = f"{line} {shown}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line = f"{line}\n{record.exc_text}"
        if record.stack_info:
            line = f"{line}\n{self.formatStack(record.stack_info)}"
        return line


def _unsaid(record: logging.LogRecord) -> dict[str, Any]:
    """The fields of ``record`` a terminal line adds after its message: not those the
    message already says as a word (``GET /v1/jobs/job_1 200`` says the method, the path,
    the job and the status), nor :data:`NOT_ON_A_TERMINAL`."""
    message = record.getMessage()
    return {
        key: value
        for key, value in fields_of(record).items()
        if key not in NOT_ON_A_TERMINAL
        and not re.search(rf"(?<![\w.]){re.escape(str(value))}(?![\w.])", message)
    }


def short_name(logger: str) -> str:
    """How a terminal line names ``logger``: see :data:`OWN_PACKAGES`."""
    parts = logger.split(".")
    if parts[0] in OWN_PACKAGES:
        return parts[-1]
    return SHORT_NAMES.get(logger, parts[0])


def chosen(log_format: str, stream: TextIO | None = None) -> str:
    """``json`` or ``text``: what ``log_format`` means for a process writing to ``stream``
    (stderr); ``ValueError`` naming the variable for anything but auto, json or text."""
    check(log_format)
    if log_format != "auto":
        return log_format
    stream = stream or sys.stderr
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return "json"


def formatter(log_format: str, stream: TextIO | None = None) -> logging.Formatter:
    """The formatter for ``TUNEFORGE_LOG_FORMAT`` on ``stream`` (see :func:`chosen`)."""
    return JsonFormatter() if chosen(log_format, stream) == "json" else TextFormatter()


def check(log_format: str) -> None:
    """Raise ``ValueError`` naming the variable unless ``log_format`` is auto, json or text."""
    if log_format not in FORMATS:
        raise ValueError(f"TUNEFORGE_LOG_FORMAT must be auto, json or text, got {log_format!r}")


def configure(
    log_format: str, level: int | str = logging.INFO, stream: TextIO | None = None
) -> None:
    """Send every record of this process at ``level`` and above to ``stream`` (stderr),
    formatted as ``log_format`` says for it; Python warnings are logged too."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(log_format, stream))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, at_least in QUIETER.items():
        logging.getLogger(name).setLevel(at_least)
    terminal = chosen(log_format, stream) == "text"
    for name, at_least in QUIETER_ON_A_TERMINAL.items():
        logging.getLogger(name).setLevel(at_least if terminal else logging.NOTSET)
    logging.captureWarnings(True)


def dict_config(log_format: str) -> dict[str, Any]:
    """The same set-up as :func:`configure` (on stderr), as gunicorn's ``logconfig_dict``.

    gunicorn's own lines (``gunicorn.error``) go through the root handler; its access log
    is off because the app logs each request itself (``api/access.py``), with the route,
    the job and the tenant that gunicorn cannot see.
    """
    name = "JsonFormatter" if chosen(log_format) == "json" else "TextFormatter"
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
