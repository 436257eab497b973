"""The dossier's index of the log (docs/dossier.md, "Built from an index"): where each record's events lie, and which
records a dossier finds by a relation — so a dossier reads the few hundred records of one unit, not the whole log.

- ``dossier_events``: every event's position, record, version and recorded time (the stored bytes stay in the event
  store: a dossier reads them record by record, and proves each against the signed tree by its position);
- ``dossier_relations``: for each creating event a dossier looks records up by (``domain.dossier.relations``: the
  posts, lists, hazards, inspections, accidents and penalty cases of a unit, the slips and letters to it, the tips
  about a unit or a hazard), the relation and the record it created.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Index, Integer, MetaData, Table, select

from application.ports import LogEntry
from domain.dossier import relations
from projections.bulk import insert_rows
from projections.columns import BigInt, Key, Timestamp, among
from projections.projection import Projection

METADATA = MetaData()
EVENTS = Table(
    "dossier_events", METADATA,
    Column("position", BigInt, primary_key=True), Column("aggregate_id", Key, nullable=False),
    Column("version", Integer, nullable=False), Column("recorded_at", Timestamp, nullable=False),
    Index("dossier_events_aggregate", "aggregate_id", "position"),
)
RELATIONS = Table(
    "dossier_relations", METADATA,
    Column("event_type", Key, primary_key=True), Column("key", Key, primary_key=True),
    Column("value", Key, primary_key=True), Column("aggregate_id", Key, primary_key=True),
    Column("position", BigInt, nullable=False), Column("recorded_at", Timestamp, nullable=False),
    Index("dossier_relations_value", "value", "position"),
)


class DossierIndex(Projection):
    """Every event is indexed (a record's history is what a dossier folds), in one insert per batch and table
    (``projections.bulk``: a ``COPY`` on PostgreSQL)."""

    name = "dossier_index"
    version = 3
    rebuild_cost = 3
    events = EVENTS
    relations = RELATIONS

    def wants(self, entries: list[LogEntry]) -> bool:
        return bool(entries)  # every event

    def process(self, conn: Connection, entries: list[LogEntry]) -> None:
        rows, related = [], []
        for entry in entries:
            e = entry.event
            rows.append({"position": entry.position, "aggregate_id": e.originator_id,
                         "version": e.originator_version, "recorded_at": e.timestamp})
            if e.originator_version == 1:
                related += [{"event_type": type(e).__name__, "key": key, "value": value,
                             "aggregate_id": e.originator_id, "position": entry.position, "recorded_at": e.timestamp}
                            for key, value in relations(e)]
        insert_rows(conn, self.events, rows)
        insert_rows(conn, self.relations, related)


class DossierIndexQueries:
    """Which records a relation names, and which records' events followed a log position (the events of records
    themselves a dossier reads from the event store by record, ``StoredLog.of_records``)."""

    def __init__(self, db: Any):
        self.db = db

    def related(self, values: Iterable[UUID], *, last: int) -> dict[UUID, list[tuple[int, str, str, UUID]]]:
        """Every relation naming one of ``values`` up to ``last``: (position, event type, key, record created), in
        position order — one query (per 500 values on SQLite), through the index ``dossier_relations_value``."""
        asked = {str(v): v for v in values}
        found: dict[UUID, list[tuple[int, str, str, UUID]]] = {v: [] for v in asked.values()}
        r = RELATIONS.c
        with self.db.read() as conn:
            for among_values in among(conn, r.value, list(asked)):
                query = (select(r.position, r.event_type, r.key, r.value, r.aggregate_id)
                         .where(among_values, r.position <= last).order_by(r.position))
                for position, event_type, key, value, aggregate_id in conn.execute(query).all():
                    found[asked[value]].append((position, event_type, key, UUID(aggregate_id)))
        return found

    def after(self, first: int, last: int) -> list[tuple[UUID, int]]:
        """(record, position) of every event with ``first < position ≤ last``, in order — one range query of the
        primary key."""
        e = EVENTS.c
        with self.db.read() as conn:
            return [(UUID(a), p) for a, p in conn.execute(
                select(e.aggregate_id, e.position).where(e.position > first, e.position <= last).order_by(e.position))]
