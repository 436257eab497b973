"""The read-model database: SQLAlchemy Core on SQLite (sqlite3) or PostgreSQL (psycopg 3), one code for both.

Tables are declared once as ``sqlalchemy.Table`` with the column types of :mod:`projections.columns` (aware
timestamps, JSON as JSONB on PostgreSQL, dates, keys as text); statements are composed with Core. A transaction is
a ``sqlalchemy.Connection``:

- :meth:`Database.transaction` writes (SQLite: ``BEGIN IMMEDIATE``, so writers queue instead of deadlocking);
- :meth:`Database.read` is a read-only snapshot (PostgreSQL: ``READ ONLY``; SQLite: a deferred transaction).

The durable tables (tracking, receipts, audit tree, data keys) are created by Alembic (:mod:`infrastructure.migrate`);
read models by their runner (:mod:`infrastructure.following`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import QueuePool

from infrastructure.settings import Settings


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


class Database:
    """Connections to the read-model database (the same database as the event store by default)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.dialect = "postgres" if settings.is_postgres else "sqlite"
        self._closed = threading.Event()
        if self.dialect == "postgres":
            pg = settings.postgres
            self.schema = pg["schema"]
            self.conninfo = psycopg.conninfo.make_conninfo(
                host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"], dbname=pg["dbname"])
            """For connections of its own (``infrastructure.notifications``)."""
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            url = URL.create("postgresql+psycopg", username=pg["user"], password=pg["password"] or None,
                             host=pg["host"], port=int(pg["port"]), database=pg["dbname"])
            self.engine: Engine = create_engine(
                url, pool_size=2, max_overflow=8, json_serializer=_json_dumps,
                json_deserializer=orjson.loads, connect_args={"options": f"-c search_path={self.schema}"},
            )
        else:
            self.schema = "main"
            self.path = Path(settings.sqlite_path)
            self.engine = create_engine(
                f"sqlite:///{self.path}", poolclass=QueuePool, pool_size=10, max_overflow=-1,
                json_serializer=_json_dumps, json_deserializer=orjson.loads,
                connect_args={"check_same_thread": False, "timeout": 30},
            )
            event.listen(self.engine, "connect", _sqlite_connected)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction, committed when the block ends without an exception."""
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.begin()  # begun now, so that statements run on the driver's cursor commit too
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY" if self.dialect == "postgres" else "BEGIN")
            try:
                yield conn
            finally:
                conn.rollback()

    def erase_freed(self, table: str) -> None:
        """Reclaim now the space of rows deleted or overwritten in ``table``, so their bytes leave the files: on
        PostgreSQL ``VACUUM`` (old row versions no open transaction can still see are removed and their pages
        compacted); on SQLite a ``TRUNCATE`` checkpoint (the old page images leave the WAL file; the database pages
        were rewritten with ``secure_delete``)."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if self.dialect == "postgres":
                quote = conn.dialect.identifier_preparer.quote
                conn.exec_driver_sql(f"VACUUM {quote(self.schema)}.{quote(table)}")
            else:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_connected(dbapi_connection: Any, _record: Any) -> None:
    """Transactions are begun explicitly (``BEGIN IMMEDIATE`` for writers), never by the driver."""
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA busy_timeout=30000")
