"""Deadlines the policy worker fires (docs/architecture.md §6): rectification deadlines and pending escalations.

One row per hazard with its status as the domain decides it (each event folded with the domain's own
``event.apply``: ``projections.states``), its grade and its deadline: ``due`` lists the hazards still being
rectified whose deadline day (Beijing time) has ended; ``unescalated`` the overdue major hazards whose listing has not
been escalated since they went overdue, so a worker that crashed between the two commands picks the escalation up on
its next tick; ``unsupervised`` the open hazards whose listing names no supervisor (after an escalation), with the
listing's start, which the worker flags once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Column, Connection, Date, Index, MetaData, Table, bindparam, select, update

from domain import hazards as hz
from domain.base import DomainEvent
from domain.calendar import end_of_day
from projections.bulk import insert_rows
from projections.columns import Key, Timestamp
from projections.projection import Projection, current_batch, on
from projections.states import events_of, fold, states_table

METADATA = MetaData()
DEADLINES = Table(
    "hazard_deadlines", METADATA,
    Column("hazard_id", Key, primary_key=True), Column("status", Key, nullable=False),
    Column("grade", Key, nullable=False), Column("deadline_on", Date), Column("due_at", Timestamp),
    Column("escalated", Boolean, nullable=False), Column("unsupervised_since", Timestamp),
    Index("hazard_deadlines_due", "status", "due_at"),
)
STATES = states_table("hazard_deadline_states", METADATA)


class HazardDeadlines(Projection):
    name = "deadlines"
    version = 3
    rebuild_cost = 7
    deadlines = DEADLINES
    states = STATES

    @on(*events_of(hz))
    def _hazard(self, conn: Connection, e: DomainEvent, _: int) -> None:
        hazard = fold(conn, self.states, hz.Hazard, e)[1]
        kept = self._kept(conn, e.originator_id, first=e.originator_version == 1)
        row = {"status": hazard.status, "grade": hazard.grade, "deadline_on": hazard.deadline,
               "due_at": end_of_day(hazard.deadline) if hazard.deadline else None,
               # escalated since it went overdue (a new overdue spell after a replan or a reopening starts afresh)
               "escalated": hazard.overdue_since is not None
               and (bool(kept["escalated"]) or isinstance(e, hz.ListedSupervisionEscalated)),
               "unsupervised_since": hazard.listing.since if hazard.listing is not None
               and hazard.listing.supervisor_id is None and hazard.status != hz.HazardStatus.closed else None}
        kept.update(row, changed=True)

    def _kept(self, conn: Connection, hazard_id: Any, *, first: bool) -> dict[str, Any]:
        """The hazard's deadline row as this batch leaves it (read once, not at all at its creating event —
        ``first``: there is none yet; ``new``: not stored yet), written once at the end of the batch, one statement
        per kind of write (:meth:`_write`)."""
        batch = current_batch()
        assert batch is not None, "handlers run inside Projection.process"
        batch.at_end((self.name, "deadlines"), self._write)
        key = (self.name, "deadline", str(hazard_id))
        if key not in batch.values:
            d = self.deadlines.c
            escalated = None if first else conn.execute(select(d.escalated).where(d.hazard_id == hazard_id)).scalar()
            batch.values[key] = {"hazard_id": hazard_id, "escalated": escalated, "new": escalated is None,
                                 "changed": False}
        kept: dict[str, Any] = batch.values[key]
        return kept

    def _write(self, conn: Connection) -> None:
        batch = current_batch()
        assert batch is not None
        rows = [v for k, v in batch.values.items() if isinstance(k, tuple) and k[:2] == (self.name, "deadline")
                and v["changed"]]
        columns = [c.name for c in self.deadlines.columns]
        if new := [{c: r[c] for c in columns} for r in rows if r["new"]]:
            insert_rows(conn, self.deadlines, new)
        if known := [{**{c: r[c] for c in columns if c != "hazard_id"}, "b_id": r["hazard_id"]}
                     for r in rows if not r["new"]]:
            d = self.deadlines.c
            conn.execute(update(self.deadlines).where(d.hazard_id == bindparam("b_id")), known)


class DeadlineQueries:
    """``application.ports.Deadlines``: what the worker must fire now."""

    def __init__(self, db: Any):
        self.db = db

    def due(self, now: datetime) -> list[tuple[UUID, date]]:
        d = DEADLINES.c
        query = (select(d.hazard_id, d.deadline_on)
                 .where(d.status == hz.HazardStatus.rectifying, d.due_at <= now).order_by(d.due_at, d.hazard_id))
        with self.db.read() as conn:
            return [(UUID(hazard_id), deadline) for hazard_id, deadline in conn.execute(query)]

    def unsupervised(self) -> list[tuple[UUID, datetime]]:
        d = DEADLINES.c
        query = (select(d.hazard_id, d.unsupervised_since).where(d.unsupervised_since.is_not(None))
                 .order_by(d.unsupervised_since, d.hazard_id))
        with self.db.read() as conn:
            return [(UUID(hazard_id), since) for hazard_id, since in conn.execute(query)]

    def unescalated(self) -> list[UUID]:
        d = DEADLINES.c
        query = (select(d.hazard_id).where(d.status == hz.HazardStatus.overdue, d.grade == hz.HazardGrade.major,
                                           d.escalated.is_(False)).order_by(d.due_at, d.hazard_id))
        with self.db.read() as conn:
            return [UUID(hazard_id) for hazard_id in conn.execute(query).scalars()]
