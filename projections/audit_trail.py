"""The audit trail: every event of an entity, or of a whole jurisdiction, in log order with its envelope.

Redacted fields (``DomainEvent.redacted``) never reach this table.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.ports import LogEntry
from projections.follower import Projection
from projections.sql import Tx, scope_clause, scope_params


class AuditTrail(Projection):
    name = "audit_trail"
    version = 2  # 2: certificate numbers masked in data_json
    tables = ("audit_events",)
    ddl = (
        "CREATE TABLE audit_events (position {BIGINT} PRIMARY KEY, aggregate_id TEXT NOT NULL, "
        "aggregate_version INTEGER NOT NULL, event_type TEXT NOT NULL, term TEXT NOT NULL, context TEXT NOT NULL, "
        "recorded_at {TS} NOT NULL, effective_at {TS} NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, "
        "jurisdiction TEXT NOT NULL, basis TEXT, rules_version TEXT, correlation_id TEXT NOT NULL, "
        "causation_id TEXT, command_id TEXT, data_json {JSON} NOT NULL)",
        "CREATE INDEX audit_events_aggregate ON audit_events (aggregate_id, position)",
        "CREATE INDEX audit_events_jurisdiction ON audit_events (jurisdiction, position)",
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


class AuditTrailQueries:
    def __init__(self, db: Any):
        self.db = db

    def page(self, scope: str, *, aggregate_id: UUID | None = None, jurisdiction: str | None = None,
             after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Events in log order after position ``after``, limited; the caller pages on with the last position."""
        sql = f"SELECT * FROM audit_events WHERE position > :after AND {scope_clause()}"
        params: dict[str, Any] = {"after": after, "limit": limit, **scope_params(scope)}
        if aggregate_id:
            sql += " AND aggregate_id = :agg"
            params["agg"] = aggregate_id
        if jurisdiction:
            sql += " AND (jurisdiction = :j OR jurisdiction LIKE :j_below)"
            params.update(j=jurisdiction, j_below=jurisdiction + "/%")
        with self.db.read() as tx:
            return tx.all(sql + " ORDER BY position LIMIT :limit", params)
