"""The assessment veto judged by the policy worker, per town and calendar year, each consequence once — seed 001 ¶30:

    辖区内生产经营单位发生1起以上非法违法生产经营建设行为且造成较大影响的，对镇（街道）和主管部门分管领导实行诫勉谈话；
    发生 3 起以上的对党政主要领导实行诫勉谈话，5 起以上的对镇（街道）和行业主管部门"一票否决"；
    辖区内发生 1 起以上（含 1 起）一般生产安全责任事故且造成人员死亡的，对镇（街道）和行业主管部门"一票否决"。

The rule lives in the 惠济区 pack (``huiji@2014.1``); here a deployment points that pack at the test county. Towns
with 0, 1, 3 and 5 acts with large impact, and one with a fatal general accident whose investigation found
responsibility (a liability accident), are judged.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from application import accountability as a
from application import organisation as o
from application.authorization import Principal
from domain import accountability as ac
from domain.rules import local
from domain.rules.assessment_veto import VetoConsequence
from domain.units import Level, TerritorialProfile
from tests.conftest import COUNTY, REGISTRAR
from tests.test_investigations import Bench

OFFICER = Principal("enf", "enforcement", COUNTY)
DEPUTIES, MAIN, VETO = (VetoConsequence.admonition_of_deputies, VetoConsequence.admonition_of_main_leaders,
                        VetoConsequence.assessment_veto)


@pytest.fixture
def huiji_here(monkeypatch) -> None:
    huiji = next(p for p in local.LOCAL_PACKS if p.name == "huiji")
    moved = replace(huiji, scope=COUNTY)
    monkeypatch.setattr(local, "LOCAL_PACKS", tuple(moved if p is huiji else p for p in local.LOCAL_PACKS))


def findings(system: System, year: int = 2025) -> dict[UUID, set[str]]:
    system.runner.catch_up()
    found: dict[UUID, set[str]] = {}
    for row in system.queries.accountability.vetoes("350000", year):
        found.setdefault(UUID(row["territory_id"]), set()).add(row["consequence"])
    return found


def test_each_town_year_is_judged_at_0_1_3_5_acts_and_a_fatal_liability_accident_once(
        huiji_here: None, system: System) -> None:
    bench = Bench(system)  # a fatal general accident at the enterprise of 山腰街道 (town_a)
    world = bench.world
    towns = {n: world.run(REGISTRAR, o.RegisterUnit(profile=TerritorialProfile(
        name=f"测试镇{n}", level=Level.town, code=f"3505051{n:02d}000"), parent_id=world.county)) for n in (3, 5, 0)}
    towns[1] = world.town_b
    for acts, town in towns.items():
        enterprise = world.enterprise_in(town, 100 + acts)
        for k in range(acts):
            world.run(OFFICER, a.RecordIllegalAct(unit_id=enterprise, description=f"无证经营燃气 {k}",
                                                  large_impact=True))
    world.run(OFFICER, a.RecordIllegalAct(unit_id=world.enterprise_in(towns[0], 200), description="小问题",
                                          large_impact=False))
    system.runner.catch_up()
    assert system.worker.tick() == 1 + 2 + 3, "town 1: deputies; town 3: + main leaders; town 5: + veto"
    assert findings(system) == {towns[1]: {DEPUTIES}, towns[3]: {DEPUTIES, MAIN},
                                towns[5]: {DEPUTIES, MAIN, VETO}}, "0 acts (and one without large impact): nothing"
    investigation = bench.open()
    bench.find(investigation)  # responsibility found: a liability accident
    system.runner.catch_up()
    assert system.worker.tick() == 1
    system.runner.catch_up()
    assert system.worker.tick() == 0, "each consequence once"
    assert findings(system)[world.town_a] == {VETO}, "≥ 1 general liability accident with a death"
    fatal = system.store.history(ac.veto_finding_id(world.town_a, 2025, VETO))[0]
    assert isinstance(fatal, ac.AssessmentVetoFound)
    assert fatal.department_ids == (world.department,), "行业主管部门: the department supervising the accident's unit"
    veto = system.store.get(ac.veto_finding_id(towns[5], 2025, VETO))
    assert isinstance(veto, ac.VetoFinding)
    event = system.store.history(veto.id)[0]
    assert isinstance(event, ac.AssessmentVetoFound)
    assert (event.illegal_acts, event.envelope.actor.role) == (5, "system")
    assert "¶30" in (event.envelope.basis or "")
    assert "huiji@2014.1" in (event.envelope.rules_version or "")
    assert event.department_ids == (world.department,), "the department supervising the units concerned"


def test_without_the_local_pack_nothing_is_judged(system: System) -> None:
    """Seed 001 is 惠济区's: elsewhere no veto rule, however many acts."""
    bench = Bench(system)
    for k in range(5):
        bench.world.run(OFFICER, a.RecordIllegalAct(unit_id=bench.world.enterprise, description=f"非法 {k}",
                                                    large_impact=True))
    system.runner.catch_up()
    system.worker.tick()
    assert findings(system) == {}


def test_the_board_shows_the_veto_status(huiji_here: None, system: System, client: TestClient, token) -> None:
    bench = Bench(system)
    for k in range(3):
        bench.world.run(OFFICER, a.RecordIllegalAct(unit_id=bench.world.enterprise, description=f"非法充装 {k}",
                                                    large_impact=True))
    system.runner.catch_up()
    system.worker.tick()
    position = system.store.head()
    board = client.get(f"/api/v1/accountability/board?year=2025&min_position={position}",
                       headers=token("viewer", COUNTY))
    assert board.status_code == 200, board.text
    assert {(v["territory_name"], v["term"]) for v in board.json()["vetoes"]} == {
        ("山腰街道", "分管领导诫勉谈话"), ("山腰街道", "党政主要领导诫勉谈话")}
