"""R11 from the decision: the reward reads the fine of the decided case (never typed in); a zero fine gives a zero
reward; excluded reporters and matters already found and being handled earn nothing; the collection period; the
events of the rewards proposed and paid before (v1) still load.

Sources: 《安全生产领域举报奖励办法》(安监总财〔2018〕19号): 15 % of the 行政处罚金额, 3,000–300,000 yuan (figures
checked against 人民日报 2018-02-01; article numbers not verified); 只奖励 没有发现，或者虽然发现但未按有关规定依法处理
的 matters; staff with safety supervisory duties over the matter 不在奖励之列; 领奖通知后60日内领取.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from api.bootstrap import System
from application import hazards as h
from application import tips as tp
from application.authorization import Principal
from domain import hazards as hz
from domain import tips as t
from domain.calendar import end_of_day
from domain.errors import Conflict, Rejected
from infrastructure.persistence import OrjsonTranscoder, PydanticMapper
from tests.builders import latest
from tests.conftest import COUNTY
from tests.test_hazards import FULL_PLAN
from tests.tipdesk import TipDesk, refused


@pytest.fixture
def desk(system: System) -> TipDesk:
    return TipDesk(system)


def test_the_reward_reads_the_fine_from_the_decision(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    case_id = desk.decided_case(tip_id, Decimal(30_000), "泉港城管罚决字〔2026〕第3号")
    desk.system.runner.catch_up()
    desk.run(tp.ProposeTipReward(tip_id=tip_id, outcome_id=hazard_id, case_id=case_id))
    event = latest(desk.system, tip_id, t.TipRewardProposed)
    assert isinstance(event.facts, t.PenaltyDecided)
    assert (event.facts.fine_yuan, event.facts.case_id, event.facts.decision_no) == (
        Decimal(30_000), case_id, "泉港城管罚决字〔2026〕第3号")
    assert event.amount_yuan == Decimal("4500.00")
    assert event.bar is None


def test_a_zero_fine_gives_a_zero_reward_not_an_error(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    desk.propose(tip_id, hazard_id, fine=Decimal(0))
    event = latest(desk.system, tip_id, t.TipRewardProposed)
    assert event.amount_yuan == Decimal(0)
    assert event.computation.formula == "no fine decided: no share to reward"
    assert refused(desk, tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal(1), payment_ref="x"),
                   error=Conflict).code == "nothing-to-pay"


def test_a_reporter_with_supervisory_duties_earns_nothing(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    case_id = desk.decided_case(tip_id)
    desk.system.runner.catch_up()
    desk.run(tp.ProposeTipReward(tip_id=tip_id, outcome_id=hazard_id, case_id=case_id, reporter_supervises=True))
    event = latest(desk.system, tip_id, t.TipRewardProposed)
    assert event.amount_yuan == Decimal(0)
    assert event.bar is not None
    assert "不在奖励之列" in event.bar
    assert event.envelope.basis == "《安全生产领域举报奖励办法》(安监总财〔2018〕19号) 第七条"


def test_a_matter_already_found_and_being_handled_earns_nothing(desk: TipDesk, clock) -> None:
    hazard_id = desk.hazard()  # found by a grid patrol before anyone reported it
    clock.advance(timedelta(hours=1))
    tip_id = desk.receive()
    desk.link(tip_id, hazard_id)
    desk.verify(tip_id)
    desk.propose(tip_id, hazard_id)
    event = latest(desk.system, tip_id, t.TipRewardProposed)
    assert event.amount_yuan == Decimal(0)
    assert event.bar == "the matter had already been found and was being handled when the tip was received"


def test_a_hazard_struck_off_before_it_was_marked_overdue_was_handled(desk: TipDesk, clock) -> None:
    """The worker marked the hazard overdue, then its fix was recorded late, effective before the deadline ended:
    in the order things took effect, marking it overdue did nothing to a hazard already struck off (the domain's
    fold, as the ledger shows it). A tip about it received afterwards reports a matter found and handled."""
    enterprise = Principal("ent", "enterprise", COUNTY, unit_id=desk.world.enterprise)
    hazard_id = desk.run(h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general,
                                        description="钢瓶违规倒灌充装", source=hz.HazardSource.self_reported),
                         enterprise).id
    deadline = clock.now().date() + timedelta(days=2)
    desk.run(h.PlanRectification(hazard_id=hazard_id, mode=hz.RectificationMode.deadline, plan=hz.FiveAssurances(
        responsible_person_id=desk.world.person(23, "陈整改"), deadline=deadline, **FULL_PLAN)), desk.inspector)
    desk.system.runner.catch_up()
    due = end_of_day(deadline)
    clock.set(due + timedelta(hours=8))
    assert desk.system.worker.tick() == 1  # HazardBecameOverdue, effective when the deadline day ended
    desk.run(h.SubmitRectification(hazard_id=hazard_id, report="已整改", effective_at=due - timedelta(days=2)),
             enterprise)
    for late in (h.InspectAcceptance(hazard_id=hazard_id, passed=True, findings="合格",
                                     effective_at=due - timedelta(days=1)),
                 h.CloseOutHazard(hazard_id=hazard_id, effective_at=due - timedelta(hours=6))):
        desk.run(late, desk.inspector)
    clock.advance(timedelta(hours=1))
    tip_id = desk.receive()
    desk.link(tip_id, hazard_id)
    desk.verify(tip_id)
    desk.propose(tip_id, hazard_id)
    event = latest(desk.system, tip_id, t.TipRewardProposed)
    assert (event.amount_yuan, event.bar) == (
        Decimal(0), "the matter had already been found and was being handled when the tip was received")


def test_the_fine_is_never_typed_in(desk: TipDesk) -> None:
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    assert refused(desk, tp.ProposeTipReward(tip_id=tip_id, outcome_id=hazard_id), error=Rejected).code == (
        "reward-facts")
    with pytest.raises(ValueError, match="fine_yuan"):
        tp.ProposeTipReward.model_validate({"tip_id": str(tip_id), "outcome_id": str(hazard_id), "facts": {
            "kind": "penalty", "fine_yuan": "50000", "decision_no": "x"}})


@pytest.mark.parametrize(("days", "paid"), [(59, True), (60, True), (61, False)])
def test_the_reward_is_collected_within_60_days_of_the_notice(desk: TipDesk, clock, days: int, paid: bool) -> None:
    """领奖通知后60日内领取: the 60th day (n) is in time, the 61st (n+1) needs the reporter's reason."""
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    desk.propose(tip_id, hazard_id)
    clock.advance(timedelta(days=days))
    command = tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal(7_500), payment_ref="JL-1")
    if paid:
        desk.run(command)
    else:
        assert refused(desk, command).code == "collection-lapsed"
        desk.run(command.model_copy(update={"late_reason": "举报人住院, 出院后即来领取"}))
        assert latest(desk.system, tip_id, t.TipRewardPaid).late_reason == "举报人住院, 出院后即来领取"


def test_rewards_stored_before_cases_still_load(desk: TipDesk) -> None:
    """v1 of TipRewardProposed (a typed fine, no case, no bar) and TipRewardPaid (no late reason) load as v2."""
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    desk.propose(tip_id, hazard_id)
    desk.run(tp.PayTipReward(tip_id=tip_id, amount_yuan=Decimal(7_500), payment_ref="JL-1"))
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    for event in desk.system.store.history(tip_id)[-2:]:
        stored = mapper.to_stored_event(event)
        state = orjson.loads(stored.state)
        assert state.pop("class_version") == 2
        state.pop("bar", None)
        state.pop("late_reason", None)
        if isinstance(state.get("facts"), dict):
            state["facts"].pop("case_id")
        old = mapper.to_domain_event(StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                                                 orjson.dumps(state)))
        assert type(old) is type(event)
        assert getattr(old, "bar", None) is None
        assert getattr(old, "late_reason", None) is None
