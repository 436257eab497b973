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
"""

from __future__ import annotations

from dataclasses import dataclass
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
    insert,
    or_,
    select,
    update,
)

from projections.columns import Json, Key, Timestamp

INTERVALS = ("valid_from", "valid_to", "recorded_from", "recorded_to")


def bitemporal_columns() -> list[Column[Any]]:
    """The interval columns of a bitemporal table (``valid_*``: effective time; ``recorded_*``: recorded time)."""
    return [Column("valid_from", Timestamp, nullable=False), Column("valid_to", Timestamp),
            Column("recorded_from", Timestamp, nullable=False), Column("recorded_to", Timestamp)]


def known(table: Table, known_at: datetime) -> ColumnElement[bool]:
    """Rows the system showed at ``known_at``."""
    c = table.c
    return and_(c.recorded_from <= known_at, or_(c.recorded_to.is_(None), c.recorded_to > known_at))


def valid(table: Table, as_of: datetime) -> ColumnElement[bool]:
    """Rows in force at ``as_of``."""
    c = table.c
    return and_(c.valid_from <= as_of, or_(c.valid_to.is_(None), c.valid_to > as_of))


def changes_table(table: str, metadata: MetaData) -> Table:
    """The changes kept for re-folding the timeline of ``table``."""
    return Table(f"{table}_changes", metadata,
                 Column("entity_id", Key, primary_key=True), Column("version", Integer, primary_key=True),
                 Column("effective_at", Timestamp, nullable=False), Column("recorded_at", Timestamp, nullable=False),
                 Column("changes_json", Json, nullable=False))


def current_index(table: Table, key: str) -> Index:
    """The index that finds an entity's rows as known now (``recorded_to IS NULL``)."""
    return Index(f"{table.name}_known", table.c[key], table.c.recorded_to)


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
        "close": update(table).where(t[key] == bindparam("k"), t.revision == bindparam("rev"))
        .values(recorded_to=bindparam("rt")),
    }


@lru_cache(maxsize=256)
def _insert(table: Table) -> Any:
    return insert(table)


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

    def _apply(self, state: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """``state`` with ``changes`` applied: values replace, counter increments add up."""
        return {**state, **{c: (state.get(c) or 0) + v if c in self.counters else v for c, v in changes.items()}}

    def _decode(self, column: str, value: Any) -> Any:
        if isinstance(value, str):
            kind = self.table.c[column].type
            if isinstance(kind, Timestamp):
                return datetime.fromisoformat(value)
            if isinstance(kind, Date):
                return date.fromisoformat(value)
        return value

    def record(self, conn: Connection, entity_id: UUID | str, version: int, effective_at: datetime,
               recorded_at: datetime, changes: dict[str, Any],
               current: dict[str, Any] | Unread | None = UNREAD) -> None:
        """From ``effective_at`` on, the entity's ``changes`` columns have these values (known from ``recorded_at``).

        ``version`` orders changes that take effect at the same moment (the aggregate version of the event).
        ``current``: the entity's open segment (:meth:`current`) when the caller has just read it, so it is not read
        twice. The open segment starts at the latest change's effective time, so it alone tells whether this change
        is late (effective before it: the timeline is re-folded) or in order (the open segment is split).
        """
        conn.execute(_insert(self.changes), {
            "entity_id": entity_id, "version": version, "effective_at": effective_at, "recorded_at": recorded_at,
            "changes_json": {c: _encode(v) for c, v in changes.items()}})
        if isinstance(current, Unread):
            current = self.current(conn, entity_id)
        if current is not None and current["valid_from"] > effective_at:
            self._refold(conn, entity_id, recorded_at)
            return
        if current is None:
            self._insert(conn, [{**self._apply({self.key: entity_id}, changes), "valid_from": effective_at}],
                         recorded_at, 0)
            return
        revision = current["revision"]
        self._close(conn, entity_id, revision, recorded_at)
        state = {k: v for k, v in current.items() if k not in INTERVALS and k != "revision"}
        rows = [{**self._apply(state, changes), "valid_from": effective_at}]
        if current["valid_from"] < effective_at:
            rows.insert(0, {**state, "valid_from": current["valid_from"], "valid_to": effective_at})
        self._insert(conn, rows, recorded_at, revision + 1)

    def current(self, conn: Connection, entity_id: UUID | str) -> dict[str, Any] | None:
        """The entity's open segment as known now, or ``None`` before its first change."""
        row = conn.execute(_statements(self.table, self.key)["current"], {"k": entity_id}).mappings().first()
        return dict(row) if row else None

    def _refold(self, conn: Connection, entity_id: UUID | str, recorded_at: datetime) -> None:
        """Recompute the whole timeline from every known change; the rows known until now stay, closed."""
        kept, t = self.changes.c, self.table.c
        rows = conn.execute(select(kept.effective_at, kept.changes_json).where(kept.entity_id == entity_id)
                            .order_by(kept.effective_at, kept.version)).all()
        conn.execute(update(self.table).where(t[self.key] == entity_id, t.recorded_to.is_(None))
                     .values(recorded_to=recorded_at))
        segments: list[dict[str, Any]] = []
        state: dict[str, Any] = {self.key: entity_id}
        for start, changed in rows:
            state = self._apply(state, {c: self._decode(c, v) for c, v in changed.items()})
            if segments and segments[-1]["valid_from"] == start:
                segments[-1] = {**state, "valid_from": start}
            else:
                if segments:
                    segments[-1]["valid_to"] = start
                segments.append({**state, "valid_from": start})
        last = conn.execute(select(func.max(t.revision)).where(t[self.key] == entity_id)).scalar_one()
        self._insert(conn, segments, recorded_at, last + 1)

    def _close(self, conn: Connection, entity_id: UUID | str, revision: int, recorded_at: datetime) -> None:
        conn.execute(_statements(self.table, self.key)["close"], {"k": entity_id, "rev": revision, "rt": recorded_at})

    def _insert(self, conn: Connection, rows: list[dict[str, Any]], recorded_at: datetime, revision: int) -> None:
        """Insert segments numbered from ``revision`` on (the open segment, last, has the highest revision)."""
        columns = [c.name for c in self.table.columns]
        values = [{**dict.fromkeys(columns), **row, "revision": revision + i, "recorded_from": recorded_at,
                   "recorded_to": None} for i, row in enumerate(rows)]
        conn.execute(_insert(self.table), values)
