"""The annual enforcement plans (年度执法计划), bitemporal, planned against done (seed 003 §27: 全覆盖 of the key
enterprises). One aggregate (``domain.enforcement_plans``), one read model; what was done under a plan is the
inspection ledger's answer (``InspectionLedgerQueries.completed_under``, ``reached``), asked through its queries.

Reads are scoped by jurisdiction and audience: an inspector sees its own department's plans.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, bindparam, insert, select, true, update

from domain import enforcement_plans as ep
from domain.base import DomainEvent
from domain.calendar import year_bounds
from projections.columns import Json, Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.inspection_ledger import InspectionLedgerQueries, in_force
from projections.projection import Projection, on
from projections.scope import within
from projections.states import events_of, states_table
from projections.timeline import Decided, Timeline, bitemporal_columns, changes_table, current_index


def _state() -> list[Column[Any]]:
    """The state of a plan, the same in the current table and in the timeline."""
    return [
        Column("department_id", Key, nullable=False), Column("year", Integer, nullable=False),
        Column("key_enterprises_json", Json, nullable=False), Column("scope", Text, nullable=False),
        Column("focus_json", Json, nullable=False), Column("content", Text, nullable=False),
        Column("planned_count", Integer, nullable=False), Column("planned_undercover", Integer, nullable=False),
        Column("planned_campaign", Integer, nullable=False), Column("document_no", Text),
        Column("revisions", Integer, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
        Column("adopted_at", Timestamp, nullable=False), Column("revised_at", Timestamp),
    ]


METADATA = MetaData()
PLANS = Table("inspection_plans", METADATA, Column("plan_id", Key, primary_key=True), *_state(),
              Column("version", Integer, nullable=False))
TIMELINE = Table(
    "inspection_plan_timeline", METADATA,
    Column("plan_id", Key, primary_key=True), Column("revision", Integer, primary_key=True, autoincrement=False),
    *_state(), *bitemporal_columns(),
)
current_index(TIMELINE, "plan_id")
CHANGES = changes_table("inspection_plan_timeline", METADATA, events=True)
STATES = states_table("inspection_plan_states", METADATA)


def decided(plan: ep.EnforcementPlan) -> dict[str, Any]:
    """The plan's columns, read from its state as the domain folds it (one status machine, docs/DEVELOPING.md): the
    terms in force, the document, how many revisions, and since when the latest revision holds."""
    terms = plan.terms
    return {"department_id": str(plan.department_id), "year": plan.year,
            "key_enterprises_json": [str(k) for k in terms.key_enterprises], "scope": terms.scope,
            "focus_json": list(terms.focus), "content": terms.content, "planned_count": terms.planned_count,
            "planned_undercover": terms.planned_undercover, "planned_campaign": terms.planned_campaign,
            "document_no": plan.document_no, "revisions": plan.revisions, "jurisdiction": plan.jurisdiction,
            "revised_at": plan.in_force_from if plan.revisions else None}


CURRENT = [c.name for c in _state()]


class EnforcementPlanLedger(Projection):
    """The adoption records when the plan took effect (what it says by itself); every other column is the plan's
    state after each event, folded by the domain's ``event.apply`` in the order the events took effect
    (``projections.timeline.Decided``)."""

    name = "enforcement_plans"
    version = 3  # 2: the domain decides the columns, folded in effective order; 3: jurisdictions in collation "C"
    plans = PLANS
    timeline_table = TIMELINE
    changes = CHANGES
    states = STATES

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.timeline_table, self.changes, "plan_id",
                        decided=Decided(ep.EnforcementPlan, events_of(ep), decided, self.states))

    def _record(self, conn: Connection, e: DomainEvent, changes: dict[str, Any]) -> None:
        """Record the event on the timeline; the current table takes the open segment as it now stands."""
        timeline = self.timeline
        state = timeline.record_event(conn, e, changes)
        segment = timeline.current(conn, e.originator_id)
        assert segment is not None
        row = {name: segment[name] for name in CURRENT}
        if e.originator_version == 1:
            conn.execute(insert(self.plans), {"plan_id": e.originator_id, **row, "version": state.version})
        else:
            conn.execute(update(self.plans).where(self.plans.c.plan_id == bindparam("b_id")),
                         {**row, "version": state.version, "b_id": e.originator_id})

    @on(ep.EnforcementPlanAdopted)
    def _adopted(self, conn: Connection, e: ep.EnforcementPlanAdopted, _: int) -> None:
        self._record(conn, e, {"adopted_at": e.effective_at})

    @on(ep.EnforcementPlanRevised)
    def _revised(self, conn: Connection, e: ep.EnforcementPlanRevised, _: int) -> None:
        self._record(conn, e, {})


class PlanQueries:
    def __init__(self, db: Any, directory: DirectoryQueries, inspections: InspectionLedgerQueries):
        self.db = db
        self.directory = directory
        self.inspections = inspections

    def plans(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
              department_id: UUID | None = None, year: int | None = None,
              plan_id: UUID | None = None) -> list[dict[str, Any]]:
        """Annual enforcement plans as they read at ``as_of``, known at ``known_at``, planned against done by then:
        completed inspections carried out under the plan (of them undercover and campaigns), and which key
        enterprises the unit's completed enforcement inspections of that year reached (全覆盖, seed 003 §27)."""
        p = TIMELINE.c
        conditions = [in_force(TIMELINE, as_of, known_at), within(p.jurisdiction, scope),
                      p.department_id == str(unit_id) if role in ("enterprise", "inspector") else true()]
        filters = ((p.department_id, department_id), (p.year, year), (p.plan_id, plan_id))
        conditions += [c == v for c, v in filters if v is not None]
        with self.db.read() as conn:
            plans = [dict(r) for r in conn.execute(select(TIMELINE).where(*conditions)).mappings()]
        names = self.directory.unit_names({plan["department_id"] for plan in plans})
        done = self.inspections.completed_under({plan["plan_id"] for plan in plans}, as_of=as_of, known_at=known_at)
        for plan in plans:
            kinds = done.get(plan["plan_id"], {})
            plan.update(department_name=names.get(plan["department_id"], {}).get("name"), done=sum(kinds.values()),
                        done_undercover=kinds.get("undercover", 0), done_campaign=kinds.get("campaign", 0))
            start, end = year_bounds(plan["year"])
            targets = self.inspections.reached(plan["department_id"], start, end, as_of=as_of, known_at=known_at)
            plan["key_enterprises_inspected_json"] = [k for k in plan["key_enterprises_json"] if k in targets]
        return sorted(plans, key=lambda x: (-x["year"], x["department_name"] is None, x["department_name"] or "",
                                            x["plan_id"]))
