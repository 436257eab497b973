"""Hazards context: report, rectify, extend, submit, accept, close out, review; listed supervision.

Who may do what (docs/architecture.md §9): inspectors act on the units their department supervises, enterprise users on
their own enterprise (they self-report, plan and submit; they accept only general hazards they found themselves); a
hazard an authority found is ordered (责令限期整改 / 责令暂时停产停业), re-inspected (复查) and struck off by the
authority, and suspended work resumes by its review (docs/rules.md R8; 安全生产法 第65条第一款). The signatures of
an order, an acceptance, a resumption, a close-out or an on-the-spot fix are the person named by the token
(谁检查、谁签名、谁负责, seed 004). The policy commands (overdue, escalation) are the system's alone.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from application.commands import Command, Targeted
from application.organisation import territory_of
from application.service import Handler
from application.tips import link_to_tip
from application.unit_of_work import UnitOfWork
from domain import document_numbers as dn
from domain import hazards as hz
from domain.bounds import FreeText
from domain.calendar import local_day
from domain.errors import Conflict, Rejected
from domain.inspections import Inspection
from domain.people import Person
from domain.references import HazardRef, HigherUnitRef, InspectionRef, PersonRef, TipRef, UnitRef
from domain.rules import pack_for
from domain.tips import Outcome, OutcomeKind
from domain.units import LEVEL_ORDER, Level, TerritorialProfile, Unit

OFFICIALS = frozenset({"admin", "inspector", "enforcement"})
WITH_ENTERPRISE = OFFICIALS | {"enterprise"}
POLICY: frozenset[str] = frozenset()
"""Only the system (a policy) sends these."""


class ReportHazard(Command):
    roles: ClassVar[frozenset[str]] = WITH_ENTERPRISE
    action: ClassVar[str] = "report hazards"
    unit_id: UnitRef = Field(description="the enterprise (生产经营单位) where it was found")
    grade: hz.HazardGrade
    criterion: hz.Criterion | None = Field(default=None, description="判定依据; required for a major hazard")
    description: FreeText = Field(min_length=1, max_length=4000)
    location: str | None = Field(default=None, max_length=500)
    source: hz.HazardSource
    inspection_id: InspectionRef | None = Field(default=None, description="the inspection that found it")
    finding_no: int | None = Field(default=None, ge=1, description="the inspection's finding it records")
    tip_id: TipRef | None = Field(default=None, description="the tip (举报) that led to it")


class RegradeHazard(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "regrade hazards"
    hazard_id: HazardRef
    grade: hz.HazardGrade
    criterion: hz.Criterion | None = None
    reason: FreeText = Field(min_length=1, max_length=1000)


class RectifyOnTheSpot(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "record fixes on the spot"
    hazard_id: HazardRef
    measures: FreeText = Field(min_length=1, max_length=4000, description="what was done (即知即改)")


class PlanRectification(Targeted):
    roles: ClassVar[frozenset[str]] = WITH_ENTERPRISE
    action: ClassVar[str] = "plan rectifications"
    hazard_id: HazardRef
    mode: hz.RectificationMode = Field(description="deadline (限期整改) or suspension (停产停业整顿)")
    plan: hz.FiveAssurances = Field(description="五落实: all five are required")
    suspension: hz.Suspension | None = Field(default=None, description="what stops, for mode suspension")


class OrderRectification(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "order rectifications"
    hazard_id: HazardRef
    mode: hz.RectificationMode = Field(description="deadline (责令限期整改) or suspension (责令暂时停产停业)")
    deadline: date = Field(description="整改期限: the last day (Beijing time), set by the authority")
    requirements: FreeText = Field(min_length=1, max_length=4000, description="what the order requires (整改要求)")
    suspension: hz.Suspension | None = Field(default=None, description="what stops, for mode suspension")


class ResumeProduction(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "let suspended production resume"
    hazard_id: HazardRef
    findings: FreeText = Field(min_length=1, max_length=4000, description="what the review found (审查意见)")


class ExtendDeadline(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "extend rectification deadlines"
    hazard_id: HazardRef
    deadline: date
    reason: FreeText = Field(min_length=1, max_length=1000)


class SubmitRectification(Targeted):
    roles: ClassVar[frozenset[str]] = WITH_ENTERPRISE
    action: ClassVar[str] = "submit rectifications"
    hazard_id: HazardRef
    report: FreeText = Field(min_length=1, max_length=4000)
    evidence: tuple[str, ...] = Field(default=(), max_length=50)


class InspectAcceptance(Targeted):
    roles: ClassVar[frozenset[str]] = WITH_ENTERPRISE
    action: ClassVar[str] = "accept rectifications"
    hazard_id: HazardRef
    passed: bool
    findings: FreeText = Field(min_length=1, max_length=4000)


class CloseOutHazard(Targeted):
    roles: ClassVar[frozenset[str]] = WITH_ENTERPRISE
    action: ClassVar[str] = "close out hazards"
    hazard_id: HazardRef


class ReviewHazard(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "review closed hazards"
    hazard_id: HazardRef
    findings: FreeText = Field(min_length=1, max_length=4000)
    reopen: bool = Field(description="the review found it back: reopen for rectification")


class ListHazard(Targeted):
    roles: ClassVar[frozenset[str]] = frozenset({"admin", "enforcement", "inspector"})
    action: ClassVar[str] = "put hazards under listed supervision"
    hazard_id: HazardRef
    authority_id: UnitRef = Field(description="the unit that lists it (挂牌单位)")
    supervisor_id: PersonRef = Field(description="the person who follows it (督办责任人)")
    reported_to_id: HigherUnitRef | None = Field(default=None, description="the higher unit it is reported to")


class NameListedSupervisor(Targeted):
    roles: ClassVar[frozenset[str]] = frozenset({"admin", "enforcement", "inspector"})
    action: ClassVar[str] = "name listed-supervision supervisors"
    hazard_id: HazardRef
    supervisor_id: PersonRef


class MarkHazardOverdue(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "mark hazards overdue"
    hazard_id: HazardRef
    deadline: date


class EscalateListing(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "escalate listed supervision"
    hazard_id: HazardRef


def _hazard(uow: UnitOfWork, hazard_id: UUID, expected_version: int | None = None, *,
            what: str = "act on this hazard") -> hz.Hazard:
    hazard = uow.load(hazard_id, hz.Hazard, label="hazard", field="hazard_id", expected_version=expected_version)
    unit = uow.load(hazard.unit_id, Unit, label="unit", field="hazard_id", write=False)
    uow.principal.require_target(unit, what)
    return hazard


def _person(uow: UnitOfWork, person_id: UUID, field: str) -> Person:
    return uow.load(person_id, Person, label="person", field=field, write=False)


def _unit(uow: UnitOfWork, unit_id: UUID, field: str) -> Unit:
    return uow.load(unit_id, Unit, label="unit", field=field, write=False)


def _today(uow: UnitOfWork) -> date:
    return local_day(uow.ctx.effective_at)


def report_hazard(cmd: ReportHazard, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, "unit_id")
    uow.principal.require_target(unit, "report hazards")
    if uow.principal.role == "enterprise" and cmd.source != hz.HazardSource.self_reported:
        raise Rejected("enterprise-self-reports", "an enterprise user reports its own hazards as self_reported "
                                                  "(自查自报)", field="source")
    inspection = (uow.load(cmd.inspection_id, Inspection, label="inspection", field="inspection_id", write=False)
                  if cmd.inspection_id else None)
    event = hz.report_hazard(
        uow.ctx, uow.ids.new(), unit, pack_for(unit.jurisdiction), grade=cmd.grade, criterion=cmd.criterion,
        description=cmd.description, location=cmd.location, source=cmd.source, inspection=inspection,
        finding_no=cmd.finding_no, tip_id=cmd.tip_id, found_by=uow.principal.person_id,
    )
    uow.record(event)
    if cmd.tip_id is not None:  # the tip led to this hazard: linked in the same transaction
        link_to_tip(uow, cmd.tip_id, Outcome(kind=OutcomeKind.hazard, target_id=event.originator_id))
    return event.originator_id


def regrade_hazard(cmd: RegradeHazard, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="regrade hazards")
    uow.record(hz.regrade(uow.ctx, hazard, pack_for(hazard.jurisdiction), cmd.grade, cmd.criterion, cmd.reason))
    return hazard.id


def rectify_on_the_spot(cmd: RectifyOnTheSpot, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="record fixes on the spot")
    verifier = uow.principal.require_person("witness a fix on the spot")
    uow.record(*hz.rectify_on_the_spot(uow.ctx, hazard, pack_for(hazard.jurisdiction), cmd.measures, verifier))
    return hazard.id


def plan_rectification(cmd: PlanRectification, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="plan rectifications")
    if cmd.plan.responsible_person_id is not None:
        _person(uow, cmd.plan.responsible_person_id, "plan.responsible_person_id")
    if cmd.mode == hz.RectificationMode.suspension and hazard.order is None:  # under an order: the order's mode
        uow.principal.require_role(OFFICIALS, "order a suspension (停产停业整顿)")
    uow.record(*hz.plan_rectification(uow.ctx, hazard, pack_for(hazard.jurisdiction), cmd.mode, cmd.plan,
                                      cmd.suspension, _today(uow)))
    return hazard.id


def _by_authority(uow: UnitOfWork) -> bool:
    return uow.principal.role in OFFICIALS or uow.principal.role == "system"


def order_rectification(cmd: OrderRectification, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="order rectifications")
    issued_by = uow.principal.require_person("sign an order (责令限期整改指令书)")
    authority = _department_of(uow, hazard, "order rectifications")
    # 文书编号: the department's next number of the order's series, from the register in the event store
    pack = pack_for(authority.jurisdiction)
    series = dn.ORDER_SERIES[cmd.mode]
    year = local_day(uow.ctx.effective_at).year
    register = uow.find(dn.register_id(authority.id, series, year), dn.DocumentRegister)
    numbered = dn.next_number(uow.ctx, register, pack, authority, series, hazard.id)
    uow.record(*hz.order_rectification(uow.ctx, hazard, authority, issued_by, cmd.mode, cmd.deadline,
                                       cmd.requirements, numbered.document_no, cmd.suspension, _today(uow)))
    uow.record(numbered)
    return hazard.id


def _department_of(uow: UnitOfWork, hazard: hz.Hazard, what: str) -> Unit:
    """The department that acts: the inspector's own (on the token), else the unit's supervising department."""
    if uow.principal.unit_id is not None:
        return _unit(uow, uow.principal.unit_id, "hazard_id")
    unit = _unit(uow, hazard.unit_id, "hazard_id")
    if unit.supervision is None:
        raise Rejected("no-supervising-department", f"{unit.name} has no supervising department to {what}",
                       field="hazard_id")
    return _unit(uow, unit.supervision.department_id, "hazard_id")


def resume_production(cmd: ResumeProduction, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="let production resume")
    reviewer = uow.principal.require_person("sign the review (经审查同意恢复生产经营)")
    authority = _department_of(uow, hazard, "let production resume")
    uow.record(hz.resume_production(uow.ctx, hazard, reviewer, authority.id, cmd.findings))
    return hazard.id


def extend_deadline(cmd: ExtendDeadline, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="extend deadlines")
    uow.record(hz.extend_deadline(uow.ctx, hazard, cmd.deadline, cmd.reason, uow.principal.person_id))
    return hazard.id


def submit_rectification(cmd: SubmitRectification, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="submit rectifications")
    uow.record(hz.submit_rectification(uow.ctx, hazard, cmd.report, cmd.evidence))
    return hazard.id


def inspect_acceptance(cmd: InspectAcceptance, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="accept rectifications")
    if hazard.grade == hz.HazardGrade.major:
        uow.principal.require_role(OFFICIALS, "accept the rectification of a major hazard (it is verified by the "
                                              "supervising authority)")
    verifier = uow.principal.require_person("sign an acceptance")
    by_authority = _by_authority(uow)
    authority_id = _department_of(uow, hazard, "re-inspect").id if by_authority and hazard.authority_decides else None
    uow.record(hz.inspect_acceptance(uow.ctx, hazard, verifier, cmd.passed, cmd.findings, by_authority=by_authority,
                                     authority_id=authority_id))
    return hazard.id


def close_out(cmd: CloseOutHazard, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="close out hazards")
    if hazard.grade == hz.HazardGrade.major:
        uow.principal.require_role(OFFICIALS, "strike off a major hazard")
    uow.record(hz.close_out(uow.ctx, hazard, uow.principal.person_id, by_authority=_by_authority(uow)))
    return hazard.id


def review_hazard(cmd: ReviewHazard, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="review hazards")
    uow.record(hz.review(uow.ctx, hazard, uow.principal.person_id, cmd.findings, cmd.reopen,
                         pack_for(hazard.jurisdiction)))
    return hazard.id


def level_of(uow: UnitOfWork, authority: Unit) -> tuple[Unit, str]:
    """The territorial unit an authority belongs to, and its level (a department answers at its county's)."""
    territory = territory_of(uow, authority)
    if territory is None or not isinstance(territory.profile, TerritorialProfile):
        raise Rejected("no-territory", f"{authority.name} lies under no territorial unit", field="authority_id")
    return territory, territory.profile.level.value


def list_hazard(cmd: ListHazard, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="list hazards")
    authority = _unit(uow, cmd.authority_id, "authority_id")
    uow.principal.require_scope(authority.jurisdiction, f"the authority {authority.name}")
    _person(uow, cmd.supervisor_id, "supervisor_id")
    reported_to = _unit(uow, cmd.reported_to_id, "reported_to_id") if cmd.reported_to_id else None
    _, level = level_of(uow, authority)
    uow.record(hz.open_listing(uow.ctx, hazard, pack_for(hazard.jurisdiction), authority, level, cmd.supervisor_id,
                               reported_to))
    return hazard.id


def name_supervisor(cmd: NameListedSupervisor, uow: UnitOfWork) -> UUID:
    hazard = _hazard(uow, cmd.hazard_id, cmd.expected_version, what="name supervisors")
    _person(uow, cmd.supervisor_id, "supervisor_id")
    if hazard.listing is not None:
        authority = _unit(uow, hazard.listing.authority_id, "hazard_id")
        uow.principal.require_scope(authority.jurisdiction, f"the listing authority {authority.name}")
    uow.record(hz.name_supervisor(uow.ctx, hazard, cmd.supervisor_id))
    return hazard.id


def mark_overdue(cmd: MarkHazardOverdue, uow: UnitOfWork) -> UUID:
    hazard = uow.load(cmd.hazard_id, hz.Hazard, label="hazard", field="hazard_id")
    uow.record(hz.mark_overdue(uow.ctx, hazard, pack_for(hazard.jurisdiction), cmd.deadline, uow.ctx.recorded_at))
    return hazard.id


def escalate_listing(cmd: EscalateListing, uow: UnitOfWork) -> UUID:
    """One level up from the current listing (or from the supervising department when there is none): the safety
    committee of the territory above, or that territory itself (seed 000 §32: 移送安委会挂牌督办)."""
    hazard = uow.load(cmd.hazard_id, hz.Hazard, label="hazard", field="hazard_id")
    pack = pack_for(hazard.jurisdiction)
    if not pack["hazard.escalation.levels"]:
        return hazard.id  # no local pack sets an escalation here (local practice only: docs/rules.md R8)
    unit = _unit(uow, hazard.unit_id, "hazard_id")
    start_id = hazard.listing.authority_id if hazard.listing else (
        unit.supervision.department_id if unit.supervision else unit.id)
    territory, _ = level_of(uow, _unit(uow, start_id, "hazard_id"))
    for _ in range(pack["hazard.escalation.levels"]):
        if territory.parent_id is None:
            return hazard.id  # the top of the tree: there is no level above
        territory = _unit(uow, territory.parent_id, "hazard_id")
    committees = uow.directory.units_under(territory.id, "safety_committee")
    authority = _unit(uow, committees[0], "hazard_id") if committees else territory
    _, level = level_of(uow, territory)
    if hazard.listing is not None and LEVEL_ORDER.index(Level(level)) >= LEVEL_ORDER.index(Level(hazard.listing.level)):
        raise Conflict("not-higher", f"{authority.name} is not above the current listing")
    uow.record(hz.escalate_listing(uow.ctx, hazard, pack, authority, level))
    return hazard.id


HANDLERS: dict[type[Command], Handler] = {
    ReportHazard: report_hazard,
    RegradeHazard: regrade_hazard,
    RectifyOnTheSpot: rectify_on_the_spot,
    PlanRectification: plan_rectification,
    OrderRectification: order_rectification,
    ResumeProduction: resume_production,
    ExtendDeadline: extend_deadline,
    SubmitRectification: submit_rectification,
    InspectAcceptance: inspect_acceptance,
    CloseOutHazard: close_out,
    ReviewHazard: review_hazard,
    ListHazard: list_hazard,
    NameListedSupervisor: name_supervisor,
    MarkHazardOverdue: mark_overdue,
    EscalateListing: escalate_listing,
}
