"""Plain-SQL access for the modules not yet moved to SQLAlchemy Core (being retired: see docs/DEVELOPING.md).

:class:`LegacyTx` runs ``:name``-parameter SQL on the DBAPI cursor of a Core connection (same transaction), with the
old column-name conventions: ``_json`` columns hold JSON; ``_at``/``_from``/``_to`` timestamps; ``_on`` dates.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from sqlalchemy import Connection

from projections.columns import iso

if TYPE_CHECKING:
    from infrastructure.database import Database

TYPES = {
    "sqlite": {"TS": "TEXT", "JSON": "TEXT", "BLOB": "BLOB", "BIGINT": "INTEGER", "DATE": "TEXT"},
    "postgres": {"TS": "timestamptz", "JSON": "jsonb", "BLOB": "bytea", "BIGINT": "bigint", "DATE": "date"},
}
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_TIME_SUFFIXES = ("_at", "_from", "_to")


class LegacyTx:
    """One transaction's DBAPI cursor, with the conventions above applied both ways."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.dialect = "postgres" if conn.dialect.name == "postgresql" else "sqlite"
        raw = conn.connection.driver_connection
        if self.dialect == "postgres":
            self._cursor: Any = raw.cursor(row_factory=dict_row)  # type: ignore[union-attr]
        else:
            self._cursor = raw.cursor()  # type: ignore[union-attr]
            self._cursor.row_factory = sqlite3.Row

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
        return int(self._cursor.rowcount)

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


class LegacyDatabase:
    """The :class:`~infrastructure.database.Database` seen through :class:`LegacyTx`."""

    def __init__(self, db: Database):
        self.db = db
        self.dialect = db.dialect

    def ddl(self, template: str) -> str:
        return template.format(**TYPES[self.dialect])

    @contextmanager
    def transaction(self) -> Iterator[LegacyTx]:
        with self.db.transaction() as conn:
            yield LegacyTx(conn)

    @contextmanager
    def read(self) -> Iterator[LegacyTx]:
        with self.db.read() as conn:
            yield LegacyTx(conn)
