"""Annual enforcement plans (年度执法计划, seed 003 §27): adoption, revision, refusals, and inspections under a plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.bootstrap import System
from application import inspections as ai
from application.authorization import Forbidden
from application.clock import ManualClock
from domain import enforcement_plans as ep
from domain.calendar import CST, year_bounds, year_of
from domain.errors import Conflict, NotFound, Rejected
from tests.builders import latest
from tests.inspection_scene import ENFORCEMENT, Scene


def terms(scene: Scene, **overrides) -> ep.PlanTerms:
    values = {"key_enterprises": (scene.enterprise,), "scope": "城镇燃气经营企业和用气场所",
              "focus": ("燃气泄漏报警", "气瓶充装"), "content": "燃气经营许可、安全管理制度、隐患排查治理",
              "planned_count": 12, "planned_undercover": 4, "planned_campaign": 2, **overrides}
    return ep.PlanTerms(**values)


@pytest.fixture
def scene(system: System) -> Scene:
    return Scene(system)


def adopt(scene: Scene, year: int = 2025, **overrides) -> ep.EnforcementPlan:
    plan_id = scene.run(scene.inspector(0), ai.AdoptEnforcementPlan(
        department_id=scene.department, year=year, terms=terms(scene, **overrides),
        document_no=f"泉港城管〔{year}〕3号")).id
    plan = scene.system.store.get(plan_id)
    assert isinstance(plan, ep.EnforcementPlan)
    return plan


def test_a_department_adopts_and_revises_its_plan(scene: Scene) -> None:
    plan = adopt(scene)
    assert plan.id == ep.plan_id_for(scene.department, 2025)
    assert (plan.year, plan.terms.planned_count, plan.terms.key_enterprises) == (2025, 12, (scene.enterprise,))
    event = scene.system.store.history(plan.id)[0]
    assert event.envelope.basis == ep.PLAN_BASIS
    second = scene.world.enterprise_in(scene.world.town_b, 5)
    scene.run(scene.inspector(0), ai.ReviseEnforcementPlan(
        plan_id=plan.id, terms=terms(scene, key_enterprises=(scene.enterprise, second), planned_count=14),
        reason="新增重点企业", expected_version=1))
    revised = scene.system.store.get(plan.id)
    assert revised.revisions == 1
    assert revised.terms.planned_count == 14
    assert set(revised.terms.key_enterprises) == {scene.enterprise, second}
    change = latest(scene.system, plan.id, ep.EnforcementPlanRevised)
    assert set(change.changed) == {"key_enterprises", "planned_count"}
    assert change.reason == "新增重点企业"
    head = scene.system.store.head()
    scene.run(scene.inspector(0), ai.ReviseEnforcementPlan(plan_id=plan.id, terms=revised.terms, reason="无变化"))
    assert scene.system.store.head() == head, "a revision that changes nothing writes nothing"
    with pytest.raises(Rejected) as backdated:
        scene.run(scene.inspector(0), ai.ReviseEnforcementPlan(
            plan_id=plan.id, terms=terms(scene), reason="补记", effective_at=revised.in_force_from - timedelta(days=1)))
    assert backdated.value.code == "revision-out-of-order"
    assert scene.system.store.head() == head


@pytest.mark.parametrize(("overrides", "code"), [
    (lambda s: {"key_enterprises": (s.enterprise, s.other_enterprise), "planned_count": 1},
     "key-enterprises-uncovered"),
    (lambda s: {"planned_count": 5, "planned_undercover": 4, "planned_campaign": 2}, "planned-counts"),
    (lambda s: {"key_enterprises": (s.enterprise, s.enterprise)}, "duplicate-key-enterprise"),
    (lambda s: {"key_enterprises": (s.department,)}, "not-an-enterprise"),
    (lambda s: {"focus": ("  ",)}, "focus-required"),
])
def test_plan_refusals(scene: Scene, overrides, code: str) -> None:
    head = scene.system.store.head()
    with pytest.raises(Rejected) as refused:
        scene.run(ENFORCEMENT, ai.AdoptEnforcementPlan(department_id=scene.department, year=2025,
                                                       terms=terms(scene, **overrides(scene))))
    assert refused.value.code == code
    assert scene.system.store.head() == head


def test_one_plan_per_year_and_only_for_your_department(scene: Scene) -> None:
    adopt(scene)
    with pytest.raises(Conflict) as twice:
        adopt(scene)
    assert twice.value.code == "plan-exists"
    adopt(scene, 2026)
    with pytest.raises(Forbidden) as other:
        scene.run(scene.other_inspector_principal, ai.AdoptEnforcementPlan(
            department_id=scene.department, year=2027, terms=terms(scene)))
    assert other.value.code == "not-your-department"
    with pytest.raises(Rejected) as territory:
        scene.run(ENFORCEMENT, ai.AdoptEnforcementPlan(department_id=scene.enterprise, year=2027,
                                                       terms=terms(scene)))
    assert territory.value.code == "not-a-department"
    with pytest.raises(NotFound):
        scene.run(ENFORCEMENT, ai.ReviseEnforcementPlan(plan_id=scene.department, terms=terms(scene), reason="x"))


def test_an_inspection_carries_out_its_own_units_plan_of_its_year(scene: Scene, clock: ManualClock) -> None:
    plan = adopt(scene, clock.now().astimezone(CST).year)
    next_year = adopt(scene, plan.year + 1)
    inspection = scene.open(plan_id=plan.id)
    assert scene.system.store.get(inspection).plan_id == plan.id
    with pytest.raises(Rejected) as wrong_year:
        scene.open(plan_id=next_year.id)
    assert wrong_year.value.code == "plan-of-other-year"
    with pytest.raises(Rejected) as wrong_unit:
        scene.open(ENFORCEMENT, inspecting_unit_id=scene.other_department, plan_id=plan.id,
                   inspectors=[scene.other_inspector, scene.inspectors[2]])
    assert wrong_unit.value.code == "plan-of-other-unit"


def test_the_plan_year_is_the_chinese_calendar_year() -> None:
    new_year_in_beijing = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    assert year_of(new_year_in_beijing) == 2026
    start, end = year_bounds(2026)
    assert start <= new_year_in_beijing < end
