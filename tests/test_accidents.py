"""Accidents: recording, the reporting chain link by link, regrading, and the flags the accident policies raise —
each once, however often the worker ticks, including when nothing arrives — on SQLite and PostgreSQL (docs/rules.md
R1–R3; 493号令 第3、9–13条; seed 000 §32)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import System
from application import accidents as a
from application.authorization import Forbidden, Principal
from application.clock import ManualClock
from domain import accidents as ac
from domain import tips as t
from domain.errors import Conflict, DomainError, NotFound, Rejected
from domain.rules.accidents import AccidentGrade, Figures
from tests.conftest import COUNTY, TOWN_B
from tests.tipdesk import TipDesk

OCCURRED = datetime(2025, 1, 6, 1, 0, tzinfo=UTC)
ALL_ITEMS = tuple(ac.ReportItem)


class Scene(TipDesk):
    """The tip desk's county, with an investigator who records accidents and the reports received."""

    def __init__(self, system: System):
        super().__init__(system)
        self.investigator = Principal("inv", "investigator", COUNTY)
        system.runner.catch_up()  # the safety committee is found through the directory

    def walk(self, moment: datetime) -> None:
        """A test clock walks on to ``moment`` (a fact is recorded once it is known, never before)."""
        clock = self.system.service.clock
        if isinstance(clock, ManualClock) and clock.now() < moment:
            clock.set(moment)

    def record(self, **fields) -> UUID:
        defaults = {"unit_id": self.world.enterprise, "kind": ac.AccidentKind.work, "occurred_at": OCCURRED,
                    "place": "泉港区测试路1号 灌装车间", "description": "液化石油气钢瓶泄漏起火",
                    "unit_head_informed_at": OCCURRED + timedelta(minutes=10),
                    "known_from": ac.KnownFrom.unit_report, "known_at": OCCURRED + timedelta(minutes=40),
                    "figures": Figures(deaths=1, serious_injuries=2, direct_loss_yuan=800_000)}
        command = a.RecordAccident(**{**defaults, **fields})
        self.walk(command.known_at)
        return self.run(command, self.investigator).id

    def report(self, accident_id: UUID, kind: ac.ReportKind = ac.ReportKind.first, **fields) -> None:
        defaults = {"sender_unit_id": self.world.enterprise, "receiving_unit_id": self.world.department,
                    "received_at": OCCURRED + timedelta(minutes=40), "items": ALL_ITEMS,
                    "figures": Figures(deaths=1, serious_injuries=2, direct_loss_yuan=800_000), "summary": "首报"}
        command = a.ReportAccident(accident_id=accident_id, kind=kind, **{**defaults, **fields})
        self.walk(command.received_at)
        self.run(command, self.investigator)

    def tick(self, at: datetime | None = None) -> int:
        """The policy worker's pass at ``at`` (default: now), after the read models caught up."""
        if at is not None:
            self.walk(at)
        self.system.runner.catch_up()
        return self.system.worker.tick()

    def accident(self, accident_id: UUID) -> ac.Accident:
        state = self.system.store.get(accident_id)
        assert isinstance(state, ac.Accident)
        return state

    def types(self, accident_id: UUID) -> Counter[str]:
        return Counter(type(e).__name__ for e in self.system.store.history(accident_id))

    def refused(self, command, who: Principal | None = None, error: type[DomainError] = DomainError) -> DomainError:
        head = self.system.store.head()
        with pytest.raises(error) as caught:
            self.run(command, who or self.investigator)
        assert self.system.store.head() == head  # a refusal writes nothing
        return caught.value


@pytest.fixture
def scene(system: System) -> Scene:
    return Scene(system)


def irregularities(accident: ac.Accident) -> list[str]:
    return [f.irregularity.value for f in accident.flags]


def test_an_accident_reported_on_time_is_graded_and_flags_nothing(scene: Scene) -> None:
    accident_id = scene.record()
    scene.report(accident_id)
    assert scene.tick() == 0
    accident = scene.accident(accident_id)
    assert accident.grade == AccidentGrade.general
    assert accident.flags == ()
    assert not accident.concealment_suspected
    assert accident.listed_by_id is None
    recorded = scene.system.store.history(accident_id)[0]
    assert recorded.envelope.rules_version
    assert recorded.effective_at == OCCURRED


@pytest.mark.parametrize(("after", "late"), [(timedelta(minutes=59, seconds=59), False), (timedelta(hours=1), False),
                                             (timedelta(hours=1, seconds=1), True)])
def test_the_first_report_is_late_after_the_heads_hour(scene: Scene, after: timedelta, late: bool) -> None:
    """单位负责人接到报告后1小时内 (493号令 第9条): the clock starts when the head learned of it, not at the
    accident."""
    informed = OCCURRED + timedelta(minutes=30)
    accident_id = scene.record(unit_head_informed_at=informed, known_at=informed + after)
    scene.report(accident_id, received_at=informed + after)
    scene.tick()
    assert irregularities(scene.accident(accident_id)) == (["late_first_report"] if late else [])
    assert scene.tick() == 0  # once


def test_an_unknown_informing_time_is_a_finding_and_the_first_report_may_state_it(scene: Scene) -> None:
    accident_id = scene.record(unit_head_informed_at=None)
    scene.tick()
    assert irregularities(scene.accident(accident_id)) == ["head_informed_unknown"]
    scene.report(accident_id, unit_head_informed_at=OCCURRED + timedelta(minutes=5),
                 received_at=OCCURRED + timedelta(hours=2))
    scene.tick()
    accident = scene.accident(accident_id)
    assert accident.unit_head_informed_at == OCCURRED + timedelta(minutes=5)  # never replaced by occurred_at
    assert irregularities(accident) == ["head_informed_unknown", "late_first_report"]


def test_a_report_missing_mandatory_items_is_flagged_omitted(scene: Scene) -> None:
    accident_id = scene.record()
    scene.report(accident_id, items=(ac.ReportItem.unit, ac.ReportItem.time, ac.ReportItem.place))
    scene.tick()
    (flag,) = scene.accident(accident_id).flags
    assert flag.irregularity == ac.Irregularity.omitted_items
    assert "直接经济损失" in flag.detail


@pytest.mark.parametrize(("after", "late"), [(timedelta(hours=2) - timedelta(seconds=1), False),
                                             (timedelta(hours=2), False), (timedelta(hours=2, seconds=1), True)])
def test_each_level_passes_the_report_up_within_two_hours(scene: Scene, after: timedelta, late: bool) -> None:
    """每级上报的时间不得超过2小时 (493号令 第11条), checked link by link."""
    accident_id = scene.record()
    received = OCCURRED + timedelta(minutes=40)
    scene.report(accident_id, receiving_unit_id=scene.world.county, received_at=received)
    scene.report(accident_id, ac.ReportKind.upward, sender_unit_id=scene.world.county,
                 receiving_unit_id=scene.world.city, received_at=received + after, summary="上报市政府")
    scene.tick()
    accident = scene.accident(accident_id)
    assert [r.receiving_level.value for r in accident.reports] == ["county", "city"]
    assert irregularities(accident) == (["late_upward_report"] if late else [])


@pytest.mark.parametrize(("kind", "day", "late"), [
    (ac.AccidentKind.work, 29, False), (ac.AccidentKind.work, 30, False), (ac.AccidentKind.work, 31, True),
    (ac.AccidentKind.fire, 6, False), (ac.AccidentKind.fire, 7, False), (ac.AccidentKind.fire, 8, True),
    (ac.AccidentKind.road_traffic, 7, False), (ac.AccidentKind.road_traffic, 8, True),
])
def test_casualties_raised_after_the_window_are_flagged(scene: Scene, kind: ac.AccidentKind, day: int,
                                                        late: bool) -> None:
    """自事故发生之日起30日内 (道路交通、火灾 7日内) 伤亡人数发生变化的, 应当及时补报 (493号令 第13条)."""
    accident_id = scene.record(kind=kind)
    scene.report(accident_id)
    scene.report(accident_id, ac.ReportKind.supplementary, received_at=OCCURRED + timedelta(days=day),
                 figures=Figures(deaths=2, serious_injuries=2, direct_loss_yuan=800_000), summary="补报")
    scene.tick()
    flags = irregularities(scene.accident(accident_id))
    assert ("late_supplementary" in flags) == late
    assert "omitted_casualties" in flags  # the first report left a casualty out


def test_a_death_added_on_day_twelve_regrades_the_accident_once(scene: Scene) -> None:
    accident_id = scene.record(figures=Figures(deaths=2))
    scene.report(accident_id, figures=Figures(deaths=2))
    scene.report(accident_id, ac.ReportKind.supplementary, received_at=OCCURRED + timedelta(days=12),
                 figures=Figures(deaths=3), summary="一名重伤者抢救无效死亡")
    accident = scene.accident(accident_id)
    assert accident.grade == AccidentGrade.serious
    assert accident.figures.deaths == 3
    regraded = [e for e in scene.system.store.history(accident_id) if isinstance(e, ac.AccidentRegraded)]
    assert [(e.previous, e.grade, e.reached_by, e.report_no) for e in regraded] == [
        (AccidentGrade.general, AccidentGrade.serious, ("deaths",), 2)]
    assert regraded[0].effective_at == OCCURRED + timedelta(days=12)
    scene.report(accident_id, ac.ReportKind.supplementary, received_at=OCCURRED + timedelta(days=13),
                 figures=Figures(deaths=3, direct_loss_yuan=2_000_000), summary="补报损失")
    assert scene.types(accident_id)["AccidentRegraded"] == 1  # same grade: no new regrade


def test_a_tip_first_accident_is_suspected_concealed_listed_and_escalation_proposed_once(scene: Scene) -> None:
    known = OCCURRED + timedelta(hours=1)
    scene.walk(known)
    tip_id = scene.receive(subject=t.ConcealedAccidentSubject(unit_id=scene.world.enterprise,
                                                              description="灌装车间起火, 有人受伤未报"),
                           effective_at=known)
    accident_id = scene.record(known_from=ac.KnownFrom.tip, tip_id=tip_id, known_at=known)
    assert not scene.accident(accident_id).concealment_suspected  # the record is the fact; the policy judges it
    assert scene.tick() == 1
    assert scene.tick() == 0
    accident = scene.accident(accident_id)
    assert accident.concealment_suspected
    assert accident.listed_by_id == scene.committee
    assert accident.escalation_proposed is not None
    assert accident.escalation_proposed.value == "city"
    scene.report(accident_id, received_at=OCCURRED + timedelta(hours=3, minutes=10))  # three hours late
    scene.tick()
    scene.report(accident_id, ac.ReportKind.supplementary, received_at=OCCURRED + timedelta(days=12),
                 figures=Figures(deaths=3), summary="补报")
    for _ in range(3):
        scene.tick()
    counts = scene.types(accident_id)
    assert (counts["ConcealmentSuspected"], counts["AccidentListed"], counts["EscalatedInvestigationProposed"]) == (
        1, 1, 1)
    suspected = next(e for e in scene.system.store.history(accident_id) if isinstance(e, ac.ConcealmentSuspected))
    assert "§32" in (suspected.envelope.basis or "")
    assert suspected.effective_at == known
    assert suspected.envelope.causation_id == scene.system.store.history(accident_id)[0].id
    assert "late_first_report" in irregularities(scene.accident(accident_id))
    tip = scene.system.store.get(tip_id)
    assert [o.kind for o in tip.outcomes] == [t.OutcomeKind.accident]  # linked in the same command


def test_a_police_record_before_the_units_report_is_suspect_the_units_own_report_is_not(scene: Scene) -> None:
    accident_id = scene.record(known_from=ac.KnownFrom.police, known_at=OCCURRED + timedelta(minutes=20))
    plain = scene.record()
    scene.report(plain)
    scene.tick()
    assert scene.accident(accident_id).concealment_suspected  # known from the police before any unit report
    assert scene.types(plain)["ConcealmentSuspected"] == 0


def test_refusals_write_nothing(scene: Scene) -> None:
    accident_id = scene.record()
    scene.walk(OCCURRED + timedelta(hours=1))
    assert scene.refused(a.ReportAccident(
        accident_id=accident_id, kind=ac.ReportKind.supplementary, sender_unit_id=scene.world.enterprise,
        receiving_unit_id=scene.world.department, received_at=OCCURRED + timedelta(hours=1), items=ALL_ITEMS,
        figures=Figures(), summary="x"), error=Rejected).code == "no-first-report"
    assert scene.refused(a.ReportAccident(
        accident_id=accident_id, kind=ac.ReportKind.first, sender_unit_id=scene.world.department,
        receiving_unit_id=scene.world.department, received_at=OCCURRED + timedelta(hours=1), items=ALL_ITEMS,
        figures=Figures(), summary="x"), error=Rejected).code == "first-report-by-unit"
    assert scene.refused(a.ReportAccident(
        accident_id=accident_id, kind=ac.ReportKind.first, sender_unit_id=scene.world.enterprise,
        receiving_unit_id=scene.world.town_a, received_at=OCCURRED + timedelta(hours=1), items=ALL_ITEMS,
        figures=Figures(), summary="x"), error=Rejected).code == "not-a-reporting-level"
    scene.report(accident_id)
    assert scene.refused(a.ReportAccident(
        accident_id=accident_id, kind=ac.ReportKind.first, sender_unit_id=scene.world.enterprise,
        receiving_unit_id=scene.world.department, received_at=OCCURRED + timedelta(hours=1), items=ALL_ITEMS,
        figures=Figures(), summary="x"), error=Conflict).code == "already-reported"
    base: dict[str, Any] = {"unit_id": scene.world.enterprise, "kind": ac.AccidentKind.work, "occurred_at": OCCURRED,
                            "place": "x", "description": "x", "known_from": ac.KnownFrom.unit_report,
                            "known_at": OCCURRED}
    assert scene.refused(a.RecordAccident(**{**base, "known_at": OCCURRED - timedelta(minutes=1)}),
                         error=Rejected).code == "known-before-occurred"
    later = scene.system.service.clock.now() + timedelta(minutes=1)
    assert scene.refused(a.RecordAccident(**{**base, "known_at": later}), error=Rejected).code == "known-in-the-future"
    assert scene.refused(a.ReportAccident(
        accident_id=accident_id, kind=ac.ReportKind.supplementary, sender_unit_id=scene.world.enterprise,
        receiving_unit_id=scene.world.department, received_at=later, items=ALL_ITEMS, figures=Figures(),
        summary="x"), error=Rejected).code == "received-out-of-time"
    assert scene.refused(a.RecordAccident(**{**base, "known_from": ac.KnownFrom.tip}),
                         error=Rejected).code == "tip-reference"
    assert scene.refused(a.RecordAccident(**base), Principal("v", "viewer", COUNTY), Forbidden).code == (
        "role-not-allowed")
    # a unit outside the caller's jurisdiction reads as unknown (declared references, domain/references.py)
    scene.refused(a.RecordAccident(**base), Principal("i", "investigator", TOWN_B), NotFound)


def test_no_first_report_by_the_heads_hour_is_flagged_when_the_hour_ends_once(scene: Scene) -> None:
    """Nothing arrives: the worker flags 迟报 when the head's hour has passed without a first report (493号令 第9条:
    单位负责人接到报告后, 应当于1小时内报告); a late first report later does not flag it again."""
    informed = OCCURRED + timedelta(minutes=10)
    accident_id = scene.record(known_from=ac.KnownFrom.police, known_at=OCCURRED + timedelta(minutes=20))
    scene.tick()  # the suspicion only: the hour has not passed
    assert irregularities(scene.accident(accident_id)) == []
    assert scene.tick(informed + timedelta(hours=1) - timedelta(seconds=1)) == 0
    assert scene.tick(informed + timedelta(hours=1)) == 0  # within the hour ("1小时内" includes its end)
    assert scene.tick(informed + timedelta(hours=1, seconds=1)) == 1
    (flag,) = scene.accident(accident_id).flags
    assert (flag.irregularity, flag.report_no) == (ac.Irregularity.late_first_report, None)
    assert "未见首报" in flag.detail
    raised = scene.system.store.history(accident_id)[-1]
    assert raised.effective_at == informed + timedelta(hours=1)  # effective when it fell due
    assert raised.envelope.causation_id == scene.system.store.history(accident_id)[0].id
    for _ in range(3):
        assert scene.tick() == 0
    scene.report(accident_id, received_at=informed + timedelta(hours=3))
    scene.tick()
    assert irregularities(scene.accident(accident_id)) == ["late_first_report"]
    assert scene.types(accident_id)["ReportingIrregularityFlagged"] == 1


def test_a_first_report_received_in_time_but_recorded_after_the_flag_withdraws_it(scene: Scene) -> None:
    """The flag was right as the log stood; a report received within the hour and recorded later contradicts it."""
    informed = OCCURRED + timedelta(minutes=10)
    accident_id = scene.record()
    assert scene.tick(informed + timedelta(hours=2)) == 1
    assert irregularities(scene.accident(accident_id)) == ["late_first_report"]
    scene.report(accident_id, received_at=informed + timedelta(minutes=30))  # received in time, recorded now
    assert scene.tick() == 1
    assert scene.accident(accident_id).flags == ()
    assert scene.tick() == 0
    counts = scene.types(accident_id)
    assert (counts["ReportingIrregularityFlagged"], counts["ReportingFlagWithdrawn"]) == (1, 1)


def test_a_level_that_never_passes_the_report_on_is_flagged_when_its_two_hours_end(scene: Scene) -> None:
    """每级上报的时间不得超过2小时 (493号令 第11条): the county received it and nothing reached the city (一般事故
    climbs to 设区的市级, 第10条)."""
    accident_id = scene.record()
    received = OCCURRED + timedelta(minutes=40)
    scene.report(accident_id, receiving_unit_id=scene.world.county, received_at=received)
    assert scene.tick(received + timedelta(hours=2)) == 0
    assert scene.tick(received + timedelta(hours=2, seconds=1)) == 1
    (flag,) = scene.accident(accident_id).flags
    assert (flag.irregularity, flag.report_no) == (ac.Irregularity.late_upward_report, 1)
    assert "未见上报" in flag.detail
    assert scene.tick() == 0
    scene.report(accident_id, ac.ReportKind.upward, sender_unit_id=scene.world.county,
                 receiving_unit_id=scene.world.city, received_at=received + timedelta(hours=5), summary="上报市政府")
    assert scene.tick() == 0  # late, and already flagged: once
    assert scene.types(accident_id)["ReportingIrregularityFlagged"] == 1


def test_a_regrade_makes_the_top_level_pass_it_on_within_two_hours_of_the_report_that_raised_it(
        scene: Scene) -> None:
    """较大事故 climbs to 省级 (第10条): the city, the top level for 一般, passes the regraded report on."""
    accident_id = scene.record(figures=Figures(deaths=2))
    received = OCCURRED + timedelta(minutes=40)
    scene.report(accident_id, receiving_unit_id=scene.world.county, received_at=received, figures=Figures(deaths=2))
    scene.report(accident_id, ac.ReportKind.upward, sender_unit_id=scene.world.county,
                 receiving_unit_id=scene.world.city, received_at=received + timedelta(hours=1), summary="上报市政府",
                 figures=Figures(deaths=2))
    day12 = OCCURRED + timedelta(days=12)
    scene.report(accident_id, ac.ReportKind.supplementary, sender_unit_id=scene.world.county,
                 receiving_unit_id=scene.world.city, received_at=day12, figures=Figures(deaths=3), summary="补报")
    assert scene.accident(accident_id).grade == AccidentGrade.serious
    scene.tick(day12 + timedelta(hours=2))
    assert "late_upward_report" not in irregularities(scene.accident(accident_id))
    scene.tick(day12 + timedelta(hours=2, seconds=1))
    flags = {(f.irregularity.value, f.report_no) for f in scene.accident(accident_id).flags}
    assert ("late_upward_report", 2) in flags  # report 2 first reached the city
