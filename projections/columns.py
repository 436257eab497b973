"""Column types of every table, chosen explicitly and the same on SQLite and PostgreSQL.

- :class:`Key`: identifiers and codes as text (a ``UUID`` or a ``StrEnum`` is bound as its text);
- :class:`Timestamp`: timezone-aware instants (``timestamptz`` on PostgreSQL; fixed-width ISO-8601 UTC text on
  SQLite, which then sorts and compares correctly), always returned aware;
- :data:`Json`: ``jsonb`` on PostgreSQL, ``JSON`` (text) on SQLite;
- :data:`BigInt`: 64-bit integers (positions, sizes, amounts);
- ``Date``, ``Integer``, ``Boolean``, ``LargeBinary`` from SQLAlchemy as they are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB


def iso(dt: datetime) -> str:
    """A timestamp as fixed-width UTC text, so SQLite compares it correctly."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


class Key(TypeDecorator[str]):
    """An identifier or code, stored as text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, Enum):
            return str(value.value)
        return str(value)  # a str, or a UUID as its canonical text


class Timestamp(TypeDecorator[datetime]):
    """An aware instant: ``timestamptz`` on PostgreSQL, ISO-8601 UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive timestamp {value!r}: every stored instant is timezone-aware")
        return iso(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(value)


Json = JSON().with_variant(JSONB(), "postgresql")
"""JSON documents: ``jsonb`` on PostgreSQL, JSON text on SQLite."""

BigInt = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit integer (``bigint`` on PostgreSQL; SQLite's ``INTEGER`` is 64-bit and keeps a key the rowid)."""
