"""The read-model database: SQLAlchemy Core on SQLite (sqlite3) or PostgreSQL (psycopg 3), one code for both.

Tables are declared once as ``sqlalchemy.Table`` with the column types of :mod:`projections.columns` (aware
timestamps, JSON as JSONB on PostgreSQL, dates, keys as text); statements are composed with Core. A transaction is
a ``sqlalchemy.Connection``:

- :meth:`Database.transaction` writes (SQLite: ``BEGIN IMMEDIATE``, so writers queue instead of deadlocking);
- :meth:`Database.read` reads (PostgreSQL: each statement on its own on a read-only session of a pool of its own;
  SQLite: a deferred transaction, a snapshot).

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

WRITERS = 4
"""Connections kept for write transactions (PostgreSQL): the projection runner, the sealer, the worker, a rebuild."""
READERS = 20
"""Connections kept for reads (PostgreSQL), and as many more under a burst: the server's worker threads (40) read
briefly, one statement at a time; a connection opened beyond the pool is closed again when returned, so the pool
is sized for the usual concurrency rather than the peak."""


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
                url, pool_size=WRITERS, max_overflow=8, json_serializer=_json_dumps,
                json_deserializer=orjson.loads, connect_args={"options": f"-c search_path={self.schema}"},
            )
            self._reads: Engine = create_engine(
                url, pool_size=READERS, max_overflow=READERS, json_serializer=_json_dumps,
                json_deserializer=orjson.loads, isolation_level="AUTOCOMMIT",
                connect_args={"options": f"-c search_path={self.schema} -c default_transaction_read_only=on"},
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
            self._reads = self.engine

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
    def read(self, within: Connection | None = None) -> Iterator[Connection]:
        """A connection to read with, nothing written through it; ``within``, when the caller lends the connection
        it already reads with, that one (a page then checks one connection out of the pool, not two).

        PostgreSQL: a connection of the read pool, in autocommit on a session whose every transaction is read-only
        (``default_transaction_read_only``), so each statement is one round trip — no ``BEGIN``, ``SET TRANSACTION
        READ ONLY`` or ``ROLLBACK`` around it — and sees what was committed when it started, as it did inside a
        ``READ COMMITTED`` transaction (PostgreSQL's default, never changed here: a transaction gave no snapshot
        across statements either). Readers have a pool of their own (:data:`READERS`), so a page never queues behind
        the followers' write transactions for a connection. SQLite: a deferred transaction, a snapshot of the WAL."""
        if within is not None:
            yield within
            return
        with self._reads.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN")
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
        self._reads.dispose()


def _sqlite_connected(dbapi_connection: Any, _record: Any) -> None:
    """Transactions are begun explicitly (``BEGIN IMMEDIATE`` for writers), never by the driver."""
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA busy_timeout=30000")
