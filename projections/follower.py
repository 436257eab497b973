"""Plain-SQL projections, being moved to SQLAlchemy Core (``projections.projection``); the runner adapts them."""

from __future__ import annotations

from typing import Any, ClassVar

from application.following import FollowerFailed
from application.ports import LogEntry
from projections.projection import on
from projections.sql import ReadDatabase, Tx

__all__ = ["LegacyProjection", "on"]


class LegacyProjection:
    """One read model: its tables (DDL), its handlers (``@on``), its queries. Rebuildable from the log."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]] = ()
    ddl: ClassVar[tuple[str, ...]] = ()
    _handlers: ClassVar[dict[type, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for attr, value in vars(cls).items():
            for event_type in getattr(value, "_handles", ()):
                cls._handlers[event_type] = attr

    def setup(self, db: ReadDatabase, tx: Tx) -> None:
        for statement in self.ddl:
            tx.execute(db.ddl(statement))

    def drop(self, tx: Tx) -> None:
        for table in self.tables:
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def process(self, tx: Tx, entries: list[LogEntry]) -> None:
        """Apply the entries; raises :class:`FollowerFailed` naming the position of an entry that fails."""
        for entry in entries:
            handler = self._handlers.get(type(entry.event))
            if handler is not None:
                try:
                    getattr(self, handler)(tx, entry.event, entry.position)
                except Exception as exc:
                    raise FollowerFailed(entry.position, exc) from exc
