"""Oversight flags: 零执法 and a committee head's missing monthly inspection, raised once, withdrawn on late records.

Sources: seed 000 §25 (零执法、零处罚); seed 002 §(一)3 (专委会主任每月至少开展1次对分管行业领域的安全生产检查);
seed 004 §三(一)1(4) (专项行动期间，主要负责人每月要带队对本单位…至少开展1次检查); docs/rules.md R12.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from application import inspections as ai
from application import organisation as o
from application import responsibility as rs
from application.authorization import Principal
from domain import oversight as ov
from domain.calendar import CST
from domain.inspections import InspectionKind
from domain.posts import PostKind
from domain.rules import local
from domain.rules.campaigns import campaigns_in
from domain.units import CommitteeProfile
from tests.conftest import COUNTY, REGISTRAR
from tests.inspection_scene import CHECKLIST, Scene

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


def test_a_department_without_enforcement_in_a_month_is_flagged_once(scene: Scene, system: System, clock) -> None:
    enforcement_in_february(scene, clock)  # 城管局 inspected; 应急管理局 did not
    system.runner.catch_up()
    clock.set(JUDGED - timedelta(seconds=1))
    assert system.worker.tick() == 0, "four days and a bit after the month: not judged yet"
    clock.set(JUDGED)
    assert system.worker.tick() == 1
    assert system.worker.tick() == 0, "firing again writes nothing"
    raised = flags(system, ov.FlagKind.zero_enforcement)
    assert [(f["subject_id"], f["found"], f["withdrawn"]) for f in raised] == [(str(scene.other_department), 0,
                                                                                False)]
    event = system.store.history(UUID(raised[0]["flag_id"]))[0]
    assert isinstance(event, ov.ZeroEnforcementFlagged)
    assert event.envelope.actor.role == "system"
    assert event.envelope.rules_version.startswith("cn-base@")
    assert "§25" in (event.envelope.basis or "")
    assert event.effective_at == JUDGED, "effective when the month fell due"
    assert raised[0]["unit_name"] == "泉港区应急管理局"


def test_a_late_record_of_an_inspection_withdraws_the_flag(scene: Scene, system: System, clock) -> None:
    enforcement_in_february(scene, clock)
    system.runner.catch_up()
    clock.set(JUDGED)
    system.worker.tick()
    (flag,) = flags(system, ov.FlagKind.zero_enforcement)
    clock.set(JUDGED + timedelta(days=3))
    late = scene.other_inspector_principal
    partner = scene.world.person(21, name="应急检查员二")
    inspection = system.service.execute(ai.OpenInspection(
        kind=InspectionKind.enforcement, title="危化品执法检查", target_unit_id=scene.other_enterprise,
        inspectors=[scene.other_inspector, partner], checklist=CHECKLIST, effective_at=FEB + timedelta(days=5)),
        late).id
    system.service.execute(ai.SignInspection(inspection_id=inspection, effective_at=FEB + timedelta(days=5)), late)
    system.service.execute(ai.SignInspection(inspection_id=inspection, effective_at=FEB + timedelta(days=5)),
                           Principal("p", "enforcement", COUNTY, person_id=partner))
    system.service.execute(ai.CompleteInspection(inspection_id=inspection, effective_at=FEB + timedelta(days=5)), late)
    system.runner.catch_up()
    assert system.worker.tick() == 1
    (after,) = flags(system, ov.FlagKind.zero_enforcement)
    assert (after["flag_id"], after["withdrawn"], after["found"]) == (flag["flag_id"], True, 1)
    shown_then = system.queries.oversight.flags("350000", known_at=JUDGED + timedelta(days=1), period="2025-02")
    assert [f["withdrawn"] for f in shown_then] == [False], "before the late record the flag stood"
    assert [type(e).__name__ for e in system.store.history(UUID(flag["flag_id"]))] == ["ZeroEnforcementFlagged",
                                                                                 "FlagWithdrawn"]


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
    assert [(f["kind"], f["term"], f["subject_id"]) for f in county.json()] == [
        ("zero_enforcement", "零执法", str(scene.other_department))]
    town = client.get("/api/v1/oversight-flags", headers=token("viewer", f"{COUNTY}/350505001000"))
    assert town.json() == []
    enforcement = client.get("/api/v1/statistics/enforcement?month=2025-02", headers=token("viewer", COUNTY))
    assert enforcement.status_code == 200, enforcement.text
    counts = {r["department_id"]: r["inspections"] for r in enforcement.json()}
    assert counts == {str(scene.department): 1, str(scene.other_department): 0}
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
