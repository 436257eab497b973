"""The audit trail: every event of an entity, or of a whole jurisdiction, in log order with its envelope.

Redacted fields (``DomainEvent.redacted``) never reach this table. A record's history follows it: an event is in
the trail of the jurisdiction it was recorded in (the period the record was there) and of the jurisdiction the
record belongs to now (``audit_records``: a unit that moved town takes its whole history to the new town).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.ports import LogEntry
from projections.follower import LegacyProjection as Projection
from projections.sql import Tx, scope_clause, scope_params


class AuditTrail(Projection):
    name = "audit_trail"
    version = 3  # 2: certificate numbers masked in data_json; 3: audit_records
    tables = ("audit_events", "audit_records")
    ddl = (
        "CREATE TABLE audit_events (position {BIGINT} PRIMARY KEY, aggregate_id TEXT NOT NULL, "
        "aggregate_version INTEGER NOT NULL, event_type TEXT NOT NULL, term TEXT NOT NULL, context TEXT NOT NULL, "
        "recorded_at {TS} NOT NULL, effective_at {TS} NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, "
        "jurisdiction TEXT NOT NULL, basis TEXT, rules_version TEXT, correlation_id TEXT NOT NULL, "
        "causation_id TEXT, command_id TEXT, data_json {JSON} NOT NULL)",
        "CREATE INDEX audit_events_aggregate ON audit_events (aggregate_id, position)",
        "CREATE INDEX audit_events_jurisdiction ON audit_events (jurisdiction, position)",
        "CREATE TABLE audit_records (aggregate_id TEXT PRIMARY KEY, jurisdiction TEXT NOT NULL)",
        "CREATE INDEX audit_records_jurisdiction ON audit_records (jurisdiction)",
    )

    def process(self, tx: Tx, entries: list[LogEntry]) -> None:
        rows = []
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
        tx.executemany(
            "INSERT INTO audit_events VALUES (:position, :aggregate_id, :aggregate_version, :event_type, :term, "
            ":context, :recorded_at, :effective_at, :actor, :role, :jurisdiction, :basis, :rules_version, "
            ":correlation_id, :causation_id, :command_id, :data_json)",
            rows,
        )
        now: dict[str, str] = {}
        for entry in entries:  # where each record belongs after the batch: a move carries its new jurisdiction
            e = entry.event
            now[str(e.originator_id)] = getattr(e, "jurisdiction", None) or e.envelope.jurisdiction
        tx.executemany("DELETE FROM audit_records WHERE aggregate_id = :a", [{"a": a} for a in now])
        tx.executemany("INSERT INTO audit_records VALUES (:a, :j)", [{"a": a, "j": j} for a, j in now.items()])


class AuditTrailQueries:
    def __init__(self, db: Any):
        self.db = db

    def page(self, scope: str, *, aggregate_id: UUID | None = None, jurisdiction: str | None = None,
             after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Events in log order after position ``after``, limited; the caller pages on with the last position."""
        sql = (f"SELECT * FROM audit_events WHERE position > :after AND ({scope_clause()} OR aggregate_id IN "
               f"(SELECT aggregate_id FROM audit_records WHERE {scope_clause()}))")
        params: dict[str, Any] = {"after": after, "limit": limit, **scope_params(scope)}
        if aggregate_id:
            sql += " AND aggregate_id = :agg"
            params["agg"] = aggregate_id
        if jurisdiction:
            sql += (" AND ((jurisdiction = :j OR jurisdiction LIKE :j_below) OR aggregate_id IN (SELECT aggregate_id "
                    "FROM audit_records WHERE jurisdiction = :j OR jurisdiction LIKE :j_below))")
            params.update(j=jurisdiction, j_below=jurisdiction + "/%")
        with self.db.read() as tx:
            return tx.all(sql + " ORDER BY position LIMIT :limit", params)
