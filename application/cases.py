"""Cases context: administrative penalty cases (行政处罚案件) from opening to payment, transfer and closure.

Who may do what (docs/architecture.md §9; docs/cases.md): enforcement officers (执法人员), inspectors of the supervising
department and admins run a case; the party's requests (a hearing, a payment) are recorded by them. What a command
decides comes from the event store: the person of 一案双罚 from the post's history as of the violation, the facts of the
discretion from the unit's hazards and earlier cases (found through ``Directory`` at the head of the log, each then
loaded from the store). The policy commands (hearing window, decision and payment overdue, 第113条 proposal) are the
system's alone; each decision returns nothing when nothing is due, so a policy fires once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from application.commands import Command, Targeted
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import cases as cs
from domain.accidents import Accident
from domain.base import DomainEvent
from domain.bounds import FreeText, Moment
from domain.calendar import local_day
from domain.errors import Conflict, Rejected
from domain.hazards import Hazard, HazardBecameOverdue, HazardGrade, HazardStatus
from domain.inspections import Inspection
from domain.people import Person, impose_industry_ban
from domain.posts import Post, PostKind
from domain.references import CaseRef, ClosureRef, HazardRef, RecordRef, UnitRef
from domain.rules import pack_for
from domain.rules.penalties import HazardFact, PriorPenalty, discretion_facts, propose
from domain.tips import Tip
from domain.units import SUPERVISED_KINDS, Unit

OFFICERS = frozenset({"admin", "enforcement", "inspector"})
POLICY: frozenset[str] = frozenset()
"""Only the system (a policy) sends these."""
DECIDERS = frozenset({"admin", "enforcement"})

Yuan = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class OpenCase(Command):
    roles: ClassVar[frozenset[str]] = OFFICERS
    action: ClassVar[str] = "open penalty cases"
    unit_id: UnitRef = Field(description="the unit (生产经营单位) the case is against")
    department_id: UnitRef = Field(description="the department that opens and decides the case (立案机关)")
    article: str = Field(min_length=1, max_length=100, description="the article violated, e.g. 安全生产法 第102条")
    violation: FreeText = Field(min_length=1, max_length=4000, description="违法事实")
    violated_at: Moment = Field(description="when the act happened, or a continuing act ended (RFC 3339)")
    source_kind: cs.SourceKind
    source_id: RecordRef = Field(description="the inspection, hazard, tip or accident the case came from")
    endangered_with_harm: bool = Field(default=False, description="life or health endangered and harm followed "
                                                                  "(行政处罚法 第36条: 5 years instead of 2)")


class ServePenaltyNotice(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICERS
    action: ClassVar[str] = "serve penalty notices"
    case_id: CaseRef
    unit_yuan: Yuan | None = Field(default=None, description="the unit's fine intended; default the proposal")
    person_yuan: Yuan | None = Field(default=None, description="the person's fine intended; default the proposal")
    departure_reason: FreeText | None = Field(default=None, max_length=4000,
                                         description="required where the amounts depart from the proposal")


class RequestHearing(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICERS
    action: ClassVar[str] = "record hearing requests"
    case_id: CaseRef


class HoldHearing(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICERS
    action: ClassVar[str] = "hold hearings"
    case_id: CaseRef
    findings: FreeText = Field(min_length=1, max_length=4000)


class CompleteLegalReview(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "complete legal reviews"
    case_id: CaseRef
    opinion: FreeText = Field(min_length=1, max_length=4000)


class DecideCase(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "decide penalty cases"
    case_id: CaseRef
    decision_no: str = Field(min_length=1, max_length=100, description="行政处罚决定书文号")
    unit_yuan: Yuan = Field(description="the unit's fine (0: 不予处罚)")
    person_yuan: Yuan | None = Field(default=None, description="the responsible person's fine (一案双罚)")
    departure_reason: FreeText | None = Field(default=None, max_length=4000,
                                         description="required where the amounts depart from the proposal")


class ServeDecision(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICERS
    action: ClassVar[str] = "serve penalty decisions"
    case_id: CaseRef


class PayFine(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICERS
    action: ClassVar[str] = "record fine payments"
    case_id: CaseRef
    party: Literal["unit", "person"]
    amount_yuan: Yuan = Field(description="the fine plus any late surcharge owed on the day of payment")


class ImposeDailyFine(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "impose daily fines"
    case_id: CaseRef
    order_made_on: date = Field(description="the day the order to correct was made (责令改正)")
    through: date = Field(description="the last day counted")


class TransferCase(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "transfer cases to the judiciary"
    case_id: CaseRef
    to: str = Field(min_length=1, max_length=200, description="the public security organ or procuratorate")
    reason: FreeText = Field(min_length=1, max_length=4000, description="the crime suspected")


class RecordTransferReceipt(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "record transfer receipts"
    case_id: CaseRef
    receipt_no: str = Field(min_length=1, max_length=100)


class DecideClosure(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "decide closure proposals"
    closure_id: ClosureRef
    approved: bool
    reason: FreeText = Field(min_length=1, max_length=4000)


class BarResponsiblePerson(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "impose industry bans"
    case_id: CaseRef
    closure_id: ClosureRef = Field(description="the approved closure of the case's unit (第113条)")
    lifetime: bool = Field(default=False, description="情节严重: for life in the industry, not 5 years")


class CloseHearingWindow(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "close hearing windows"
    case_id: CaseRef


class MarkDecisionOverdue(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "mark decisions overdue"
    case_id: CaseRef


class MarkPaymentOverdue(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "mark payments overdue"
    case_id: CaseRef


class ProposeClosure(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "propose closures"
    unit_id: UnitRef
    hazard_id: HazardRef


# --- what a case reads from the store ---------------------------------------------------------------------------


def responsible_on(uow: UnitOfWork, unit_id: UUID, at: datetime) -> cs.ResponsibleParty | None:
    """The holder of the unit's 主要负责人 post at ``at``, from the post's history (seed 004 §三(二)3(3))."""
    for post_id in uow.directory.posts_of(unit_id):
        post = uow.find(post_id, Post)
        if post is None or post.definition.kind != PostKind.main_responsible:
            continue
        holders = cs.holders_on(uow.log.history(post_id), at)
        if holders:
            return cs.ResponsibleParty(post_id=post_id, person_id=holders[0], held_on=at,
                                       basis=cs.DUAL_PENALTY_BASIS)
    return None


def _overdue_by(history: list[DomainEvent], day: date) -> bool:
    return any(isinstance(e, HazardBecameOverdue) and local_day(e.effective_at) <= day for e in history)


def hazard_fact(uow: UnitOfWork, hazard: Hazard, day: date) -> HazardFact:
    overdue = _overdue_by(uow.log.history(hazard.id), day)
    being_fixed = hazard.status in {HazardStatus.rectifying, HazardStatus.submitted, HazardStatus.accepted} \
        and hazard.plan is not None
    return HazardFact(id=hazard.id, grade=hazard.grade, source=hazard.source, found_on=local_day(hazard.found_at),
                      overdue=overdue, being_fixed=being_fixed and not overdue)


def _source(uow: UnitOfWork, cmd: OpenCase, unit: Unit) -> tuple[date, Hazard | None]:
    """The day the source shows the violation was discovered, and the hazard when the case comes from one."""
    kinds: dict[cs.SourceKind, type] = {cs.SourceKind.inspection: Inspection, cs.SourceKind.hazard: Hazard,
                                        cs.SourceKind.tip: Tip, cs.SourceKind.accident: Accident}
    record = uow.find(cmd.source_id, kinds[cmd.source_kind])
    if record is None:
        raise Rejected("source-kind-mismatch", f"the record {cmd.source_id} is not a {cmd.source_kind.value}",
                       field="source_id")
    if isinstance(record, Hazard):
        if record.unit_id != unit.id:
            raise Rejected("source-of-other-unit", "the hazard was found at another unit", field="source_id")
        return local_day(record.found_at), record
    if isinstance(record, Inspection):
        if record.target_unit_id != unit.id:
            raise Rejected("source-of-other-unit", "the inspection was of another unit", field="source_id")
        return local_day(record.inspected_at), None
    if isinstance(record, Accident):
        return local_day(record.occurred_at), None
    assert isinstance(record, Tip)
    return local_day(record.received_at), None


def open_case(cmd: OpenCase, uow: UnitOfWork) -> UUID:
    unit = uow.load(cmd.unit_id, Unit, label="unit", field="unit_id", write=False)
    uow.principal.require_target(unit, "open penalty cases")
    if unit.kind not in SUPERVISED_KINDS:
        raise Rejected("not-a-producer", "a penalty case is against an enterprise or an intermediary",
                       field="unit_id")
    department = uow.load(cmd.department_id, Unit, label="unit", field="department_id", write=False)
    if department.kind != "department":
        raise Rejected("not-a-department", "a case is opened by a department with supervisory duties",
                       field="department_id")
    if uow.principal.role == "inspector" and uow.principal.unit_id != department.id:
        raise Rejected("other-department", "an inspector opens cases for its own department", field="department_id")
    violated_at = cmd.violated_at
    pack = pack_for(unit.jurisdiction)
    discovered_on, source_hazard = _source(uow, cmd, unit)
    opened_on = local_day(uow.ctx.effective_at)
    hazards = [h for h in (uow.find(i, Hazard) for i in uow.directory.hazards_of(unit.id)) if h is not None]
    prior = [PriorPenalty(case_id=c.id, decided_on=c.decision.decided_on, article=c.article)
             for c in (uow.find(i, cs.PenaltyCase) for i in uow.directory.cases_of(unit.id))
             if c is not None and c.penalised and c.decision is not None]
    facts = discretion_facts(pack, opened_on, cmd.article,
                             source_hazard=hazard_fact(uow, source_hazard, opened_on) if source_hazard else None,
                             hazards=[hazard_fact(uow, h, opened_on) for h in hazards], prior=prior)
    responsible = responsible_on(uow, unit.id, violated_at)
    proposal = propose(pack, cmd.article, facts, dual=responsible is not None)
    case_id = uow.ids.new()
    uow.record(cs.open_case(uow.ctx, case_id, pack, jurisdiction=unit.jurisdiction, unit_id=unit.id,
                            department_id=department.id, sector=getattr(unit.profile, "sector", None),
                            article=cmd.article, violation=cmd.violation,
                            violated_at=violated_at, discovered_on=discovered_on,
                            source=cs.CaseSource(kind=cmd.source_kind, id=cmd.source_id),
                            endangered_with_harm=cmd.endangered_with_harm, responsible=responsible,
                            proposal=proposal))
    return case_id


def _case(uow: UnitOfWork, case_id: UUID, expected_version: int | None = None) -> cs.PenaltyCase:
    case = uow.load(case_id, cs.PenaltyCase, label="penalty case", field="case_id", expected_version=expected_version)
    unit = uow.find(case.unit_id, Unit)
    if unit is not None:
        uow.principal.require_target(unit, "act on penalty cases")
    return case


def serve_notice(cmd: ServePenaltyNotice, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.serve_notice(uow.ctx, case, pack_for(case.jurisdiction), unit_yuan=cmd.unit_yuan,
                               person_yuan=cmd.person_yuan, departure_reason=cmd.departure_reason))
    return case.id


def request_hearing(cmd: RequestHearing, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.request_hearing(uow.ctx, case, pack_for(case.jurisdiction)))
    return case.id


def hold_hearing(cmd: HoldHearing, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.hold_hearing(uow.ctx, case, cmd.findings))
    return case.id


def complete_review(cmd: CompleteLegalReview, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.complete_review(uow.ctx, case, cmd.opinion))
    return case.id


def decide_case(cmd: DecideCase, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.decide(uow.ctx, case, pack_for(case.jurisdiction), decision_no=cmd.decision_no,
                         unit_yuan=cmd.unit_yuan, person_yuan=cmd.person_yuan,
                         departure_reason=cmd.departure_reason))
    return case.id


def serve_decision(cmd: ServeDecision, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.serve_decision(uow.ctx, case, pack_for(case.jurisdiction)))
    return case.id


def pay_fine(cmd: PayFine, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.pay(uow.ctx, case, pack_for(case.jurisdiction), cmd.party, cmd.amount_yuan))
    return case.id


def impose_daily_fine(cmd: ImposeDailyFine, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.impose_daily_fine(uow.ctx, case, pack_for(case.jurisdiction), cmd.order_made_on, cmd.through))
    return case.id


def transfer_case(cmd: TransferCase, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.transfer(uow.ctx, case, cmd.to, cmd.reason))
    return case.id


def record_receipt(cmd: RecordTransferReceipt, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id, cmd.expected_version)
    uow.record(cs.record_receipt(uow.ctx, case, cmd.receipt_no))
    return case.id


def decide_closure(cmd: DecideClosure, uow: UnitOfWork) -> UUID:
    proposal = uow.load(cmd.closure_id, cs.ClosureProposal, label="closure proposal", field="closure_id",
                        expected_version=cmd.expected_version)
    uow.record(cs.decide_closure(uow.ctx, proposal, cmd.approved, cmd.reason, uow.principal.person_id))
    return proposal.id


def bar_person(cmd: BarResponsiblePerson, uow: UnitOfWork) -> UUID:
    """The case records the bar; the person's record gets the ban that appointments check (安全生产法 第113条)."""
    case = _case(uow, cmd.case_id, cmd.expected_version)
    closure = uow.load(cmd.closure_id, cs.ClosureProposal, label="closure proposal", field="closure_id", write=False)
    barred = cs.bar_person(uow.ctx, case, closure, uow.ids.new(), lifetime=cmd.lifetime)
    person = uow.load(barred.person_id, Person, label="person", field="case_id")
    ctx = uow.ctx.model_copy(update={"basis": cs.BAN_BASIS})
    uow.record(barred, impose_industry_ban(ctx, person, barred.ban_id, barred.industry, local_day(ctx.effective_at),
                                           barred.term_years, f"{cs.BAN_BASIS}; penalty case {case.id}"))
    return case.id


def _today(uow: UnitOfWork) -> date:
    return local_day(uow.clock.now())


def close_hearing_window(cmd: CloseHearingWindow, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id)
    uow.record(cs.close_hearing_window(uow.ctx, case, pack_for(case.jurisdiction), _today(uow)))
    return case.id


def mark_decision_overdue(cmd: MarkDecisionOverdue, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id)
    uow.record(cs.mark_decision_overdue(uow.ctx, case, pack_for(case.jurisdiction), _today(uow)))
    return case.id


def mark_payment_overdue(cmd: MarkPaymentOverdue, uow: UnitOfWork) -> UUID:
    case = _case(uow, cmd.case_id)
    uow.record(cs.mark_payment_overdue(uow.ctx, case, pack_for(case.jurisdiction), _today(uow)))
    return case.id


def propose_closure(cmd: ProposeClosure, uow: UnitOfWork) -> UUID:
    """Re-checked from the store: a major hazard of the unit, there when the penalties were decided, and the unit's
    fined cases."""
    unit = uow.load(cmd.unit_id, Unit, label="unit", field="unit_id", write=False)
    hazard = uow.load(cmd.hazard_id, Hazard, label="hazard", field="hazard_id", write=False)
    if hazard.unit_id != unit.id or hazard.grade != HazardGrade.major:
        raise Rejected("not-a-major-hazard-of-unit", "第113条 counts penalties of a unit with a major hazard",
                       field="hazard_id")
    cases = [c for c in (uow.find(i, cs.PenaltyCase) for i in uow.directory.cases_of(unit.id)) if c is not None]
    found_on = local_day(hazard.found_at)
    counted = [c for c in cases if c.decision is not None and c.decision.decided_on >= found_on
               and (hazard.closed_at is None or c.decision.decided_on <= local_day(hazard.closed_at))]
    event = cs.propose_closure(uow.ctx, pack_for(unit.jurisdiction), jurisdiction=unit.jurisdiction,
                               unit_id=unit.id, hazard_id=hazard.id, cases=counted, today=_today(uow))
    if event is not None and uow.find(event.originator_id, cs.ClosureProposal) is not None:
        raise Conflict("closure-proposed", "this closure was already proposed")
    uow.record(event)
    return event.originator_id if event is not None else unit.id


HANDLERS: dict[type, Handler] = {
    OpenCase: open_case,
    ServePenaltyNotice: serve_notice,
    RequestHearing: request_hearing,
    HoldHearing: hold_hearing,
    CompleteLegalReview: complete_review,
    DecideCase: decide_case,
    ServeDecision: serve_decision,
    PayFine: pay_fine,
    ImposeDailyFine: impose_daily_fine,
    TransferCase: transfer_case,
    RecordTransferReceipt: record_receipt,
    DecideClosure: decide_closure,
    BarResponsiblePerson: bar_person,
    CloseHearingWindow: close_hearing_window,
    MarkDecisionOverdue: mark_decision_overdue,
    MarkPaymentOverdue: mark_payment_overdue,
    ProposeClosure: propose_closure,
}
