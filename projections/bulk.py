"""Many rows inserted into one table with one ``executemany``, the SQL written once per table and set of columns and
each value bound by its column type's own bind processor (the processors SQLAlchemy would apply), without
SQLAlchemy's per-statement compilation and per-row parameter assembly: what a rebuild spends most on when it writes
the timelines' rows and the log's events (docs/performance.md, issue #10).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table


@lru_cache(maxsize=512)
def _plain(table: Table, columns: tuple[str, ...], dialect: Dialect) -> tuple[str, list[Callable[[Any], Any] | None]]:
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    return sql, [table.c[c].type._cached_bind_processor(dialect) for c in columns]


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` ``rows`` (each with the same keys, column names of ``table``) into ``table`` in one executemany;
    the same values as ``conn.execute(insert(table), rows)`` would bind."""
    if not rows:
        return
    columns = tuple(rows[0])
    sql, processors = _plain(table, columns, conn.dialect)
    bound = [tuple(value if process is None else process(value)
                   for value, process in zip([row[c] for c in columns], processors, strict=True)) for row in rows]
    conn.exec_driver_sql(sql, bound)
