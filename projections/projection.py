"""What a read model declares: its tables, its handlers, its version. The runner (``infrastructure.following``)
applies batches of log entries to it and keeps its position (docs/architecture.md §1, §10).

A projection lists its tables as class attributes (``sqlalchemy.Table`` objects declared once in its module, on
the module's ``MetaData``) and writes through ``self.<attribute>``: an instance made with :meth:`Projection.shadow`
writes to shadow copies of the same tables (``<name>__shadow``), which a rebuild fills while readers still see the
live tables, and then swaps in (``Runner.rebuild``). Queries read the module-level tables.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar

from sqlalchemy import Connection, Executable, Insert, MetaData, Table
from sqlalchemy.sql.elements import quoted_name

from application.following import FollowerFailed
from application.ports import LogEntry
from projections.bulk import insert_rows

SHADOW = "__shadow"
"""Suffix of a rebuilding projection's tables and indexes."""


class Batch:
    """What a projection's helpers keep in memory while it applies one batch of log entries, and write once at the
    end of the batch, inside its transaction (``projections.states.fold`` keeps each record's state here: one read
    per record and batch, and one ``executemany`` per table instead of a round trip per event)."""

    def __init__(self, entries: Sequence[LogEntry] = ()) -> None:
        self.entries = entries
        """The batch's log entries (helpers read what the later ones need in one statement: ``Timeline.current``)."""
        self.values: dict[Any, Any] = {}
        self._writers: dict[Any, Callable[[Connection], None]] = {}

    def at_end(self, key: Any, write: Callable[[Connection], None]) -> None:
        """Run ``write(conn)`` once when the batch ends (registered under ``key``, the first registration kept)."""
        self._writers.setdefault(key, write)

    def end(self, conn: Connection) -> None:
        for write in self._writers.values():
            write(conn)


_BATCH: ContextVar[Batch | None] = ContextVar("projection_batch", default=None)


def defer(conn: Connection, statement: Executable, params: dict[str, Any], *, inserts: bool) -> None:
    """Execute ``statement`` with ``params`` at the end of the batch, one ``executemany`` per statement (build the
    statement once per table, so that a batch's events share it): the deferred inserts first, then the other
    statements (updates), each in the order first deferred, each statement's parameters in the order given. Right
    for a table whose rows are inserted once and then updated, as a record's parts are; outside a batch, at once.
    ``inserts``: ``statement`` is ``insert(table)`` and ``params`` a whole row, inserted with the batch's other rows
    of the table by ``projections.bulk.insert_rows`` (a ``COPY`` on PostgreSQL, issue #15)."""
    batch = current_batch()
    if batch is None:
        conn.execute(statement, params)
        return
    if "deferred" not in batch.values:
        batch.values["deferred"] = ({}, {})
        batch.at_end("deferred", _run_deferred)
    batch.values["deferred"][0 if inserts else 1].setdefault(statement, []).append(params)


def _run_deferred(conn: Connection) -> None:
    batch = current_batch()
    assert batch is not None
    inserts, updates = batch.values.pop("deferred")
    for statement, rows in inserts.items():
        assert isinstance(statement, Insert)
        assert isinstance(statement.table, Table)
        alike: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            alike.setdefault(tuple(row), []).append(row)
        for same in alike.values():
            insert_rows(conn, statement.table, same)
    for statement, params in updates.items():
        conn.execute(statement, params)


def continued(entries: Sequence[LogEntry], events: tuple[type, ...]) -> set[Any]:
    """The records whose events (of ``events``' classes) among ``entries`` continue what was stored before them: the
    first of each record's events here is not its creating one (aggregate version 1)."""
    first: dict[Any, int] = {}
    for entry in entries:
        if type(entry.event) in events:
            first.setdefault(entry.event.originator_id, entry.event.originator_version)
    return {record for record, version in first.items() if version > 1}


def current_batch() -> Batch | None:
    """The batch being applied, or ``None`` outside :meth:`Projection.process` (then helpers write at once)."""
    return _BATCH.get()


@contextmanager
def batch(conn: Connection, entries: Sequence[LogEntry] = ()) -> Iterator[Batch]:
    """Apply a batch (of ``entries``): what the helpers kept is written when the block ends without an exception."""
    current = Batch(entries)
    token = _BATCH.set(current)
    try:
        yield current
        current.end(conn)
    finally:
        _BATCH.reset(token)


@functools.cache
def shadow_of(table: Table) -> Table:
    """The shadow copy of ``table`` (``<name>__shadow``, its indexes likewise), made once per process: every rebuild
    of the projection writes to the same ``Table`` objects, so the statements built and compiled for them are
    reused (``functools.lru_cache`` of statements per table, SQLAlchemy's compiled cache) rather than made anew."""
    copy = table.to_metadata(MetaData(), name=table.name + SHADOW)
    conditions = {index.name: index._ddl_if for index in table.indexes}  # to_metadata drops an index's ddl_if
    for index in copy.indexes:
        index._ddl_if = conditions[index.name]
        index.name = quoted_name(f"{index.name}{SHADOW}", None)
    return copy


def on(*event_types: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a projection method as the handler of these event types: ``handler(self, conn, event, position)``."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn._handles = event_types  # type: ignore[attr-defined]  # a marker read back in __init_subclass__
        return fn

    return mark


class Projection:
    """One read model: its tables, its handlers (``@on``), its queries (a class beside it). Rebuildable from the log."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    """Bump when the tables or handlers change: the runner then rebuilds the read model from the log."""
    rebuild_cost: ClassVar[int] = 1
    """Its share of a rebuild's client CPU, in hundredths, as measured at 3·10⁴ log events (docs/performance.md,
    "Eleventh round, the rebuild"): how a rebuild splits the read models between two processes
    (``infrastructure.rebuild_process``). Most read models take under one hundredth."""
    _handlers: ClassVar[dict[type, str]]
    _table_attributes: ClassVar[dict[str, Table]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "process" in vars(cls) and "wants" not in vars(cls):
            raise TypeError(f"{cls.__name__} processes batches itself: say which entries it wants (wants)")
        cls._handlers = {}
        cls._table_attributes = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                if isinstance(value, Table):
                    cls._table_attributes[attr] = value
                for event_type in getattr(value, "_handles", ()):
                    cls._handlers[event_type] = attr

    def __init__(self) -> None:
        self.is_shadow = False

    @property
    def tables(self) -> list[Table]:
        """This instance's tables (live or shadow), in creation order (a table before those referring to it)."""
        return [getattr(self, attr) for attr in self._table_attributes]

    @property
    def live_tables(self) -> list[Table]:
        return list(self._table_attributes.values())

    def shadow(self) -> Projection:
        """The same projection writing to shadow tables (``<table>__shadow``, indexes likewise)."""
        twin = type(self).__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.is_shadow = True
        for attr, table in self._table_attributes.items():
            setattr(twin, attr, shadow_of(table))
        return twin

    def create(self, conn: Connection) -> None:
        for table in self.tables:
            table.create(conn)

    def drop(self, conn: Connection) -> None:
        for table in reversed(self.tables):
            table.drop(conn, checkfirst=True)

    @classmethod
    def handles(cls, event_type: type) -> bool:
        """Whether a handler (``@on``) takes events of ``event_type``."""
        return event_type in cls._handlers

    def wants(self, entries: list[LogEntry]) -> bool:
        """Whether any of the entries is an event this projection handles (a follower that wants none of a batch
        only moves its position past it)."""
        return any(type(entry.event) in self._handlers for entry in entries)

    def prepare(self, conn: Connection, entries: list[LogEntry]) -> None:
        """Before the handlers apply ``entries`` (in their batch): read at once what they would read record by
        record, and keep it in the batch (:func:`current_batch`). Nothing by default."""

    def process(self, conn: Connection, entries: list[LogEntry]) -> None:
        """Apply the entries as one batch (:class:`Batch`); raises :class:`FollowerFailed` naming the position of an
        entry that fails."""
        with batch(conn, entries):
            self.prepare(conn, entries)
            for entry in entries:
                handler = self._handlers.get(type(entry.event))
                if handler is not None:
                    try:
                        getattr(self, handler)(conn, entry.event, entry.position)
                    except Exception as exc:
                        raise FollowerFailed(entry.position, exc) from exc
