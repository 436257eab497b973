"""Inspections context: annual enforcement plans, random draws (双随机), inspections and their records.

Who may do what (docs/architecture.md §9):
- ``inspector`` acts for its own department and only on the units that department supervises
  (``Principal.require_target``); an inspector named on an inspection may also act on that inspection (a cross
  inspection's inspectors sign what they inspected, 谁检查、谁签名).
- ``enforcement`` and ``admin`` act anywhere in their jurisdiction (they organise cross inspections and campaigns).
- ``enterprise`` records its own checks only: self-checks (企业自查) and the inspections its leaders lead of it
  (主要负责人带队检查, seed 004 (一)1(4)).
Signatures are the person named by the bearer token (``Principal.require_person``), never by the request.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from application.authorization import Forbidden, Role
from application.commands import Command, Targeted
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import enforcement_plans as ep
from domain import inspections as ins
from domain import random_draws as rd
from domain.bounds import FreeText
from domain.errors import Conflict, Rejected
from domain.jurisdiction import covers
from domain.people import Person
from domain.posts import Post
from domain.references import DrawRef, InspectionRef, PersonRef, PlanRef, PostRef, UnitRef
from domain.rules import pack_for
from domain.units import SUPERVISED_KINDS, Unit

OFFICIALS = frozenset({"admin", "enforcement", "inspector"})
INSPECTING = OFFICIALS | {"enterprise"}
ENTERPRISE_KINDS = frozenset({ins.InspectionKind.self_check, ins.InspectionKind.leader})
"""What an enterprise user records: its self-checks and its own leaders' inspections of it."""
OWN_CHECKS = "an enterprise user records only its own checks: self-checks (企业自查) and its leaders' inspections of it"


class AdoptEnforcementPlan(Command):
    """Adopt a unit's annual enforcement plan (年度执法计划, seed 003 §27)."""

    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "adopt enforcement plans"
    department_id: UnitRef
    year: int = Field(ge=2000, le=2100)
    terms: ep.PlanTerms
    document_no: str | None = Field(default=None, max_length=100, description="文号 of the plan")


class ReviseEnforcementPlan(Targeted):
    """Revise an annual enforcement plan: the terms as they read from now on, and why."""

    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "revise enforcement plans"
    plan_id: PlanRef
    terms: ep.PlanTerms
    reason: FreeText = Field(min_length=1, max_length=1000)
    document_no: str | None = Field(default=None, max_length=100)


class MakeRandomDraw(Command):
    """Draw targets and inspectors at random (双随机, seed 000 §25); the draw is recorded so anyone can re-run it."""

    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "make random draws"
    department_id: UnitRef = Field(description="the unit that draws and will inspect")
    plan_id: PlanRef | None = Field(default=None, description="the annual plan the draw carries out")
    seed: str | None = Field(default=None, min_length=1, max_length=200,
                             description="published seed; default: a fresh random one (recorded)")
    target_pool: list[UnitRef] | None = Field(
        default=None, max_length=5000, description="default: the open units the department supervises")
    inspector_pool: list[PersonRef] = Field(min_length=2, max_length=1000, description="registered people")
    targets: int = Field(ge=1, le=5000, description="how many targets to draw")
    inspectors_per_target: int = Field(default=2, ge=2, le=20)


class OpenInspection(Command):
    """Open an inspection (检查开始) of a unit: kind, inspectors, experts, checklist; effective when it took place."""

    roles: ClassVar[frozenset[str]] = INSPECTING
    action: ClassVar[str] = "record inspections"
    kind: ins.InspectionKind
    title: str = Field(min_length=1, max_length=200)
    target_unit_id: UnitRef
    inspecting_unit_id: UnitRef | None = Field(
        default=None, description="default: the target itself for a self-check, else the caller's unit")
    inspectors: list[PersonRef] = Field(min_length=1, max_length=20, description="registered people")
    experts: list[ins.Expert] = Field(default=[], max_length=20, description="执法+专家")
    unannounced: bool = Field(default=False, description="四不两直")
    checklist: list[ins.ChecklistItem] = Field(default=[], max_length=300, description="执法检查表")
    led_by: PersonRef | None = Field(default=None, description="the leader who led it; one of the inspectors")
    plan_id: PlanRef | None = None
    draw_id: DrawRef | None = None


class CoverChecklistItems(Targeted):
    """Record that checklist items were checked (逐项对照执法检查表, seed 000 §24)."""

    roles: ClassVar[frozenset[str]] = INSPECTING
    action: ClassVar[str] = "record inspections"
    inspection_id: InspectionRef
    item_codes: list[str] = Field(min_length=1, max_length=300)


class RecordFinding(Targeted):
    """Record a finding; it gets the next number."""

    roles: ClassVar[frozenset[str]] = INSPECTING
    action: ClassVar[str] = "record inspections"
    inspection_id: InspectionRef
    item_code: str | None = Field(default=None, max_length=30)
    description: FreeText = Field(min_length=1, max_length=2000)
    hazard_suspected: bool = Field(default=False, description="it looks like a hazard (隐患) for the hazard ledger")
    location: str | None = Field(default=None, max_length=200)


class RecordSpotTest(Targeted):
    """Record a spot test (逢查必考) of a person holding a post in the inspected unit."""

    roles: ClassVar[frozenset[str]] = INSPECTING
    action: ClassVar[str] = "record inspections"
    inspection_id: InspectionRef
    person_id: PersonRef
    post_id: PostRef
    subject: str = Field(min_length=1, max_length=200, description="岗位职责、企业主要安全风险 …")
    score: float
    max_score: float = 100
    pass_mark: float = 60


class SignInspection(Targeted):
    """Sign the record as the inspector the bearer token names (谁检查、谁签名、谁负责)."""

    roles: ClassVar[frozenset[str]] = INSPECTING
    action: ClassVar[str] = "sign inspection records"
    inspection_id: InspectionRef


class CompleteInspection(Targeted):
    """Complete the inspection: refused while an inspector has not signed."""

    roles: ClassVar[frozenset[str]] = INSPECTING
    action: ClassVar[str] = "complete inspections"
    inspection_id: InspectionRef
    summary: FreeText | None = Field(default=None, max_length=2000, description="检查结论")
    target_acknowledged_by: str | None = Field(default=None, max_length=50,
                                               description="the inspected unit's representative who signed")
    target_refused_to_sign: bool = False


class CorrectInspection(Targeted):
    """Correct a completed record: findings (in full) and spot-test scores, with the reason. Takes effect at the
    record's completion time: leave ``effective_at`` out (or give exactly that time)."""

    roles: ClassVar[frozenset[str]] = INSPECTING
    action: ClassVar[str] = "correct inspection records"
    inspection_id: InspectionRef
    findings: list[ins.Finding] = Field(default=[], max_length=100, description="corrected findings, in full")
    spot_tests: list[ins.SpotTestFix] = Field(default=[], max_length=100)
    reason: FreeText = Field(min_length=1, max_length=1000)


def _unit(uow: UnitOfWork, unit_id: UUID, field: str) -> Unit:
    return uow.load(unit_id, Unit, label="unit", field=field, write=False)


def _people(uow: UnitOfWork, ids: list[UUID], field: str) -> None:
    for person_id in ids:
        uow.load(person_id, Person, label="person", field=field, write=False)


def _own_department(uow: UnitOfWork, department_id: UUID, what: str) -> None:
    if uow.principal.role == Role.inspector and uow.principal.unit_id != department_id:
        raise Forbidden("not-your-department", f"an inspector may {what} only for its own department")


def _key_units(uow: UnitOfWork, terms: ep.PlanTerms) -> dict[UUID, Unit | None]:
    return {unit_id: uow.find(unit_id, Unit) for unit_id in terms.key_enterprises}


def adopt_plan(cmd: AdoptEnforcementPlan, uow: UnitOfWork) -> UUID:
    department = _unit(uow, cmd.department_id, "department_id")
    _own_department(uow, department.id, "adopt enforcement plans")
    plan_id = ep.plan_id_for(department.id, cmd.year)
    if uow.find(plan_id, ep.EnforcementPlan) is not None:
        raise Conflict("plan-exists", f"{department.name} has an enforcement plan for {cmd.year} already: revise it",
                       field="year")
    uow.record(ep.adopt_plan(uow.ctx, department, cmd.year, cmd.terms, _key_units(uow, cmd.terms), cmd.document_no))
    return plan_id


def revise_plan(cmd: ReviseEnforcementPlan, uow: UnitOfWork) -> UUID:
    plan = uow.load(cmd.plan_id, ep.EnforcementPlan, label="enforcement plan", field="plan_id",
                    expected_version=cmd.expected_version)
    _own_department(uow, plan.department_id, "revise enforcement plans")
    department = _unit(uow, plan.department_id, "plan_id")
    uow.record(ep.revise_plan(uow.ctx, plan, department, cmd.terms, _key_units(uow, cmd.terms), cmd.reason,
                              cmd.document_no))
    return plan.id


def _pool_unit(uow: UnitOfWork, department: Unit, unit_id: UUID) -> None:
    unit = _unit(uow, unit_id, "target_pool")
    if unit.kind not in SUPERVISED_KINDS or unit.closure is not None:
        raise Rejected("not-an-inspectable-unit", f"{unit.name} is not an open enterprise or intermediary",
                       field="target_pool")
    if not covers(department.jurisdiction, unit.jurisdiction):
        raise Rejected("target-outside-inspecting-unit", f"{unit.name} lies outside the jurisdiction of "
                       f"{department.name}", field="target_pool")
    uow.principal.require_target(unit, "draw targets")


def make_draw(cmd: MakeRandomDraw, uow: UnitOfWork) -> UUID:
    department = _unit(uow, cmd.department_id, "department_id")
    _own_department(uow, department.id, "make random draws")
    if cmd.plan_id is not None:
        plan = uow.load(cmd.plan_id, ep.EnforcementPlan, label="enforcement plan", field="plan_id", write=False)
        if plan.department_id != department.id:
            raise Rejected("plan-of-other-unit", f"that enforcement plan is not {department.name}'s", field="plan_id")
    pool = cmd.target_pool
    if pool is None:
        pool = uow.directory.supervised_units(department.id)
    for unit_id in rd.sorted_pool(pool):
        _pool_unit(uow, department, unit_id)
    _people(uow, cmd.inspector_pool, "inspector_pool")
    pack = pack_for(department.jurisdiction)
    exclude = bool(pack["random_draw.exclude_previous_inspector"])
    previous = uow.directory.previous_inspections(rd.sorted_pool(pool), uow.ctx.effective_at) if exclude else []
    event = rd.make_draw(
        uow.ctx, uow.ids.new(), department_id=department.id, jurisdiction=department.jurisdiction,
        plan_id=cmd.plan_id, seed=cmd.seed or uow.ids.new().hex, target_pool=pool, inspector_pool=cmd.inspector_pool,
        targets=cmd.targets, inspectors_per_target=cmd.inspectors_per_target, exclude_previous=exclude,
        previous=previous, rules_version=pack.version_tag,
        basis=f"{rd.DRAW_BASIS}; {pack['random_draw.exclude_previous_inspector.source']}",
    )
    uow.record(event)
    return event.originator_id


def open_inspection(cmd: OpenInspection, uow: UnitOfWork) -> UUID:
    principal = uow.principal
    target = _unit(uow, cmd.target_unit_id, "target_unit_id")
    if principal.role == Role.enterprise and cmd.kind not in ENTERPRISE_KINDS:
        raise Forbidden("own-checks-only", OWN_CHECKS)
    principal.require_target(target, "inspect it")
    inspecting_id = cmd.inspecting_unit_id or (
        target.id if cmd.kind == ins.InspectionKind.self_check else principal.unit_id)
    if inspecting_id is None:
        raise Rejected("inspecting-unit-required", "name the unit that inspects (inspecting_unit_id)",
                       field="inspecting_unit_id")
    if principal.role == Role.inspector and inspecting_id != principal.unit_id:
        raise Forbidden("not-your-department", "an inspector inspects for its own department only",
                        field="inspecting_unit_id")
    if principal.role == Role.enterprise and inspecting_id != principal.unit_id:
        raise Forbidden("own-checks-only", OWN_CHECKS, field="inspecting_unit_id")
    inspecting = _unit(uow, inspecting_id, "inspecting_unit_id")
    _people(uow, cmd.inspectors, "inspectors")
    plan = None if cmd.plan_id is None else uow.load(cmd.plan_id, ep.EnforcementPlan, label="enforcement plan",
                                                      field="plan_id", write=False)
    draw = None if cmd.draw_id is None else uow.load(cmd.draw_id, rd.RandomDraw, label="random draw",
                                                      field="draw_id", write=False)
    event = ins.open_inspection(
        uow.ctx, uow.ids.new(), kind=cmd.kind, title=cmd.title, inspecting_unit=inspecting, target=target,
        inspectors=cmd.inspectors, experts=cmd.experts, unannounced=cmd.unannounced, checklist=cmd.checklist,
        led_by=cmd.led_by, plan=plan, draw=draw, grid_basis=pack_for(target.jurisdiction)["inspection.grid.basis"],
    )
    uow.record(event)
    return event.originator_id


def _inspection(uow: UnitOfWork, cmd: Targeted, inspection_id: UUID, what: str) -> ins.Inspection:
    """The inspection, if the caller may act on it: named inspectors act on their own inspection; otherwise a unit
    role acts only on its own targets, and an enterprise user only on its own self-checks."""
    inspection = uow.load(inspection_id, ins.Inspection, label="inspection", field="inspection_id",
                          expected_version=cmd.expected_version)
    principal = uow.principal
    target = _unit(uow, inspection.target_unit_id, "inspection_id")
    if principal.role == Role.enterprise:
        principal.require_target(target, what)
        if inspection.kind not in ENTERPRISE_KINDS or inspection.inspecting_unit_id != principal.unit_id:
            raise Forbidden("own-checks-only", OWN_CHECKS)
    elif principal.person_id is None or principal.person_id not in inspection.inspectors:
        principal.require_target(target, what)
    return inspection


def cover_items(cmd: CoverChecklistItems, uow: UnitOfWork) -> UUID:
    inspection = _inspection(uow, cmd, cmd.inspection_id, "record inspections")
    uow.record(ins.cover_items(uow.ctx, inspection, cmd.item_codes))
    return inspection.id


def record_finding(cmd: RecordFinding, uow: UnitOfWork) -> UUID:
    inspection = _inspection(uow, cmd, cmd.inspection_id, "record inspections")
    uow.record(ins.record_finding(uow.ctx, inspection, item_code=cmd.item_code, description=cmd.description,
                                  hazard_suspected=cmd.hazard_suspected, location=cmd.location))
    return inspection.id


def record_spot_test(cmd: RecordSpotTest, uow: UnitOfWork) -> UUID:
    inspection = _inspection(uow, cmd, cmd.inspection_id, "record inspections")
    post = uow.load(cmd.post_id, Post, label="post", field="post_id", write=False)
    uow.load(cmd.person_id, Person, label="person", field="person_id", write=False)
    uow.record(ins.record_spot_test(uow.ctx, inspection, post=post, person_id=cmd.person_id, subject=cmd.subject,
                                    score=cmd.score, max_score=cmd.max_score, pass_mark=cmd.pass_mark))
    return inspection.id


def sign_inspection(cmd: SignInspection, uow: UnitOfWork) -> UUID:
    signer = uow.principal.require_person("sign an inspection record")
    inspection = _inspection(uow, cmd, cmd.inspection_id, "sign inspection records")
    uow.record(ins.sign(uow.ctx, inspection, signer))
    return inspection.id


def complete_inspection(cmd: CompleteInspection, uow: UnitOfWork) -> UUID:
    inspection = _inspection(uow, cmd, cmd.inspection_id, "complete inspections")
    uow.record(ins.complete(uow.ctx, inspection, summary=cmd.summary,
                            target_acknowledged_by=cmd.target_acknowledged_by,
                            target_refused_to_sign=cmd.target_refused_to_sign))
    return inspection.id


def correct_inspection(cmd: CorrectInspection, uow: UnitOfWork) -> UUID:
    inspection = _inspection(uow, cmd, cmd.inspection_id, "correct inspection records")
    if cmd.effective_at is not None and inspection.completed_at is not None \
            and cmd.effective_at != inspection.completed_at:
        raise Rejected("correction-effective-at",
                       f"a correction takes effect when the record it corrects was completed "
                       f"({inspection.completed_at.isoformat()}): leave effective_at out", field="effective_at")
    uow.record(ins.correct(uow.ctx, inspection, findings=cmd.findings, spot_tests=cmd.spot_tests,
                           reason=cmd.reason, corrected_by=uow.principal.person_id))
    return inspection.id


HANDLERS: dict[type[Command], Handler] = {
    AdoptEnforcementPlan: adopt_plan,
    ReviseEnforcementPlan: revise_plan,
    MakeRandomDraw: make_draw,
    OpenInspection: open_inspection,
    CoverChecklistItems: cover_items,
    RecordFinding: record_finding,
    RecordSpotTest: record_spot_test,
    SignInspection: sign_inspection,
    CompleteInspection: complete_inspection,
    CorrectInspection: correct_inspection,
}
