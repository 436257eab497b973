"""Tips (举报) and whistleblowers (吹哨人): received, verified, linked to what they led to, rewarded, answered.

The life of a tip (docs/rules.md R11; 《安全生产领域举报奖励办法》(安监总财〔2018〕19号); seed 000 ¶31–32;
seed 003 ¶35):

    TipReceived (举报受理: 12350, 12345, a department's hotline, the web, a letter, a visit, a whistleblower)
      │ TipVerified (属实 / 不属实; a concealed accident found true goes to the safety committee, seed 000 §32)
      │ TipOutcomeLinked (what it led to: a hazard; penalty cases and accidents once they exist)
      │ TipRewardProposed (R11, first valid real-name reporter of the matter, paid by the receiving unit)
      │ TipRewardPaid
      │ TipFeedbackGiven (反馈, after verification)
      ├ ReporterIdentityDisclosed — every read of the sealed identity is itself an event: who, when, why
      └ ReporterIdentityShredded — the tip's data key is destroyed: the identity is gone for good

**Confidentiality.** The reporter's name and contact and the original text of the tip are sealed with the tip's
own data key (``tip:<id>``) before the event is made; the event holds only ciphertext, in fields listed in
``redacted`` so that no outbound path (audit trail, replay, stream, feed, export) carries even that. What the
ledger shows is the subject and a public summary the officer writes — refused if it names the reporter.
The tip belongs to the jurisdiction of the unit that received it (谁受理、谁奖励).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.bounds import FreeText
from domain.calendar import local_day
from domain.errors import Conflict, DomainError, Rejected
from domain.jurisdiction import covers
from domain.references import HazardRef, RecordRef, UnitRef
from domain.rules import RulesPack
from domain.rules.accidents import AccidentGrade as AccidentGrade
from domain.rules.rewards import (
    Exact,
    RewardComputation,
    collection_deadline,
    concealed_death_reward,
    penalty_reward,
)
from domain.units import Unit

TIP_BASIS = "《安全生产领域举报奖励办法》(安监总财〔2018〕19号); 泉港城管〔2022〕149号 §31"
RECEIVING_KINDS = ("department", "territorial", "safety_committee", "committee_office")
"""Units that receive tips: a department's hotline, a government's 12345, the safety committee or its office."""


class Channel(StrEnum):
    """How the tip came in (seed 000 §31: 举报电话、网站留言、来信来访, 吹哨人; seed 003 §35: 12345, 部门举报热线)."""

    hotline_12350 = "hotline_12350"  # 12350 安全生产举报投诉电话
    hotline_12345 = "hotline_12345"  # 12345 政务服务便民热线
    web = "web"  # 网站留言、网络举报平台
    letter = "letter"  # 来信
    visit = "visit"  # 来访
    internal_whistleblower = "internal_whistleblower"  # 吹哨人: 企业内部员工举报


CHANNEL_TERMS = {"hotline_12350": "12350举报电话", "hotline_12345": "12345政务热线", "web": "网站举报",
                 "letter": "来信", "visit": "来访", "internal_whistleblower": "吹哨人举报"}


class Verdict(StrEnum):
    substantiated = "substantiated"  # 属实
    unsubstantiated = "unsubstantiated"  # 不属实


VERDICT_TERMS = {"substantiated": "属实", "unsubstantiated": "不属实"}


class TipStatus(StrEnum):
    """Where a tip stands: received, verified either way, its reward proposed, its reward paid."""

    received = "received"  # 已受理
    substantiated = "substantiated"  # 属实
    unsubstantiated = "unsubstantiated"  # 不属实
    reward_proposed = "reward_proposed"  # 拟奖励
    reward_paid = "reward_paid"  # 已奖励


STATUS_TERMS = {"received": "已受理", "substantiated": "属实", "unsubstantiated": "不属实",
                "reward_proposed": "拟奖励", "reward_paid": "已奖励"}


def tip_status(verdict: Verdict | None, reward_proposed: bool, reward_paid: bool) -> TipStatus:
    """The one place a tip's status is decided (``Tip.status``, and the tip ledger from the same facts): a paid
    reward over a proposed one over the verdict over received."""
    if reward_paid:
        return TipStatus.reward_paid
    if reward_proposed:
        return TipStatus.reward_proposed
    return TipStatus(verdict.value) if verdict is not None else TipStatus.received


class OutcomeKind(StrEnum):
    """What a tip can have led to: a hazard or an accident; penalty cases (行政处罚案件) join when their context
    exists: a member here and its aggregate in ``application.tips.OUTCOME_TYPES``."""

    hazard = "hazard"  # 隐患
    accident = "accident"  # 事故


class FeedbackMethod(StrEnum):
    phone = "phone"
    sms = "sms"
    letter = "letter"
    in_person = "in_person"
    web = "web"  # posted on the platform where the reporter looks it up (also for anonymous tips)


class Reporter(Frozen):
    """举报人: who reported and how to reach them — only ever stored sealed."""

    name: str = Field(min_length=1, max_length=50, description="姓名")
    contact: str = Field(min_length=1, max_length=200, description="联系方式: phone, address or e-mail")


class UnitSubject(Frozen):
    """The tip is about a unit (an enterprise, a site, or an authority that fails its duty)."""

    kind: Literal["unit"] = "unit"
    unit_id: UnitRef
    description: FreeText = Field(min_length=1, max_length=2000, description="what is reported, in the officer's words")


class HazardSubject(Frozen):
    """The tip is about a hazard already on the ledger (e.g. one not being rectified)."""

    kind: Literal["hazard"] = "hazard"
    hazard_id: HazardRef
    description: FreeText = Field(min_length=1, max_length=2000)


class ConcealedAccidentSubject(Frozen):
    """The tip reports a suspected concealed or falsified accident (瞒报、谎报事故, seed 000 §32)."""

    kind: Literal["concealed_accident"] = "concealed_accident"
    unit_id: UnitRef | None = Field(default=None, description="the unit where it happened, when known")
    occurred_on: date | None = Field(default=None, description="when it happened, as reported")
    description: FreeText = Field(min_length=1, max_length=2000)


TipSubject = Annotated[UnitSubject | HazardSubject | ConcealedAccidentSubject, Field(discriminator="kind")]


class Outcome(Frozen):
    """What a tip led to: one record of a kind (the matter, for the first-reporter rule)."""

    kind: OutcomeKind
    target_id: RecordRef


class PenaltyDecided(Frozen):
    """The penalty decided for the reported violation, read from the penalty case's decision (``case_id``); rewards
    proposed before penalty cases existed carry the fine the officer entered (``case_id`` null)."""

    kind: Literal["penalty"] = "penalty"
    fine_yuan: Exact = Field(ge=0, max_digits=14, decimal_places=2,
                             description="行政处罚金额 decided (yuan): the unit's and the person's fines")
    decision_no: str = Field(min_length=1, max_length=100, description="行政处罚决定书文号")
    case_id: UUID | None = Field(default=None, description="the penalty case whose decision it is")


class ConcealedDeathsFound(Frozen):
    """The concealed deaths the investigation found, by the accident's final grade."""

    kind: Literal["concealed_deaths"] = "concealed_deaths"
    accident_grade: AccidentGrade
    deaths: int = Field(ge=1, le=1000, description="查实瞒报谎报死亡人数")
    document_no: str = Field(min_length=1, max_length=100, description="事故调查报告 or its approval (批复) number")


RewardFacts = Annotated[PenaltyDecided | ConcealedDeathsFound, Field(discriminator="kind")]
"""What a reward rests on: the penalty decided, or the concealed deaths found."""


class Grounds(StrEnum):
    """What R11 rewards: a major hazard, an illegal act (penalised), a concealed or falsified accident."""

    major_hazard = "major_hazard"  # 重大事故隐患
    illegal_act = "illegal_act"  # 安全生产违法行为
    concealed_accident = "concealed_accident"  # 瞒报、谎报事故


class Reward(Frozen):
    outcome_id: UUID
    grounds: Grounds
    facts: RewardFacts
    amount_yuan: Exact
    payer_id: UUID
    proposed_at: datetime
    paid_at: datetime | None = None
    payment_ref: str | None = None


class Tip(Aggregate):
    receiving_unit_id: UUID
    channel: Channel
    subject: TipSubject
    summary: str
    anonymous: bool
    reporter_sealed: str | None
    original_sealed: str
    received_at: datetime
    verdict: Verdict | None = None
    outcomes: tuple[Outcome, ...] = ()
    reward: Reward | None = None
    feedback_given: int = 0
    disclosures: int = 0
    shredded_at: datetime | None = None

    def outcome(self, target_id: UUID) -> Outcome | None:
        return next((o for o in self.outcomes if o.target_id == target_id), None)

    @property
    def status(self) -> TipStatus:
        return tip_status(self.verdict, self.reward is not None,
                          self.reward is not None and self.reward.paid_at is not None)

    @property
    def valid(self) -> bool:
        """A valid report for the reward rule: verified 属实 and from a real-name reporter (实名举报)."""
        return self.verdict == Verdict.substantiated and not self.anonymous


def key_id(tip_id: UUID) -> str:
    """The id of the tip's own data key in the vault."""
    return f"tip:{tip_id}"


# --- events -------------------------------------------------------------------------------------------------


class TipReceived(DomainEvent):
    """举报受理: a tip came in by a channel about a subject; the reporter and the original text only sealed."""

    term = "举报受理"
    context = "tips"
    redacted = frozenset({"reporter_sealed", "original_sealed"})
    channel: Channel
    receiving_unit_id: UUID
    subject: TipSubject
    summary: str = Field(description="public summary written by the officer; names nobody who reported")
    anonymous: bool
    reporter_sealed: str | None = Field(description="name and contact, sealed with the tip's data key")
    original_sealed: str = Field(description="the original text of the tip, sealed with the tip's data key")

    def apply(self, _: None) -> Tip:
        return created(Tip, self, receiving_unit_id=self.receiving_unit_id, channel=self.channel,
                       subject=self.subject, summary=self.summary, anonymous=self.anonymous,
                       reporter_sealed=self.reporter_sealed, original_sealed=self.original_sealed,
                       received_at=self.envelope.effective_at)


class TipVerified(DomainEvent):
    """举报核实: the tip was checked and found 属实 or 不属实, with the finding and who verified it."""

    term = "举报核实"
    context = "tips"
    verdict: Verdict
    finding: str
    verified_by: UUID | None = Field(default=None, description="the person who verified it, from the token")
    referred_to_id: UUID | None = Field(default=None, description="the safety committee a concealed accident went to")

    def apply(self, state: Tip) -> Tip:
        return state.evolved(self, verdict=self.verdict)


class TipOutcomeLinked(DomainEvent):
    """举报关联查处结果: what the tip led to (a hazard; later a penalty case or an accident)."""

    term = "举报关联查处结果"
    context = "tips"
    outcome: Outcome

    def apply(self, state: Tip) -> Tip:
        return state.evolved(self, outcomes=(*state.outcomes, self.outcome))


class TipRewardProposed(DomainEvent):
    """举报奖励拟定: the reward R11 gives for the matter, its computation, and the unit that pays (谁受理、谁奖励)."""

    term = "举报奖励拟定"
    context = "tips"
    class_version = 2
    outcome_id: UUID = Field(description="the matter rewarded: the outcome the tip led to")
    grounds: Grounds
    facts: RewardFacts
    computation: RewardComputation
    amount_yuan: Exact
    payer_id: UUID = Field(description="the unit that received the tip and pays the reward")
    bar: str | None = Field(default=None, description="why the tip earns nothing (安监总财〔2018〕19号's exclusions)")

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """v2: a penalty's facts name their case, and a reward may be barred (nothing earned)."""
        state.setdefault("bar", None)
        facts = state.get("facts")
        if isinstance(facts, dict) and facts.get("kind") == "penalty":
            facts.setdefault("case_id", None)

    def apply(self, state: Tip) -> Tip:
        reward = Reward(outcome_id=self.outcome_id, grounds=self.grounds, facts=self.facts,
                        amount_yuan=self.amount_yuan, payer_id=self.payer_id, proposed_at=self.envelope.effective_at)
        return state.evolved(self, reward=reward)


class TipRewardPaid(DomainEvent):
    """举报奖励发放: the reward was paid to the reporter, with the payment's reference."""

    term = "举报奖励发放"
    context = "tips"
    class_version = 2
    amount_yuan: Exact
    payment_ref: str
    payer_id: UUID
    late_reason: str | None = Field(default=None, description="why it was collected after the collection period")

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """v2: a payment after the collection period says why."""
        state.setdefault("late_reason", None)

    def apply(self, state: Tip) -> Tip:
        assert state.reward is not None
        reward = state.reward.model_copy(update={"paid_at": self.envelope.effective_at,
                                                 "payment_ref": self.payment_ref})
        return state.evolved(self, reward=reward)


class TipFeedbackGiven(DomainEvent):
    """举报反馈: the reporter was told what came of the tip, and how."""

    term = "举报反馈"
    context = "tips"
    method: FeedbackMethod
    content: str

    def apply(self, state: Tip) -> Tip:
        return state.evolved(self, feedback_given=state.feedback_given + 1)


class ReporterIdentityDisclosed(DomainEvent):
    """举报人信息查阅: a tip officer opened the sealed identity and original text — who (the actor), when, and why."""

    term = "举报人信息查阅"
    context = "tips"
    reason: str

    def apply(self, state: Tip) -> Tip:
        return state.evolved(self, disclosures=state.disclosures + 1)


class ReporterIdentityShredded(DomainEvent):
    """举报人信息销毁: the tip's data key was destroyed; the sealed identity and original text are gone for good."""

    term = "举报人信息销毁"
    context = "tips"
    key_id: str
    reason: str

    def apply(self, state: Tip) -> Tip:
        return state.evolved(self, shredded_at=self.envelope.effective_at)


# --- decisions ----------------------------------------------------------------------------------------------


class IdentityShredded(DomainError):
    """The identity asked for was shredded: it is gone, not hidden (410)."""

    status = 410
    title = "Gone"


def check_receipt(ctx: CommandContext, receiving_unit: Unit, channel: Channel, subject_jurisdiction: str | None,
                  subject_unit_id: UUID | None, summary: str, description: str, reporter: Reporter | None,
                  pack: RulesPack) -> None:
    """What a tip must be before it is sealed and recorded.

    The receiving unit is an authority whose jurisdiction covers the subject (谁受理、谁奖励: it verifies and
    pays); a tip is not received in the future (the time of receipt decides who reported first); a whistleblower
    (吹哨人) reports on a unit, named; the public texts never name the reporter (R11).
    """
    require(ctx.effective_at <= ctx.recorded_at, "received-in-the-future",
            "a tip is received when it came in, not later than now", field="effective_at")
    require(receiving_unit.kind in RECEIVING_KINDS, "not-a-receiving-unit",
            f"{receiving_unit.name} is a {receiving_unit.kind}: tips are received by a department, a government "
            "(12345) or the safety committee", field="receiving_unit_id")
    if subject_jurisdiction is not None:
        require(covers(receiving_unit.jurisdiction, subject_jurisdiction), "outside-receiving-jurisdiction",
                f"the subject lies outside the jurisdiction of {receiving_unit.name}: forward the tip (转办) to the "
                "unit competent for it", field="subject")
    if channel == Channel.internal_whistleblower:
        require(subject_unit_id is not None, "whistleblower-names-unit",
                "a whistleblower (吹哨人) reports on a unit: name it in the subject", field="subject")
    require(bool(summary.strip()), "summary-required", "write the public summary of the tip", field="summary")
    require(bool(description.strip()), "description-required", "describe what is reported",
            field="subject.description")
    if reporter is not None:
        identifying = [v.strip() for v in (reporter.name, reporter.contact) if len(v.strip()) >= 2]
        for field, text in (("summary", summary), ("subject.description", description)):
            if any(value in text for value in identifying):
                raise Rejected("text-names-reporter",
                               f"the {field} contains the reporter's name or contact: write it without them "
                               "(不得泄露举报人个人有关信息)", field=field,
                               basis=pack["tip.confidentiality.basis"])


def receive(ctx: CommandContext, tip_id: UUID, receiving_unit: Unit, channel: Channel, subject: TipSubject,
            summary: str, reporter_sealed: str | None, original_sealed: str) -> TipReceived:
    """The receipt of a tip whose reporter (``None``: anonymous, 匿名) and original text are already sealed."""
    return first_event(
        TipReceived, ctx, id=tip_id, jurisdiction=receiving_unit.jurisdiction, basis=ctx.basis or TIP_BASIS,
        channel=channel, receiving_unit_id=receiving_unit.id, subject=subject, summary=summary.strip(),
        anonymous=reporter_sealed is None, reporter_sealed=reporter_sealed, original_sealed=original_sealed,
    )


def verify(ctx: CommandContext, tip: Tip, pack: RulesPack, verdict: Verdict, finding: str,
           verified_by: UUID | None, referred_to: Unit | None) -> TipVerified:
    """属实 or 不属实, once. A concealed accident found true goes to the safety committee (seed 000 §32)."""
    if tip.verdict is not None:
        raise Conflict("already-verified", f"the tip was already verified ({VERDICT_TERMS[tip.verdict]}); a "
                                           "verification is not repeated")
    require(bool(finding.strip()), "finding-required", "record what the verification found", field="finding")
    basis = pack["tip.concealed_accident.referral.basis"]
    if tip.subject.kind == "concealed_accident" and verdict == Verdict.substantiated:
        require(referred_to is not None, "referral-required",
                "a concealed accident found true goes to the safety committee for listed supervision "
                "(移送安委会挂牌督办): name it in referred_to_id", field="referred_to_id", basis=basis)
    elif referred_to is not None:
        raise Rejected("referral-not-applicable", "only a concealed accident found true is referred to the safety "
                                                  "committee", field="referred_to_id", basis=basis)
    if referred_to is not None:
        require(referred_to.kind in ("safety_committee", "committee_office"), "not-a-safety-committee",
                f"{referred_to.name} is a {referred_to.kind}, not the safety committee (安委会) or its office",
                field="referred_to_id", basis=basis)
    return tip.next_event(TipVerified, ctx, rules_version=pack.version_tag if referred_to else None,
                          verdict=verdict, finding=finding.strip(), verified_by=verified_by,
                          referred_to_id=referred_to.id if referred_to else None)


def link_outcome(ctx: CommandContext, tip: Tip, outcome: Outcome) -> TipOutcomeLinked:
    """Record what the tip led to; a tip found 不属实 led to nothing."""
    if tip.verdict == Verdict.unsubstantiated:
        raise Conflict("tip-unsubstantiated", "the tip was found 不属实: it led to nothing to link")
    if tip.outcome(outcome.target_id) is not None:
        raise Conflict("already-linked", f"the tip is already linked to that {outcome.kind.value}")
    return tip.next_event(TipOutcomeLinked, ctx, outcome=outcome)


def _receipt_order(tip: Tip) -> tuple[datetime, datetime, str]:
    """Tips in the order they were received (受理), then recorded; the id breaks a tie for good."""
    return tip.received_at, tip.created_on, str(tip.id)


def first_valid_reporter(tips: list[Tip], target_id: UUID) -> Tip | None:
    """The tip R11 rewards for a matter: of the valid tips linked to it, the one received first (最先受理)."""
    return min((t for t in tips if t.valid and t.outcome(target_id) is not None), key=_receipt_order, default=None)


def _grounds(facts: PenaltyDecided | ConcealedDeathsFound, major_hazard: bool) -> Grounds:
    if isinstance(facts, ConcealedDeathsFound):
        return Grounds.concealed_accident
    return Grounds.major_hazard if major_hazard else Grounds.illegal_act


def propose_reward(ctx: CommandContext, tip: Tip, pack: RulesPack, outcome_id: UUID,
                   facts: PenaltyDecided | ConcealedDeathsFound, *, major_hazard: bool,
                   others: Callable[[], list[Tip]], bar: str | None = None) -> TipRewardProposed:
    """The reward R11 gives this tip for the matter ``outcome_id``, refused unless the tip is the first valid
    real-name report of it. ``others`` finds the other tips linked to the same matter, wherever they were received;
    it is asked only once the tip itself qualifies."""
    source = pack["tip.reward.basis"]
    if tip.verdict is None:
        raise Conflict("not-verified", "verify the tip (属实/不属实) before proposing a reward")
    if tip.verdict == Verdict.unsubstantiated:
        raise Conflict("tip-unsubstantiated", "the tip was found 不属实: it earns no reward")
    require(not tip.anonymous, "anonymous-tip", "a reward goes to a real-name reporter (实名举报人): an anonymous "
                                                "tip has nobody to pay", basis=source)
    if tip.shredded_at is not None:
        raise Conflict("identity-shredded", "the reporter's identity was shredded: a reward can no longer reach them")
    if tip.reward is not None:
        raise Conflict("reward-already-proposed", f"a reward of {tip.reward.amount_yuan} yuan was already proposed "
                                                  "for this tip")
    if tip.outcome(outcome_id) is None:
        raise Rejected("outcome-not-linked", "the reward is for a matter the tip led to: link the outcome first",
                       field="outcome_id")
    if isinstance(facts, ConcealedDeathsFound):
        require(tip.subject.kind == "concealed_accident", "not-a-concealed-accident",
                "a reward per concealed death is for a tip that reported a concealed or falsified accident",
                field="facts", basis=source)
    linked = [t for t in others() if t.id != tip.id and t.outcome(outcome_id) is not None]
    if any(t.reward is not None for t in linked):
        raise Conflict("matter-already-rewarded", "another reporter of the same matter was already rewarded: only "
                                                  "the first valid reporter is (多人举报同一事项)")
    earlier = [t for t in linked if _receipt_order(t) < _receipt_order(tip)]
    if any(t.verdict is None and not t.anonymous for t in earlier):
        raise Conflict("earlier-tip-unverified", "a tip about the same matter was received earlier and is not "
                                                 "verified yet: only the first valid reporter is rewarded, verify it "
                                                 "first")
    first = first_valid_reporter([tip, *linked], outcome_id)
    if first is not None and first.id != tip.id:
        raise Conflict("not-first-reporter", f"the same matter was reported first in a tip received "
                                             f"{first.received_at:%Y-%m-%d}: only the first valid reporter is "
                                             "rewarded (多人举报同一事项)")
    if isinstance(facts, PenaltyDecided):
        computation = penalty_reward(pack, Decimal(facts.fine_yuan))
    else:
        computation = concealed_death_reward(pack, facts.accident_grade.value, facts.deaths)
    if bar is not None:  # 安监总财〔2018〕19号: excluded — nothing earned, recorded with the reason
        nothing = Decimal(0).quantize(Decimal("0.01"))
        computation = computation.model_copy(update={"formula": f"no reward: {bar}", "amount_yuan": nothing,
                                                     "computed_yuan": nothing, "bound": None})
    return tip.next_event(TipRewardProposed, ctx, basis=ctx.basis or (pack["tip.reward.exclusion.basis"] if bar
                                                                      else source),
                          rules_version=pack.version_tag, outcome_id=outcome_id, grounds=_grounds(facts, major_hazard),
                          facts=facts, computation=computation, amount_yuan=computation.amount_yuan,
                          payer_id=tip.receiving_unit_id, bar=bar)


def pay_reward(ctx: CommandContext, tip: Tip, pack: RulesPack, amount_yuan: Decimal, payment_ref: str,
               late_reason: str | None = None) -> TipRewardPaid:
    """The reward proposed, paid once, in the amount proposed, by the unit that received the tip; after the
    collection period (counted from the proposal, when the reporter is told to collect) only with a reason."""
    if tip.reward is None:
        raise Conflict("reward-not-proposed", "no reward was proposed for this tip: propose it before paying")
    if tip.reward.paid_at is not None:
        raise Conflict("reward-already-paid", f"the reward was already paid ({tip.reward.payment_ref})")
    if not tip.reward.amount_yuan:
        raise Conflict("nothing-to-pay", "the tip earned no reward (no fine, or excluded)")
    last_day = collection_deadline(pack, local_day(tip.reward.proposed_at))
    reason = late_reason.strip() if late_reason and late_reason.strip() else None
    require(local_day(ctx.effective_at) <= last_day or reason is not None, "collection-lapsed",
            f"the reward had to be collected by {last_day}: a later payment needs the reporter's reason",
            field="late_reason", basis=pack["tip.reward.collection.basis"])
    require(amount_yuan == tip.reward.amount_yuan, "amount-differs",
            f"the reward proposed is {tip.reward.amount_yuan} yuan, not {amount_yuan}", field="amount_yuan")
    require(bool(payment_ref.strip()), "payment-ref-required", "record the payment's reference", field="payment_ref")
    return tip.next_event(TipRewardPaid, ctx, amount_yuan=tip.reward.amount_yuan, payment_ref=payment_ref.strip(),
                          payer_id=tip.reward.payer_id, late_reason=reason)


def give_feedback(ctx: CommandContext, tip: Tip, pack: RulesPack, method: FeedbackMethod,
                  content: str) -> TipFeedbackGiven:
    """反馈 after verification (docs/rules.md R11); an anonymous reporter left no contact, only the web platform reaches
    them."""
    if tip.verdict is None:
        raise Conflict("not-verified", "feedback tells the reporter what the verification found: verify first",
                       basis=pack["tip.reward.basis"])
    if tip.anonymous:
        require(method == FeedbackMethod.web, "anonymous-no-contact",
                "an anonymous reporter left no contact: answer on the web platform where they look it up",
                field="method")
    require(bool(content.strip()), "content-required", "say what the reporter was told", field="content")
    return tip.next_event(TipFeedbackGiven, ctx, method=method, content=content.strip())


def disclose(ctx: CommandContext, tip: Tip, pack: RulesPack, reason: str) -> ReporterIdentityDisclosed:
    """Opening the sealed identity is recorded first, with its reason; after shredding there is nothing to open."""
    if tip.shredded_at is not None:
        raise IdentityShredded("identity-shredded", f"the identity was shredded on {tip.shredded_at:%Y-%m-%d}: it "
                                                    "is gone for good", basis=pack["tip.confidentiality.basis"])
    require(bool(reason.strip()), "reason-required", "say why the reporter's identity is needed", field="reason",
            basis=pack["tip.confidentiality.basis"])
    return tip.next_event(ReporterIdentityDisclosed, ctx, basis=pack["tip.confidentiality.basis"],
                          reason=reason.strip())


def shred(ctx: CommandContext, tip: Tip, reason: str) -> ReporterIdentityShredded:
    """Record the destruction of the tip's data key (done right after, by the vault)."""
    if tip.shredded_at is not None:
        raise Conflict("already-shredded", f"the identity was already shredded on {tip.shredded_at:%Y-%m-%d}")
    require(bool(reason.strip()), "reason-required", "say why the identity is shredded", field="reason")
    return tip.next_event(ReporterIdentityShredded, ctx, key_id=key_id(tip.id), reason=reason.strip())
