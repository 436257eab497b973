"""What the accident policies must judge (docs/architecture.md §6; docs/rules.md R2–R3; seed 000 §32).

One row per judgement an accident warrants (``domain.accidents.checks``, computed from the aggregate folded with the
domain's own ``event.apply``: ``projections.states``) with the moment it falls due, and one per flag raised that the
record no longer warrants (``due_at`` null: to be withdrawn). ``due`` lists the judgements due and not yet made,
``unwarranted`` the flags to withdraw. A judgement on something that never arrives (no first report by the head's
hour, a level that never passed the report on) has its row from the moment the clock starts, so the worker finds it
when nothing else happens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Column, Connection, Index, Integer, MetaData, Table, delete, insert, select

from domain import accidents as ac
from domain.base import DomainEvent
from domain.rules import pack_for
from projections.columns import Key, Timestamp
from projections.projection import Projection, on
from projections.states import events_of, fold, states_table

WHOLE = 0
"""``report_no`` of a judgement about the accident as a whole (reports count from 1)."""

METADATA = MetaData()
CHECKS = Table(
    "accident_checks", METADATA,
    Column("accident_id", Key, primary_key=True), Column("kind", Key, primary_key=True),
    Column("report_no", Integer, primary_key=True), Column("due_at", Timestamp), Column("raised", Boolean,
                                                                                           nullable=False),
    Index("accident_checks_due", "raised", "due_at"),
)
STATES = states_table("accident_check_states", METADATA)


class AccidentChecks(Projection):
    name = "accident_checks"
    version = 1
    checks = CHECKS
    states = STATES

    @on(*events_of(ac))
    def _accident(self, conn: Connection, e: DomainEvent, _: int) -> None:
        accident = fold(conn, self.states, ac.Accident, e)[1]
        pack = pack_for(accident.jurisdiction)
        raised = {(f.irregularity.value, f.report_no or WHOLE) for f in accident.flags}
        rows = [{"accident_id": accident.id, "kind": str(c.kind), "report_no": c.report_no or WHOLE,
                 "due_at": c.due_at, "raised": (str(c.kind), c.report_no or WHOLE) in raised}
                for c in ac.checks(accident, pack)]
        rows += [{"accident_id": accident.id, "kind": f.irregularity.value, "report_no": f.report_no or WHOLE,
                  "due_at": None, "raised": True} for f in ac.unwarranted(accident, pack)]
        conn.execute(delete(self.checks).where(self.checks.c.accident_id == accident.id))
        if rows:
            conn.execute(insert(self.checks), rows)


class AccidentCheckQueries:
    """``application.ports.AccidentChecks``: what the accident policies must judge now."""

    def __init__(self, db: Any):
        self.db = db

    def due(self, now: datetime) -> list[tuple[UUID, str, int | None, datetime]]:
        c = CHECKS.c
        query = (select(c.accident_id, c.kind, c.report_no, c.due_at)
                 .where(c.raised.is_(False), c.due_at <= now).order_by(c.due_at, c.accident_id, c.kind, c.report_no))
        with self.db.read() as conn:
            return [(UUID(a), kind, no or None, due) for a, kind, no, due in conn.execute(query)]

    def unwarranted(self) -> list[tuple[UUID, str, int | None]]:
        c = CHECKS.c
        query = (select(c.accident_id, c.kind, c.report_no).where(c.raised.is_(True), c.due_at.is_(None))
                 .order_by(c.accident_id, c.kind, c.report_no))
        with self.db.read() as conn:
            return [(UUID(a), kind, no or None) for a, kind, no in conn.execute(query)]
