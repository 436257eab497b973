"""Bitemporal timelines: an entity's states over effective time, as known over recorded time (docs/architecture.md §4).

A read model whose rows change over time (a hazard's status and deadline, an inspection's signatures) keeps one
row per *segment*: the entity's columns over an effective interval ``[valid_from, valid_to)``, as the system knew
them over a recorded interval ``[recorded_from, recorded_to)``. Both questions are then one indexed query:
*what was the state on the day* (:func:`valid` at ``as_of``) and *what did the system show that day*
(:func:`known` at ``known_at``).

Each event contributes a *change* — some columns take new values from its effective time on; a *counter* column
(``Timeline.counters``) takes an increment instead, so its value at any time is the number of its events effective
by then, however late they were recorded. Changes are kept
(:func:`changes_table`) so that a change recorded late but effective earlier (a backdated fact) re-folds the
timeline: the rows known until then are closed at the new recorded time, never updated in place, and the new
timeline is recorded beside them. An in-order change, the usual case, only splits the open segment.

A change holds only what its event says by itself (a verifier, a measure). Columns whose value depends on what came
before — a status above all — are the domain's to decide (:class:`Decided`): the timeline keeps the events
themselves and takes those columns from the aggregate's state after each, folded with the domain's own
``event.apply`` in the order the events took effect (``domain.base.in_effect_order``). So a re-fold never replays
absolute values in a new order — a hazard marked overdue on the 6th, whose fix turns out to have been submitted,
accepted and struck off by the 5th, stays closed, because marking overdue does nothing to a closed hazard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)

from domain.base import Aggregate, DomainEvent, upcast
from projections.bulk import insert_rows
from projections.columns import Json, Key, Timestamp
from projections.projection import continued, current_batch
from projections.states import load, preload, store

INTERVALS = ("valid_from", "valid_to", "recorded_from", "recorded_to")


def bitemporal_columns() -> list[Column[Any]]:
    """The interval columns of a bitemporal table (``valid_*``: effective time; ``recorded_*``: recorded time)."""
    return [Column("valid_from", Timestamp, nullable=False), Column("valid_to", Timestamp),
            Column("recorded_from", Timestamp, nullable=False), Column("recorded_to", Timestamp)]


def known(table: Table, known_at: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Rows the system showed at ``known_at``."""
    c = table.c
    return and_(c.recorded_from <= known_at, or_(c.recorded_to.is_(None), c.recorded_to > known_at))


def valid(table: Table, as_of: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Rows in force at ``as_of``."""
    c = table.c
    return and_(c.valid_from <= as_of, or_(c.valid_to.is_(None), c.valid_to > as_of))


def changes_table(table: str, metadata: MetaData, *, events: bool = False) -> Table:
    """The changes kept for re-folding the timeline of ``table`` (``events``: with each change's event, for a
    timeline whose domain decides columns, :class:`Decided`)."""
    kept = [Column("event_json", Json, nullable=False)] if events else []
    return Table(f"{table}_changes", metadata,
                 Column("entity_id", Key, primary_key=True), Column("version", Integer, primary_key=True),
                 Column("effective_at", Timestamp, nullable=False), Column("recorded_at", Timestamp, nullable=False),
                 Column("changes_json", Json, nullable=False), *kept)


def current_index(table: Table, key: str) -> Index:
    """The index that finds an entity's rows as known now (``recorded_to IS NULL``)."""
    return Index(f"{table.name}_known", table.c[key], table.c.recorded_to)


def history_of(current: Table, name: str, key: str, metadata: MetaData) -> Table:
    """The bitemporal history (``name``) of a read model that also keeps each record's current row in ``current``:
    the same columns (nullable: what a segment does not know yet is empty), ``revision`` and the intervals, keyed
    ``(key, revision)``, indexed for the as-known-now lookup and, with a ``jurisdiction``, for scoped reads at a time.
    The current table stays what the policies and lookups read; the ledgers read the history at ``as_of`` as known
    at ``known_at`` (issue #14)."""
    columns: list[Column[Any]] = [Column(key, Key, primary_key=True),
                                  Column("revision", Integer, primary_key=True, autoincrement=False)]
    columns += [Column(c.name, c.type, nullable=True) for c in current.columns if c.name != key]
    table = Table(name, metadata, *columns, *bitemporal_columns())
    if "jurisdiction" in table.c:
        Index(f"{name}_scope", table.c.jurisdiction, table.c.recorded_to, table.c.valid_to)
    current_index(table, key)
    return table


def standing(table: Table) -> ColumnElement[bool]:
    """Rows in force now as known now (the open segment of every entity)."""
    c = table.c
    return and_(c.valid_to.is_(None), c.recorded_to.is_(None))


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


@lru_cache(maxsize=256)
def _statements(table: Table, key: str) -> dict[str, Any]:
    """The statements a timeline runs for every change, built once per table: the values travel as parameters, so
    no statement is rebuilt (and no cache key recomputed) per event."""
    t = table.c
    return {
        "current": select(table).where(t[key] == bindparam("k"), t.valid_to.is_(None), t.recorded_to.is_(None)),
        "currents": select(table).where(t[key].in_(bindparam("ks", expanding=True)), t.valid_to.is_(None),
                                        t.recorded_to.is_(None)),
        "close": update(table).where(t[key] == bindparam("k"), t.revision == bindparam("rev"))
        .values(recorded_to=bindparam("rt")),
    }


@dataclass(frozen=True)
class Decided:
    """The columns of a timeline that the domain decides (module docstring): ``columns(state)`` reads them from the
    aggregate's state, which is kept in ``states`` (``projections.states.states_table``) as folded in the order the
    events took effect; ``events`` are the aggregate's event classes (to read the kept events back). ``parts(state,
    row)``, if given, reads more columns from the state beside the segment as the events' own changes leave it
    (``row``: what the state does not keep, e.g. when each finding was entered, a ``Timeline.merged`` column)."""

    aggregate: type[Aggregate]
    events: tuple[type[DomainEvent], ...]
    columns: Callable[[Any], dict[str, Any]]
    states: Table
    parts: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None

    def decide(self, state: Any, row: dict[str, Any]) -> dict[str, Any]:
        """The decided columns of the state after an event (``row``: the segment as the changes leave it)."""
        return {**self.columns(state), **(self.parts(state, row) if self.parts is not None else {})}

    def encode(self, event: DomainEvent) -> dict[str, Any]:
        """The event as kept beside its change (its class and schema version: an upcaster may follow)."""
        return {"type": type(event).__name__, "class_version": event.class_version,
                "data": event.model_dump(mode="json")}

    def decode(self, kept: dict[str, Any]) -> DomainEvent:
        cls = next(c for c in self.events if c.__name__ == kept["type"])
        return cls.model_validate(upcast(cls, {**kept["data"], "class_version": kept["class_version"]}))


class Unread:
    """The open segment was not read by the caller (:meth:`Timeline.record`)."""


UNREAD = Unread()


@dataclass(frozen=True)
class Timeline:
    """The bitemporal rows of one entity kind in ``table`` (keyed by ``key``), with its ``changes`` table.

    ``table`` lists ``key``, ``revision``, the entity's columns and :func:`bitemporal_columns`, primary key
    ``(key, revision)``.
    """

    table: Table
    changes: Table
    key: str
    counters: frozenset[str] = frozenset()
    """Columns whose changes are increments (counts of events), not values."""
    decided: Decided | None = None
    """The columns the domain decides, if any (then changes are recorded with :meth:`record_event`)."""
    merged: frozenset[str] = frozenset()
    """JSON object columns whose changes are entries added to it (what each event says about one part of the
    record, e.g. ``{"found:2": when}``), not values."""

    def _apply(self, state: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """``state`` with ``changes`` applied: values replace, counter increments add up, merged entries are added."""
        return {**state, **{c: (state.get(c) or 0) + v if c in self.counters
                            else {**(state.get(c) or {}), **v} if c in self.merged else v
                            for c, v in changes.items()}}

    def _decode(self, column: str, value: Any) -> Any:
        if isinstance(value, str):
            kind = self.table.c[column].type
            if isinstance(kind, Timestamp):
                return datetime.fromisoformat(value)
            if isinstance(kind, Date):
                return date.fromisoformat(value)
        return value

    def _kept(self) -> _Pending:
        """The writes of this timeline kept by the batch being applied (written at its end, :class:`_Pending`), or,
        outside a batch, a fresh set that :meth:`_done` writes at once."""
        batch = current_batch()
        if batch is None:
            return _Pending(self.table, self.changes, self.key)
        key = ("timeline", self.table.name)
        if key not in batch.values:
            batch.values[key] = _Pending(self.table, self.changes, self.key)
            batch.at_end(key, batch.values[key].flush)
        kept: _Pending = batch.values[key]
        return kept

    @staticmethod
    def _done(conn: Connection, pending: _Pending) -> None:
        if current_batch() is None:
            pending.flush(conn)

    def record(self, conn: Connection, entity_id: UUID | str, version: int, effective_at: datetime,
               recorded_at: datetime, changes: dict[str, Any],
               current: dict[str, Any] | Unread | None = UNREAD) -> None:
        """From ``effective_at`` on, the entity's ``changes`` columns have these values (known from ``recorded_at``).

        ``version`` orders changes that take effect at the same moment (the aggregate version of the event).
        ``current``: the entity's open segment (:meth:`current`) when the caller has just read it, so it is not read
        twice. The open segment starts at the latest change's effective time, so it alone tells whether this change
        is late (effective before it: the timeline is re-folded) or in order (the open segment is split).

        Within a projection's batch each entity's open segment is read once and kept, and the changes and rows are
        written at the end of the batch, one ``executemany`` per statement; a late change writes what is pending
        first and re-folds in the database.
        """
        assert self.decided is None, "a timeline the domain decides records events (Timeline.record_event)"
        self._keep(conn, entity_id, version, effective_at, recorded_at, changes, {})
        if isinstance(current, Unread):
            current = self.current(conn, entity_id)
        if current is not None and current["valid_from"] > effective_at:
            self._refold(conn, entity_id, recorded_at)
            return
        self._place(conn, entity_id, effective_at, recorded_at, changes, current)

    def record_event(self, conn: Connection, event: DomainEvent, changes: dict[str, Any]) -> Any:
        """Record ``event`` of a timeline the domain decides (:class:`Decided`): ``changes`` are the columns the
        event says by itself (kept, and re-folded as values); the others come from the aggregate's state after it —
        in order, the kept state evolved by ``event.apply``; recorded late, every kept event folded again in the
        order they took effect. Returns the aggregate's state after the event, as now known.

        A creating event (aggregate version 1) reads nothing: before it the record has neither state nor rows."""
        decided = self.decided
        assert decided is not None, "a timeline without decided columns records changes (Timeline.record)"
        entity_id = event.originator_id
        self._keep(conn, entity_id, event.originator_version, event.effective_at, event.timestamp, changes,
                   {"event_json": decided.encode(event)})
        first = event.originator_version == 1
        current = None if first else self.current(conn, entity_id)
        if current is not None and current["valid_from"] > event.effective_at:
            return self._refold(conn, entity_id, event.timestamp)
        state = event.apply(None if first else load(conn, decided.states, decided.aggregate, entity_id))
        store(conn, decided.states, entity_id, state, new=first or None)
        before = {k: v for k, v in current.items() if k not in INTERVALS and k != "revision"} if current else {}
        row = self._apply({self.key: entity_id, **before}, changes)
        self._place(conn, entity_id, event.effective_at, event.timestamp, {**changes, **decided.decide(state, row)},
                    current)
        return state

    def _keep(self, conn: Connection, entity_id: UUID | str, version: int, effective_at: datetime,
              recorded_at: datetime, changes: dict[str, Any], extra: dict[str, Any]) -> None:
        """Keep the change for a later re-fold."""
        pending = self._kept()
        pending.changed.append({
            "entity_id": entity_id, "version": version, "effective_at": effective_at, "recorded_at": recorded_at,
            "changes_json": {c: _encode(v) for c, v in changes.items()}, **extra})
        self._done(conn, pending)

    def _place(self, conn: Connection, entity_id: UUID | str, effective_at: datetime, recorded_at: datetime,
               changes: dict[str, Any], current: dict[str, Any] | None) -> None:
        """An in-order change: the entity's first segment, or the open segment split at ``effective_at``."""
        pending = self._kept()
        if current is None:
            pending.insert(entity_id, [{**self._apply({self.key: entity_id}, changes), "valid_from": effective_at}],
                           recorded_at, 0)
        else:
            revision = current["revision"]
            pending.close(entity_id, revision, recorded_at)
            state = {k: v for k, v in current.items() if k not in INTERVALS and k != "revision"}
            rows = [{**self._apply(state, changes), "valid_from": effective_at}]
            if current["valid_from"] < effective_at:
                rows.insert(0, {**state, "valid_from": current["valid_from"], "valid_to": effective_at})
            pending.insert(entity_id, rows, recorded_at, revision + 1)
        self._done(conn, pending)

    def current(self, conn: Connection, entity_id: UUID | str) -> dict[str, Any] | None:
        """The entity's open segment as known now, or ``None`` before its first change (read once per batch)."""
        pending = self._kept()
        if str(entity_id) not in pending.open:
            self._read_open(conn, pending, entity_id)
        kept = pending.open[str(entity_id)]
        return None if kept is None else dict(kept)

    def _read_open(self, conn: Connection, pending: _Pending, entity_id: UUID | str) -> None:
        """Read the entity's open segment into the batch's pending writes. The first time in a batch of a timeline the
        domain decides, the open segments and kept states of every record the batch's events continue are read with
        it, one statement each (issue #15: a follower's round of commands on several records read two rows per
        event); nothing of theirs was written since the batch began, so they are what each record's own read would
        find."""
        batch = current_batch()
        wanted = {str(entity_id)}
        if batch is not None and self.decided is not None and not pending.fetched:
            pending.fetched = True
            records = continued(batch.entries, self.decided.events)
            preload(conn, self.decided.states, self.decided.aggregate, records)
            wanted |= {str(record) for record in records} - pending.open.keys()
        if len(wanted) == 1:
            row = conn.execute(_statements(self.table, self.key)["current"], {"k": entity_id}).mappings().first()
            pending.open[str(entity_id)] = None if row is None else dict(row)
            return
        rows = conn.execute(_statements(self.table, self.key)["currents"], {"ks": sorted(wanted)}).mappings()
        found = {str(row[self.key]): dict(row) for row in rows}
        for key in wanted:
            pending.open[key] = found.get(key)

    def _refold(self, conn: Connection, entity_id: UUID | str, recorded_at: datetime) -> Any:
        """Recompute the whole timeline from every known change; the rows known until now stay, closed. The columns
        the domain decides come from its state, the kept events folded in the order they took effect. What the batch
        kept is written first; the entity's open segment is read again afterwards."""
        pending = self._kept()
        pending.flush(conn)
        pending.open.pop(str(entity_id), None)
        kept, t = self.changes.c, self.table.c
        events = [kept.event_json] if self.decided is not None else []
        rows = conn.execute(select(kept.effective_at, kept.changes_json, *events, kept.version)
                            .where(kept.entity_id == entity_id).order_by(kept.effective_at, kept.version)).all()
        born = next((row[0] for row in rows if row[-1] == 1), None)  # the creating change (aggregate version 1)
        if born is not None and rows[0][0] < born:  # nothing takes effect before the record exists: from then on
            rows = sorted(((max(row[0], born), *row[1:]) for row in rows), key=lambda r: (r[0], r[-1]))
        conn.execute(update(self.table).where(t[self.key] == entity_id, t.recorded_to.is_(None))
                     .values(recorded_to=recorded_at))
        segments: list[dict[str, Any]] = []
        state: dict[str, Any] = {self.key: entity_id}
        aggregate: Any = None
        for row in rows:
            start, changed = row[0], row[1]
            state = self._apply(state, {c: self._decode(c, v) for c, v in changed.items()})
            if self.decided is not None:
                aggregate = self.decided.decode(row[2]).apply(aggregate)
                state = {**state, **self.decided.decide(aggregate, state)}
            if segments and segments[-1]["valid_from"] == start:
                segments[-1] = {**state, "valid_from": start}
            else:
                if segments:
                    segments[-1]["valid_to"] = start
                segments.append({**state, "valid_from": start})
        if self.decided is not None:
            store(conn, self.decided.states, entity_id, aggregate)
        last = conn.execute(select(func.max(t.revision)).where(t[self.key] == entity_id)).scalar_one()
        self._insert(conn, segments, recorded_at, last + 1)
        return aggregate

    def _insert(self, conn: Connection, rows: list[dict[str, Any]], recorded_at: datetime, revision: int) -> None:
        """Insert segments numbered from ``revision`` on (the open segment, last, has the highest revision)."""
        insert_rows(conn, self.table, _numbered(self.table, rows, recorded_at, revision))


def _numbered(table: Table, rows: list[dict[str, Any]], recorded_at: datetime, revision: int) -> list[dict[str, Any]]:
    """Full rows of ``table``: every column, the revisions from ``revision`` on, known from ``recorded_at``."""
    columns = [c.name for c in table.columns]
    return [{**dict.fromkeys(columns), **row, "revision": revision + i, "recorded_from": recorded_at,
             "recorded_to": None} for i, row in enumerate(rows)]


@dataclass
class _Pending:
    """A timeline's writes while a batch is applied: each entity's open segment as it now stands, the changes kept,
    the stored rows to close and the new rows (a new row closed within the same batch is inserted closed)."""

    table: Table
    changes: Table
    key: str
    open: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    changed: list[dict[str, Any]] = field(default_factory=list)
    closes: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    fetched: bool = False
    """Whether the open segments of the records the batch continues were read (``Timeline._read_open``)."""

    def close(self, entity_id: UUID | str, revision: int, recorded_at: datetime) -> None:
        row = self.rows.get((str(entity_id), revision))
        if row is not None:
            row["recorded_to"] = recorded_at
        else:
            self.closes.append({"k": entity_id, "rev": revision, "rt": recorded_at})

    def insert(self, entity_id: UUID | str, rows: list[dict[str, Any]], recorded_at: datetime, revision: int) -> None:
        numbered = _numbered(self.table, rows, recorded_at, revision)
        for row in numbered:
            self.rows[(str(entity_id), row["revision"])] = row
        self.open[str(entity_id)] = dict(numbered[-1])

    def flush(self, conn: Connection) -> None:
        """Write what is pending: one statement each for the changes, the closes and the new rows."""
        insert_rows(conn, self.changes, self.changed)
        if self.closes:
            conn.execute(_statements(self.table, self.key)["close"], self.closes)
        insert_rows(conn, self.table, list(self.rows.values()))
        self.changed, self.closes, self.rows = [], [], {}
