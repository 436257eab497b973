"""Many rows inserted into one table at once, the SQL written once per table and set of columns and each value bound
by its column type's own bind processor (the processors SQLAlchemy would apply), without SQLAlchemy's per-execution
compilation and per-row parameter assembly: what a rebuild spends most on when it writes the timelines' rows and the
log's events (docs/performance.md, issue #10). On PostgreSQL the rows go in by one binary ``COPY`` (issue #15: a
rebuild of 35-column rows with nine JSON values each, which psycopg bound and pipelined row by row as an
``executemany``); on SQLite by one ``executemany``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from psycopg import postgres, pq
from psycopg.sql import SQL, Composed, Identifier
from psycopg.types.json import Jsonb
from psycopg.types.string import BytesBinaryDumper
from sqlalchemy import Column, Connection, Dialect, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from projections.columns import Key

Processors = list[Callable[[Any], Any] | None]

_TYPES = SQL("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
             "AND NOT attisdropped")
"""A PostgreSQL table's columns' types (their oids), which a binary ``COPY`` must name."""

JSONB = postgres.types["jsonb"].oid
BYTEA = postgres.types["bytea"].oid

_oids: dict[Table, dict[str, int]] = {}
"""Each table's columns' type oids, read once per process (built-in types: the same in every schema and after the
table is made again, as a rebuild's shadow tables are)."""


@lru_cache(maxsize=512)
def _plain(table: Table, columns: tuple[str, ...], dialect: Dialect) -> tuple[str, tuple[str, ...], bool, Processors]:
    """The ``INSERT`` of ``columns`` compiled once for ``dialect`` (SQLAlchemy writes it), the columns in the order
    it binds them, whether it binds them by position, and each one's bind processor."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = tuple(compiled.positiontup or ()) if compiled.positional else columns
    return str(compiled), order, compiled.positional, _processors(table, order, dialect)


@lru_cache(maxsize=512)
def _copy(table: Table, columns: tuple[str, ...], dialect: Dialect) -> tuple[Identifier, Composed, Processors]:
    """The table's name, the ``COPY`` of ``columns`` into it (identifiers composed by ``psycopg.sql``) and each
    column's bind processor."""
    target = Identifier(table.name) if table.schema is None else Identifier(table.schema, table.name)
    statement = SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(target, SQL(", ").join(map(Identifier, columns)))
    return target, statement, _processors(table, columns, dialect)


def _processors(table: Table, columns: Sequence[str], dialect: Dialect) -> Processors:
    return [table.c[c].type._cached_bind_processor(dialect) for c in columns]


def _bound(table: Table, rows: Iterable[dict[str, Any]], order: Sequence[str],
           processors: Processors) -> Iterator[list[Any]]:
    """Each row's values in ``order`` (one ``itemgetter`` call), those of a column with a bind processor through it,
    but a :class:`Key`'s ``str`` (which its processor returns as it is): a column without one, and most keys, cost
    nothing per row (issue #15: a rebuild binds ~10⁶ values, ~3·10⁵ of them keys already text)."""
    values = itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
    processed = [(i, process, isinstance(table.c[c].type, Key))
                 for i, (c, process) in enumerate(zip(order, processors, strict=True)) if process is not None]
    keys = [(i, process) for i, process, key in processed if key]
    others = [(i, process) for i, process, key in processed if not key]
    for row in rows:
        bound = list(values(row))
        for i, process in keys:
            if bound[i].__class__ is not str:
                bound[i] = process(bound[i])
        for i, process in others:
            bound[i] = process(bound[i])
        yield bound


def _jsonb(column: Column[Any], dumps: Callable[[Any], str | bytes]) -> Callable[[Any], bytes | None]:
    """A ``jsonb`` column's value as its binary ``COPY`` field (a version byte, then the JSON text), serialised by
    ``dumps`` — the connection's own JSON serialiser — as SQLAlchemy's JSON type and psycopg's ``Jsonb`` dumper
    would bind a plain value (``None`` is JSON ``null`` unless the type says ``none_as_null``), without their two
    layers of calls per value: a rebuild writes ~10⁵ JSON values (issue #15)."""
    none_as_null = getattr(column.type, "none_as_null", False)

    def encoded(value: Any) -> bytes:
        data = dumps(value)
        return b"\x01" + (data.encode() if isinstance(data, str) else data)

    null = encoded(None)

    def process(value: Any) -> bytes | None:
        if value is None:
            return None if none_as_null else null
        return encoded(value)

    return process


def _pipelined(conn: Connection) -> bool:
    """Whether the driver's connection is in pipeline mode (a follower's round, ``infrastructure.following``), where
    ``COPY`` cannot run: the ``INSERT`` rides the pipeline instead."""
    driver = conn.connection.driver_connection
    return driver is not None and driver.pgconn.pipeline_status != pq.PipelineStatus.OFF


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with the same keys, column names of ``table``) into ``table``: the same values as
    ``conn.execute(insert(table), rows)`` would bind, in one statement (PostgreSQL: a binary ``COPY`` on the
    driver's connection, inside the caller's transaction, each row bound as it is written, a ``jsonb`` value
    serialised straight to its field and sent as bytes, :func:`_jsonb`; SQLite: one ``executemany``). A row
    already stored still fails its primary key."""
    if not rows:
        return
    columns = tuple(rows[0])
    if conn.dialect.name == "postgresql" and not _pipelined(conn):
        target, statement, processors = _copy(table, columns, conn.dialect)
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            if table not in _oids:
                _oids[table] = dict(cursor.execute(_TYPES, (target.as_string(driver),)).fetchall())
            oids = [_oids[table][c] for c in columns]
            if JSONB in oids:
                dumps = driver.adapters.get_dumper_by_oid(JSONB, pq.Format.BINARY)(Jsonb, driver).dumps
                processors = [_jsonb(table.c[c], dumps) if oid == JSONB else process
                              for c, oid, process in zip(columns, oids, processors, strict=True)]
                oids = [BYTEA if oid == JSONB else oid for oid in oids]
                cursor.adapters.register_dumper(bytes, BytesBinaryDumper)  # the driver's own (in C), not DB-API's
            with cursor.copy(statement) as copy:
                copy.set_types(oids)
                for row in _bound(table, rows, columns, processors):
                    copy.write_row(row)
        return
    sql, order, positional, processors = _plain(table, columns, conn.dialect)
    bound = [tuple(values) for values in _bound(table, rows, order, processors)]
    conn.exec_driver_sql(sql, bound if positional else [dict(zip(order, values, strict=True)) for values in bound])


@lru_cache(maxsize=64)
def _replacing(table: Table, dialect: str) -> Insert:
    """``INSERT … ON CONFLICT (<primary key>) DO UPDATE SET <every other column> = excluded.<column>`` into ``table``
    (PostgreSQL's or SQLite's ``INSERT``), built once per table."""
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    keys = [column.name for column in table.primary_key]
    return statement.on_conflict_do_update(index_elements=keys, set_={
        column.name: statement.excluded[column.name] for column in table.columns if column.name not in keys})


def replace_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Store ``rows`` (every column of ``table``, each primary key once) in ``table``, each in place of the stored row
    with its primary key, if any: what deleting those rows and inserting these leaves, in one statement instead of
    two (issue #15: a follower's round of a few events paid a ``DELETE`` and an ``INSERT`` per table)."""
    if rows:
        conn.execute(_replacing(table, conn.dialect.name), list(rows))
