"""What a test reads of the read models and of what reached them: a projection's rows, and the statements a block
sends — how a test shows that a rebuild leaves the followers' rows in fewer statements (issue #15)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, select

from api.bootstrap import System


def live_rows(system: System, projection: str) -> dict[str, list[str]]:
    """Every row of the projection's live tables, each table's rows as sorted ``repr`` strings."""
    tables = system.runner.projections[projection].live_tables
    with system.db.read() as conn:
        return {t.name: sorted(map(repr, conn.execute(select(t)).all())) for t in tables}


@contextmanager
def statements_sent(system: System, reads: bool = False) -> Iterator[list[str]]:
    """The text of every statement sent on ``system``'s engine inside the block, in order (``reads``: on every
    engine — PostgreSQL's reads have a pool and engine of their own, ``Database.read``)."""
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    target = Engine if reads else system.db.engine
    event.listen(target, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(target, "before_cursor_execute", seen)


def on_table(sent: list[str], table: str) -> list[str]:
    """The statements of ``sent`` that read or write rows and name ``table`` (its creation and drops left out)."""
    return [s for s in sent if table in s and s.lstrip().startswith(("SELECT", "INSERT", "UPDATE", "DELETE"))]
