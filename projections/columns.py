"""Column types of every table, chosen explicitly and the same on SQLite and PostgreSQL.

- :class:`Key`: identifiers and codes as text (a ``UUID`` or a ``StrEnum`` is bound as its text);
- :class:`Jurisdiction`: a jurisdiction's path as a :class:`Key`, in collation ``"C"`` on PostgreSQL;
- :class:`Timestamp`: timezone-aware instants (``timestamptz`` on PostgreSQL; fixed-width ISO-8601 UTC text on
  SQLite, which then sorts and compares correctly), always returned aware;
- :data:`Json`: ``jsonb`` on PostgreSQL, ``JSON`` (text) on SQLite;
- :data:`BigInt`: 64-bit integers (positions, sizes, amounts);
- ``Date``, ``Integer``, ``Boolean``, ``LargeBinary`` from SQLAlchemy as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from enum import Enum
from functools import partial
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Connection,
    DateTime,
    Dialect,
    Integer,
    Select,
    Text,
    TypeDecorator,
    any_,
    bindparam,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB


def iso(dt: datetime) -> str:
    """A timestamp as fixed-width UTC text, so SQLite compares it correctly (``isoformat`` writes the same text as
    the format below, several times faster, for four-digit years; ``strftime`` keeps writing years before 1000)."""
    utc = dt.astimezone(UTC)
    if utc.year >= 1000:
        return utc.isoformat(timespec="microseconds")
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


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

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], str | None]:
        """:meth:`process_bind_param` without the decorator's layers, a plain ``str`` passed as it is: a rebuild
        binds millions of keys (docs/performance.md, issue #10)."""

        def process(value: Any) -> str | None:
            if value is None or type(value) is str:
                return value
            return str(value.value) if isinstance(value, Enum) else str(value)

        return process


class Jurisdiction(Key):
    """A jurisdiction's path (``350000/350500/350505``, ``domain.jurisdiction``), compared byte by byte on
    PostgreSQL (collation ``"C"``): a subtree's ``LIKE '350000/350500/%'`` (``projections.scope.within``) is then a
    range of any index that starts with the column, whatever collation the database was created with. Under any
    other collation (``C.UTF-8`` included, on PostgreSQL 15) the planner cannot turn ``LIKE`` into a range, and a
    scoped read scans the table (docs/performance.md, "Eighth round, PostgreSQL at 10⁶"). SQLite compares text
    byte by byte already."""

    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Text(collation="C"))
        return dialect.type_descriptor(Text())


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

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        """:meth:`process_bind_param` without the decorator's layers (it binds a few per row written)."""
        sqlite = dialect.name == "sqlite"

        def process(value: Any) -> Any:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError(f"naive timestamp {value!r}: every stored instant is timezone-aware")
            return iso(value) if sqlite else value

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(value)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        """:meth:`process_result_value` without the decorator's layers, and none on PostgreSQL, whose driver returns
        ``timestamptz`` aware already: a ledger page reads ~700 timestamps (issue #15)."""
        if dialect.name != "sqlite":
            return None
        return partial(self.process_result_value, dialect=dialect)


Json = JSON().with_variant(JSONB(), "postgresql")
"""JSON documents: ``jsonb`` on PostgreSQL, JSON text on SQLite."""

BigInt = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit integer (``bigint`` on PostgreSQL; SQLite's ``INTEGER`` is 64-bit and keeps a key the rowid)."""


def among(conn: Connection, column: ColumnElement[Any], values: Sequence[Any], size: int = 500
          ) -> Iterator[ColumnElement[bool]]:
    """``column IN values`` as the conditions of the queries to send, none if there are no values. On PostgreSQL
    one, the values bound as one array (``column = ANY(%s)``): a statement whose text is the same whatever the
    number of values, so neither SQLAlchemy nor the driver renders and parses a parameter per value (a first
    dossier binds about 4,000, docs/performance.md, "Eleventh round, the dossier's first build"). On SQLite an
    expanded ``IN`` list per ``size`` values (its bound variables are limited)."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for start in range(0, len(values), size):
        yield column.in_(values[start:start + size])


def rows_of(conn: Connection, queries: Sequence[Select[Any]]) -> list[Any]:
    """The rows of every query (each of the same columns), in no particular order: on PostgreSQL in one statement,
    the queries joined by ``UNION ALL`` (one round trip), on SQLite one statement each (its bound variables are
    limited)."""
    if conn.dialect.name == "postgresql" and len(queries) > 1:
        return list(conn.execute(union_all(*queries)).all())
    return [row for query in queries for row in conn.execute(query).all()]
