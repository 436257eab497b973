"""Bitemporal timelines in plain SQL, for the projections not yet on Core (being retired: ``projections.timeline``).

A read model whose rows change over time (a hazard's status and deadline, an inspection's signatures) keeps one
row per *segment*: the entity's columns over an effective interval ``[valid_from, valid_to)``, as the system knew
them over a recorded interval ``[recorded_from, recorded_to)``. Both questions are then one indexed query:
*what was the state on the day* (``as_of``) and *what did the system show that day* (``known_at``).

Each event contributes a *change* — some columns take new values from its effective time on. Changes are kept
(``<table>_changes``) so that a change recorded late but effective earlier (a backdated fact) re-folds the
timeline: the rows known until then are closed at the new recorded time, never updated in place, and the new
timeline is recorded beside them. An in-order change, the usual case, only splits the open segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from projections.sql import Tx

BITEMPORAL_COLUMNS = "valid_from {TS} NOT NULL, valid_to {TS}, recorded_from {TS} NOT NULL, recorded_to {TS}"
"""The interval columns of a bitemporal table (DDL fragment)."""
KNOWN = "{t}.recorded_from <= :known_at AND ({t}.recorded_to IS NULL OR {t}.recorded_to > :known_at)"
"""Rows the system showed at ``:known_at`` (format ``t`` with the table alias)."""
VALID = "{t}.valid_from <= :as_of AND ({t}.valid_to IS NULL OR {t}.valid_to > :as_of)"
"""Rows in force at ``:as_of`` (format ``t`` with the table alias)."""
_TIME = ("_at", "_from", "_to")


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


def _decode(column: str, value: Any) -> Any:
    if isinstance(value, str) and column.endswith(_TIME):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and column.endswith("_on"):
        return date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class Timeline:
    """The bitemporal rows of one entity kind in ``table``, keyed by ``key``.

    The table is the projection's own (its DDL lists ``key``, ``revision``, the entity's columns and
    :data:`BITEMPORAL_COLUMNS`, primary key ``(key, revision)``); :meth:`ddl` adds the changes table.
    """

    table: str
    key: str

    @property
    def changes_table(self) -> str:
        return f"{self.table}_changes"

    def ddl(self) -> tuple[str, ...]:
        return (
            f"CREATE TABLE {self.changes_table} (entity_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "effective_at {TS} NOT NULL, recorded_at {TS} NOT NULL, changes_json {JSON} NOT NULL, "
            "PRIMARY KEY (entity_id, version))",
            f"CREATE INDEX {self.table}_known ON {self.table} ({self.key}, recorded_to)",
        )

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table, self.changes_table)

    def record(self, tx: Tx, entity_id: UUID | str, version: int, effective_at: datetime, recorded_at: datetime,
               changes: dict[str, Any]) -> None:
        """From ``effective_at`` on, the entity's ``changes`` columns have these values (known from ``recorded_at``).

        ``version`` orders changes that take effect at the same moment (the aggregate version of the event).
        """
        latest = tx.scalar(f"SELECT MAX(effective_at) AS latest FROM {self.changes_table} WHERE entity_id = :k",
                           {"k": entity_id})
        tx.execute(
            f"INSERT INTO {self.changes_table} VALUES (:k, :v, :eff, :rec, :changes_json)",
            {"k": entity_id, "v": version, "eff": effective_at, "rec": recorded_at,
             "changes_json": {c: _encode(v) for c, v in changes.items()}},
        )
        if latest is not None and _as_datetime(latest) > effective_at:
            self._refold(tx, entity_id, recorded_at)
            return
        current = tx.one(f"SELECT * FROM {self.table} WHERE {self.key} = :k AND valid_to IS NULL "
                         "AND recorded_to IS NULL", {"k": entity_id})
        if current is None:
            self._insert(tx, {self.key: entity_id, **changes, "valid_from": effective_at}, recorded_at)
            return
        self._close(tx, entity_id, current["revision"], recorded_at)
        state = _columns(current)
        if current["valid_from"] < effective_at:
            self._insert(tx, {**state, "valid_from": current["valid_from"], "valid_to": effective_at}, recorded_at)
        self._insert(tx, {**state, **changes, "valid_from": effective_at}, recorded_at)

    def _refold(self, tx: Tx, entity_id: UUID | str, recorded_at: datetime) -> None:
        """Recompute the whole timeline from every known change; the rows known until now stay, closed."""
        rows = tx.all(f"SELECT * FROM {self.changes_table} WHERE entity_id = :k ORDER BY effective_at, version",
                      {"k": entity_id})
        tx.execute(f"UPDATE {self.table} SET recorded_to = :rt WHERE {self.key} = :k AND recorded_to IS NULL",
                   {"rt": recorded_at, "k": entity_id})
        segments: list[dict[str, Any]] = []
        state: dict[str, Any] = {self.key: entity_id}
        for row in rows:
            state = {**state, **{c: _decode(c, v) for c, v in row["changes_json"].items()}}
            start = _as_datetime(row["effective_at"])
            if segments and segments[-1]["valid_from"] == start:
                segments[-1] = {**state, "valid_from": start}
            else:
                if segments:
                    segments[-1]["valid_to"] = start
                segments.append({**state, "valid_from": start})
        for segment in segments:
            self._insert(tx, segment, recorded_at)

    def _close(self, tx: Tx, entity_id: UUID | str, revision: int, recorded_at: datetime) -> None:
        tx.execute(f"UPDATE {self.table} SET recorded_to = :rt WHERE {self.key} = :k AND revision = :rev",
                   {"rt": recorded_at, "k": entity_id, "rev": revision})

    def _insert(self, tx: Tx, row: dict[str, Any], recorded_at: datetime) -> None:
        revision = tx.scalar(f"SELECT COALESCE(MAX(revision), -1) + 1 AS next FROM {self.table} "
                             f"WHERE {self.key} = :k", {"k": row[self.key]})
        values = {"valid_to": None, **row, "revision": revision, "recorded_from": recorded_at, "recorded_to": None}
        columns = list(values)
        tx.execute(f"INSERT INTO {self.table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
                   values)


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    """A row's entity columns: without revision and intervals."""
    return {k: v for k, v in row.items()
            if k not in {"revision", "valid_from", "valid_to", "recorded_from", "recorded_to"}}


def _as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
