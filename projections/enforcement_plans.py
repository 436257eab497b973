"""The annual enforcement plans (年度执法计划), bitemporal, planned against done (seed 003 §27: 全覆盖 of the key
enterprises). One aggregate (``domain.enforcement_plans``), one read model; what was done under a plan is the
inspection ledger's answer (``InspectionLedgerQueries.completed_under``, ``reached``), asked through its queries.

Reads are scoped by jurisdiction and audience: an inspector sees its own department's plans.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, insert, select, true, update

from domain import enforcement_plans as ep
from domain.calendar import year_bounds
from projections.columns import Json, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.inspection_ledger import InspectionLedgerQueries, in_force
from projections.projection import Projection, on
from projections.scope import within
from projections.timeline import Timeline, bitemporal_columns, changes_table, current_index


def _state() -> list[Column[Any]]:
    """The state of a plan, the same in the current table and in the timeline."""
    return [
        Column("department_id", Key, nullable=False), Column("year", Integer, nullable=False),
        Column("key_enterprises_json", Json, nullable=False), Column("scope", Text, nullable=False),
        Column("focus_json", Json, nullable=False), Column("content", Text, nullable=False),
        Column("planned_count", Integer, nullable=False), Column("planned_undercover", Integer, nullable=False),
        Column("planned_campaign", Integer, nullable=False), Column("document_no", Text),
        Column("revisions", Integer, nullable=False), Column("jurisdiction", Key, nullable=False),
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
CHANGES = changes_table("inspection_plan_timeline", METADATA)


def _terms(terms: ep.PlanTerms) -> dict[str, Any]:
    return {"key_enterprises_json": [str(k) for k in terms.key_enterprises], "scope": terms.scope,
            "focus_json": list(terms.focus), "content": terms.content, "planned_count": terms.planned_count,
            "planned_undercover": terms.planned_undercover, "planned_campaign": terms.planned_campaign}


class EnforcementPlanLedger(Projection):
    name = "enforcement_plans"
    version = 1
    plans = PLANS
    timeline_table = TIMELINE
    changes = CHANGES

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.timeline_table, self.changes, "plan_id")

    @on(ep.EnforcementPlanAdopted)
    def _adopted(self, conn: Connection, e: ep.EnforcementPlanAdopted, _: int) -> None:
        state = {"department_id": str(e.department_id), "year": e.year, **_terms(e.terms),
                 "document_no": e.document_no, "revisions": 0, "jurisdiction": e.envelope.jurisdiction,
                 "adopted_at": e.effective_at, "revised_at": None}
        conn.execute(insert(self.plans).values(plan_id=e.originator_id, **state, version=e.originator_version))
        self.timeline.record(conn, e.originator_id, e.originator_version, e.effective_at, e.timestamp, state)

    @on(ep.EnforcementPlanRevised)
    def _revised(self, conn: Connection, e: ep.EnforcementPlanRevised, _: int) -> None:
        p = self.plans.c
        current = conn.execute(select(p.revisions, p.document_no).where(p.plan_id == e.originator_id)).one()
        changes = {**_terms(e.terms), "revised_at": e.effective_at, "revisions": current.revisions + 1,
                   "document_no": e.document_no or current.document_no}
        conn.execute(update(self.plans).where(p.plan_id == e.originator_id)
                     .values(**changes, version=e.originator_version))
        self.timeline.record(conn, e.originator_id, e.originator_version, e.effective_at, e.timestamp, changes)


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
