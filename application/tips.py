"""Tips context: receive, verify, link outcomes, reward, pay, answer; disclose and shred the reporter's identity.

Who may do what (docs/architecture.md §9; docs/rules.md R11; seed 000 ¶31): only the ``tip_officer`` role works with
tips, within its jurisdiction (a tip belongs to the jurisdiction of the unit that received it). The reporter's
identity and the original text are sealed with the tip's own data key before anything is recorded; reading them is a
command (:class:`DiscloseReporterIdentity`) whose event is saved *before* :func:`disclose_identity` opens the seal.
Shredding destroys the data key (``zeren tips shred``), after the event that records it.

The one exception to "tip officers only": whoever reports a hazard found through a tip (``source=tip``) links the
tip to it in the same command (``application.hazards.report_hazard``), which needs the tip in their jurisdiction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar
from uuid import UUID

import orjson
from pydantic import BaseModel, Field

from application.authorization import Principal
from application.commands import Command, Targeted
from application.service import CommandResult, Handler, Zeren
from application.unit_of_work import UnitOfWork
from domain import tips as t
from domain.accidents import Accident
from domain.base import Aggregate, in_effect_order, project
from domain.bounds import FreeText
from domain.calendar import local_day
from domain.cases import PenaltyCase
from domain.errors import Conflict, NotFound, Rejected
from domain.hazards import Hazard, HazardGrade
from domain.references import CaseRef, TipRef, UnitRef
from domain.rules import pack_for
from domain.rules.rewards import reward_bar
from domain.units import Unit

TIP_OFFICERS = frozenset({"tip_officer"})
OUTCOME_TYPES: dict[t.OutcomeKind, type[Aggregate]] = {t.OutcomeKind.hazard: Hazard, t.OutcomeKind.accident: Accident}
"""The aggregate each outcome kind names: a link is refused unless the target exists and is of that kind."""


class ReceiveTip(Command):
    roles: ClassVar[frozenset[str]] = TIP_OFFICERS
    action: ClassVar[str] = "receive tips"
    channel: t.Channel
    receiving_unit_id: UnitRef = Field(description="the unit that received it (受理单位): it verifies and pays")
    subject: t.TipSubject
    summary: FreeText = Field(min_length=1, max_length=2000,
                         description="公开摘要 written by the officer; refused if it names the reporter")
    original_text: FreeText = Field(min_length=1, max_length=20_000,
                               description="举报原文: stored sealed, opened only by a recorded disclosure")
    reporter: t.Reporter | None = Field(default=None,
                                        description="name and contact, stored sealed; null for an anonymous tip")


class VerifyTip(Targeted):
    roles: ClassVar[frozenset[str]] = TIP_OFFICERS
    action: ClassVar[str] = "verify tips"
    tip_id: TipRef
    verdict: t.Verdict = Field(description="substantiated (属实) or unsubstantiated (不属实)")
    finding: FreeText = Field(min_length=1, max_length=4000, description="what the verification found")
    referred_to_id: UnitRef | None = Field(default=None, description="the safety committee a concealed accident found "
                                                                  "true is referred to (seed 000 §32)")


class LinkTipOutcome(Targeted):
    roles: ClassVar[frozenset[str]] = TIP_OFFICERS
    action: ClassVar[str] = "link tips to what they led to"
    tip_id: TipRef
    outcome: t.Outcome


class ProposeTipReward(Targeted):
    roles: ClassVar[frozenset[str]] = TIP_OFFICERS
    action: ClassVar[str] = "propose tip rewards"
    tip_id: TipRef
    outcome_id: UUID = Field(description="the matter rewarded: an outcome the tip is linked to")
    case_id: CaseRef | None = Field(default=None, description="the penalty case that decided the matter: the fine "
                                                               "is read from its decision, never typed in")
    facts: t.ConcealedDeathsFound | None = Field(default=None, description="for a concealed accident: the deaths found")
    reporter_supervises: bool = Field(default=False, description="the reporter has safety management or supervisory "
                                                                 "duties over the matter (excluded)")


class PayTipReward(Targeted):
    roles: ClassVar[frozenset[str]] = TIP_OFFICERS
    action: ClassVar[str] = "pay tip rewards"
    tip_id: TipRef
    amount_yuan: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="the amount proposed")
    payment_ref: str = Field(min_length=1, max_length=100, description="the payment's voucher or transfer number")
    late_reason: FreeText | None = Field(default=None, max_length=1000,
                                    description="why the reporter collects after the collection period")


class GiveTipFeedback(Targeted):
    roles: ClassVar[frozenset[str]] = TIP_OFFICERS
    action: ClassVar[str] = "give feedback on tips"
    tip_id: TipRef
    method: t.FeedbackMethod
    content: FreeText = Field(min_length=1, max_length=4000, description="what the reporter was told")


class DiscloseReporterIdentity(Command):
    roles: ClassVar[frozenset[str]] = TIP_OFFICERS
    action: ClassVar[str] = "see a reporter's identity"
    tip_id: TipRef
    reason: FreeText = Field(min_length=1, max_length=1000, description="why the identity is needed; recorded")


class ShredReporterIdentity(Command):
    roles: ClassVar[frozenset[str]] = frozenset({"admin"})
    action: ClassVar[str] = "shred reporters' identities"
    tip_id: TipRef
    reason: FreeText = Field(min_length=1, max_length=1000)


def _tip(uow: UnitOfWork, tip_id: UUID, expected_version: int | None = None) -> t.Tip:
    return uow.load(tip_id, t.Tip, label="tip", field="tip_id", expected_version=expected_version)


def _subject(uow: UnitOfWork, subject: t.UnitSubject | t.HazardSubject | t.ConcealedAccidentSubject,
             ) -> tuple[str | None, UUID | None]:
    """The jurisdiction and unit of what the tip is about, once it is known to exist."""
    if isinstance(subject, t.HazardSubject):
        hazard = uow.find(subject.hazard_id, Hazard)
        if hazard is None:
            raise NotFound("not-found", f"no hazard with id {subject.hazard_id}", field="subject.hazard_id")
        return hazard.jurisdiction, hazard.unit_id
    if subject.unit_id is None:
        return None, None
    unit = uow.load(subject.unit_id, Unit, label="unit", field="subject.unit_id", write=False)
    return unit.jurisdiction, unit.id


def receive_tip(cmd: ReceiveTip, uow: UnitOfWork) -> UUID:
    unit = uow.load(cmd.receiving_unit_id, Unit, label="unit", field="receiving_unit_id", write=False)
    uow.principal.require_scope(unit.jurisdiction, f"the receiving unit {unit.name}")
    jurisdiction, unit_id = _subject(uow, cmd.subject)
    pack = pack_for(unit.jurisdiction)
    t.check_receipt(uow.ctx, unit, cmd.channel, jurisdiction, unit_id, cmd.summary, cmd.subject.description,
                    cmd.reporter, pack)
    tip_id = uow.ids.new()
    key = t.key_id(tip_id)
    reporter = uow.sealer.seal(key, orjson.dumps(cmd.reporter.model_dump()).decode()) if cmd.reporter else None
    original = uow.sealer.seal(key, cmd.original_text)
    uow.record(t.receive(uow.ctx, tip_id, unit, cmd.channel, cmd.subject, cmd.summary, reporter, original))
    return tip_id


def verify_tip(cmd: VerifyTip, uow: UnitOfWork) -> UUID:
    tip = _tip(uow, cmd.tip_id, cmd.expected_version)
    referred_to = (uow.load(cmd.referred_to_id, Unit, label="unit", field="referred_to_id", write=False)
                   if cmd.referred_to_id else None)
    uow.record(t.verify(uow.ctx, tip, pack_for(tip.jurisdiction), cmd.verdict, cmd.finding, uow.principal.person_id,
                        referred_to))
    return tip.id


def _target(uow: UnitOfWork, outcome: t.Outcome) -> Aggregate:
    label = outcome.kind.value
    target = uow.find(outcome.target_id, OUTCOME_TYPES[outcome.kind])
    if target is None:
        raise NotFound("outcome-not-found", f"no {label} with id {outcome.target_id}", field="outcome.target_id")
    uow.principal.require_scope(target.jurisdiction, f"the {label} {target.id}")
    return target


def link_to_tip(uow: UnitOfWork, tip_id: UUID, outcome: t.Outcome, expected_version: int | None = None) -> t.Tip:
    """Record that the tip led to ``outcome`` (a command's step: the hazard report that names its tip uses it)."""
    tip = _tip(uow, tip_id, expected_version)
    _target(uow, outcome)
    uow.record(t.link_outcome(uow.ctx, tip, outcome))
    return tip


def link_outcome(cmd: LinkTipOutcome, uow: UnitOfWork) -> UUID:
    return link_to_tip(uow, cmd.tip_id, cmd.outcome, cmd.expected_version).id


def _others(uow: UnitOfWork, tip: t.Tip, outcome_id: UUID) -> list[t.Tip]:
    """The other tips linked to the same matter, loaded from the store (the ledger only says which they are)."""
    if uow.tips is None:
        raise Conflict("tip-register-unavailable", "the tip ledger is not available to find the first reporter of "
                                                   "the matter; retry when it is")
    linked = uow.tips.tips_about(outcome_id, seen=uow.log.head())  # every link recorded before this command
    found = (uow.find(tip_id, t.Tip) for tip_id in linked if tip_id != tip.id)
    return [other for other in found if other is not None]


def _decided_penalty(uow: UnitOfWork, tip: t.Tip, case_id: UUID, outcome_id: UUID) -> tuple[t.PenaltyDecided,
                                                                                              PenaltyCase]:
    """R11's 行政处罚金额, read from the decision of the case that came from the tip or the matter."""
    case = uow.load(case_id, PenaltyCase, label="penalty case", field="case_id", write=False)
    source_tip = uow.find(case.source.id, t.Tip)
    if case.source.id != outcome_id and (source_tip is None or source_tip.outcome(outcome_id) is None):
        raise Rejected("case-not-of-matter", "the case came neither from the matter rewarded nor from a tip that led "
                       "to it", field="case_id")
    if case.decision is None:
        raise Conflict("case-not-decided", "the case is not decided: the reward rests on the fine decided")
    return t.PenaltyDecided(fine_yuan=case.decision.total_yuan, decision_no=case.decision.decision_no,
                            case_id=case.id), case


def found_before(uow: UnitOfWork, tip: t.Tip, target: Aggregate | None, case: PenaltyCase | None) -> bool:
    """The matter was already found — a hazard reported, a case opened — before the tip was received, not through
    it, and was being handled (a hazard not overdue by then): 安监总财〔2018〕19号 rewards only what was not found, or
    found and not handled."""
    if isinstance(target, Hazard) and target.tip_id != tip.id and target.found_at < tip.received_at:
        then = project(None, in_effect_order(e for e in uow.log.history(target.id)
                                             if e.effective_at <= tip.received_at))
        return then is not None and then.overdue_since is None
    return case is not None and case.source.id != tip.id and case.created_on < tip.received_at \
        and case.opened_on <= local_day(tip.received_at)


def propose_reward(cmd: ProposeTipReward, uow: UnitOfWork) -> UUID:
    tip = _tip(uow, cmd.tip_id, cmd.expected_version)
    if (cmd.case_id is None) == (cmd.facts is None):
        raise Rejected("reward-facts", "name the decided penalty case (case_id) or, for a concealed accident, the "
                       "deaths found (facts) — one of the two", field="case_id")
    outcome = tip.outcome(cmd.outcome_id)
    target = _target(uow, outcome) if outcome is not None else None
    major = isinstance(target, Hazard) and target.grade == HazardGrade.major
    pack = pack_for(tip.jurisdiction)
    case = None
    facts: t.PenaltyDecided | t.ConcealedDeathsFound
    if cmd.case_id is not None:
        facts, case = _decided_penalty(uow, tip, cmd.case_id, cmd.outcome_id)
    else:
        assert cmd.facts is not None
        facts = cmd.facts
    bar = reward_bar(pack, reporter_supervises=cmd.reporter_supervises,
                     matter_found_before=outcome is not None and found_before(uow, tip, target, case))
    uow.record(t.propose_reward(uow.ctx, tip, pack, cmd.outcome_id, facts, major_hazard=major,
                                others=lambda: _others(uow, tip, cmd.outcome_id), bar=bar))
    return tip.id


def pay_reward(cmd: PayTipReward, uow: UnitOfWork) -> UUID:
    tip = _tip(uow, cmd.tip_id, cmd.expected_version)
    uow.record(t.pay_reward(uow.ctx, tip, pack_for(tip.jurisdiction), cmd.amount_yuan, cmd.payment_ref,
                            cmd.late_reason))
    return tip.id


def give_feedback(cmd: GiveTipFeedback, uow: UnitOfWork) -> UUID:
    tip = _tip(uow, cmd.tip_id, cmd.expected_version)
    uow.record(t.give_feedback(uow.ctx, tip, pack_for(tip.jurisdiction), cmd.method, cmd.content))
    return tip.id


def record_disclosure(cmd: DiscloseReporterIdentity, uow: UnitOfWork) -> UUID:
    tip = _tip(uow, cmd.tip_id)
    uow.record(t.disclose(uow.ctx, tip, pack_for(tip.jurisdiction), cmd.reason))
    return tip.id


def record_shredding(cmd: ShredReporterIdentity, uow: UnitOfWork) -> UUID:
    tip = _tip(uow, cmd.tip_id)
    uow.record(t.shred(uow.ctx, tip, cmd.reason))
    return tip.id


class DisclosedIdentity(BaseModel):
    """The sealed parts of a tip, opened after the disclosure was recorded."""

    tip_id: TipRef
    anonymous: bool = Field(description="an anonymous tip has no reporter, only its original text")
    reporter: t.Reporter | None
    original_text: str
    disclosure: CommandResult = Field(description="the recorded disclosure: its event, version and log position")


def disclose_identity(service: Zeren, principal: Principal, command: DiscloseReporterIdentity, *,
                      correlation_id: UUID | None = None) -> DisclosedIdentity:
    """Record the disclosure, THEN open the seal: no read of an identity without its event (who, when, why).

    Never idempotent: a repeated request is another look, recorded again. Raises the vault's error when the data
    key is gone although the history does not say so (a key destroyed outside ``zeren tips shred``).
    """
    result = service.execute(command, principal, correlation_id=correlation_id)
    tip = service.log.get(command.tip_id)
    assert isinstance(tip, t.Tip), "the disclosure was just recorded on this tip"
    reporter = (t.Reporter.model_validate(orjson.loads(service.sealer.open(tip.reporter_sealed)))
                if tip.reporter_sealed else None)
    return DisclosedIdentity(tip_id=tip.id, anonymous=tip.anonymous, reporter=reporter,
                             original_text=service.sealer.open(tip.original_sealed), disclosure=result)


HANDLERS: dict[type[Command], Handler] = {
    ReceiveTip: receive_tip,
    VerifyTip: verify_tip,
    LinkTipOutcome: link_outcome,
    ProposeTipReward: propose_reward,
    PayTipReward: pay_reward,
    GiveTipFeedback: give_feedback,
    DiscloseReporterIdentity: record_disclosure,
    ShredReporterIdentity: record_shredding,
}
