"""The read-model database: plain SQL on SQLite or PostgreSQL, one way to write it for both.

Conventions, so that rows look the same from either database:
- parameters are written ``:name``; DDL uses ``{TS}`` (timestamp), ``{JSON}``, ``{BLOB}`` and ``{BIGINT}``;
- columns ending ``_json`` hold JSON (``jsonb`` on PostgreSQL), decoded on read;
- columns ending ``_at``, ``_from`` or ``_to`` hold timestamps (``timestamptz`` on PostgreSQL, ISO-8601 UTC text
  on SQLite, which then sorts correctly), returned as aware datetimes; ``_on`` columns hold dates.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from infrastructure.settings import Settings

TYPES = {
    "sqlite": {"TS": "TEXT", "JSON": "TEXT", "BLOB": "BLOB", "BIGINT": "INTEGER", "DATE": "TEXT"},
    "postgres": {"TS": "timestamptz", "JSON": "jsonb", "BLOB": "bytea", "BIGINT": "bigint", "DATE": "date"},
}
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_TIME_SUFFIXES = ("_at", "_from", "_to")


def iso(dt: datetime) -> str:
    """A timestamp as fixed-width UTC text, so SQLite compares it correctly."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


class Tx:
    """One transaction's cursor, with the conventions above applied both ways."""

    def __init__(self, dialect: str, cursor: Any):
        self.dialect = dialect
        self._cursor = cursor

    def _sql(self, sql: str) -> str:
        if self.dialect == "postgres":
            return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
        return sql

    def _param(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, StrEnum):
            return value.value
        if self.dialect == "sqlite":
            if isinstance(value, datetime):
                return iso(value)
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, dict | list | tuple):
                return orjson.dumps(value, default=str).decode()
            return value
        if isinstance(value, dict | list | tuple):
            return Jsonb(value, dumps=lambda v: orjson.dumps(v, default=str).decode())
        return value

    def _params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        return {k: self._param(v) for k, v in (params or {}).items()}

    def _row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for key, value in out.items():
            if self.dialect == "sqlite" and isinstance(value, str):
                if key.endswith("_json"):
                    out[key] = orjson.loads(value)
                elif key.endswith(_TIME_SUFFIXES) and len(value) >= 19 and value[10] == "T":
                    out[key] = datetime.fromisoformat(value)
                elif key.endswith("_on") and len(value) == 10:
                    out[key] = date.fromisoformat(value)
            elif isinstance(value, memoryview):
                out[key] = bytes(value)
        return out

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        self._cursor.execute(self._sql(sql), self._params(params))
        return self._cursor.rowcount

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self._cursor.executemany(self._sql(sql), [self._params(r) for r in rows])

    def all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self._cursor.execute(self._sql(sql), self._params(params))
        return [self._row(r) for r in self._cursor.fetchall()]

    def one(self, sql: str, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        self._cursor.execute(self._sql(sql), self._params(params))
        row = self._cursor.fetchone()
        return self._row(row) if row is not None else None

    def scalar(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        row = self.one(sql, params)
        return next(iter(row.values())) if row else None


class Database:
    """Connections to the read-model database (the same database as the event store by default)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.dialect = "postgres" if settings.is_postgres else "sqlite"
        self._local = threading.local()
        self._sqlite_connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._pool: ConnectionPool | None = None
        if self.dialect == "postgres":
            pg = settings.postgres
            self.schema = pg["schema"]
            self._conninfo = psycopg.conninfo.make_conninfo(
                host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"], dbname=pg["dbname"],
                options=f"-c search_path={pg['schema']}",
            )
            with psycopg.connect(self._conninfo, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self._pool = ConnectionPool(
                self._conninfo, min_size=1, max_size=10, kwargs={"row_factory": dict_row}, open=True
            )
        else:
            self.schema = "main"
            self.path = Path(settings.sqlite_path)

    def ddl(self, template: str) -> str:
        return template.format(**TYPES[self.dialect])

    def _sqlite(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                self._sqlite_connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction (SQLite: ``BEGIN IMMEDIATE``, so writers queue instead of deadlocking)."""
        if self._pool is not None:
            with self._pool.connection() as pg, pg.transaction(), pg.cursor() as cur:
                yield Tx("postgres", cur)
            return
        conn = self._sqlite()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Tx("sqlite", conn.cursor())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read-only snapshot."""
        if self._pool is not None:
            with self._pool.connection() as pg, pg.transaction(), pg.cursor() as cur:
                cur.execute("SET TRANSACTION READ ONLY")
                yield Tx("postgres", cur)
            return
        conn = self._sqlite()
        conn.execute("BEGIN")
        try:
            yield Tx("sqlite", conn.cursor())
        finally:
            conn.execute("ROLLBACK")

    def erase_freed(self, table: str) -> None:
        """Reclaim now the space of rows deleted or overwritten in ``table``, so their bytes leave the files: on
        PostgreSQL ``VACUUM`` (old row versions no open transaction can still see are removed and their pages
        compacted); on SQLite a ``TRUNCATE`` checkpoint (the old page images leave the WAL file; the database pages
        were rewritten with ``secure_delete``)."""
        if self._pool is not None:
            with psycopg.connect(self._conninfo, autocommit=True) as conn:
                conn.execute(f'VACUUM "{self.schema}"."{table}"')
            return
        self._sqlite().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        with self._lock:
            for conn in self._sqlite_connections:
                conn.close()
            self._sqlite_connections.clear()
        self._local = threading.local()
