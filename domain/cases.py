"""Administrative penalty cases (行政处罚案件): opening, 一案双罚, the proposal, the procedure, the decision and after.

Sources (docs/rules.md R5–R7; docs/cases.md): 行政处罚法 (2021) 第36条 (limitation), 第44条、第45条 (prior notice and
the rights to 陈述、申辩), 第58条 (法制审核), 第60条 (decision within 90 days of 立案), 第63条、第64条 and 第85条
(hearing requested within 5 working days of the notice), 第61条 (service), 第67条 (payment within 15 days), 第72条 (late
surcharge), 第82条 (移送司法机关); 安全生产法 (2021) 第94、97、101、102条 (ranges), 第112条 (daily continuous fine),
第113条 (closure proposed to the government; the main responsible person barred); seed 004 §三(二)3(3): 对企业和企业主要
负责人实行"一案双罚" — so the person of a dual penalty is the enterprise's main responsible person (主要负责人) who held
that post on the day of the violation, as the post's history in the event store shows, never a name typed in.

A case is one aggregate; what a policy fires (the hearing window closed, the decision or the payment overdue) is an
event of the case, decided once. A 第113条 closure proposal is an aggregate of its own, proposed by a policy and
decided by a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal
from uuid import UUID, uuid5

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.calendar import local_day
from domain.errors import Conflict, Rejected
from domain.posts import HolderAppointed, HolderRemoved
from domain.rules import RulesPack
from domain.rules.penalties import (
    ClosureGround,
    DailyFine,
    Limitation,
    Proposal,
    Surcharge,
    closure_ground,
    daily_fine,
    decision_deadline,
    fine_range,
    hearing_request_deadline,
    late_surcharge,
    limitation,
    payment_deadline,
)
from domain.rules.rewards import Exact

DUAL_PENALTY_BASIS = "方积政发〔2023〕11号 §三(二)3(3) (对企业和企业主要负责人实行\"一案双罚\")"
NOTICE_BASIS = "行政处罚法 第44条、第45条 (告知拟作出的行政处罚内容及事实、理由、依据，并告知陈述、申辩、听证等权利)"
REVIEW_BASIS = "行政处罚法 第58条 (法制审核)"
SERVICE_BASIS = "行政处罚法 第61条 (行政处罚决定书送达)"
TRANSFER_BASIS = "行政处罚法 第27条、第82条 (涉嫌犯罪的，及时移送司法机关)"
BAN_BASIS = "安全生产法 第113条 (主要负责人五年内不得担任任何生产经营单位的主要负责人；情节严重的，终身不得担任本行业)"
DEPARTURE_BASIS = "the proposal of the rules pack; departing from it needs a written reason (local practice)"


class SourceKind(StrEnum):
    """What the case came from (案件来源)."""

    inspection = "inspection"
    hazard = "hazard"
    tip = "tip"
    accident = "accident"


class CaseSource(Frozen):
    kind: SourceKind
    id: UUID


class CaseStatus(StrEnum):
    opened = "opened"  # 已立案
    notified = "notified"  # 已告知
    hearing_requested = "hearing_requested"  # 已申请听证
    heard = "heard"  # 已听证
    reviewed = "reviewed"  # 已法制审核
    decided = "decided"  # 已决定
    served = "served"  # 已送达
    paid = "paid"  # 已缴纳 (执行完毕)


STATUS_TERMS = {"opened": "已立案", "notified": "已告知", "hearing_requested": "已申请听证", "heard": "已听证",
                "reviewed": "已法制审核", "decided": "已决定", "served": "已送达", "paid": "已缴纳"}

Party = Literal["unit", "person"]


class ResponsibleParty(Frozen):
    """The person of 一案双罚: who held the unit's 主要负责人 post on the day of the violation."""

    post_id: UUID
    person_id: UUID
    held_on: datetime
    basis: str


class Notice(Frozen):
    notified_on: date
    unit_yuan: Exact
    person_yuan: Exact | None
    hearing_due: date


class Decision(Frozen):
    decision_no: str
    decided_on: date
    unit_yuan: Exact
    person_yuan: Exact | None
    departure_reason: str | None
    late: bool

    @property
    def total_yuan(self) -> Decimal:
        return self.unit_yuan + (self.person_yuan or Decimal(0))


class Payment(Frozen):
    paid_on: date
    fine_yuan: Exact
    surcharge_yuan: Exact
    amount_yuan: Exact


class Transfer(Frozen):
    to: str
    transferred_on: date
    reason: str
    receipt_no: str | None = None
    received_on: date | None = None


class PenaltyCase(Aggregate):
    unit_id: UUID
    department_id: UUID
    sector: str | None
    article: str
    violation: str
    violated_at: datetime
    discovered_on: date
    opened_on: date
    source: CaseSource
    limitation: Limitation
    decision_due: date
    responsible: ResponsibleParty | None
    proposal: Proposal
    status: CaseStatus = CaseStatus.opened
    notice: Notice | None = None
    hearing_requested_on: date | None = None
    hearing_waived: bool = False
    hearing_held_on: date | None = None
    reviewed_on: date | None = None
    decision: Decision | None = None
    decision_overdue: bool = False
    served_on: date | None = None
    payment_due: date | None = None
    payments: dict[str, Payment] = Field(default_factory=dict)
    payment_overdue: bool = False
    daily_fines_yuan: Exact = Decimal(0)
    bans: tuple[UUID, ...] = ()
    transfer: Transfer | None = None

    @property
    def penalised(self) -> bool:
        """A decision that fines someone (a 不予处罚 decision does not count as a penalty)."""
        return self.decision is not None and self.decision.total_yuan > 0

    def owed(self, party: Party) -> Decimal | None:
        if self.decision is None:
            return None
        amount = self.decision.unit_yuan if party == "unit" else self.decision.person_yuan
        return amount if amount else None

    @property
    def settled(self) -> bool:
        return all(p in self.payments for p in ("unit", "person") if self.owed(p))


# --- events -------------------------------------------------------------------------------------------------


class CaseOpened(DomainEvent):
    """立案: a case against a unit for a violation of an article, the person of 一案双罚 as of the violation, and the
    penalty the rules pack proposes with every aggravating or exempting fact it found (each cited)."""

    term = "立案"
    context = "cases"
    unit_id: UUID
    department_id: UUID
    sector: str | None = Field(description="the unit's sector (行业领域), for statistics")
    article: str
    violation: str
    violated_at: datetime
    discovered_on: date
    source: CaseSource
    limitation: Limitation
    decision_due: date
    responsible: ResponsibleParty | None
    proposal: Proposal

    def apply(self, _: None) -> PenaltyCase:
        return created(PenaltyCase, self, unit_id=self.unit_id, department_id=self.department_id, sector=self.sector,
                       article=self.article, violation=self.violation, violated_at=self.violated_at,
                       discovered_on=self.discovered_on, opened_on=local_day(self.envelope.effective_at),
                       source=self.source, limitation=self.limitation, decision_due=self.decision_due,
                       responsible=self.responsible, proposal=self.proposal)


class PenaltyNoticeServed(DomainEvent):
    """行政处罚告知: the penalty intended, its facts and grounds, and the rights to 陈述、申辩 and a hearing (听证), to
    be requested by the last day given."""

    term = "行政处罚告知"
    context = "cases"
    notice: Notice
    departure_reason: str | None = None

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, notice=self.notice, status=CaseStatus.notified)


class HearingRequested(DomainEvent):
    """申请听证: the party asked for a hearing within the working days allowed."""

    term = "申请听证"
    context = "cases"
    requested_on: date

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, hearing_requested_on=self.requested_on, status=CaseStatus.hearing_requested)


class HearingWaived(DomainEvent):
    """逾期未申请听证: the window to request a hearing closed without a request (a policy records it once)."""

    term = "逾期未申请听证"
    context = "cases"
    hearing_due: date

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, hearing_waived=True)


class HearingHeld(DomainEvent):
    """听证: the hearing took place; what it found."""

    term = "听证"
    context = "cases"
    held_on: date
    findings: str

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, hearing_held_on=self.held_on, status=CaseStatus.heard)


class LegalReviewCompleted(DomainEvent):
    """法制审核: the legal review of the intended decision passed."""

    term = "法制审核"
    context = "cases"
    reviewed_on: date
    opinion: str

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, reviewed_on=self.reviewed_on, status=CaseStatus.reviewed)


class CaseDecided(DomainEvent):
    """行政处罚决定: the fines of the unit and of its responsible person (一案双罚), or none (不予行政处罚), with the
    written reason where the decision departs from the proposal."""

    term = "行政处罚决定"
    context = "cases"
    decision: Decision
    tier: str

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, decision=self.decision, status=CaseStatus.decided)


class DecisionOverdue(DomainEvent):
    """超期未作出处罚决定: the days after opening passed without a decision (a policy records it once)."""

    term = "超期未作出处罚决定"
    context = "cases"
    decision_due: date

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, decision_overdue=True)


class DecisionServed(DomainEvent):
    """处罚决定书送达: the decision reached the party; the days to pay run from here."""

    term = "处罚决定书送达"
    context = "cases"
    served_on: date
    payment_due: date | None

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, served_on=self.served_on, payment_due=self.payment_due, status=CaseStatus.served)


class PaymentOverdue(DomainEvent):
    """逾期不缴纳罚款: the last day to pay passed unpaid; the surcharge runs (a policy records it once)."""

    term = "逾期不缴纳罚款"
    context = "cases"
    payment_due: date

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, payment_overdue=True)


class FinePaid(DomainEvent):
    """缴纳罚款: one party paid its fine and any late surcharge (加处罚款)."""

    term = "缴纳罚款"
    context = "cases"
    party: Party
    payment: Payment
    surcharge: Surcharge | None

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        payments = {**state.payments, self.party: self.payment}
        after = state.evolved(self, payments=payments)
        return after.model_copy(update={"status": CaseStatus.paid}) if after.settled else after


class DailyFineImposed(DomainEvent):
    """按日连续处罚: the original fine again for each day the unit refused to correct after the order."""

    term = "按日连续处罚"
    context = "cases"
    computation: DailyFine

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, daily_fines_yuan=state.daily_fines_yuan + self.computation.total_yuan)


class PersonBarred(DomainEvent):
    """责令行业禁入: after the closure, the case bars its responsible person (five years from heading any unit, or for
    life in the industry); the ban itself is recorded on the person (``domain.people.IndustryBanImposed``)."""

    term = "责令行业禁入"
    context = "cases"
    person_id: UUID
    ban_id: UUID
    closure_id: UUID
    term_years: int | None = Field(description="5; null: for life (终身) in the industry")
    industry: str

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, bans=(*state.bans, self.person_id))


class CaseTransferred(DomainEvent):
    """移送司法机关 (行刑衔接): the case, suspected of a crime, handed to the public security organ or procuratorate."""

    term = "移送司法机关"
    context = "cases"
    transfer: Transfer

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        return state.evolved(self, transfer=self.transfer)


class TransferReceiptRecorded(DomainEvent):
    """移送回执: the judicial organ's receipt of the transferred case."""

    term = "移送回执"
    context = "cases"
    receipt_no: str
    received_on: date

    def apply(self, state: PenaltyCase) -> PenaltyCase:
        assert state.transfer is not None
        transfer = state.transfer.model_copy(update={"receipt_no": self.receipt_no, "received_on": self.received_on})
        return state.evolved(self, transfer=transfer)


# --- 第113条 closure ------------------------------------------------------------------------------------------


CLOSURE_NAMESPACE = UUID("3c9d2f6e-8a14-4b57-9e0c-1d7a5b3f2e68")


class ClosureProposal(Aggregate):
    unit_id: UUID
    hazard_id: UUID
    ground: ClosureGround
    cases: tuple[UUID, ...]
    decided: bool = False
    approved: bool | None = None


class ClosureProposed(DomainEvent):
    """提请关闭: a unit with a major hazard penalised 3 times in 180 days or 4 in a year (安全生产法 第113条(一)) is
    proposed to the government for closure — proposed by a policy, decided by a person."""

    term = "提请关闭"
    context = "cases"
    unit_id: UUID
    hazard_id: UUID
    ground: ClosureGround
    cases: tuple[UUID, ...]

    def apply(self, _: None) -> ClosureProposal:
        return created(ClosureProposal, self, unit_id=self.unit_id, hazard_id=self.hazard_id, ground=self.ground,
                       cases=self.cases)


class ClosureDecided(DomainEvent):
    """关闭决定: the person deciding approved or refused the closure proposed, with the reason."""

    term = "关闭决定"
    context = "cases"
    approved: bool
    reason: str
    decided_by: UUID | None = Field(default=None, description="the person who decided, from the token")

    def apply(self, state: ClosureProposal) -> ClosureProposal:
        return state.evolved(self, decided=True, approved=self.approved)


# --- the person of 一案双罚 -------------------------------------------------------------------------------------


def holders_on(history: Iterable[DomainEvent], at: datetime) -> list[UUID]:
    """Who held a post at ``at``: its appointments and removals in effective order (a back-dated record counts where
    it belongs), up to and including ``at``."""
    changes = sorted((e for e in history if isinstance(e, HolderAppointed | HolderRemoved) and e.effective_at <= at),
                     key=lambda e: (e.effective_at, e.originator_version))
    holders: list[UUID] = []
    for change in changes:
        if isinstance(change, HolderAppointed):
            if change.person_id not in holders:
                holders.append(change.person_id)
        elif change.person_id in holders:
            holders.remove(change.person_id)
    return holders


# --- decisions ----------------------------------------------------------------------------------------------


def _reason(reason: str | None) -> str | None:
    return reason.strip() if reason and reason.strip() else None


def _check_amounts(pack: RulesPack, case: PenaltyCase, unit_yuan: Decimal, person_yuan: Decimal | None,
                   reason: str | None) -> str | None:
    """Within the article's range (0 = 不予处罚 for a party), a person's fine only with a responsible person, and a
    written reason wherever the amounts differ from the proposal."""
    proposal = case.proposal
    for party, amount, bounds in (("unit", unit_yuan, proposal.unit.range),
                                  ("person", person_yuan, proposal.person.range if proposal.person else None)):
        field = f"{party}_yuan"
        if amount is None or amount == 0:
            continue
        require(amount > 0, "fine-negative", "a fine is never negative", field=field)
        require(bounds is not None, "no-fine-for-party",
                f"{case.article} fines no {party} in this case", field=field, basis=case.article)
        assert bounds is not None
        require(bounds.minimum_yuan <= amount <= bounds.maximum_yuan, "fine-out-of-range",
                f"{case.article} fines the {party} {bounds.minimum_yuan}–{bounds.maximum_yuan} yuan",
                field=field, basis=case.article)
    if person_yuan and case.responsible is None:
        raise Rejected("no-responsible-person", "no 主要负责人 held the post on the day of the violation: nobody to "
                       "fine as the person", field="person_yuan", basis=DUAL_PENALTY_BASIS)
    proposed_person = proposal.person.amount_yuan if proposal.person else Decimal(0)
    departs = unit_yuan != proposal.unit.amount_yuan or (person_yuan or Decimal(0)) != proposed_person
    written = _reason(reason)
    if departs:
        require(written is not None, "departure-reason-required",
                f"the proposal is {proposal.unit.amount_yuan} yuan for the unit and {proposed_person} for the person "
                f"({proposal.tier}); departing from it needs a written reason", field="departure_reason",
                basis=DEPARTURE_BASIS)
    return written if departs else None


def open_case(ctx: CommandContext, case_id: UUID, pack: RulesPack, *, jurisdiction: str, unit_id: UUID,
              department_id: UUID, sector: str | None, article: str, violation: str, violated_at: datetime,
              discovered_on: date | None,
              source: CaseSource,
              endangered_with_harm: bool, responsible: ResponsibleParty | None, proposal: Proposal) -> CaseOpened:
    """立案, refused when the act was discovered (by the authority: the record the case comes from; else the
    opening) after the limitation ran out (第36条), or before it happened."""
    opened_on = local_day(ctx.effective_at)
    act_day = local_day(violated_at)
    found = min(discovered_on or opened_on, opened_on)
    require(act_day <= found, "violation-after-discovery", "the violation happened on or before it was discovered",
            field="violated_at")
    barred = limitation(pack, act_day, found, endangered_with_harm=endangered_with_harm)
    if barred.barred:
        raise Rejected("time-barred", f"the violation of {act_day} was not discovered within {barred.years} years "
                       f"(last day {barred.last_day}): no penalty may be given", field="violated_at",
                       basis=barred.basis)
    require(fine_range(pack, article, "unit") is not None or fine_range(pack, article, "person") is not None,
            "unknown-article", f"{article} fines nobody", field="article")
    return first_event(CaseOpened, ctx, id=case_id, jurisdiction=jurisdiction, basis=pack["penalty.limitation.basis"],
                       rules_version=pack.version_tag, unit_id=unit_id, department_id=department_id, sector=sector,
                       article=article,
                       violation=violation.strip(), violated_at=violated_at, discovered_on=found, source=source,
                       limitation=barred, decision_due=decision_deadline(pack, opened_on), responsible=responsible,
                       proposal=proposal)


def serve_notice(ctx: CommandContext, case: PenaltyCase, pack: RulesPack, *, unit_yuan: Decimal | None,
                 person_yuan: Decimal | None, departure_reason: str | None) -> PenaltyNoticeServed:
    """The notice names the proposal unless amounts (with a written reason) are given; the hearing may be asked for up
    to the 5th working day after it (第64条、第85条)."""
    if case.notice is not None:
        raise Conflict("notice-served", f"the notice was served on {case.notice.notified_on}")
    unit = case.proposal.unit.amount_yuan if unit_yuan is None else unit_yuan
    person = (case.proposal.person.amount_yuan if case.proposal.person else None) if person_yuan is None \
        else person_yuan
    written = _check_amounts(pack, case, unit, person, departure_reason)
    notified_on = local_day(ctx.effective_at)
    require(notified_on >= case.opened_on, "notice-before-opening", "the notice follows the opening",
            field="effective_at")
    notice = Notice(notified_on=notified_on, unit_yuan=unit, person_yuan=person,
                    hearing_due=hearing_request_deadline(pack, notified_on))
    return case.next_event(PenaltyNoticeServed, ctx, basis=NOTICE_BASIS, rules_version=pack.version_tag,
                           notice=notice, departure_reason=written)


def request_hearing(ctx: CommandContext, case: PenaltyCase, pack: RulesPack) -> HearingRequested:
    """Refused after the 5th working day from the notice (第64条, 第85条)."""
    if case.notice is None:
        raise Conflict("no-notice", "no notice was served: nothing to request a hearing on")
    if case.hearing_requested_on is not None:
        raise Conflict("hearing-requested", f"a hearing was requested on {case.hearing_requested_on}")
    if case.decision is not None:
        raise Conflict("decided", "the case is decided")
    day = local_day(ctx.effective_at)
    require(day >= case.notice.notified_on, "request-before-notice", "a hearing is requested after the notice",
            field="effective_at")
    if day > case.notice.hearing_due:
        raise Rejected("hearing-request-late", f"a hearing had to be requested by {case.notice.hearing_due} (5 working "
                       f"days after the notice of {case.notice.notified_on})", field="effective_at",
                       basis=pack["penalty.hearing.basis"])
    return case.next_event(HearingRequested, ctx, basis=pack["penalty.hearing.basis"], rules_version=pack.version_tag,
                           requested_on=day)


def close_hearing_window(ctx: CommandContext, case: PenaltyCase, pack: RulesPack, today: date) -> HearingWaived | None:
    """The policy: once the window has closed without a request, recorded once (``None`` when nothing is due)."""
    if (case.notice is None or case.hearing_requested_on is not None or case.hearing_waived
            or case.decision is not None or today <= case.notice.hearing_due):
        return None
    return case.next_event(HearingWaived, ctx, basis=pack["penalty.hearing.basis"], rules_version=pack.version_tag,
                           hearing_due=case.notice.hearing_due)


def hold_hearing(ctx: CommandContext, case: PenaltyCase, findings: str) -> HearingHeld:
    if case.hearing_requested_on is None:
        raise Conflict("no-hearing-requested", "no hearing was requested")
    if case.hearing_held_on is not None:
        raise Conflict("hearing-held", f"the hearing was held on {case.hearing_held_on}")
    day = local_day(ctx.effective_at)
    require(day >= case.hearing_requested_on, "hearing-before-request", "the hearing follows its request",
            field="effective_at")
    return case.next_event(HearingHeld, ctx, basis="行政处罚法 第64条", held_on=day, findings=findings.strip())


def complete_review(ctx: CommandContext, case: PenaltyCase, opinion: str) -> LegalReviewCompleted:
    """法制审核 follows the notice and, where one was requested, the hearing."""
    if case.notice is None:
        raise Conflict("no-notice", "serve the notice (告知) before the legal review")
    if case.hearing_requested_on is not None and case.hearing_held_on is None:
        raise Conflict("hearing-pending", "a hearing was requested: hold it before the legal review")
    if case.decision is not None:
        raise Conflict("decided", "the case is decided")
    return case.next_event(LegalReviewCompleted, ctx, basis=REVIEW_BASIS, reviewed_on=local_day(ctx.effective_at),
                           opinion=opinion.strip())


def decide(ctx: CommandContext, case: PenaltyCase, pack: RulesPack, *, decision_no: str, unit_yuan: Decimal,
           person_yuan: Decimal | None, departure_reason: str | None) -> CaseDecided:
    """The decision: after the notice, the hearing window (or the hearing) and the legal review; amounts within the
    article's range, a written reason where they depart from the proposal; marked late after the 90th day (第60条)."""
    if case.decision is not None:
        raise Conflict("decided", f"the case was decided on {case.decision.decided_on}")
    if case.reviewed_on is None:
        raise Conflict("not-reviewed", "the decision needs the legal review (法制审核) first")
    assert case.notice is not None
    day = local_day(ctx.effective_at)
    if case.hearing_requested_on is None and day <= case.notice.hearing_due:
        raise Rejected("hearing-window-open", f"the party may request a hearing until {case.notice.hearing_due}",
                       field="effective_at", basis=pack["penalty.hearing.basis"])
    written = _check_amounts(pack, case, unit_yuan, person_yuan, departure_reason)
    decision = Decision(decision_no=decision_no.strip(), decided_on=day, unit_yuan=unit_yuan,
                        person_yuan=person_yuan if person_yuan else None, departure_reason=written,
                        late=day > case.decision_due)
    return case.next_event(CaseDecided, ctx, basis=pack["penalty.decision.basis"], rules_version=pack.version_tag,
                           decision=decision, tier=case.proposal.tier)


def mark_decision_overdue(ctx: CommandContext, case: PenaltyCase, pack: RulesPack,
                          today: date) -> DecisionOverdue | None:
    if case.decision is not None or case.decision_overdue or today <= case.decision_due:
        return None
    return case.next_event(DecisionOverdue, ctx, basis=pack["penalty.decision.basis"], rules_version=pack.version_tag,
                           decision_due=case.decision_due)


def serve_decision(ctx: CommandContext, case: PenaltyCase, pack: RulesPack) -> DecisionServed:
    if case.decision is None:
        raise Conflict("not-decided", "no decision to serve")
    if case.served_on is not None:
        raise Conflict("served", f"the decision was served on {case.served_on}")
    day = local_day(ctx.effective_at)
    require(day >= case.decision.decided_on, "served-before-decision", "service follows the decision",
            field="effective_at")
    due = payment_deadline(pack, day) if case.decision.total_yuan > 0 else None
    return case.next_event(DecisionServed, ctx, basis=SERVICE_BASIS, rules_version=pack.version_tag, served_on=day,
                           payment_due=due)


def mark_payment_overdue(ctx: CommandContext, case: PenaltyCase, pack: RulesPack, today: date) -> PaymentOverdue | None:
    if case.payment_due is None or case.payment_overdue or case.settled or today <= case.payment_due:
        return None
    return case.next_event(PaymentOverdue, ctx, basis=pack["penalty.surcharge.basis"], rules_version=pack.version_tag,
                           payment_due=case.payment_due)


def pay(ctx: CommandContext, case: PenaltyCase, pack: RulesPack, party: Party, amount_yuan: Decimal) -> FinePaid:
    """A party pays its fine plus the late surcharge of 第72条 (3 % a day after the last day, capped at the fine); the
    amount must be what is owed on the day of payment."""
    owed = case.owed(party)
    if case.served_on is None or case.payment_due is None or owed is None:
        raise Conflict("nothing-owed", f"no served decision fines the {party}")
    if party in case.payments:
        raise Conflict("paid", f"the {party} paid on {case.payments[party].paid_on}")
    day = local_day(ctx.effective_at)
    surcharge = late_surcharge(pack, owed, case.payment_due, day)
    total = owed + surcharge.amount_yuan
    require(amount_yuan == total, "amount-differs", f"the {party} owes {total} yuan on {day} (fine {owed} + surcharge "
            f"{surcharge.amount_yuan})", field="amount_yuan", basis=surcharge.basis)
    return case.next_event(FinePaid, ctx, basis=pack["penalty.payment.basis"], rules_version=pack.version_tag,
                           party=party, payment=Payment(paid_on=day, fine_yuan=owed,
                                                        surcharge_yuan=surcharge.amount_yuan, amount_yuan=total),
                           surcharge=surcharge if surcharge.days_late else None)


def impose_daily_fine(ctx: CommandContext, case: PenaltyCase, pack: RulesPack, order_made_on: date,
                      through: date) -> DailyFineImposed:
    """第112条: the unit, fined and ordered to correct, refused; the original fine for each day from the day after the
    order up to ``through``."""
    if case.decision is None or not case.decision.unit_yuan:
        raise Conflict("no-unit-fine", "按日连续处罚 repeats a fine decided against the unit: there is none")
    require(order_made_on >= case.decision.decided_on, "order-before-decision",
            "the order to correct comes with or after the decision", field="order_made_on")
    require(through > order_made_on, "no-days", "count at least the day after the order", field="through")
    require(through <= local_day(ctx.effective_at), "through-in-future", "count only days that have passed",
            field="through")
    computation = daily_fine(pack, case.decision.unit_yuan, order_made_on, through)
    return case.next_event(DailyFineImposed, ctx, basis=computation.basis, rules_version=pack.version_tag,
                           computation=computation)


def bar_person(ctx: CommandContext, case: PenaltyCase, closure: ClosureProposal, ban_id: UUID, *,
               lifetime: bool) -> PersonBarred:
    """第113条: after an approved closure of the case's unit, its 主要负责人 (the case's responsible person) may not
    head any unit for 5 years (``*``) or, where serious, a unit of the same industry for life."""
    if case.responsible is None:
        raise Conflict("no-responsible-person", "the case names no 主要负责人 to bar")
    if not closure.approved or closure.unit_id != case.unit_id:
        raise Conflict("no-closure", "an industry ban follows an approved closure of the case's unit (第113条)")
    if case.responsible.person_id in case.bans:
        raise Conflict("banned", "the person is already barred by this case")
    require(not lifetime or bool(case.sector), "sector-required", "a lifetime ban is from the unit's industry, which "
            "the case does not know", field="lifetime", basis=BAN_BASIS)
    return case.next_event(PersonBarred, ctx, basis=BAN_BASIS, person_id=case.responsible.person_id, ban_id=ban_id,
                           closure_id=closure.id, term_years=None if lifetime else 5,
                           industry=(case.sector or "*") if lifetime else "*")


def transfer(ctx: CommandContext, case: PenaltyCase, to: str, reason: str) -> CaseTransferred:
    if case.transfer is not None:
        raise Conflict("transferred", f"the case was transferred on {case.transfer.transferred_on}")
    return case.next_event(CaseTransferred, ctx, basis=TRANSFER_BASIS, transfer=Transfer(
        to=to.strip(), transferred_on=local_day(ctx.effective_at), reason=reason.strip()))


def record_receipt(ctx: CommandContext, case: PenaltyCase, receipt_no: str) -> TransferReceiptRecorded:
    if case.transfer is None:
        raise Conflict("not-transferred", "the case was not transferred")
    if case.transfer.receipt_no is not None:
        raise Conflict("receipt-recorded", f"the receipt {case.transfer.receipt_no} was recorded")
    day = local_day(ctx.effective_at)
    require(day >= case.transfer.transferred_on, "receipt-before-transfer", "the receipt follows the transfer",
            field="effective_at")
    return case.next_event(TransferReceiptRecorded, ctx, basis=TRANSFER_BASIS, receipt_no=receipt_no.strip(),
                           received_on=day)


def closure_id(unit_id: UUID, latest_case: UUID) -> UUID:
    """One proposal per unit and the latest penalty that completed its ground: the policy proposes it once."""
    return uuid5(CLOSURE_NAMESPACE, f"{unit_id}:{latest_case}")


def propose_closure(ctx: CommandContext, pack: RulesPack, *, jurisdiction: str, unit_id: UUID, hazard_id: UUID,
                    cases: list[PenaltyCase], today: date) -> ClosureProposed | None:
    """第113条(一): the unit's penalties (decided with a fine) counted in the 180 days or the year ending on the latest;
    ``None`` when they do not reach 3 or 4."""
    fined = sorted((c for c in cases if c.unit_id == unit_id and c.penalised), key=lambda c: c.decision.decided_on
                   if c.decision else today)
    if not fined:
        return None
    latest = fined[-1]
    assert latest.decision is not None
    ground = closure_ground(pack, [c.decision.decided_on for c in fined if c.decision], latest.decision.decided_on)
    if ground is None:
        return None
    counted = tuple(c.id for c in fined if c.decision and c.decision.decided_on in ground.penalties
                    and ground.window_from <= c.decision.decided_on <= ground.window_to)
    return first_event(ClosureProposed, ctx, id=closure_id(unit_id, latest.id), jurisdiction=jurisdiction,
                       basis=ground.basis, rules_version=pack.version_tag, unit_id=unit_id, hazard_id=hazard_id,
                       ground=ground, cases=counted)


def decide_closure(ctx: CommandContext, proposal: ClosureProposal, approved: bool, reason: str,
                   decided_by: UUID | None) -> ClosureDecided:
    if proposal.decided:
        raise Conflict("closure-decided", "the closure proposal was decided")
    return proposal.next_event(ClosureDecided, ctx, basis=proposal.ground.basis, approved=approved,
                               reason=reason.strip(), decided_by=decided_by)
