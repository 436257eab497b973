"""Oversight flags: 零执法 and a committee head's missing monthly inspection, raised once, withdrawn on late records.

Sources: seed 000 §25 (零执法、零处罚); seed 002 §(一)3 (专委会主任每月至少开展1次对分管行业领域的安全生产检查);
seed 004 §三(一)1(4) (专项行动期间，主要负责人每月要带队对本单位…至少开展1次检查); docs/rules.md R12.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.bootstrap import System
from application import cases as c
from application import hazards as h
from application import inspections as ai
from application import organisation as o
from application import responsibility as rs
from application.authorization import Principal
from domain import cases as cs
from domain import hazards as hz
from domain import oversight as ov
from domain.calendar import CST
from domain.inspections import InspectionKind
from domain.posts import PostKind
from domain.rules import local
from domain.rules import oversight as rules
from domain.rules.campaigns import campaigns_in
from domain.units import Closure, CommitteeProfile, DepartmentProfile, SupervisionAssigned
from infrastructure.persistence import OrjsonTranscoder, PydanticMapper
from projections.oversight import FLAGS
from tests.conftest import COUNTY, REGISTRAR
from tests.inspection_scene import Scene
from tests.read_models import live_rows, on_table, statements_sent

FEB = datetime(2025, 2, 10, 10, 0, tzinfo=CST)
JUDGED = datetime(2025, 3, 6, 0, 0, tzinfo=CST)
"""February is judged once five whole days of March have passed (oversight.grace_days = 5)."""


@pytest.fixture
def scene(system: System, clock) -> Scene:
    return Scene(system)


def flags(system: System, kind: ov.FlagKind | None = None) -> list:
    system.runner.catch_up()
    return system.queries.oversight.flags("350000", known_at=system.service.clock.now(),
                                          kind=kind.value if kind else None, period="2025-02")


def enforcement_in_february(scene: Scene, clock, who: int = 0) -> None:
    clock.set(FEB)
    scene.completed()


def test_a_department_that_penalised_nobody_in_a_month_is_flagged_once(scene: Scene, system: System, clock) -> None:
    """零执法 and 零处罚 (seed 000 §25): an inspection is not an enforcement act (以检查代替执法) — both departments
    supervised something in February and decided no penalty, the one that inspected included."""
    enforcement_in_february(scene, clock)  # 城管局 inspected; 应急管理局 did not
    system.runner.catch_up()
    clock.set(JUDGED - timedelta(seconds=1))
    system.worker.tick()  # January is judged: both supervised from 6 January
    assert flags(system) == [], "four days and a bit after February: not judged yet"
    clock.set(JUDGED)
    assert system.worker.tick() == 4, "零执法 and 零处罚 for each department"
    assert system.worker.tick() == 0, "firing again writes nothing"
    raised = flags(system, ov.FlagKind.zero_enforcement)
    assert sorted((f["subject_id"], f["found"], f["withdrawn"]) for f in raised) == sorted(
        [(str(scene.other_department), 0, False), (str(scene.department), 0, False)])
    assert {f["subject_id"] for f in flags(system, ov.FlagKind.zero_penalty)} == {str(scene.department),
                                                                                  str(scene.other_department)}
    event = system.store.history(UUID(next(f["flag_id"] for f in raised
                                            if f["subject_id"] == str(scene.department))))[0]
    assert isinstance(event, ov.ZeroEnforcementFlagged)
    assert (event.inspections, event.penalties) == (1, 0), "the inspection is recorded, not counted"
    assert event.envelope.actor.role == "system"
    assert event.envelope.rules_version.startswith("cn-base@")
    assert "§25" in (event.envelope.basis or "")
    assert event.effective_at == JUDGED, "effective when the month fell due"


def decided_in_february(scene: Scene, system: System) -> None:
    """A penalty case of 城管局 against its enterprise, decided on 25 February, recorded in March."""
    officer = Principal("test:enforcement", "enforcement", COUNTY)
    hazard = system.service.execute(h.ReportHazard(
        unit_id=scene.enterprise, grade=hz.HazardGrade.general, description="燃气管道腐蚀",
        source=hz.HazardSource.grid_patrol, effective_at=FEB), officer).id
    case_id = system.service.execute(c.OpenCase(
        unit_id=scene.enterprise, department_id=scene.department, article="安全生产法 第102条", violation="未消除隐患",
        violated_at=FEB, source_kind=cs.SourceKind.hazard, source_id=hazard, effective_at=FEB), officer).id
    system.service.execute(c.ServePenaltyNotice(case_id=case_id, effective_at=FEB), officer)
    day = datetime(2025, 2, 25, 10, 0, tzinfo=CST)
    system.service.execute(c.CompleteLegalReview(case_id=case_id, opinion="同意", effective_at=day), officer)
    system.service.execute(c.DecideCase(case_id=case_id, decision_no="泉港城管罚〔2025〕1号",
                                        unit_yuan=Decimal(12_500), effective_at=day), officer)


def test_a_late_record_of_a_penalty_withdraws_both_flags(scene: Scene, system: System, clock) -> None:
    enforcement_in_february(scene, clock)
    system.runner.catch_up()
    clock.set(JUDGED)
    system.worker.tick()
    raised = {f["kind"]: f for f in flags(system) if f["subject_id"] == str(scene.department)}
    clock.set(JUDGED + timedelta(days=3))
    decided_in_february(scene, system)
    system.runner.catch_up()
    assert system.worker.tick() == 2
    after = {f["kind"]: f for f in flags(system) if f["subject_id"] == str(scene.department)}
    for kind in ("zero_enforcement", "zero_penalty"):
        assert (after[kind]["flag_id"], after[kind]["withdrawn"], after[kind]["found"]) == (
            raised[kind]["flag_id"], True, 1)
        assert [type(e).__name__ for e in system.store.history(UUID(raised[kind]["flag_id"]))][-1] == "FlagWithdrawn"
    shown_then = system.queries.oversight.flags("350000", known_at=JUDGED + timedelta(days=1), period="2025-02")
    assert not any(f["withdrawn"] for f in shown_then), "before the late record the flags stood"
    other = [f for f in flags(system) if f["subject_id"] == str(scene.other_department)]
    assert [f["withdrawn"] for f in other] == [False, False]


# 零执法 = no penalty decided and no order issued; 零处罚 = no penalty decided (seed 000 ¶25:
# "以检查代替执法、以整改代替执法…消除'零执法、零处罚'现象"). Boundaries n−1, n, n+1 around one act.
@pytest.mark.parametrize(("penalties", "orders", "zero_enforcement", "zero_penalty"), [
    (0, 0, True, True),
    (0, 1, False, True),
    (0, 2, False, True),
    (1, 0, False, False),
    (2, 0, False, False),
    (1, 1, False, False),
])
def test_which_month_of_a_department_is_flagged(penalties: int, orders: int, zero_enforcement: bool,
                                                zero_penalty: bool) -> None:
    counts = rules.MonthCounts(penalties=penalties, orders=orders, inspections=5)
    assert (rules.zero_enforcement(counts), rules.zero_penalty(counts)) == (zero_enforcement, zero_penalty), (
        "five inspections change nothing: 以检查代替执法")
    assert rules.acts_found(ov.FlagKind.zero_enforcement, counts) == penalties + orders
    assert rules.acts_found(ov.FlagKind.zero_penalty, counts) == penalties


def ordered_in_february(scene: Scene, system: System, clock, day: int = 12, *, late: bool = False) -> UUID:
    """城管局's inspector orders the rectification of a hazard of its enterprise (责令限期整改) on ``day`` February —
    or, ``late``, records it now with that effective time."""
    when = datetime(2025, 2, day, 10, 0, tzinfo=CST)
    if not late:
        clock.set(when)
    hazard = system.service.execute(h.ReportHazard(
        unit_id=scene.enterprise, grade=hz.HazardGrade.general, description="调压箱锈蚀",
        source=hz.HazardSource.grid_patrol, effective_at=when), scene.inspector(0)).id
    system.service.execute(h.OrderRectification(hazard_id=hazard, mode=hz.RectificationMode.deadline,
                                                deadline=datetime(2025, 3, 31).date(), requirements="更换调压箱",
                                                effective_at=when), scene.inspector(0))
    return hazard


def test_an_order_is_an_enforcement_act_but_not_a_penalty(scene: Scene, system: System, clock) -> None:
    """One order in February: 城管局 is not 零执法 but still 零处罚; 应急管理局, with neither, is both."""
    ordered_in_february(scene, system, clock)
    system.runner.catch_up()
    clock.set(JUDGED - timedelta(seconds=1))
    system.worker.tick()  # January
    clock.set(JUDGED)
    assert system.worker.tick() == 3
    by_kind = {(f["kind"], f["subject_id"]) for f in flags(system)}
    assert by_kind == {("zero_penalty", str(scene.department)), ("zero_penalty", str(scene.other_department)),
                       ("zero_enforcement", str(scene.other_department))}
    [penalty] = [f for f in flags(system, ov.FlagKind.zero_penalty) if f["subject_id"] == str(scene.department)]
    event = system.store.history(UUID(penalty["flag_id"]))[0]
    assert isinstance(event, ov.ZeroPenaltyFlagged)
    assert (event.orders, event.inspections) == (1, 0)
    [other] = flags(system, ov.FlagKind.zero_enforcement)
    first = system.store.history(UUID(other["flag_id"]))[0]
    assert isinstance(first, ov.ZeroEnforcementFlagged)
    assert (first.penalties, first.orders) == (0, 0)
    assert system.worker.tick() == 0


def test_a_late_record_of_an_order_withdraws_zero_enforcement_only(scene: Scene, system: System, clock) -> None:
    system.runner.catch_up()
    clock.set(JUDGED - timedelta(seconds=1))
    system.worker.tick()  # January
    clock.set(JUDGED)
    assert system.worker.tick() == 4
    raised = {f["kind"]: f for f in flags(system) if f["subject_id"] == str(scene.department)}
    clock.set(JUDGED + timedelta(days=2))
    ordered_in_february(scene, system, clock, day=20, late=True)  # recorded in March, effective in February
    system.runner.catch_up()
    assert system.worker.tick() == 1
    after = {f["kind"]: f for f in flags(system) if f["subject_id"] == str(scene.department)}
    assert (after["zero_enforcement"]["withdrawn"], after["zero_enforcement"]["found"]) == (True, 1)
    assert after["zero_penalty"]["withdrawn"] is False, "an order is no penalty"
    assert after["zero_enforcement"]["flag_id"] == raised["zero_enforcement"]["flag_id"]


def test_a_zero_enforcement_flag_stored_before_orders_were_counted_still_loads(scene: Scene, system: System,
                                                                               clock) -> None:
    """v1 (no ``orders``) loads through the upcaster: 零执法 with ``orders`` null (it counted penalties alone), 零处罚
    with 0."""
    system.runner.catch_up()
    clock.set(JUDGED)
    system.worker.tick()
    [raised] = [f for f in flags(system, ov.FlagKind.zero_enforcement) if f["subject_id"] == str(scene.department)]
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    stored = mapper.to_stored_event(system.store.history(UUID(raised["flag_id"]))[0])
    old_state = orjson.loads(stored.state)
    assert old_state.pop("class_version") == 2
    del old_state["orders"]
    old = mapper.to_domain_event(StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                                             orjson.dumps(old_state)))
    assert isinstance(old, ov.ZeroEnforcementFlagged)
    assert (old.penalties, old.orders) == (0, None)
    [penalty] = [f for f in flags(system, ov.FlagKind.zero_penalty) if f["subject_id"] == str(scene.department)]
    stored = mapper.to_stored_event(system.store.history(UUID(penalty["flag_id"]))[0])
    old_state = orjson.loads(stored.state)
    assert old_state.pop("class_version") == 2
    del old_state["orders"]
    v1 = mapper.to_domain_event(StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                                            orjson.dumps(old_state)))
    assert isinstance(v1, ov.ZeroPenaltyFlagged)
    assert v1.orders == 0, "a v1 零处罚 flag did not count orders"


def test_departments_are_judged_by_what_they_supervised_in_the_month(scene: Scene, system: System, clock) -> None:
    """Not today's supervision: 应急管理局 supervised its plant in February, though the plant went to 城管局 in
    March; a department that supervised nothing in February is not judged for it."""
    newcomer = scene.world.run(REGISTRAR, o.RegisterUnit(profile=DepartmentProfile(
        name="泉港区交通运输局", functions=("道路运输",)), parent_id=scene.world.county))
    march = datetime(2025, 3, 1, 9, 0, tzinfo=CST)
    clock.set(march)
    scene.world.run(REGISTRAR, o.AssignSupervision(unit_id=scene.other_enterprise, department_id=newcomer,
                                                   effective_at=march))
    system.runner.catch_up()
    clock.set(JUDGED)
    system.worker.tick()
    assert {f["subject_id"] for f in flags(system, ov.FlagKind.zero_penalty)} == {
        str(scene.department), str(scene.other_department)}


def test_a_committee_head_who_led_no_inspection_in_a_month_is_flagged(scene: Scene, system: System,
                                                                     clock) -> None:
    world = scene.world
    safety_committee = world.run(REGISTRAR, o.RegisterUnit(profile=CommitteeProfile(
        kind="safety_committee", name="泉港区安全生产委员会"), parent_id=world.county))
    committee = world.run(REGISTRAR, o.RegisterUnit(profile=CommitteeProfile(
        kind="special_committee", name="泉港区城镇燃气安全专业委员会", sectors=("城镇燃气",)),
        parent_id=safety_committee))
    other_committee = world.run(REGISTRAR, o.RegisterUnit(profile=CommitteeProfile(
        kind="special_committee", name="泉港区危化品安全专业委员会", sectors=("危险化学品",)),
        parent_id=safety_committee))
    heads = [world.person(40, "燃气专委会主任"), world.person(41, "危化专委会主任"), world.person(42, "安委会主任")]
    # seed 002 §(一)3: "专委会主任每月至少开展1次" — the 安委会主任 is not bound by it (cn-base@2024.3).
    for unit, person in zip((committee, other_committee, safety_committee), heads, strict=True):
        post = world.post(unit, PostKind.committee_head, "专委会主任")
        world.run(REGISTRAR, rs.AppointHolder(post_id=post, person_id=person, effective_at=FEB - timedelta(days=30)))
    clock.set(FEB)
    leader = Principal("lead", "admin", "350000", person_id=heads[0])
    led = system.service.execute(ai.OpenInspection(
        kind=InspectionKind.leader, title="专委会主任带队检查", target_unit_id=scene.enterprise,
        inspecting_unit_id=committee, inspectors=[heads[0]], led_by=heads[0]), leader).id
    system.service.execute(ai.SignInspection(inspection_id=led), leader)
    system.service.execute(ai.CompleteInspection(inspection_id=led), leader)
    # seed 002 §(一)3: "对分管行业领域的安全生产检查" — the 危化 head's inspection of a gas company is not his sector
    outsider = Principal("lead2", "admin", "350000", person_id=heads[1])
    elsewhere = system.service.execute(ai.OpenInspection(
        kind=InspectionKind.leader, title="危化专委会主任检查燃气企业", target_unit_id=scene.enterprise,
        inspecting_unit_id=other_committee, inspectors=[heads[1]], led_by=heads[1]), outsider).id
    system.service.execute(ai.SignInspection(inspection_id=elsewhere), outsider)
    system.service.execute(ai.CompleteInspection(inspection_id=elsewhere), outsider)
    system.runner.catch_up()
    clock.set(JUDGED)
    system.worker.tick()
    missed = flags(system, ov.FlagKind.leader_inspection_missed)
    assert [(f["subject_id"], f["found"], f["required"]) for f in missed] == [(str(heads[1]), 0, 1)]
    assert missed[0]["person_name"] == "危化专委会主任"


def test_flags_over_http_are_scoped(client: TestClient, scene: Scene, system: System, clock, token) -> None:
    enforcement_in_february(scene, clock)
    system.runner.catch_up()
    clock.set(JUDGED)
    system.worker.tick()
    position = system.store.head()
    county = client.get(f"/api/v1/oversight-flags?period=2025-02&min_position={position}",
                        headers=token("viewer", COUNTY))
    assert county.status_code == 200, county.text
    assert sorted((f["kind"], f["term"], f["subject_id"]) for f in county.json()) == sorted(
        (kind, term, str(d)) for kind, term in (("zero_enforcement", "零执法"), ("zero_penalty", "零处罚"))
        for d in (scene.department, scene.other_department))
    town = client.get("/api/v1/oversight-flags", headers=token("viewer", f"{COUNTY}/350505001000"))
    assert town.json() == []
    enforcement = client.get("/api/v1/statistics/enforcement?month=2025-02", headers=token("viewer", COUNTY))
    assert enforcement.status_code == 200, enforcement.text
    counts = {r["department_id"]: (r["inspections"], r["penalties"], r["zero_enforcement"], r["zero_penalty"])
              for r in enforcement.json()}
    assert counts == {str(scene.department): (1, 0, True, True), str(scene.other_department): (0, 0, True, True)}
    bad = client.get("/api/v1/statistics/enforcement?month=2025-13", headers=token("viewer", COUNTY))
    assert bad.status_code == 422


def test_months_are_judged_within_the_look_back_and_no_further(scene: Scene, system: System, clock) -> None:
    """oversight.lookback_months = 3: judged in June, February (4 months back) is not judged; March–May are."""
    system.runner.catch_up()
    clock.set(datetime(2025, 6, 6, 0, 0, tzinfo=CST))
    system.worker.tick()
    system.runner.catch_up()
    periods = {f["period"] for f in system.queries.oversight.flags("350000", known_at=clock.now())}
    assert periods == {"2025-03", "2025-04", "2025-05"}


@pytest.mark.parametrize(("month", "runs"), [("2023-05", False), ("2023-06", True), ("2023-12", True),
                                             ("2024-01", False)])
def test_the_campaign_of_seed_004_runs_from_june_to_december_2023(month: str, runs: bool) -> None:
    """Seed 004 §四: 专项行动至12月底结束, 动员部署 by late May; June is its first whole month (local reading)."""
    found = [c for c in campaigns_in(month) if c.code == "jicui-2023-major-hazards"]
    assert bool(found) == runs
    if found:
        assert "§三(一)1(4)" in found[0].basis
        assert found[0].per_month == 1


def test_a_main_leader_without_a_check_of_their_unit_in_a_campaign_month_is_flagged_once(
        scene: Scene, system: System, clock, monkeypatch) -> None:
    """A deployment that sets the 积翠镇 pack's scope to its path (here the test county) and its campaign to February
    2025: the gas company's main responsible person, holding the post all month, led no check of it."""
    jicui = next(p for p in local.LOCAL_PACKS if p.name == "jicui")
    period = {**jicui.rules["campaign.periods"][0], "first_month": "2025-02", "last_month": "2025-02"}
    moved = replace(jicui, scope=COUNTY, rules={**jicui.rules, "campaign.periods": (period,)})
    monkeypatch.setattr(local, "LOCAL_PACKS", tuple(moved if p is jicui else p for p in local.LOCAL_PACKS))
    system.runner.catch_up()
    clock.set(JUDGED)
    system.worker.tick()
    system.runner.catch_up()
    assert system.worker.tick() == 0, "once"
    missed = flags(system, ov.FlagKind.campaign_check_missed)
    assert [(f["subject_id"], f["found"], f["required"]) for f in missed] == [(str(scene.main_person), 0, 1)]
    assert "§三(一)1(4)" in missed[0]["basis"]
    leader = Principal("main", "admin", "350000", person_id=scene.main_person)
    clock.set(JUDGED + timedelta(hours=1))
    check = system.service.execute(ai.OpenInspection(
        kind=InspectionKind.leader, title="主要负责人带队重大事故隐患排查", target_unit_id=scene.enterprise,
        inspecting_unit_id=scene.enterprise, inspectors=[scene.main_person], led_by=scene.main_person,
        effective_at=FEB), leader).id
    system.service.execute(ai.SignInspection(inspection_id=check), leader)
    system.service.execute(ai.CompleteInspection(inspection_id=check), leader)
    system.runner.catch_up()
    system.worker.tick()
    assert flags(system, ov.FlagKind.campaign_check_missed)[0]["withdrawn"], "a late record of the check withdraws it"


def test_a_rebuild_gives_the_spells_and_flags_the_followers_gave_in_two_statements_a_batch(
        scene: Scene, system: System, clock) -> None:
    """A batch keeps the supervision spells of the units it touches and writes them at its end, and its flags once
    (issue #15: three statements an assignment before): a rebuild in one batch, and in batches of three, leaves the
    rows the followers wrote event by event — a unit reassigned twice, once at the same moment (the spell begun then
    replaced), then closed; flags raised and withdrawn."""
    enforcement_in_february(scene, clock)
    system.runner.catch_up()
    clock.set(JUDGED)
    system.worker.tick()
    decided_in_february(scene, system)
    newcomer = scene.world.run(REGISTRAR, o.RegisterUnit(profile=DepartmentProfile(
        name="泉港区交通运输局", functions=("道路运输",)), parent_id=scene.world.county))
    march, april = datetime(2025, 3, 1, 9, 0, tzinfo=CST), datetime(2025, 4, 1, 9, 0, tzinfo=CST)
    for department, when in ((newcomer, march), (scene.other_department, april), (newcomer, april),
                             *((d, datetime(2025, month, 1, 9, 0, tzinfo=CST))
                               for month, d in ((5, scene.other_department), (6, newcomer), (7, scene.department)))):
        scene.world.run(REGISTRAR, o.AssignSupervision(unit_id=scene.other_enterprise, department_id=department,
                                                       effective_at=when))
    scene.world.run(REGISTRAR, o.CloseUnit(unit_id=scene.other_enterprise, closure=Closure.closed, reason="关闭",
                                           effective_at=datetime(2025, 7, 4, 9, 0, tzinfo=CST)))
    system.runner.catch_up()
    system.worker.tick()
    system.runner.catch_up()
    live = live_rows(system, "oversight_flags")
    with system.db.read() as conn:
        assert conn.execute(select(FLAGS).where(FLAGS.c.withdrawn_at.is_not(None))).first()
    assert len([row for row in live["supervision_spells"] if str(scene.other_enterprise) in row]) == 6
    with statements_sent(system) as sent:
        system.runner.rebuild("oversight_flags")
    statements = on_table(sent, "supervision_spells")
    assert live_rows(system, "oversight_flags") == live
    assignments = sum(1 for e in system.store.read(0, 10_000) if isinstance(e.event, SupervisionAssigned))
    assert assignments >= 8
    assert len(statements) < assignments, statements  # a batch's read, forget, store (and SQLite's swap), not 3 each
    system.runner.rebuild_batch_size = 3
    system.runner.rebuild("oversight_flags")
    assert live_rows(system, "oversight_flags") == live
