"""The audit trail: every event of an entity, or of a whole jurisdiction, in log order with its envelope.

Redacted fields (``DomainEvent.redacted``) never reach this table. A record's history follows it: an event is in
the trail of the jurisdiction it was recorded in (the period the record was there) and of the jurisdiction the
record belongs to now (``audit_records``: a unit that moved town takes its whole history to the new town).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Index, Integer, MetaData, Table, or_, select, union

from application.ports import LogEntry
from projections.bulk import insert_rows, replace_rows
from projections.columns import BigInt, Json, Jurisdiction, Key, Timestamp
from projections.projection import Projection
from projections.scope import within

METADATA = MetaData()
EVENTS = Table(
    "audit_events", METADATA,
    Column("position", BigInt, primary_key=True, autoincrement=False), Column("aggregate_id", Key, nullable=False),
    Column("aggregate_version", Integer, nullable=False), Column("event_type", Key, nullable=False),
    Column("term", Key, nullable=False), Column("context", Key, nullable=False),
    Column("recorded_at", Timestamp, nullable=False), Column("effective_at", Timestamp, nullable=False),
    Column("actor", Key, nullable=False), Column("role", Key, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("basis", Key), Column("rules_version", Key),
    Column("correlation_id", Key, nullable=False), Column("causation_id", Key), Column("command_id", Key),
    Column("data_json", Json, nullable=False),
    Index("audit_events_aggregate", "aggregate_id", "position"),
    Index("audit_events_jurisdiction", "jurisdiction", "position"),
)
RECORDS = Table(
    "audit_records", METADATA,
    Column("aggregate_id", Key, primary_key=True), Column("jurisdiction", Jurisdiction, nullable=False),
    Index("audit_records_jurisdiction", "jurisdiction"),
)


class AuditTrail(Projection):
    name = "audit_trail"
    # 2: certificate numbers masked in data_json; 3: audit_records; 4: on SQLAlchemy Core;
    # 5: jurisdictions in collation "C"
    version = 5
    rebuild_cost = 11
    events = EVENTS
    records = RECORDS

    def wants(self, entries: list[LogEntry]) -> bool:
        return bool(entries)  # every event

    def process(self, conn: Connection, entries: list[LogEntry]) -> None:
        """Every event is kept, so a batch is two statements: its events (executemany) and where each record it
        touched belongs now."""
        rows = []
        now: dict[str, str] = {}
        for entry in entries:
            e, env = entry.event, entry.event.envelope
            rows.append({
                "position": entry.position, "aggregate_id": e.originator_id, "aggregate_version": e.originator_version,
                "event_type": type(e).__name__, "term": type(e).term, "context": type(e).context,
                "recorded_at": e.timestamp, "effective_at": env.effective_at, "actor": env.actor.principal,
                "role": env.actor.role, "jurisdiction": env.jurisdiction, "basis": env.basis,
                "rules_version": env.rules_version, "correlation_id": env.correlation_id,
                "causation_id": env.causation_id, "command_id": env.command_id, "data_json": e.public_data(),
            })
            # where the record belongs after the batch: a move carries its new jurisdiction
            now[str(e.originator_id)] = getattr(e, "jurisdiction", None) or env.jurisdiction
        if not rows:
            return
        insert_rows(conn, self.events, rows)
        replace_rows(conn, self.records, [{"aggregate_id": a, "jurisdiction": j} for a, j in sorted(now.items())])


class AuditTrailQueries:
    def __init__(self, db: Any):
        self.db = db

    def page(self, scope: str, *, aggregate_id: UUID | None = None, jurisdiction: str | None = None,
             after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Events in log order after position ``after``, limited; the caller pages on with the last position.

        An event is in ``scope``'s trail when it was recorded there or its record belongs there now. The two are
        asked apart, each its first ``limit`` positions, and merged: each half is then one index's range
        (``audit_events_jurisdiction``, or the scope's records), where the planner cannot estimate their ``OR``
        and walks the whole log for a scope with few events (docs/performance.md, "Eighth round, a
        jurisdiction's subtree")."""
        e, r = EVENTS.c, RECORDS.c

        def of_records_in(place: str) -> Any:
            return e.aggregate_id.in_(select(r.aggregate_id).where(within(r.jurisdiction, place)))

        filters = [e.position > after]
        if aggregate_id:
            filters.append(e.aggregate_id == aggregate_id)
        if jurisdiction:
            filters.append(or_(within(e.jurisdiction, jurisdiction), of_records_in(jurisdiction)))

        def first(condition: Any) -> Any:
            half = select(e.position).where(condition, *filters).order_by(e.position).limit(limit).subquery()
            return select(half.c.position)

        positions = union(first(within(e.jurisdiction, scope)), first(of_records_in(scope)))
        with self.db.read() as conn:
            query = select(EVENTS).where(e.position.in_(positions)).order_by(e.position).limit(limit)
            return [dict(row) for row in conn.execute(query).mappings()]
