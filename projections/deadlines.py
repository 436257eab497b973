"""Deadlines the policy worker fires (docs/architecture.md §6): rectification deadlines and pending escalations.

One row per hazard, ``unplanned`` until a rectification is planned; then ``due_at`` is the end of its deadline
day (Beijing time) and ``state`` is ``pending`` until the hazard is submitted for acceptance, struck off or marked
overdue; an overdue major hazard stays ``overdue`` here until its listing has been escalated (``escalated``), so a
worker that crashed between the two commands picks the escalation up on its next tick.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain import hazards as hz
from domain.calendar import end_of_day
from projections.follower import LegacyProjection as Projection
from projections.follower import on
from projections.sql import ReadDatabase, Tx


class HazardDeadlines(Projection):
    name = "deadlines"
    version = 1
    tables = ("hazard_deadlines",)
    ddl = (
        "CREATE TABLE hazard_deadlines (hazard_id TEXT PRIMARY KEY, deadline_on {DATE}, due_at {TS}, "
        "grade TEXT NOT NULL, state TEXT NOT NULL, escalated INTEGER NOT NULL)",
        "CREATE INDEX hazard_deadlines_due ON hazard_deadlines (state, due_at)",
    )

    @staticmethod
    def _set(tx: Tx, hazard_id: UUID, **columns: object) -> None:
        assignments = ", ".join(f"{c} = :{c}" for c in columns)
        tx.execute(f"UPDATE hazard_deadlines SET {assignments} WHERE hazard_id = :h", {"h": hazard_id, **columns})

    @on(hz.HazardReported)
    def _reported(self, tx: Tx, e: hz.HazardReported, _: int) -> None:
        tx.execute("INSERT INTO hazard_deadlines VALUES (:h, NULL, NULL, :g, 'unplanned', 0)",
                   {"h": e.originator_id, "g": e.grade})

    @on(hz.RectificationPlanned)
    def _planned(self, tx: Tx, e: hz.RectificationPlanned, _: int) -> None:
        assert e.plan.deadline is not None
        self._set(tx, e.originator_id, deadline_on=e.plan.deadline, due_at=end_of_day(e.plan.deadline),
                  state="pending", escalated=0)

    @on(hz.HazardRegraded)
    def _regraded(self, tx: Tx, e: hz.HazardRegraded, _: int) -> None:
        self._set(tx, e.originator_id, grade=e.grade.value)

    @on(hz.DeadlineExtended)
    def _extended(self, tx: Tx, e: hz.DeadlineExtended, _: int) -> None:
        self._set(tx, e.originator_id, deadline_on=e.deadline, due_at=end_of_day(e.deadline))

    @on(hz.RectificationSubmitted)
    def _submitted(self, tx: Tx, e: hz.RectificationSubmitted, _: int) -> None:
        self._set(tx, e.originator_id, state="submitted")

    @on(hz.RectificationRejected)
    def _rejected(self, tx: Tx, e: hz.RectificationRejected, _: int) -> None:
        tx.execute("UPDATE hazard_deadlines SET state = CASE WHEN escalated = 1 OR state = 'overdue' THEN 'overdue' "
                   "ELSE 'pending' END WHERE hazard_id = :h", {"h": e.originator_id})

    @on(hz.HazardBecameOverdue)
    def _overdue(self, tx: Tx, e: hz.HazardBecameOverdue, _: int) -> None:
        self._set(tx, e.originator_id, state="overdue")

    @on(hz.ListedSupervisionEscalated)
    def _escalated(self, tx: Tx, e: hz.ListedSupervisionEscalated, _: int) -> None:
        self._set(tx, e.originator_id, escalated=1)

    @on(hz.HazardClosedOut, hz.FollowUpReviewed)
    def _done(self, tx: Tx, e: hz.HazardClosedOut | hz.FollowUpReviewed, _: int) -> None:
        if isinstance(e, hz.FollowUpReviewed) and not e.reopened:
            return
        self._set(tx, e.originator_id, deadline_on=None, due_at=None, state="unplanned", escalated=0)


class DeadlineQueries:
    """``application.ports.Deadlines``: what the worker must fire now."""

    def __init__(self, db: ReadDatabase):
        self.db = db

    def due(self, now: datetime) -> list[tuple[UUID, date]]:
        with self.db.read() as tx:
            rows = tx.all("SELECT hazard_id, deadline_on FROM hazard_deadlines WHERE state = 'pending' "
                          "AND due_at <= :now ORDER BY due_at, hazard_id", {"now": now})
        return [(UUID(r["hazard_id"]), r["deadline_on"]) for r in rows]

    def unescalated(self) -> list[UUID]:
        with self.db.read() as tx:
            rows = tx.all("SELECT hazard_id FROM hazard_deadlines WHERE state = 'overdue' AND grade = 'major' "
                          "AND escalated = 0 ORDER BY due_at, hazard_id")
        return [UUID(r["hazard_id"]) for r in rows]
