"""Many rows inserted into one table with one ``executemany``, the SQL written once per table and set of columns and
each value bound by its column type's own bind processor (the processors SQLAlchemy would apply), without
SQLAlchemy's per-execution compilation and per-row parameter assembly: what a rebuild spends most on when it writes
the timelines' rows and the log's events (docs/performance.md, issue #10).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert


@lru_cache(maxsize=512)
def _plain(table: Table, columns: tuple[str, ...], dialect: Dialect
           ) -> tuple[str, tuple[str, ...], bool, list[Callable[[Any], Any] | None]]:
    """The ``INSERT`` of ``columns`` compiled once for ``dialect`` (SQLAlchemy writes it), the columns in the order
    it binds them, whether it binds them by position, and each one's bind processor."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = tuple(compiled.positiontup or ()) if compiled.positional else columns
    return str(compiled), order, compiled.positional, [table.c[c].type._cached_bind_processor(dialect) for c in order]


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` ``rows`` (each with the same keys, column names of ``table``) into ``table`` in one executemany;
    the same values as ``conn.execute(insert(table), rows)`` would bind."""
    if not rows:
        return
    sql, order, positional, processors = _plain(table, tuple(rows[0]), conn.dialect)
    bound = [tuple(value if process is None else process(value)
                   for value, process in zip([row[c] for c in order], processors, strict=True)) for row in rows]
    conn.exec_driver_sql(sql, bound if positional else [dict(zip(order, values, strict=True)) for values in bound])
