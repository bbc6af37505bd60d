"""Every ``TUNEFORGE_*`` environment variable, read in one place.

Both the API and the worker build their configuration from :class:`Settings`; nothing
else reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "TUNEFORGE_"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(PREFIX + name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{PREFIX}{name} must be an integer, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{PREFIX}{name} must be positive, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; see the README's configuration table."""

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")
    database_url: str = ""
    broker_url: str = ""
    storage_url: str = ""
    worker_concurrency: int = 1
    api_workers: int = 2
    api_keys: tuple[str, ...] = field(default_factory=tuple)
    max_upload_mb: int = 100
    max_rows: int = 1_000_000
    max_columns: int = 2_000
    max_trials: int = 500
    max_job_seconds: int = 6 * 3600
    lease_seconds: int = 30
    webhook_secret: str = ""
    events_stream_seconds: int = 25
    webhook_allow_private: bool = False

    def __post_init__(self) -> None:
        data_dir = Path(self.data_dir).resolve()
        object.__setattr__(self, "data_dir", data_dir)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{data_dir / 'tuneforge.db'}")
        if not self.broker_url:
            object.__setattr__(self, "broker_url", "filesystem://")
        if not self.storage_url:
            object.__setattr__(self, "storage_url", f"file://{data_dir / 'artifacts'}")

    @property
    def broker_is_embedded(self) -> bool:
        """True when the broker is kombu's filesystem transport in the data dir."""
        return self.broker_url.startswith("filesystem://")

    @property
    def broker_dir(self) -> Path:
        """Where the embedded broker keeps its messages."""
        return self.data_dir / "broker"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``TUNEFORGE_*`` variables (``os.environ`` by default)."""
        env = os.environ if env is None else env
        keys = tuple(k.strip() for k in env.get(PREFIX + "API_KEYS", "").split(",") if k.strip())
        return cls(
            host=env.get(PREFIX + "HOST", "127.0.0.1"),
            port=_int(env, "PORT", 8000),
            data_dir=Path(env.get(PREFIX + "DATA_DIR", "var")),
            database_url=env.get(PREFIX + "DATABASE_URL", ""),
            broker_url=env.get(PREFIX + "BROKER_URL", ""),
            storage_url=env.get(PREFIX + "STORAGE_URL", ""),
            worker_concurrency=_int(env, "WORKER_CONCURRENCY", 1),
            api_workers=_int(env, "API_WORKERS", 2),
            api_keys=keys,
            max_upload_mb=_int(env, "MAX_UPLOAD_MB", 100),
            max_rows=_int(env, "MAX_ROWS", 1_000_000),
            max_columns=_int(env, "MAX_COLUMNS", 2_000),
            max_trials=_int(env, "MAX_TRIALS", 500),
            max_job_seconds=_int(env, "MAX_JOB_SECONDS", 6 * 3600),
            lease_seconds=_int(env, "LEASE_SECONDS", 30),
            webhook_secret=env.get(PREFIX + "WEBHOOK_SECRET", ""),
            events_stream_seconds=_int(env, "EVENTS_STREAM_SECONDS", 25),
            webhook_allow_private=env.get(PREFIX + "WEBHOOK_ALLOW_PRIVATE", "").strip().lower()
            in ("1", "true", "yes"),
        )
