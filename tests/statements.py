"""The statements SQLAlchemy sends: how a test shows that a round or a rebuild reads or writes in bulk (issue #15)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from api.bootstrap import System


@contextmanager
def statements_sent(system: System) -> Iterator[list[str]]:
    """The text of every statement sent on ``system``'s engine inside the block, in order."""
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(system.db.engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(system.db.engine, "before_cursor_execute", seen)
