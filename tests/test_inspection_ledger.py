"""The inspection ledger (检查台账): current table, bitemporal answers, rebuild, per department and enterprise,
audience scoping, spot tests, signatures, findings, plans planned against done, draws."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from api.bootstrap import System
from application import inspections as ai
from application.clock import ManualClock
from domain import enforcement_plans as ep
from domain.base import in_effect_order, project
from domain.calendar import year_of
from domain.inspections import ChecklistItem, Finding, InspectionKind, SpotTestFix
from projections.enforcement_plans import EnforcementPlanLedger
from projections.inspection_ledger import INSPECTIONS, InspectionLedger
from projections.random_draws import RandomDrawLedger
from tests.conftest import ADMIN, TOWN_B
from tests.inspection_scene import ENFORCEMENT, Scene

CONTRACT_COLUMNS = {"inspection_id", "kind", "inspecting_unit_id", "target_unit_id", "jurisdiction", "led_by",
                    "inspected_at", "status", "completed_at", "unannounced", "expert_assisted", "inspectors_json",
                    "signatures", "findings", "plan_id", "draw_id"}
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
EVER: dict[str, Any] = {"as_of": FAR_FUTURE, "known_at": FAR_FUTURE}


@pytest.fixture
def scene(system: System) -> Scene:
    return Scene(system)


def rows(system: System, role: str = "admin", unit=None, scope: str = "350000", as_of=FAR_FUTURE,
         known_at=FAR_FUTURE, **filters) -> list[dict]:
    system.runner.catch_up()
    return system.queries.inspections.inspections(scope, role, unit, as_of=as_of, known_at=known_at, **filters)


def test_the_current_table_holds_what_statistics_and_policies_query(scene: Scene, system: System) -> None:
    done = scene.completed()
    pending = scene.open(inspectors=scene.inspectors[1:3], unannounced=False, experts=[])
    system.runner.catch_up()
    with system.db.read() as conn:
        table = {r["inspection_id"]: dict(r) for r in conn.execute(select(INSPECTIONS)).mappings()}
    assert set(table[str(done)]) >= CONTRACT_COLUMNS
    row = table[str(done)]
    assert (row["kind"], row["status"], row["unannounced"], row["expert_assisted"]) == ("enforcement", "completed",
                                                                                         1, 1)
    assert row["inspectors_json"] == [str(i) for i in scene.inspectors[:2]]
    assert (row["signatures"], row["findings"], row["hazards_suspected"], row["spot_tests_failed"]) == (2, 2, 1, 1)
    assert row["completed_at"] is not None
    assert row["target_unit_id"] == str(scene.enterprise)
    assert row["inspecting_unit_id"] == str(scene.department)
    assert row["plan_id"] is None
    other = table[str(pending)]
    assert (other["status"], other["completed_at"], other["unannounced"], other["expert_assisted"]) == (
        "open", None, 0, 0)


def test_the_ledger_answers_as_of_and_known_at(scene: Scene, system: System, clock: ManualClock) -> None:
    recorded = clock.now()
    took_place = recorded - timedelta(days=2)
    inspection = scene.open(effective_at=took_place)  # recorded two days after it took place
    who = scene.inspector(0)
    clock.advance(timedelta(hours=1))
    scene.run(who, ai.RecordFinding(inspection_id=inspection, description="报警器失效", hazard_suspected=True))
    scene.run(who, ai.RecordSpotTest(inspection_id=inspection, person_id=scene.main_person, post_id=scene.main_post,
                                     subject="岗位职责", score=58))
    clock.advance(timedelta(hours=1))
    scene.signed_by_all(inspection)
    clock.advance(timedelta(hours=1))
    scene.run(who, ai.CompleteInspection(inspection_id=inspection))
    completed = clock.now()
    clock.advance(timedelta(days=3))
    scene.run(who, ai.CorrectInspection(inspection_id=inspection, findings=[Finding(
        finding_no=1, description="可燃气体报警器失效", hazard_suspected=True)],
        spot_tests=[SpotTestFix(test_no=1, score=85)], reason="录入错误"))
    corrected = clock.now()

    def at(as_of: datetime, known_at: datetime) -> dict | None:
        found = rows(system, as_of=as_of, known_at=known_at)
        assert len(found) <= 1
        return found[0] if found else None

    assert at(took_place - timedelta(days=1), corrected) is None, "before it took place"
    assert at(took_place + timedelta(hours=1), recorded - timedelta(hours=1)) is None, "before it was recorded"
    during = at(took_place + timedelta(hours=1), corrected)
    assert (during["status"], during["findings"], during["inspected_at"]) == ("open", 0, took_place)
    as_signed = at(completed, corrected - timedelta(hours=1))
    assert as_signed["status"] == "completed"
    assert as_signed["corrections"] == 0
    assert as_signed["findings_json"][0]["description"] == "报警器失效"
    assert (as_signed["spot_tests_json"][0]["score"], as_signed["spot_tests_failed"]) == (58, 1)
    now = at(completed, corrected)
    assert now["findings_json"][0]["description"] == "可燃气体报警器失效"
    assert (now["spot_tests_json"][0]["score"], now["spot_tests_failed"], now["corrections"]) == (85, 0, 1)
    record = system.queries.inspections.inspection("350000", "admin", None, inspection, as_of=completed,
                                                   known_at=corrected - timedelta(hours=1))
    assert record["signatures"] == 2
    assert len(record["signatures_json"]) == 2
    [correction] = system.queries.inspections.corrections(inspection)
    assert correction["previous_findings_json"][0]["description"] == "报警器失效"
    for known_at, score, fixed_at in ((corrected - timedelta(hours=1), 58, None), (corrected, 85, corrected)):
        [test] = system.queries.inspections.spot_tests("350000", "admin", None, as_of=completed, known_at=known_at)
        assert (test["score"], test["passed"], test["person_name"]) == (score, score >= 60, "总经理")
        assert (datetime.fromisoformat(test["corrected_at"]) if test["corrected_at"] else None) == fixed_at
        [finding] = system.queries.inspections.findings("350000", "admin", None, as_of=completed, known_at=known_at)
        assert finding["description"] == ("报警器失效" if score == 58 else "可燃气体报警器失效")
    assert system.queries.inspections.signatures("350000", "admin", None, as_of=completed - timedelta(hours=2),
                                                 known_at=corrected) == [], "not yet signed then"
    assert len(system.queries.inspections.signatures("350000", "admin", None, as_of=completed, known_at=corrected)) == 2


READ_MODELS = ("inspection_ledger", "random_draws", "enforcement_plans")
TABLES = [t for p in (InspectionLedger(), RandomDrawLedger(), EnforcementPlanLedger()) for t in p.live_tables]


def dump(system: System) -> dict[str, list[str]]:
    with system.db.read() as conn:
        return {t.name: sorted(repr(sorted(dict(r).items())) for r in conn.execute(select(t)).mappings())
                for t in TABLES}


def test_rebuild_gives_the_same_tables_as_live_projection(scene: Scene, system: System,
                                                          clock: ManualClock) -> None:
    first = scene.completed()
    system.runner.catch_up()  # part live ...
    clock.advance(timedelta(days=1))
    scene.run(scene.inspector(0), ai.CorrectInspection(inspection_id=first, spot_tests=[SpotTestFix(
        test_no=1, score=61)], reason="复核"))
    scene.run(scene.inspector(0), ai.AdoptEnforcementPlan(department_id=scene.department, year=2025, terms=(
        ep.PlanTerms(key_enterprises=(scene.enterprise,), scope="燃气", focus=("报警",), content="检查",
                     planned_count=4))))
    scene.run(scene.inspector(0), ai.MakeRandomDraw(department_id=scene.department, seed="s",
                                                    target_pool=[scene.enterprise], targets=1,
                                                    inspector_pool=[*scene.inspectors, scene.other_inspector]))
    scene.open(effective_at=clock.now() - timedelta(hours=5), inspectors=scene.inspectors[1:])
    system.runner.catch_up()  # ... and the rest
    live = dump(system)
    assert all(live[t] for t in ("inspections", "inspection_timeline", "inspection_corrections", "inspection_draws",
                                 "inspection_plans", "inspection_signatures"))
    for name in READ_MODELS:
        system.runner.rebuild(name)
    assert dump(system) == live


def test_per_department_and_per_enterprise(scene: Scene, system: System) -> None:
    scene.completed()
    scene.open(kind=InspectionKind.undercover)
    scene.run(scene.enterprise_user, ai.OpenInspection(kind=InspectionKind.self_check, title="自查",
                                                       target_unit_id=scene.enterprise,
                                                       inspectors=[scene.safety_person]))
    scene.run(ADMIN, ai.OpenInspection(kind=InspectionKind.enforcement, title="危化品检查",
                                       target_unit_id=scene.other_enterprise, inspecting_unit_id=scene.other_department,
                                       inspectors=[scene.other_inspector, scene.inspectors[2]],
                                       checklist=[ChecklistItem(code="H1", text="重大危险源包保")]))
    system.runner.catch_up()
    departments = {r["unit_id"]: r for r in system.queries.inspections.by_department(
        "350000", "admin", None, as_of=FAR_FUTURE, known_at=FAR_FUTURE)}
    ours = departments[str(scene.department)]
    assert (ours["inspections"], ours["completed"], ours["enforcement_inspections"]) == (2, 1, 2)
    assert (ours["enforcement_count"], ours["undercover_count"], ours["unannounced"]) == (1, 1, 2)
    assert (ours["findings"], ours["hazards_suspected"], ours["spot_tests"]) == (2, 1, 1)
    assert departments[str(scene.enterprise)]["self_check_count"] == 1
    assert departments[str(scene.other_department)]["inspections"] == 1
    enterprises = {r["unit_id"]: r for r in system.queries.inspections.by_enterprise(
        "350000", "admin", None, as_of=FAR_FUTURE, known_at=FAR_FUTURE)}
    assert enterprises[str(scene.enterprise)]["inspections"] == 3
    assert enterprises[str(scene.other_enterprise)]["inspections"] == 1


def test_each_audience_sees_its_own(scene: Scene, system: System) -> None:
    done = scene.completed()
    under_way = scene.open(kind=InspectionKind.undercover)
    own_check = scene.run(scene.enterprise_user, ai.OpenInspection(
        kind=InspectionKind.self_check, title="自查", target_unit_id=scene.enterprise,
        inspectors=[scene.safety_person])).id
    cross = scene.open(ENFORCEMENT, kind=InspectionKind.cross, inspecting_unit_id=scene.other_department,
                       inspectors=[scene.other_inspector, scene.inspectors[2]])
    everything = {done, under_way, own_check, cross}
    assert {r["inspection_id"] for r in rows(system)} == {str(i) for i in everything}
    enterprise = {r["inspection_id"] for r in rows(system, "enterprise", scene.enterprise)}
    assert enterprise == {str(done), str(own_check)}, "an inspection under way (暗访!) stays hidden from the target"
    other_department = {r["inspection_id"] for r in rows(system, "inspector", scene.other_department)}
    assert other_department == {str(cross)}, "its own department's cross inspection, nothing of the others'"
    assert {r["inspection_id"] for r in rows(system, "inspector", scene.department)} == {str(i) for i in everything}
    assert rows(system, "viewer", scope=TOWN_B) == []
    assert system.queries.inspections.spot_tests(TOWN_B, "viewer", None, **EVER) == []
    assert system.queries.inspections.signatures("350000", "inspector", scene.other_department, **EVER) == []


def test_spot_tests_signatures_and_findings(scene: Scene, system: System, clock: ManualClock) -> None:
    first = scene.completed()
    clock.advance(timedelta(days=1))
    second = scene.completed(inspectors=scene.inspectors[1:3])
    system.runner.catch_up()
    tests = system.queries.inspections.spot_tests("350000", "admin", None, person_id=scene.main_person, **EVER)
    assert [(t["inspection_id"], t["score"], t["passed"], t["person_name"]) for t in tests] == [
        (str(second), 58, 0, "总经理"), (str(first), 58, 0, "总经理")]
    signed = system.queries.inspections.signatures("350000", "admin", None, inspector_id=scene.inspectors[0], **EVER)
    assert [s["inspection_id"] for s in signed] == [str(first)]
    assert signed[0]["inspector_name"] == "检查员1"
    assert len(signed[0]["record_digest"]) == 64
    hazards = system.queries.inspections.findings("350000", "admin", None, hazard_suspected=True, **EVER)
    assert {(f["inspection_id"], f["finding_no"]) for f in hazards} == {(str(first), 1), (str(second), 1)}


def test_plans_planned_against_done(scene: Scene, system: System, clock: ManualClock) -> None:
    year = year_of(clock.now())
    plan_id = scene.run(scene.inspector(0), ai.AdoptEnforcementPlan(
        department_id=scene.department, year=year, terms=ep.PlanTerms(
            key_enterprises=(scene.enterprise, scene.other_enterprise), scope="全区燃气企业", focus=("报警装置",),
            content="执法检查", planned_count=10, planned_undercover=4, planned_campaign=2))).id
    scene.completed(plan_id=plan_id)
    undercover = scene.open(kind=InspectionKind.undercover, plan_id=plan_id)
    scene.signed_by_all(undercover)
    scene.run(scene.inspector(0), ai.CompleteInspection(inspection_id=undercover))
    scene.open(plan_id=plan_id)  # still open: not done
    system.runner.catch_up()
    [plan] = system.queries.plans.plans("350000", "inspector", scene.department, year=year, **EVER)
    assert (plan["planned_count"], plan["done"], plan["done_undercover"], plan["done_campaign"]) == (10, 2, 1, 0)
    assert plan["key_enterprises_inspected_json"] == [str(scene.enterprise)]
    adopted = clock.now()
    clock.advance(timedelta(days=30))
    scene.run(scene.inspector(0), ai.ReviseEnforcementPlan(plan_id=plan_id, reason="增加检查频次", terms=ep.PlanTerms(
        key_enterprises=(scene.enterprise, scene.other_enterprise), scope="全区燃气企业", focus=("报警装置",),
        content="执法检查", planned_count=12, planned_undercover=4, planned_campaign=2)))
    system.runner.catch_up()
    at: dict[str, Any] = {"as_of": adopted + timedelta(days=1), "known_at": FAR_FUTURE}
    assert system.queries.plans.plans("350000", "admin", None,
                                            **at)[0]["planned_count"] == 10, "before the revision"
    revised = system.queries.plans.plans("350000", "admin", None, **EVER)[0]
    assert (revised["planned_count"], revised["revisions"]) == (12, 1)
    assert system.queries.plans.plans("350000", "admin", None, as_of=adopted - timedelta(days=1),
                                            known_at=FAR_FUTURE) == [], "not adopted yet"
    assert system.queries.plans.plans("350000", "inspector", scene.other_department, **EVER) == []


def test_draws_are_listed_with_seed_and_pools(scene: Scene, system: System) -> None:
    draw_id = scene.run(scene.inspector(0), ai.MakeRandomDraw(
        department_id=scene.department, seed="2025-第2批", target_pool=[scene.enterprise],
        inspector_pool=scene.inspectors, targets=1)).id
    system.runner.catch_up()
    [draw] = system.queries.draws.draws("350000", "admin", None)
    assert (draw["draw_id"], draw["seed"], draw["targets"]) == (str(draw_id), "2025-第2批", 1)
    assert draw["target_pool_json"] == [str(scene.enterprise)]
    assert sorted(draw["inspector_pool_json"]) == sorted(str(i) for i in scene.inspectors)
    assert draw["result_json"][0]["target_id"] == str(scene.enterprise)
    assert system.queries.draws.draws("350000", "inspector", scene.other_department) == []


def test_the_ledger_is_the_domain_fold_in_effect_order_on_every_day(scene: Scene, system: System,
                                                                     clock: ManualClock) -> None:
    """On the moment each event took effect, the inspection's row is what the domain says: its events effective by
    then, in the order they took effect, folded with ``event.apply`` (``domain.base.project``) — status, entries,
    signatures, corrections; and the same for an enforcement plan's terms and revisions (one status machine)."""
    who = scene.inspector(0)
    clock.advance(timedelta(days=1))  # the posts are held from the scene's day on
    inspection = scene.open(effective_at=clock.now() - timedelta(hours=6))
    for hours, command in ((5, ai.CoverChecklistItems(inspection_id=inspection, item_codes=["G1"])),
                           (4, ai.RecordFinding(inspection_id=inspection, description="报警器失效",
                                                hazard_suspected=True)),
                           (3, ai.RecordSpotTest(inspection_id=inspection, person_id=scene.main_person,
                                                 post_id=scene.main_post, subject="岗位职责", score=58)),
                           (2, ai.SignInspection(inspection_id=inspection))):
        scene.run(who, command.model_copy(update={"effective_at": clock.now() - timedelta(hours=hours)}))
    scene.run(scene.inspector(1), ai.SignInspection(inspection_id=inspection))
    scene.run(who, ai.CompleteInspection(inspection_id=inspection))
    clock.advance(timedelta(days=2))
    scene.run(who, ai.CorrectInspection(inspection_id=inspection, spot_tests=[SpotTestFix(test_no=1, score=75)],
                                        reason="复核"))
    year = year_of(clock.now())
    plan_id = scene.run(who, ai.AdoptEnforcementPlan(department_id=scene.department, year=year, terms=ep.PlanTerms(
        scope="燃气", focus=("报警",), content="检查", planned_count=4))).id
    for count in (6, 8):
        clock.advance(timedelta(days=10))
        scene.run(who, ai.ReviseEnforcementPlan(plan_id=plan_id, reason="调整", terms=ep.PlanTerms(
            scope="燃气", focus=("报警",), content="检查", planned_count=count), document_no=f"第{count}号"))
    now = clock.now()
    history = system.store.history(inspection)
    for moment in sorted({e.effective_at for e in history}):
        domain = project(None, [e for e in in_effect_order(history) if e.effective_at <= moment])
        [row] = rows(system, as_of=moment, known_at=now)
        assert (row["status"], row["completed_at"], row["items_covered"], row["corrections"]) == (
            "completed" if domain.completed else "open", domain.completed_at, len(domain.covered),
            domain.corrections), moment
        assert [f["description"] for f in row["findings_json"]] == [f.description for f in domain.findings]
        assert [(t["score"], t["passed"]) for t in row["spot_tests_json"]] == [
            (t.score, t.passed) for t in domain.spot_tests]
        assert set(row["signatures_json"]) == set(domain.signatures)
    plans = system.store.history(plan_id)
    for moment in sorted({e.effective_at for e in plans}):
        plan = project(None, [e for e in in_effect_order(plans) if e.effective_at <= moment])
        [row] = system.queries.plans.plans("350000", "admin", None, as_of=moment, known_at=now)
        assert (row["planned_count"], row["revisions"], row["document_no"], row["revised_at"]) == (
            plan.terms.planned_count, plan.revisions, plan.document_no,
            plan.in_force_from if plan.revisions else None), moment
    [today] = rows(system, as_of=now, known_at=now)
    assert (today["status"], today["spot_tests_json"][0]["score"]) == ("completed", 75)
