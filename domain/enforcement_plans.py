"""Annual enforcement plans (年度安全生产执法计划).

Seed 003 §27 (狮安委〔2023〕3号): every department with safety-supervision duties draws up its annual enforcement
plan, naming 重点检查企业 (key enterprises), 执法范围 (scope), 执法重点 (focus) and 执法内容 (content), and covers
its key units fully (对重点单位开展"全覆盖"执法检查) — so a plan plans at least one inspection per key enterprise.
Seed 002 §12 (肥安发〔2024〕4号): the plan also counts the year's undercover inspections (暗访, ≥ 4 there) and
special enforcement campaigns (专项执法, ≥ 2 there); those minimums are local and not enforced here.

One plan per unit and year (its id derives from both); a change is a revision with its reason, never an edit.
The plan's year is the calendar year in China Standard Time.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.bounds import FreeText
from domain.jurisdiction import covers
from domain.references import UnitRef
from domain.units import Unit

PLAN_NAMESPACE = UUID("5b0f6c1e-2a7d-4f39-8e61-c4d2a9b7e013")
PLAN_BASIS = "狮安委〔2023〕3号 §27 (年度安全生产执法计划)"
PLANNING_UNIT_KINDS = frozenset({"department", "territorial"})
"""Departments plan their enforcement (seed 003 §27); towns with delegated enforcement too (seed 003 §29)."""


class PlanTerms(Frozen):
    """What an annual enforcement plan says (seed 003 §27; seed 002 §12)."""

    key_enterprises: tuple[UnitRef, ...] = Field(default=(), description="重点检查企业")
    scope: FreeText = Field(min_length=1, max_length=500, description="执法范围")
    focus: tuple[str, ...] = Field(min_length=1, description="执法重点")
    content: FreeText = Field(min_length=1, max_length=2000, description="执法内容")
    planned_count: int = Field(ge=1, le=10_000, description="planned enforcement inspections in the year")
    planned_undercover: int = Field(default=0, ge=0, description="of which undercover (暗访)")
    planned_campaign: int = Field(default=0, ge=0, description="of which special enforcement campaigns (专项执法)")


class EnforcementPlan(Aggregate):
    department_id: UUID
    year: int
    terms: PlanTerms
    document_no: str | None
    in_force_from: datetime
    """When the current terms took effect: revisions follow one another in time."""
    revisions: int = 0


class EnforcementPlanAdopted(DomainEvent):
    """年度执法计划制定: a unit's enforcement plan for a year — key enterprises, scope, focus, content, counts."""

    term = "年度执法计划制定"
    context = "inspections"
    department_id: UUID
    year: int
    terms: PlanTerms
    document_no: str | None

    def apply(self, _: None) -> EnforcementPlan:
        return created(EnforcementPlan, self, department_id=self.department_id, year=self.year, terms=self.terms,
                       document_no=self.document_no, in_force_from=self.effective_at)


class EnforcementPlanRevised(DomainEvent):
    """年度执法计划调整: the plan as it reads from now on, what changed, and why."""

    term = "年度执法计划调整"
    context = "inspections"
    terms: PlanTerms
    changed: tuple[str, ...]
    reason: str
    document_no: str | None

    def apply(self, state: EnforcementPlan) -> EnforcementPlan:
        return state.evolved(self, terms=self.terms, document_no=self.document_no or state.document_no,
                             in_force_from=self.effective_at, revisions=state.revisions + 1)


def plan_id_for(department_id: UUID, year: int) -> UUID:
    """One plan per unit and year."""
    return uuid5(PLAN_NAMESPACE, f"{department_id}:{year}")


def _check_terms(department: Unit, terms: PlanTerms, key_units: dict[UUID, Unit | None]) -> PlanTerms:
    keys = list(terms.key_enterprises)
    require(len(set(keys)) == len(keys), "duplicate-key-enterprise", "a key enterprise is listed twice",
            field="terms.key_enterprises")
    for unit_id in keys:
        unit = key_units.get(unit_id)
        require(unit is not None and unit.kind == "enterprise", "not-an-enterprise",
                f"key enterprise {unit_id} is not a registered enterprise", field="terms.key_enterprises")
        assert unit is not None
        require(unit.closure is None, "unit-closed", f"{unit.name} is closed", field="terms.key_enterprises")
        require(covers(department.jurisdiction, unit.jurisdiction), "key-enterprise-outside",
                f"{unit.name} lies outside the jurisdiction of {department.name}", field="terms.key_enterprises")
    require(terms.planned_count >= len(keys), "key-enterprises-uncovered",
            f"{len(keys)} key enterprises need at least as many planned inspections (全覆盖), got "
            f"{terms.planned_count}", field="terms.planned_count", basis=PLAN_BASIS)
    require(terms.planned_undercover + terms.planned_campaign <= terms.planned_count, "planned-counts",
            "undercover and campaign inspections are part of the planned count, not more than it",
            field="terms.planned_count")
    require(all(f.strip() for f in terms.focus), "focus-required", "a focus item (执法重点) cannot be blank",
            field="terms.focus")
    return terms.model_copy(update={"key_enterprises": tuple(sorted(keys, key=str))})


def adopt_plan(ctx: CommandContext, department: Unit, year: int, terms: PlanTerms,
               key_units: dict[UUID, Unit | None], document_no: str | None) -> EnforcementPlanAdopted:
    """Decide a unit's plan for ``year`` (refused by the caller when one exists: revise it instead)."""
    require(department.kind in PLANNING_UNIT_KINDS, "not-a-department",
            f"{department.name} is a {department.kind}: enforcement plans are a department's (or a town's)",
            field="department_id")
    require(department.closure is None, "unit-closed", f"{department.name} is closed", field="department_id")
    require(2000 <= year <= 2100, "year-range", "the year must be between 2000 and 2100", field="year")
    terms = _check_terms(department, terms, key_units)
    return first_event(EnforcementPlanAdopted, ctx, id=plan_id_for(department.id, year),
                       jurisdiction=department.jurisdiction, basis=ctx.basis or PLAN_BASIS,
                       department_id=department.id, year=year, terms=terms, document_no=document_no)


def revise_plan(ctx: CommandContext, plan: EnforcementPlan, department: Unit, terms: PlanTerms,
                key_units: dict[UUID, Unit | None], reason: str,
                document_no: str | None) -> EnforcementPlanRevised | None:
    """Decide a revision; ``None`` when the terms do not change."""
    require(bool(reason.strip()), "reason-required", "a revision of the plan gives its reason", field="reason")
    require(ctx.effective_at >= plan.in_force_from, "revision-out-of-order",
            f"the plan's terms in force took effect {plan.in_force_from.isoformat()}: a revision cannot take effect "
            "before them", field="effective_at")
    terms = _check_terms(department, terms, key_units)
    old, new = plan.terms.model_dump(), terms.model_dump()
    changed = tuple(k for k in new if new[k] != old[k])
    if not changed:
        return None
    return plan.next_event(EnforcementPlanRevised, ctx, terms=terms, changed=changed, reason=reason.strip(),
                           document_no=document_no, basis=ctx.basis or PLAN_BASIS)
