"""Random draws (双随机): the documented algorithm, re-running recorded draws, and the exclusion rule of the pack.

Sources: seed 000 §25 (双随机); 国办发〔2015〕58号; rules-pack key ``random_draw.exclude_previous_inspector``.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from api.bootstrap import System
from application import inspections as ai
from application import organisation as o
from application.authorization import Forbidden
from application.clock import ManualClock
from domain import random_draws as rd
from domain.errors import DomainError, NotFound, Rejected
from domain.inspections import InspectionKind
from domain.rules import pack_for
from domain.supervision import LeadCandidate
from domain.units import DepartmentProfile, EnterpriseProfile, Level, TerritorialProfile
from tests.builders import state_of
from tests.conftest import ADMIN
from tests.inspection_scene import CHECKLIST, ENFORCEMENT, Scene

TARGETS = [uuid5(NAMESPACE_URL, f"target-{n}") for n in range(12)]
INSPECTORS = [uuid5(NAMESPACE_URL, f"inspector-{n}") for n in range(6)]


def documented(seed: str, targets: list[UUID], inspectors: list[UUID], count: int, per: int,
               excluded: set[tuple[UUID, UUID]]) -> list[tuple[UUID, list[UUID]]]:
    """An independent implementation of ``sha256-rank/1`` from the module docstring of domain.random_draws."""
    def h(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    chosen = sorted(set(targets), key=lambda t: h(f"{seed}|target|{t}"))[:count]
    load = dict.fromkeys(inspectors, 0)
    out = []
    for t in chosen:
        team = sorted((i for i in sorted(set(inspectors), key=str) if (t, i) not in excluded),
                      key=lambda i: (load[i], h(f"{seed}|inspector|{t}|{i}")))[:per]
        for i in team:
            load[i] += 1
        out.append((t, team))
    return out


def as_pairs(result: tuple[rd.Assignment, ...]) -> list[tuple[UUID, list[UUID]]]:
    return [(a.target_id, list(a.inspector_ids)) for a in result]


def test_the_draw_follows_the_documented_algorithm() -> None:
    excluded = {(TARGETS[3], INSPECTORS[0]), (TARGETS[5], INSPECTORS[1])}
    exclusions = [rd.Exclusion(target_id=t, inspector_id=i, previous_inspection_id=t) for t, i in excluded]
    for seed in ("2025-Q1", "泉港城管-双随机-07", "0"):
        assert as_pairs(rd.draw(seed, TARGETS, INSPECTORS, 5, 2, exclusions)) == documented(
            seed, TARGETS, INSPECTORS, 5, 2, excluded)


def test_the_same_inputs_give_the_same_draw_whatever_the_order() -> None:
    first = rd.draw("seed-1", TARGETS, INSPECTORS, 4, 2)
    shuffled_targets, shuffled_inspectors = TARGETS[:] + TARGETS[:2], INSPECTORS[:]
    random.Random(7).shuffle(shuffled_targets)
    random.Random(8).shuffle(shuffled_inspectors)
    assert rd.draw("seed-1", shuffled_targets, shuffled_inspectors, 4, 2) == first
    others = {rd.draw(f"seed-{n}", TARGETS, INSPECTORS, 4, 2) for n in range(2, 12)}
    assert len(others | {first}) > 1, "the seed decides the draw"


def test_the_work_spreads_evenly() -> None:
    result = rd.draw("spread", TARGETS[:6], INSPECTORS[:4], 6, 2)
    counts = [sum(i in a.inspector_ids for a in result) for i in INSPECTORS[:4]]
    assert counts == [3, 3, 3, 3]
    assert all(len(set(a.inspector_ids)) == 2 for a in result)


@pytest.mark.parametrize(("args", "code"), [
    ((TARGETS[:2], INSPECTORS, 3, 2), "targets-out-of-range"),
    ((TARGETS[:2], INSPECTORS, 0, 2), "targets-out-of-range"),
    ((TARGETS[:2], INSPECTORS, 1, 1), "two-inspectors-required"),
    ((TARGETS[:2], INSPECTORS[:1], 1, 2), "inspector-pool-too-small"),
])
def test_impossible_draws_are_refused(args: tuple, code: str) -> None:
    with pytest.raises(Rejected) as refused:
        rd.draw("s", *args)
    assert refused.value.code == code


class DrawScene(Scene):
    """The scene with a fourth 城管 inspector, so that a draw leaves someone after exclusions."""

    def __init__(self, system: System):
        super().__init__(system)
        self.fourth = self.world.person(14, name="检查员4")


@pytest.fixture
def scene(system: System) -> DrawScene:
    scene = DrawScene(system)
    system.runner.catch_up()
    return scene


def make(scene: DrawScene, **fields) -> rd.RandomDrawMade:
    values = {"department_id": scene.department, "seed": "2025-第1批", "target_pool": [scene.enterprise],
              "inspector_pool": [*scene.inspectors, scene.fourth], "targets": 1, **fields}
    draw_id = scene.run(scene.inspector(0), ai.MakeRandomDraw(**values)).id
    event = scene.system.store.history(draw_id)[0]
    assert isinstance(event, rd.RandomDrawMade)
    return event


def test_a_recorded_draw_reruns_from_its_seed_and_pools(scene: DrawScene) -> None:
    second = scene.world.enterprise_in(scene.world.town_a, 3)
    event = make(scene, target_pool=[second, scene.enterprise, second], targets=2)
    assert event.target_pool == tuple(sorted({second, scene.enterprise}, key=str)), "the pool as it was, sorted"
    assert event.inspector_pool == tuple(sorted([*scene.inspectors, scene.fourth], key=str))
    assert event.algorithm == rd.ALGORITHM
    assert event.envelope.rules_version == pack_for(event.envelope.jurisdiction).version_tag
    again = rd.draw(event.seed, event.target_pool, event.inspector_pool, event.targets, event.inspectors_per_target,
                    event.exclusions)
    assert again == event.result
    assert rd.rerun(state_of(scene.system, event.originator_id, rd.RandomDraw)) == event.result


def test_an_inspector_is_not_drawn_again_for_the_target_they_inspected_last(scene: DrawScene,
                                                                            clock: ManualClock) -> None:
    assert pack_for(scene.system.store.get(scene.department).jurisdiction)["random_draw.exclude_previous_inspector"]
    first = scene.completed()  # by inspectors 0 and 1
    clock.advance(timedelta(days=1))
    scene.system.runner.catch_up()
    event = make(scene)
    assert event.exclude_previous_inspector
    assert {(x.target_id, x.inspector_id, x.previous_inspection_id) for x in event.exclusions} == {
        (scene.enterprise, scene.inspectors[0], first), (scene.enterprise, scene.inspectors[1], first)}
    assert set(event.result[0].inspector_ids) == {scene.inspectors[2], scene.fourth}
    assert "quangang" in (event.envelope.rules_version or "")
    # The latest enforcement inspection decides; a self-check does not count.
    clock.advance(timedelta(days=1))
    later = scene.open(inspectors=[scene.inspectors[2], scene.fourth])
    clock.advance(timedelta(days=1))
    scene.run(scene.enterprise_user, ai.OpenInspection(kind=InspectionKind.self_check, title="自查",
                                                       target_unit_id=scene.enterprise,
                                                       inspectors=[scene.inspectors[0]]))
    clock.advance(timedelta(days=1))
    scene.system.runner.catch_up()
    event = make(scene)
    assert {(x.inspector_id, x.previous_inspection_id) for x in event.exclusions} == {
        (scene.inspectors[2], later), (scene.fourth, later)}
    assert set(event.result[0].inspector_ids) == set(scene.inspectors[:2])
    head = scene.system.store.head()
    with pytest.raises(Rejected) as refused:
        make(scene, inspector_pool=[scene.inspectors[2], scene.fourth, scene.inspectors[0]])
    assert refused.value.code == "inspector-pool-too-small"
    assert scene.system.store.head() == head


def test_where_the_pack_does_not_rotate_nobody_is_excluded(system: System, clock: ManualClock) -> None:
    scene = Scene(system)
    world = scene.world
    huian = world.run(ADMIN, o.RegisterUnit(
        profile=TerritorialProfile(name="惠安县", level=Level.county, code="350521"), parent_id=world.city))
    department = world.run(ADMIN, o.RegisterUnit(profile=DepartmentProfile(name="惠安县城市管理局",
                                                                          functions=("城镇燃气",)), parent_id=huian))
    world.run(ADMIN, o.DecideSectorLead(territory_id=huian, sector="城镇燃气",
                                        candidates=[LeadCandidate(department_id=department, competent=True)]))
    from api.demo.identifiers import credit_code

    enterprise = world.run(ADMIN, o.RegisterUnit(profile=EnterpriseProfile(
        name="惠安燃气有限公司", credit_code=credit_code(77), sector="城镇燃气", address="惠安县",
        legal_representative="李四", staff_count=30), parent_id=huian))
    assert not pack_for(system.store.get(department).jurisdiction)["random_draw.exclude_previous_inspector"]
    team = scene.inspectors[:2]
    scene.run(ADMIN, ai.OpenInspection(
        kind=InspectionKind.enforcement, title="燃气执法检查", target_unit_id=enterprise, inspecting_unit_id=department,
        inspectors=team, checklist=CHECKLIST))
    clock.advance(timedelta(days=1))
    system.runner.catch_up()
    draw_id = scene.run(ADMIN, ai.MakeRandomDraw(department_id=department, seed="惠安-1", target_pool=[enterprise],
                                                 inspector_pool=team, targets=1)).id
    event = system.store.history(draw_id)[0]
    assert isinstance(event, rd.RandomDrawMade)
    assert not event.exclude_previous_inspector
    assert event.exclusions == ()
    assert set(event.result[0].inspector_ids) == set(team), "the previous team may be drawn again here"


def test_the_default_target_pool_is_what_the_department_supervises(scene: DrawScene) -> None:
    scene.world.enterprise_in(scene.world.town_b, 4)
    scene.system.runner.catch_up()
    event = make(scene, target_pool=None, targets=2)
    supervised = scene.system.queries.directory.supervised_units(scene.department)
    assert len(supervised) == 2
    assert event.target_pool == tuple(sorted(supervised, key=str))
    assert scene.other_enterprise not in event.target_pool


@pytest.mark.parametrize(("who", "fields", "error", "code"), [
    ("inspector", {"department_id": "other"}, Forbidden, "not-your-department"),
    ("inspector", {"target_pool": ["other_enterprise"]}, Forbidden, "not-your-target"),
    ("enforcement", {"target_pool": ["department"]}, Rejected, "not-an-inspectable-unit"),
    ("enforcement", {"inspector_pool": ["department", "inspector"]}, NotFound, "not-found"),
    ("enforcement", {"targets": 2}, Rejected, "targets-out-of-range"),
    ("enforcement", {"plan_id": "department"}, NotFound, "not-found"),
])
def test_draw_refusals(scene: DrawScene, who: str, fields: dict[str, Any], error: type[DomainError],
                       code: str) -> None:
    names = {"other": scene.other_department, "other_enterprise": scene.other_enterprise,
             "department": scene.department, "inspector": scene.inspectors[0]}
    values: dict[str, Any] = {"department_id": scene.department, "target_pool": [scene.enterprise],
              "inspector_pool": scene.inspectors, "targets": 1}
    for key, value in fields.items():
        values[key] = ([names.get(v, v) for v in value] if isinstance(value, list) else names.get(value, value))
    principal = scene.inspector(0) if who == "inspector" else ENFORCEMENT
    head = scene.system.store.head()
    with pytest.raises(error) as refused:
        scene.run(principal, ai.MakeRandomDraw(**values))
    assert refused.value.code == code
    assert scene.system.store.head() == head


def test_an_inspection_carries_out_a_draw(scene: DrawScene) -> None:
    second = scene.world.enterprise_in(scene.world.town_a, 3)
    event = make(scene, target_pool=[scene.enterprise, second], targets=1)
    drawn, team = event.result[0].target_id, list(event.result[0].inspector_ids)
    undrawn = second if drawn == scene.enterprise else scene.enterprise
    rest = [i for i in [*scene.inspectors, scene.fourth] if i not in team]
    for fields, code in (
        ({"target_unit_id": undrawn, "inspectors": team}, "target-not-drawn"),
        ({"target_unit_id": drawn, "inspectors": [team[0], rest[0]]}, "drawn-inspectors-missing"),
        ({"target_unit_id": drawn, "inspectors": team, "kind": InspectionKind.leader, "led_by": team[0]},
         "draw-for-enforcement"),
        ({"target_unit_id": drawn, "inspectors": team, "kind": InspectionKind.cross,
          "inspecting_unit_id": scene.other_department}, "draw-of-other-unit"),
    ):
        with pytest.raises(Rejected) as refused:
            scene.open(ENFORCEMENT, **{"inspecting_unit_id": scene.department, "draw_id": event.originator_id,
                                       **fields})
        assert refused.value.code == code
    inspection = scene.open(ENFORCEMENT, inspecting_unit_id=scene.department, draw_id=event.originator_id,
                            target_unit_id=drawn, inspectors=[*team, rest[0]])
    assert scene.system.store.get(inspection).draw_id == event.originator_id
