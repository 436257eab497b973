"""Tips (举报): every transition and every refusal, on SQLite and PostgreSQL.

Sources: docs/rules.md R11; seed 000 ¶31–32; seed 003 ¶35.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import orjson
import pytest

from api.bootstrap import System
from application import hazards as h
from application import tips as tp
from application.authorization import Forbidden, Principal
from domain import hazards as hz
from domain import tips as t
from domain.errors import Conflict, NotFound, Rejected
from domain.rules import pack_for
from infrastructure.vault import Shredded
from tests.builders import latest, state_of
from tests.conftest import COUNTY, TOWN_A
from tests.tipdesk import REPORTER, TipDesk, refused


@pytest.fixture
def desk(system: System) -> TipDesk:
    return TipDesk(system)


# --- receiving -------------------------------------------------------------------------------------------------


def test_a_tip_is_received_with_its_reporter_and_original_text_sealed(desk: TipDesk) -> None:
    tip_id = desk.receive()
    event = desk.system.store.history(tip_id)[0]
    assert isinstance(event, t.TipReceived)
    assert event.envelope.jurisdiction == COUNTY, "the tip belongs to the receiving unit's jurisdiction"
    assert event.envelope.actor.principal == "tips@county"
    assert event.reporter_sealed is not None, "a named reporter is sealed"
    for sealed in (event.reporter_sealed, event.original_sealed):
        assert sealed.startswith(f"zk1:tip:{tip_id}:"), "sealed with the tip's own data key"
    assert orjson.loads(desk.system.vault.open(event.reporter_sealed)) == REPORTER.model_dump()
    assert desk.system.vault.open(event.original_sealed) == "我看到他们晚上偷偷给钢瓶倒气"
    assert {"reporter_sealed", "original_sealed"}.isdisjoint(event.public_data())
    assert event.public_data()["summary"] == "群众反映某燃气企业违规充装"
    state = desk.tip(tip_id)
    assert (state.anonymous, state.verdict, state.channel) == (False, None, t.Channel.hotline_12345)


def test_an_anonymous_tip_has_no_identity_only_its_text(desk: TipDesk) -> None:
    tip_id = desk.receive(reporter=None, channel=t.Channel.web)
    event = desk.system.store.history(tip_id)[0]
    assert isinstance(event, t.TipReceived)
    assert (event.anonymous, event.reporter_sealed) == (True, None)
    assert event.original_sealed.startswith("zk1:")


def test_only_tip_officers_of_the_jurisdiction_receive_tips(desk: TipDesk) -> None:
    command = tp.ReceiveTip(channel=t.Channel.letter, receiving_unit_id=desk.world.department,
                            subject=t.UnitSubject(unit_id=desk.world.enterprise, description="x"), summary="x",
                            original_text="x")
    for role in ("admin", "inspector", "enforcement", "viewer"):
        who = Principal(role, role, COUNTY, unit_id=desk.world.department)
        assert refused(desk, command, who, Forbidden).code == "role-not-allowed"
    assert refused(desk, command, desk.town_officer, NotFound).code == "not-found"


def test_the_receiving_unit_is_an_authority_competent_for_the_subject(desk: TipDesk) -> None:
    assert refused(desk, tp.ReceiveTip(
        channel=t.Channel.visit, receiving_unit_id=desk.world.enterprise,
        subject=t.UnitSubject(unit_id=desk.world.enterprise, description="x"), summary="x", original_text="x"),
        error=Rejected).code == "not-a-receiving-unit"
    elsewhere = desk.world.enterprise_in(desk.world.town_b, 5)
    town_a = Principal("tips@shanyao", "tip_officer", TOWN_A)
    about_elsewhere = tp.ReceiveTip(channel=t.Channel.visit, receiving_unit_id=desk.world.town_a,
                                    subject=t.UnitSubject(unit_id=elsewhere, description="x"), summary="x",
                                    original_text="x")
    problem = refused(desk, about_elsewhere, desk.officer, Rejected)
    assert (problem.code, problem.field) == ("outside-receiving-jurisdiction", "subject")
    unseen = refused(desk, about_elsewhere, town_a, NotFound)
    assert (unseen.code, unseen.field) == ("not-found", "subject.unit_id"), "a town cannot name another town's unit"
    assert refused(desk, tp.ReceiveTip(
        channel=t.Channel.visit, receiving_unit_id=desk.world.department,
        subject=t.HazardSubject(hazard_id=desk.world.enterprise, description="x"), summary="x", original_text="x"),
        error=NotFound).field == "subject.hazard_id"


def test_a_tip_is_not_received_in_the_future(desk: TipDesk, clock) -> None:
    problem = refused(desk, tp.ReceiveTip(
        channel=t.Channel.letter, receiving_unit_id=desk.world.department,
        subject=t.UnitSubject(unit_id=desk.world.enterprise, description="x"), summary="x", original_text="x",
        effective_at=clock.now() + timedelta(days=1)), error=Rejected)
    assert (problem.code, problem.field) == ("received-in-the-future", "effective_at")


def test_public_texts_never_name_the_reporter_and_the_refusal_does_not_echo_it(desk: TipDesk) -> None:
    for field in ("summary", "description"):
        texts = {"summary": "群众反映违规充装", "description": "疑似违规充装"}
        texts[field] = f"举报人{REPORTER.name}反映违规充装"
        problem = refused(desk, tp.ReceiveTip(
            channel=t.Channel.hotline_12345, receiving_unit_id=desk.world.department,
            subject=t.UnitSubject(unit_id=desk.world.enterprise, description=texts["description"]),
            summary=texts["summary"], original_text="x", reporter=REPORTER), error=Rejected)
        assert problem.code == "text-names-reporter"
        assert REPORTER.name not in problem.detail
    assert refused(desk, tp.ReceiveTip(
        channel=t.Channel.hotline_12345, receiving_unit_id=desk.world.department,
        subject=t.UnitSubject(unit_id=desk.world.enterprise, description="x"),
        summary=f"回电{REPORTER.contact}", original_text="x", reporter=REPORTER), error=Rejected).field == "summary"


def test_a_whistleblower_names_the_unit_reported(desk: TipDesk) -> None:
    problem = refused(desk, tp.ReceiveTip(
        channel=t.Channel.internal_whistleblower, receiving_unit_id=desk.world.department,
        subject=t.ConcealedAccidentSubject(description="车间有人受伤未上报"), summary="x", original_text="x",
        reporter=REPORTER), error=Rejected)
    assert problem.code == "whistleblower-names-unit"
    tip_id = desk.receive(channel=t.Channel.internal_whistleblower, subject=t.ConcealedAccidentSubject(
        unit_id=desk.world.enterprise, description="车间有人受伤未上报"))
    assert desk.tip(tip_id).channel == t.Channel.internal_whistleblower


# --- verification ----------------------------------------------------------------------------------------------


def test_a_tip_is_verified_once_by_the_person_of_the_token(desk: TipDesk) -> None:
    tip_id = desk.receive()
    desk.verify(tip_id)
    event = desk.system.store.history(tip_id)[-1]
    assert isinstance(event, t.TipVerified)
    assert (event.verdict, event.verified_by) == (t.Verdict.substantiated, desk.officer_person)
    again = refused(desk, tp.VerifyTip(tip_id=tip_id, verdict=t.Verdict.unsubstantiated, finding="x"), error=Conflict)
    assert again.code == "already-verified"
    other = desk.receive()
    assert refused(desk, tp.VerifyTip(tip_id=other, verdict=t.Verdict.substantiated, finding="  "),
                   error=Rejected).code == "finding-required"
    assert refused(desk, tp.VerifyTip(tip_id=other, verdict=t.Verdict.substantiated, finding="x"),
                   desk.town_officer, NotFound).code == "not-found"
    assert refused(desk, tp.VerifyTip(tip_id=other, verdict=t.Verdict.substantiated, finding="x"),
                   Principal("i", "investigator", COUNTY), Forbidden).code == "role-not-allowed"


def test_a_concealed_accident_found_true_goes_to_the_safety_committee(desk: TipDesk) -> None:
    tip_id = desk.receive(subject=t.ConcealedAccidentSubject(unit_id=desk.world.enterprise, description="瞒报一人死亡"))
    problem = refused(desk, tp.VerifyTip(tip_id=tip_id, verdict=t.Verdict.substantiated, finding="x"),
                      error=Rejected)
    assert (problem.code, problem.field) == ("referral-required", "referred_to_id")
    assert "§32" in problem.basis
    assert refused(desk, tp.VerifyTip(tip_id=tip_id, verdict=t.Verdict.substantiated, finding="x",
                                      referred_to_id=desk.world.department), error=Rejected).code == (
        "not-a-safety-committee")
    desk.verify(tip_id, referred_to_id=desk.committee, finding="初步认定瞒报死亡1人")
    event = latest(desk.system, tip_id, t.TipVerified)
    assert event.referred_to_id == desk.committee
    assert event.envelope.rules_version.startswith("cn-base@")
    plain = desk.receive()
    assert refused(desk, tp.VerifyTip(tip_id=plain, verdict=t.Verdict.substantiated, finding="x",
                                      referred_to_id=desk.committee), error=Rejected).code == "referral-not-applicable"


# --- outcomes --------------------------------------------------------------------------------------------------


def test_reporting_a_hazard_through_a_tip_links_them_in_the_same_command(desk: TipDesk) -> None:
    tip_id = desk.receive()
    head = desk.system.store.head()
    result = desk.run(h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general,
                                     description="钢瓶违规倒灌充装", source=hz.HazardSource.tip, tip_id=tip_id),
                      desk.inspector)
    assert [(e.type, e.aggregate_id) for e in result.events] == [("HazardReported", result.id),
                                                                  ("TipOutcomeLinked", tip_id)]
    assert desk.system.store.head() == head + 2, "both events in one save"
    assert desk.tip(tip_id).outcomes == (t.Outcome(kind=t.OutcomeKind.hazard, target_id=result.id),)
    linked = desk.system.store.history(tip_id)[-1]
    assert linked.envelope.actor.principal == "insp"
    assert linked.envelope.correlation_id == desk.system.store.history(result.id)[0].envelope.correlation_id


def test_a_hazard_report_naming_a_tip_it_cannot_link_writes_nothing(desk: TipDesk) -> None:
    command = h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general, description="x",
                             source=hz.HazardSource.tip, tip_id=desk.world.enterprise)
    assert refused(desk, command, desk.inspector, NotFound).field == "tip_id"
    unsubstantiated = desk.receive()
    desk.verify(unsubstantiated, t.Verdict.unsubstantiated, finding="现场未发现")
    assert refused(desk, command.model_copy(update={"tip_id": unsubstantiated}), desk.inspector,
                   Conflict).code == "tip-unsubstantiated"
    county_tip = desk.receive()
    town_enforcer = Principal("enf@shanyao", "enforcement", TOWN_A)
    assert refused(desk, command.model_copy(update={"tip_id": county_tip}), town_enforcer, NotFound).code == (
        "not-found"), "the tip belongs to the county: a town cannot see it, so cannot name it"


def test_links_name_an_existing_record_of_their_kind_once(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard()
    wrong_kind = refused(desk, tp.LinkTipOutcome(tip_id=tip_id, outcome=t.Outcome(
        kind=t.OutcomeKind.hazard, target_id=desk.world.enterprise)), error=NotFound)
    assert (wrong_kind.code, wrong_kind.field) == ("outcome-not-found", "outcome.target_id")
    desk.link(tip_id, hazard_id)
    assert refused(desk, tp.LinkTipOutcome(tip_id=tip_id, outcome=t.Outcome(
        kind=t.OutcomeKind.hazard, target_id=hazard_id)), error=Conflict).code == "already-linked"
    assert refused(desk, tp.LinkTipOutcome(tip_id=tip_id, outcome=t.Outcome(
        kind=t.OutcomeKind.hazard, target_id=hazard_id)), desk.inspector, Forbidden).code == "role-not-allowed"


# --- rewards ---------------------------------------------------------------------------------------------------


def test_the_first_valid_reporter_is_rewarded_by_the_receiving_unit(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id, hz.HazardGrade.major)
    desk.verify(tip_id)
    desk.propose(tip_id, hazard_id, fine=Decimal(50000))
    event = desk.system.store.history(tip_id)[-1]
    assert isinstance(event, t.TipRewardProposed)
    assert (event.amount_yuan, event.grounds, event.payer_id) == (Decimal("7500.00"), t.Grounds.major_hazard,
                                                                   desk.world.department)
    assert event.computation.formula == "15% × 50,000.00 = 7,500.00"
    assert event.facts.decision_no == "泉港城管罚决字〔2026〕第15号"
    assert event.envelope.rules_version == pack_for(event.envelope.jurisdiction).version_tag
    assert "安监总财〔2018〕19号" in (event.envelope.basis or "")
    assert desk.tip(tip_id).reward.amount_yuan == Decimal("7500")
    assert refused(desk, tp.ProposeTipReward(tip_id=tip_id, outcome_id=hazard_id,
                                             case_id=desk.decided_case(tip_id)), error=Conflict).code == (
        "reward-already-proposed")


def test_a_penalised_general_hazard_is_rewarded_as_an_illegal_act(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    desk.propose(tip_id, hazard_id, fine=Decimal(19999))
    event = latest(desk.system, tip_id, t.TipRewardProposed)
    assert (event.grounds, event.amount_yuan, event.computation.bound) == (
        t.Grounds.illegal_act, Decimal("3000.00"), "minimum")


def test_no_reward_for_an_unverified_unsubstantiated_anonymous_or_unlinked_tip(desk: TipDesk) -> None:
    unverified = desk.receive()
    hazard_id = desk.hazard(unverified)
    case_id = desk.decided_case(unverified)
    assert refused(desk, tp.ProposeTipReward(tip_id=unverified, outcome_id=hazard_id, case_id=case_id),
                   error=Conflict).code == "not-verified"
    unsubstantiated = desk.receive()
    desk.link(unsubstantiated, hazard_id)
    desk.verify(unsubstantiated, t.Verdict.unsubstantiated, finding="不属实")
    assert refused(desk, tp.ProposeTipReward(tip_id=unsubstantiated, outcome_id=hazard_id, case_id=case_id),
                   error=Conflict).code == "tip-unsubstantiated"
    anonymous = desk.receive(reporter=None)
    desk.link(anonymous, hazard_id)
    desk.verify(anonymous)
    assert refused(desk, tp.ProposeTipReward(tip_id=anonymous, outcome_id=hazard_id, case_id=case_id),
                   error=Rejected).code == "anonymous-tip"
    unlinked = desk.receive()
    desk.verify(unlinked)
    problem = refused(desk, tp.ProposeTipReward(tip_id=unlinked, outcome_id=hazard_id, case_id=case_id),
                      error=Rejected)
    assert (problem.code, problem.field) == ("outcome-not-linked", "outcome_id")
    assert refused(desk, tp.ProposeTipReward(tip_id=unlinked, outcome_id=hazard_id, facts=t.ConcealedDeathsFound(
        accident_grade=t.AccidentGrade.general, deaths=1, document_no="x")), error=Rejected).code == (
        "outcome-not-linked")


def test_only_the_first_valid_reporter_of_the_same_matter_is_rewarded(desk: TipDesk, clock) -> None:
    first = desk.receive()
    clock.advance(timedelta(hours=2))
    second = desk.receive(reporter=t.Reporter(name="王二", contact="13900000002"))
    hazard_id = desk.hazard(second)
    desk.link(first, hazard_id)
    desk.verify(second)
    assert desk.reward_refused(second, hazard_id).code == "earlier-tip-unverified", (
        "the earlier report may still be the first valid one")
    desk.verify(first)
    problem = desk.reward_refused(second, hazard_id)
    assert problem.code == "not-first-reporter"
    desk.propose(first, hazard_id)
    assert desk.reward_refused(second, hazard_id).code == "matter-already-rewarded"


def test_an_earlier_anonymous_or_unsubstantiated_report_does_not_take_the_reward(desk: TipDesk, clock) -> None:
    anonymous = desk.receive(reporter=None)
    unfounded = desk.receive(reporter=t.Reporter(name="王二", contact="13900000002"))
    clock.advance(timedelta(days=1))
    named = desk.receive()
    hazard_id = desk.hazard(named)
    for tip_id in (anonymous, unfounded):
        desk.link(tip_id, hazard_id)
    desk.verify(anonymous)
    desk.verify(unfounded, t.Verdict.unsubstantiated, finding="所述情况不存在")
    desk.verify(named)
    desk.propose(named, hazard_id)
    assert desk.tip(named).reward is not None


def test_a_tip_officer_elsewhere_does_not_see_but_the_rule_does(desk: TipDesk, clock) -> None:
    """The first reporter may have called another receiving unit: the rule looks at every tip of the matter."""
    town_a_officer = Principal("tips@shanyao", "tip_officer", TOWN_A)
    earlier = desk.run(tp.ReceiveTip(
        channel=t.Channel.visit, receiving_unit_id=desk.world.town_a,
        subject=t.UnitSubject(unit_id=desk.world.enterprise, description="违规充装"), summary="来访反映违规充装",
        original_text="x", reporter=t.Reporter(name="王二", contact="13900000002")), town_a_officer).id
    clock.advance(timedelta(days=1))
    later = desk.receive()
    hazard_id = desk.hazard(later)
    desk.run(tp.LinkTipOutcome(tip_id=earlier, outcome=t.Outcome(kind=t.OutcomeKind.hazard, target_id=hazard_id)),
             town_a_officer)
    desk.run(tp.VerifyTip(tip_id=earlier, verdict=t.Verdict.substantiated, finding="属实"), town_a_officer)
    desk.verify(later)
    problem = desk.reward_refused(later, hazard_id)
    assert problem.code == "not-first-reporter"
    assert "王二" not in problem.detail


def test_a_concealed_accident_is_rewarded_per_concealed_death_up_to_the_maximum(desk: TipDesk) -> None:
    tip_id = desk.receive(subject=t.ConcealedAccidentSubject(unit_id=desk.world.enterprise, description="瞒报"))
    hazard_id = desk.hazard(tip_id, hz.HazardGrade.major)
    desk.verify(tip_id, referred_to_id=desk.committee)
    desk.system.runner.catch_up()
    desk.run(tp.ProposeTipReward(tip_id=tip_id, outcome_id=hazard_id, facts=t.ConcealedDeathsFound(
        accident_grade=t.AccidentGrade.serious, deaths=8, document_no="泉港政文〔2026〕9号")))
    event = latest(desk.system, tip_id, t.TipRewardProposed)
    assert (event.grounds, event.amount_yuan, event.computation.bound) == (
        t.Grounds.concealed_accident, Decimal("300000.00"), "maximum")
    plain = desk.receive()
    plain_hazard = desk.hazard(plain)
    desk.verify(plain)
    desk.system.runner.catch_up()
    assert refused(desk, tp.ProposeTipReward(tip_id=plain, outcome_id=plain_hazard, facts=t.ConcealedDeathsFound(
        accident_grade=t.AccidentGrade.general, deaths=1, document_no="x")), error=Rejected).code == (
        "not-a-concealed-accident")


def test_a_reward_is_paid_once_in_the_amount_proposed(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    assert refused(desk, tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal(3000), payment_ref="JL-1"),
                   error=Conflict).code == "reward-not-proposed"
    desk.propose(tip_id, hazard_id, fine=Decimal(20001))
    wrong = refused(desk, tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal(3000), payment_ref="JL-1"),
                    error=Rejected)
    assert (wrong.code, wrong.field) == ("amount-differs", "amount_yuan")
    desk.run(tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal("3000.15"), payment_ref="JL-2026-0001"))
    event = latest(desk.system, tip_id, t.TipRewardPaid)
    assert (event.amount_yuan, event.payer_id, event.payment_ref) == (Decimal("3000.15"), desk.world.department,
                                                                       "JL-2026-0001")
    assert refused(desk, tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal("3000.15"), payment_ref="JL-2"),
                   error=Conflict).code == "reward-already-paid"


# --- feedback --------------------------------------------------------------------------------------------------


def test_feedback_follows_verification_and_reaches_an_anonymous_reporter_only_on_the_web(desk: TipDesk) -> None:
    tip_id = desk.receive()
    assert refused(desk, tp.GiveTipFeedback(tip_id=tip_id, method=t.FeedbackMethod.phone, content="x"),
                   error=Conflict).code == "not-verified"
    desk.verify(tip_id)
    desk.run(tp.GiveTipFeedback(tip_id=tip_id, method=t.FeedbackMethod.phone, content="经查属实, 已依法处理"))
    assert desk.tip(tip_id).feedback_given == 1
    anonymous = desk.receive(reporter=None, channel=t.Channel.web)
    desk.verify(anonymous, t.Verdict.unsubstantiated, finding="未发现所述问题")
    assert refused(desk, tp.GiveTipFeedback(tip_id=anonymous, method=t.FeedbackMethod.sms, content="x"),
                   error=Rejected).code == "anonymous-no-contact"
    desk.run(tp.GiveTipFeedback(tip_id=anonymous, method=t.FeedbackMethod.web, content="经核查不属实"))
    assert desk.tip(anonymous).feedback_given == 1


# --- disclosure and shredding ------------------------------------------------------------------------------------


def test_a_disclosure_is_recorded_before_the_identity_is_opened(desk: TipDesk, monkeypatch) -> None:
    tip_id = desk.receive()
    service = desk.system.service
    opened: list[list[str]] = []
    real_open = service.sealer.open

    def watching(token: str) -> str:
        opened.append(desk.events(tip_id))
        return real_open(token)

    monkeypatch.setattr(service.sealer, "open", watching)
    disclosed = tp.disclose_identity(service, desk.officer, tp.DiscloseReporterIdentity(
        tip_id=tip_id, reason="核实奖励领取人身份"))
    assert (disclosed.reporter, disclosed.original_text) == (REPORTER, "我看到他们晚上偷偷给钢瓶倒气")
    assert len(opened) == 2, "the reporter and the original text"
    assert all(events[-1] == "ReporterIdentityDisclosed" for events in opened), "opened after it was recorded"
    event = latest(desk.system, tip_id, t.ReporterIdentityDisclosed)
    assert (event.reason, event.envelope.actor.principal) == ("核实奖励领取人身份", "tips@county")
    assert disclosed.disclosure.position == desk.system.store.head()
    again = tp.disclose_identity(service, desk.officer, tp.DiscloseReporterIdentity(tip_id=tip_id, reason="再次核实"))
    assert again.disclosure.version == event.originator_version + 1, "every look is recorded"
    assert desk.tip(tip_id).disclosures == 2


def test_only_a_tip_officer_of_the_jurisdiction_sees_an_identity_and_says_why(desk: TipDesk) -> None:
    tip_id = desk.receive()
    command = tp.DiscloseReporterIdentity(tip_id=tip_id, reason="核实")
    for who in (Principal("a", "admin", "350000"), Principal("i", "investigator", COUNTY), desk.inspector):
        assert refused(desk, command, who, Forbidden).code == "role-not-allowed"
    assert refused(desk, command, desk.town_officer, NotFound).code == "not-found"
    problem = refused(desk, tp.DiscloseReporterIdentity(tip_id=tip_id, reason="   "), error=Rejected)
    assert (problem.code, problem.field) == ("reason-required", "reason")
    assert refused(desk, tp.DiscloseReporterIdentity(tip_id=desk.world.enterprise, reason="x"),
                   error=NotFound).field == "tip_id"


def test_an_anonymous_tip_discloses_only_its_text(desk: TipDesk) -> None:
    tip_id = desk.receive(reporter=None)
    disclosed = tp.disclose_identity(desk.system.service, desk.officer,
                                     tp.DiscloseReporterIdentity(tip_id=tip_id, reason="核对原文"))
    assert (disclosed.anonymous, disclosed.reporter, disclosed.original_text) == (
        True, None, "我看到他们晚上偷偷给钢瓶倒气")


def test_after_shredding_the_identity_is_gone_and_the_history_stays(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    before = [e.model_dump() for e in desk.system.store.history(tip_id)]
    desk.run(tp.ShredReporterIdentity(tip_id=tip_id, reason="举报人申请"), Principal("op", "admin", COUNTY))
    assert desk.system.vault.shred(t.key_id(tip_id))
    history = desk.system.store.history(tip_id)
    assert [e.model_dump() for e in history[:-1]] == before, "nothing recorded before changes"
    assert isinstance(history[-1], t.ReporterIdentityShredded)
    received = history[0]
    assert isinstance(received, t.TipReceived)
    assert received.reporter_sealed is not None
    with pytest.raises(Shredded):
        desk.system.vault.open(received.reporter_sealed)
    gone = refused(desk, tp.DiscloseReporterIdentity(tip_id=tip_id, reason="x"), error=t.IdentityShredded)
    assert (gone.status, gone.code) == (410, "identity-shredded")
    assert refused(desk, tp.ShredReporterIdentity(tip_id=tip_id, reason="x"), Principal("op", "admin", COUNTY),
                   Conflict).code == "already-shredded"
    assert desk.reward_refused(tip_id, hazard_id).code == "identity-shredded"
    desk.run(tp.GiveTipFeedback(tip_id=tip_id, method=t.FeedbackMethod.letter, content="已办结"))
    assert refused(desk, tp.ShredReporterIdentity(tip_id=tip_id, reason="x"), desk.officer, Forbidden).code == (
        "role-not-allowed")


def test_every_tip_command_is_for_tip_officers_of_the_tips_jurisdiction(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard()
    outcome = t.Outcome(kind=t.OutcomeKind.hazard, target_id=hazard_id)
    commands = [
        tp.VerifyTip(tip_id=tip_id, verdict=t.Verdict.substantiated, finding="x"),
        tp.LinkTipOutcome(tip_id=tip_id, outcome=outcome),
        tp.ProposeTipReward(tip_id=tip_id, outcome_id=hazard_id, case_id=desk.decided_case(tip_id)),
        tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal(3000), payment_ref="x"),
        tp.GiveTipFeedback(tip_id=tip_id, method=t.FeedbackMethod.phone, content="x"),
        tp.DiscloseReporterIdentity(tip_id=tip_id, reason="x"),
    ]
    for command in commands:
        assert refused(desk, command, desk.town_officer, NotFound).code == "not-found", command
        for role in ("admin", "registrar", "inspector", "enforcement", "investigator", "auditor", "viewer", "stream",
                     "enterprise"):
            who = Principal(role, role, "350000", unit_id=desk.world.enterprise)
            assert refused(desk, command, who, Forbidden).code == "role-not-allowed", (role, command)


def test_stale_versions_are_refused(desk: TipDesk) -> None:
    tip_id = desk.receive()
    problem = refused(desk, tp.VerifyTip(tip_id=tip_id, verdict=t.Verdict.substantiated, finding="x",
                                         expected_version=2), error=Conflict)
    assert problem.code == "stale-version"


# --- the tip ledger --------------------------------------------------------------------------------------------


def test_the_ledger_follows_the_lifecycle_and_never_holds_the_identity(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id, hz.HazardGrade.major)
    desk.verify(tip_id)
    desk.propose(tip_id, hazard_id, fine=Decimal(50000))
    desk.run(tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal(7_500), payment_ref="JL-9"))
    desk.run(tp.GiveTipFeedback(tip_id=tip_id, method=t.FeedbackMethod.phone, content="已奖励"))
    tp.disclose_identity(desk.system.service, desk.officer, tp.DiscloseReporterIdentity(tip_id=tip_id, reason="发奖"))
    desk.system.runner.catch_up()
    [row] = desk.system.queries.tips.ledger(COUNTY)
    assert (row["status"], row["status_term"], row["verdict"], row["reward_yuan"], row["reward_grounds"]) == (
        "reward_paid", "已奖励", "substantiated", "7500.00", "major_hazard")
    assert (row["payment_ref"], row["feedback_count"], row["disclosures"], row["anonymous"]) == ("JL-9", 1, 1, 0)
    assert row["reward_formula"] == "15% × 50,000.00 = 7,500.00"
    assert row["receiving_unit_name"] == "泉港区城市管理局"
    assert [(o["kind"], o["target_id"]) for o in row["outcomes"]] == [("hazard", str(hazard_id))]
    assert REPORTER.name not in repr(row)
    assert REPORTER.contact not in repr(row)
    assert desk.system.queries.tips.ledger(TOWN_A) == [], "scoped by jurisdiction"
    assert [r["tip_id"] for r in desk.system.queries.tips.ledger(COUNTY, outcome_id=hazard_id)] == [str(tip_id)]
    assert desk.system.queries.tips.ledger(COUNTY, status="received") == []


def test_the_ledger_shows_the_status_the_domain_gives_the_tip(desk: TipDesk) -> None:
    """One status machine: at every step the ledger's status is the aggregate's (``domain.tips.tip_status``)."""
    tip_id = desk.receive()

    def agree(expected: t.TipStatus) -> None:
        desk.system.runner.catch_up()
        [row] = desk.system.queries.tips.ledger(COUNTY, tip_id=tip_id)
        assert state_of(desk.system, tip_id, t.Tip).status == expected
        assert (row["status"], row["status_term"]) == (expected, t.STATUS_TERMS[expected])

    agree(t.TipStatus.received)
    hazard_id = desk.hazard(tip_id, hz.HazardGrade.major)
    agree(t.TipStatus.received)
    desk.verify(tip_id)
    agree(t.TipStatus.substantiated)
    desk.propose(tip_id, hazard_id, fine=Decimal(50_000))
    agree(t.TipStatus.reward_proposed)
    desk.run(tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal(7_500), payment_ref="JL-9"))
    agree(t.TipStatus.reward_paid)
    desk.run(tp.GiveTipFeedback(tip_id=tip_id, method=t.FeedbackMethod.phone, content="已奖励"))
    agree(t.TipStatus.reward_paid)


def test_the_register_lists_the_tips_of_a_matter_in_the_order_received(desk: TipDesk, clock) -> None:
    later = desk.receive()
    clock.advance(timedelta(hours=1))
    earlier = desk.run(tp.ReceiveTip(
        channel=t.Channel.letter, receiving_unit_id=desk.world.department,
        subject=t.UnitSubject(unit_id=desk.world.enterprise, description="x"), summary="来信", original_text="x",
        effective_at=clock.now() - timedelta(days=2))).id  # a letter posted before the call, recorded after it
    hazard_id = desk.hazard(later)
    desk.link(earlier, hazard_id)
    desk.system.runner.catch_up()
    assert desk.system.queries.tips.tips_about(hazard_id) == [earlier, later]
    assert desk.system.queries.tips.tips_about(desk.world.enterprise) == []
