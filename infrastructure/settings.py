"""Configuration from the environment (``ZEREN_*``), with safe local defaults for the embedded mode."""

from __future__ import annotations

import base64
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a Zeren process needs to know; unset → the embedded SQLite default in the working directory."""

    model_config = SettingsConfigDict(env_prefix="ZEREN_", extra="ignore")

    database_url: str | None = None
    """``postgresql://user:pass@host:port/db?schema=name`` for PostgreSQL; unset → SQLite at ``sqlite_path``."""
    sqlite_path: Path = Path("zeren.db")
    data_dir: Path = Path(".zeren")
    """Where locally generated secrets live when none are configured (embedded mode only)."""
    jwt_secret: str | None = None
    master_key: str | None = None
    """Base64 of 32 bytes that wrap the per-record data keys (personal data, whistleblower identities)."""
    deployment: str = "local"
    """Names this deployment in CloudEvents sources: ``zeren://<deployment>/<jurisdiction>``."""
    token_ttl_hours: int = 12
    projection_wait_seconds: float = 5.0
    worker_poll_seconds: float = 60.0
    """How often ``zeren worker`` (and the embedded worker of ``zeren serve``) looks for due deadlines."""
    audit_key_path: Path | None = None
    """The Ed25519 private key (PEM) that signs tree heads; unset → generated into ``data_dir`` (docs/audit.md)."""
    seal_every_events: int = Field(default=1000, ge=1)
    """The sealer signs a tree head every this many sealed events …"""
    seal_every_minutes: float = Field(default=5.0, gt=0)
    """… and at least this often while sealed events wait for one."""
    audit_clock_skew_seconds: float = Field(default=300.0, ge=0)
    """How far an event's recorded time may run behind an earlier event's in log order before the sealer refuses
    to seal it and ``zeren audit check`` reports it as back-dated (docs/audit.md §8): it covers a writer that waited
    for the table lock (``POSTGRES_LOCK_TIMEOUT`` 10 s, ``SQLITE_LOCK_TIMEOUT`` 30 s) and the clock skew between
    application servers. Local practice."""
    audit_origin: str | None = None
    """The log's name in its checkpoints (C2SP tlog-checkpoint origin line; no spaces, no ``+``); unset →
    ``zeren.<deployment>/audit`` (docs/audit.md §11)."""
    audit_witnesses: list[dict[str, str]] = []
    """Witnesses the sealer asks to cosign every head, as JSON: ``[{"url": "https://witness.example/",
    "vkey": "<name>+<key id>+<key>"}]`` (docs/audit.md §11)."""
    kafka_bootstrap: str = "localhost:9092"
    kafka_topic: str = "zeren.events"
    kafka_partitions: int = 6
    kafka_replication_factor: int = 1
    """Replicas of the relay's topic when the relay creates it (3 on a production cluster)."""
    kafka_options: dict[str, Any] = {}
    """Extra kafka-python client options as JSON, e.g. ``{"security_protocol": "SASL_SSL", "sasl_mechanism":
    "SCRAM-SHA-512", "sasl_plain_username": "zeren", "sasl_plain_password": "…"}`` (producer and admin client)."""
    relay_batch_size: int = 500
    """Events the relay sends before it waits for the broker's acknowledgement and advances its position."""
    relay_timeout_seconds: float = 30.0
    """How long the relay waits for the broker (connect, acknowledge a batch) before it backs off and retries."""
    relay_poll_seconds: float = 0.5
    """How often the relay looks for new events when it is caught up."""

    @property
    def resolved_audit_origin(self) -> str:
        return self.audit_origin or f"zeren.{self.deployment}/audit"

    @property
    def is_postgres(self) -> bool:
        return self.database_url is not None and self.database_url.startswith(("postgresql://", "postgres://"))

    @cached_property
    def postgres(self) -> dict[str, str]:
        """The URL split into the fields psycopg and the ``eventsourcing`` factory need."""
        assert self.database_url
        url = urlparse(self.database_url)
        query = parse_qs(url.query)
        return {
            "host": url.hostname or "127.0.0.1",
            "port": str(url.port or 5432),
            "user": unquote(url.username or "postgres"),
            "password": unquote(url.password or ""),
            "dbname": (url.path or "/postgres").lstrip("/") or "postgres",
            "schema": query.get("schema", ["public"])[0],
        }

    def _local_secret(self, name: str, make: bytes) -> str:
        """A secret kept in ``data_dir``, made on first use with owner-only permissions."""
        path = self.data_dir / name
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(base64.b64encode(make).decode())
        return path.read_text().strip()

    @cached_property
    def resolved_jwt_secret(self) -> str:
        return self.jwt_secret or self._local_secret("jwt.secret", secrets.token_bytes(32))

    @cached_property
    def resolved_master_key(self) -> bytes:
        key = base64.b64decode(self.master_key or self._local_secret("master.key", secrets.token_bytes(32)))
        if len(key) != 32:
            raise ValueError("ZEREN_MASTER_KEY must be the base64 of exactly 32 bytes")
        return key

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment the ``eventsourcing`` application factory reads."""
        if self.is_postgres:
            pg = self.postgres
            return {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": pg["dbname"],
                "POSTGRES_HOST": pg["host"],
                "POSTGRES_PORT": pg["port"],
                "POSTGRES_USER": pg["user"],
                "POSTGRES_PASSWORD": pg["password"],
                "POSTGRES_SCHEMA": pg["schema"],
                "POSTGRES_LOCK_TIMEOUT": "10",
                "POSTGRES_POOL_SIZE": "5",
                "POSTGRES_MAX_OVERFLOW": "10",
                # Never POSTGRES_ENABLE_DB_FUNCTIONS: its insert function may skip the table lock that keeps
                # notification ids in commit order, and followers would miss events.
                "APPLICATION_RECORDER_TOPIC": "infrastructure.persistence:PostgresEventRecorder",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(self.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": "infrastructure.persistence:SQLiteEventRecorder",
        }
