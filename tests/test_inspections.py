"""Inspections: each lifecycle transition and each refusal, on SQLite and PostgreSQL.

Sources: 行政处罚法 第42条 (two inspectors); seed 004 (谁检查、谁签名、谁负责); seed 002 §22 (逢查必考); seed 000 §24
(执法检查表), §25 (执法+专家); seed 001 §8 (四不两直).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from api.bootstrap import System
from application import inspections as ai
from application.authorization import Forbidden, Principal
from application.clock import ManualClock
from domain import inspections as ins
from domain.enforcement_teams import TWO_INSPECTORS_BASIS
from domain.errors import Conflict, DomainError, NotFound, Rejected
from domain.inspections import Finding, InspectionKind, SpotTestFix
from tests.conftest import ADMIN, COUNTY, TOWN_B
from tests.inspection_scene import CHECKLIST, ENFORCEMENT, Scene


@pytest.fixture
def scene(system: System) -> Scene:
    return Scene(system)


def state(system: System, inspection) -> ins.Inspection:
    found = system.store.get(inspection)
    assert isinstance(found, ins.Inspection)
    return found


def refused(scene: Scene, who: Principal, command, error: type[DomainError], code: str) -> DomainError:
    """The command is refused with ``code`` and writes nothing."""
    head = scene.system.store.head()
    with pytest.raises(error) as caught:
        scene.run(who, command)
    assert caught.value.code == code, caught.value.detail
    assert scene.system.store.head() == head, "a refused command writes no event"
    return caught.value


def test_an_inspection_runs_from_opening_to_completion(scene: Scene, system: System, clock: ManualClock) -> None:
    started = clock.now()
    inspection = scene.open()
    opened = state(system, inspection)
    assert (opened.kind, opened.target_unit_id, opened.inspecting_unit_id) == (
        InspectionKind.enforcement, scene.enterprise, scene.department)
    assert opened.inspectors == tuple(scene.inspectors[:2])
    assert opened.unannounced
    assert opened.expert_assisted
    assert opened.inspected_at == started
    assert opened.jurisdiction == system.store.get(scene.enterprise).jurisdiction, "the target's jurisdiction"
    who = scene.inspector(0)
    clock.advance(timedelta(minutes=30))
    scene.run(who, ai.CoverChecklistItems(inspection_id=inspection, item_codes=["G1", "G2"]))
    scene.run(who, ai.RecordFinding(inspection_id=inspection, item_code="G2", description="报警装置失效",
                                    hazard_suspected=True))
    scene.run(who, ai.RecordFinding(inspection_id=inspection, description="台账记录不全"))
    scene.run(who, ai.RecordSpotTest(inspection_id=inspection, person_id=scene.safety_person,
                                     post_id=scene.safety_post, subject="企业主要安全风险", score=85))
    recorded = state(system, inspection)
    assert recorded.covered == ("G1", "G2")
    assert [f.finding_no for f in recorded.findings] == [1, 2]
    assert recorded.findings[0].hazard_suspected
    assert not recorded.findings[1].hazard_suspected
    assert recorded.spot_tests[0].passed
    assert recorded.spot_tests[0].post_kind == "safety_manager"
    digest = ins.record_digest(recorded)
    clock.advance(timedelta(hours=1))
    scene.signed_by_all(inspection)
    signed = state(system, inspection)
    assert set(signed.signatures) == {str(i) for i in scene.inspectors[:2]}
    assert not signed.completed
    scene.run(who, ai.CompleteInspection(inspection_id=inspection, summary="责令限期整改",
                                         target_acknowledged_by="张三"))
    done = state(system, inspection)
    assert done.completed
    assert done.completed_at == clock.now()
    events = system.store.history(inspection)
    assert [type(e).__name__ for e in events] == [
        "InspectionOpened", "ChecklistItemsCovered", "FindingRecorded", "FindingRecorded", "SpotTestRecorded",
        "InspectionSigned", "InspectionSigned", "InspectionCompleted"]
    assert {e.record_digest for e in events if isinstance(e, ins.InspectionSigned | ins.InspectionCompleted)} == {
        digest}, "every signature and the completion vouch for the same record"
    signatures = [e for e in events if isinstance(e, ins.InspectionSigned)]
    assert [s.envelope.actor.principal for s in signatures] == ["test:inspector0", "test:inspector1"]
    assert {e.context for e in events} == {"inspections"}


def test_other_kinds_open_with_their_own_inspectors(scene: Scene, system: System) -> None:
    self_check = scene.run(scene.enterprise_user, ai.OpenInspection(
        kind=InspectionKind.self_check, title="月度隐患自查", target_unit_id=scene.enterprise,
        inspectors=[scene.safety_person])).id
    assert state(system, self_check).inspecting_unit_id == scene.enterprise, "a self-check is the enterprise's own"
    leader = scene.run(ENFORCEMENT, ai.OpenInspection(
        kind=InspectionKind.leader, title="主要负责人带队检查", target_unit_id=scene.enterprise,
        inspecting_unit_id=scene.enterprise, inspectors=[scene.main_person, scene.safety_person],
        led_by=scene.main_person)).id
    assert state(system, leader).led_by == scene.main_person
    patrol = scene.run(ENFORCEMENT, ai.OpenInspection(
        kind=InspectionKind.grid_patrol, title="网格巡查", target_unit_id=scene.enterprise,
        inspecting_unit_id=scene.world.town_a, inspectors=[scene.stranger])).id
    assert state(system, patrol).kind == InspectionKind.grid_patrol
    cross = scene.open(ENFORCEMENT, kind=InspectionKind.cross, inspecting_unit_id=scene.other_department,
                       inspectors=[scene.other_inspector, scene.inspectors[2]])
    assert state(system, cross).inspecting_unit_id == scene.other_department


@pytest.mark.parametrize("kind", sorted(ins.ENFORCEMENT_KINDS))
def test_enforcement_needs_two_inspectors(scene: Scene, kind: InspectionKind) -> None:
    error = refused(scene, scene.inspector(0), ai.OpenInspection(
        kind=kind, title="执法检查", target_unit_id=scene.enterprise, inspectors=[scene.inspectors[0]],
        checklist=CHECKLIST, unannounced=True), Rejected, "two-inspectors-required")
    assert error.basis == TWO_INSPECTORS_BASIS


@pytest.mark.parametrize(("fields", "code"), [
    ({"checklist": []}, "checklist-required"),
    ({"kind": InspectionKind.undercover, "unannounced": False}, "undercover-is-unannounced"),
    ({"kind": InspectionKind.leader, "checklist": []}, "leader-required"),
    ({"led_by": "stranger"}, "leader-not-an-inspector"),
    ({"inspectors": "twice"}, "duplicate-inspector"),
    ({"checklist": [CHECKLIST[0], CHECKLIST[0]]}, "duplicate-checklist-item"),
    ({"kind": InspectionKind.grid_patrol}, "wrong-inspecting-unit"),
    ({"kind": InspectionKind.self_check}, "wrong-inspecting-unit"),
])
def test_opening_refusals(scene: Scene, fields: dict, code: str) -> None:
    values = {"kind": InspectionKind.enforcement, "title": "检查", "target_unit_id": scene.enterprise,
              "inspectors": scene.inspectors[:2], "checklist": CHECKLIST, "unannounced": True, **fields}
    if values.get("led_by") == "stranger":
        values["led_by"] = scene.stranger
    if values["inspectors"] == "twice":
        values["inspectors"] = [scene.inspectors[0], scene.inspectors[0]]
    refused(scene, ENFORCEMENT, ai.OpenInspection(inspecting_unit_id=scene.department, **values), Rejected, code)


def test_who_may_inspect_whom(scene: Scene) -> None:
    base: dict[str, Any] = {"title": "检查", "target_unit_id": scene.enterprise, "inspectors": [scene.stranger]}
    refused(scene, ADMIN, ai.OpenInspection(kind=InspectionKind.self_check, inspecting_unit_id=scene.other_enterprise,
                                            **base), Rejected, "checks-only-itself")
    refused(scene, ADMIN, ai.OpenInspection(kind=InspectionKind.grid_patrol, inspecting_unit_id=scene.world.town_b,
                                            **base), Rejected, "target-outside-inspecting-unit")
    refused(scene, ADMIN, ai.OpenInspection(kind=InspectionKind.grid_patrol, inspecting_unit_id=scene.world.town_a,
                                            **{**base, "target_unit_id": scene.world.town_a}),
            Rejected, "not-an-inspectable-unit")


def test_an_inspection_is_recorded_once_it_took_place(scene: Scene, clock: ManualClock) -> None:
    refused(scene, scene.inspector(0), ai.OpenInspection(
        kind=InspectionKind.enforcement, title="检查", target_unit_id=scene.enterprise, inspectors=scene.inspectors[:2],
        checklist=CHECKLIST, effective_at=clock.now() + timedelta(days=1)), Rejected, "inspection-in-the-future")


def test_unknown_people_and_units_are_named(scene: Scene) -> None:
    error = refused(scene, scene.inspector(0), ai.OpenInspection(
        kind=InspectionKind.enforcement, title="检查", target_unit_id=scene.enterprise,
        inspectors=[scene.inspectors[0], scene.department], checklist=CHECKLIST), NotFound, "not-found")
    assert error.field == "inspectors[1]"
    refused(scene, scene.inspector(0), ai.OpenInspection(
        kind=InspectionKind.enforcement, title="检查", target_unit_id=scene.department,
        inspectors=scene.inspectors[:2], checklist=CHECKLIST), Rejected, "not-an-inspectable-unit")


def test_recording_refusals(scene: Scene, clock: ManualClock) -> None:
    inspection = scene.open()
    who = scene.inspector(0)
    refused(scene, who, ai.CoverChecklistItems(inspection_id=inspection, item_codes=["X9"]), Rejected,
            "unknown-checklist-item")
    scene.run(who, ai.CoverChecklistItems(inspection_id=inspection, item_codes=["G1"]))
    refused(scene, who, ai.CoverChecklistItems(inspection_id=inspection, item_codes=["G1", "G2"]), Conflict,
            "item-already-covered")
    refused(scene, who, ai.RecordFinding(inspection_id=inspection, item_code="X9", description="x"), Rejected,
            "unknown-checklist-item")
    refused(scene, who, ai.RecordFinding(inspection_id=inspection, description="补记", effective_at=clock.now()
                                         - timedelta(hours=1)), Rejected, "entry-out-of-order")
    refused(scene, who, ai.RecordFinding(inspection_id=inspection, description="x", expected_version=1), Conflict,
            "stale-version")


@pytest.mark.parametrize(("fields", "code"), [
    ({"score": 120}, "score-out-of-range"),
    ({"score": -1}, "score-out-of-range"),
    ({"score": 8, "max_score": 10, "pass_mark": 12}, "pass-mark-out-of-range"),
    ({"max_score": 0, "score": 0}, "max-score-positive"),
    ({"person_id": "stranger"}, "not-the-holder"),
    ({"post_id": "other"}, "post-of-other-unit"),
])
def test_spot_test_refusals(scene: Scene, fields: dict, code: str) -> None:
    inspection = scene.open()
    values = {"person_id": scene.main_person, "post_id": scene.main_post, "subject": "岗位职责", "score": 70,
              **fields}
    values["person_id"] = scene.stranger if values["person_id"] == "stranger" else values["person_id"]
    values["post_id"] = scene.other_post if values["post_id"] == "other" else values["post_id"]
    refused(scene, scene.inspector(0), ai.RecordSpotTest(inspection_id=inspection, **values), Rejected, code)


def test_signing_refusals(scene: Scene) -> None:
    inspection = scene.open()
    sign = ai.SignInspection(inspection_id=inspection)
    refused(scene, scene.inspector(2), sign, Rejected, "signer-not-an-inspector")
    refused(scene, Principal("test:admin", "admin", "350000"), sign, Forbidden, "person-required")
    scene.run(scene.inspector(0), sign)
    error = refused(scene, scene.inspector(0), sign, Conflict, "already-signed")
    assert error.basis == ins.SIGNATURE_BASIS
    refused(scene, scene.inspector(1), ai.RecordFinding(inspection_id=inspection, description="签名后补记"),
            Conflict, "inspection-being-signed")


def test_an_unsigned_inspection_is_not_complete(scene: Scene) -> None:
    inspection = scene.open()
    complete = ai.CompleteInspection(inspection_id=inspection)
    error = refused(scene, scene.inspector(0), complete, Rejected, "unsigned-inspection")
    assert "2 of 2 inspectors have not signed" in error.detail
    scene.signed_by_all(inspection, [1])
    assert "1 of 2" in refused(scene, scene.inspector(0), complete, Rejected, "unsigned-inspection").detail
    scene.signed_by_all(inspection, [0])
    refused(scene, scene.inspector(0), ai.CompleteInspection(inspection_id=inspection, target_acknowledged_by="张三",
                                                             target_refused_to_sign=True),
            Rejected, "acknowledged-or-refused")
    scene.run(scene.inspector(0), complete)


def test_a_completed_inspection_cannot_change(scene: Scene) -> None:
    inspection = scene.completed()
    who = scene.inspector(0)
    for command in (ai.RecordFinding(inspection_id=inspection, description="事后补记"),
                    ai.CoverChecklistItems(inspection_id=inspection, item_codes=["G3"]),
                    ai.RecordSpotTest(inspection_id=inspection, person_id=scene.main_person, post_id=scene.main_post,
                                      subject="职责", score=90),
                    ai.SignInspection(inspection_id=inspection),
                    ai.CompleteInspection(inspection_id=inspection)):
        refused(scene, who, command, Conflict, "inspection-completed")


def test_a_correction_is_a_new_fact_referencing_what_it_corrects(scene: Scene, system: System,
                                                                  clock: ManualClock) -> None:
    inspection = scene.completed()
    before = state(system, inspection)
    clock.advance(timedelta(days=3))
    fixed = Finding(finding_no=2, item_code="G1", description="经营许可证台账记录不全", hazard_suspected=False)
    scene.run(scene.inspector(1), ai.CorrectInspection(
        inspection_id=inspection, findings=[fixed], spot_tests=[SpotTestFix(test_no=1, score=85)],
        reason="录入错误:成绩应为85分"))
    after = state(system, inspection)
    assert after.findings == (before.findings[0], fixed)
    assert after.spot_tests[0].score == 85
    assert after.spot_tests[0].passed
    assert after.corrections == 1
    assert after.signatures == before.signatures
    correction = system.store.history(inspection)[-1]
    assert isinstance(correction, ins.InspectionCorrected)
    assert correction.corrects_version == before.version
    assert correction.previous_findings == (before.findings[1],)
    assert correction.previous_spot_tests == before.spot_tests
    assert correction.corrected_by == scene.inspectors[1]
    assert correction.effective_at == before.completed_at, "effective at the completion of what it corrects"
    assert correction.timestamp == clock.now()
    assert len(system.store.history(inspection)) == before.version + 1, "nothing stored was edited"


def test_correction_refusals(scene: Scene, clock: ManualClock) -> None:
    open_one = scene.open()
    who = scene.inspector(0)
    fix = Finding(finding_no=1, description="更正")
    refused(scene, who, ai.CorrectInspection(inspection_id=open_one, findings=[fix], reason="更正"), Conflict,
            "inspection-not-completed")
    inspection = scene.completed()
    current = state(scene.system, inspection)
    for command, error, code in (
        (ai.CorrectInspection(inspection_id=inspection, reason="无"), Rejected, "nothing-to-correct"),
        (ai.CorrectInspection(inspection_id=inspection, findings=[current.findings[0]], reason="同"), Rejected,
         "nothing-to-correct"),
        (ai.CorrectInspection(inspection_id=inspection, findings=[Finding(finding_no=3, description="新增")],
                              reason="补"), NotFound, "finding-not-found"),
        (ai.CorrectInspection(inspection_id=inspection, spot_tests=[SpotTestFix(test_no=1, score=101)],
                              reason="分"), Rejected, "score-out-of-range"),
        (ai.CorrectInspection(inspection_id=inspection, spot_tests=[SpotTestFix(test_no=2, score=50)],
                              reason="分"), NotFound, "spot-test-not-found"),
        (ai.CorrectInspection(inspection_id=inspection, findings=[fix], reason="更正",
                              effective_at=clock.now() + timedelta(days=1)), Rejected, "correction-effective-at"),
    ):
        refused(scene, who, command, error, code)


def test_an_inspector_acts_only_on_its_departments_targets(scene: Scene) -> None:
    other = scene.other_inspector_principal
    refused(scene, other, ai.OpenInspection(
        kind=InspectionKind.enforcement, title="检查", target_unit_id=scene.enterprise,
        inspectors=[scene.other_inspector, scene.inspectors[2]], checklist=CHECKLIST), Forbidden, "not-your-target")
    refused(scene, scene.inspector(0), ai.OpenInspection(
        kind=InspectionKind.enforcement, title="检查", target_unit_id=scene.enterprise,
        inspecting_unit_id=scene.other_department, inspectors=scene.inspectors[:2], checklist=CHECKLIST),
        Forbidden, "not-your-department")
    theirs = scene.run(ADMIN, ai.OpenInspection(
        kind=InspectionKind.enforcement, title="危化品执法检查", target_unit_id=scene.other_enterprise,
        inspecting_unit_id=scene.other_department, inspectors=[scene.other_inspector, scene.inspectors[2]],
        checklist=CHECKLIST)).id
    refused(scene, scene.inspector(0), ai.RecordFinding(inspection_id=theirs, description="x"), Forbidden,
            "not-your-target")
    scene.run(scene.inspector(2), ai.SignInspection(inspection_id=theirs))  # a named inspector signs what they did


def test_from_the_wrong_jurisdiction_nothing_is_written(scene: Scene) -> None:
    elsewhere = Principal("test:enforcement-b", "enforcement", TOWN_B)
    refused(scene, elsewhere, ai.OpenInspection(
        kind=InspectionKind.enforcement, title="检查", target_unit_id=scene.enterprise,
        inspecting_unit_id=scene.department, inspectors=scene.inspectors[:2], checklist=CHECKLIST),
        NotFound, "not-found")
    inspection = scene.open()
    refused(scene, elsewhere, ai.RecordFinding(inspection_id=inspection, description="x"), NotFound, "not-found")
    far_inspector = Principal("test:far", "inspector", TOWN_B, unit_id=scene.department,
                              person_id=scene.inspectors[0])
    refused(scene, far_inspector, ai.SignInspection(inspection_id=inspection), NotFound, "not-found")


def test_an_enterprise_user_records_only_its_own_checks(scene: Scene) -> None:
    user = scene.enterprise_user
    refused(scene, user, ai.OpenInspection(
        kind=InspectionKind.enforcement, title="检查", target_unit_id=scene.enterprise,
        inspectors=scene.inspectors[:2], checklist=CHECKLIST), Forbidden, "own-checks-only")
    refused(scene, user, ai.OpenInspection(
        kind=InspectionKind.leader, title="领导检查", target_unit_id=scene.enterprise,
        inspecting_unit_id=scene.department, inspectors=[scene.main_person], led_by=scene.main_person),
        Forbidden, "own-checks-only")
    led = scene.run(user, ai.OpenInspection(
        kind=InspectionKind.leader, title="主要负责人每月带队检查", target_unit_id=scene.enterprise,
        inspectors=[scene.main_person, scene.safety_person], led_by=scene.main_person)).id
    assert state(scene.system, led).inspecting_unit_id == scene.enterprise
    refused(scene, user, ai.OpenInspection(
        kind=InspectionKind.self_check, title="自查", target_unit_id=scene.other_enterprise,
        inspectors=[scene.safety_person]), Forbidden, "other-enterprise")
    enforcement = scene.open()
    refused(scene, user, ai.RecordFinding(inspection_id=enforcement, description="x"), Forbidden, "own-checks-only")
    own = scene.run(user, ai.OpenInspection(kind=InspectionKind.self_check, title="自查",
                                            target_unit_id=scene.enterprise, inspectors=[scene.safety_person])).id
    scene.run(user, ai.RecordFinding(inspection_id=own, description="消防通道堵塞", hazard_suspected=True))
    scene.run(user, ai.SignInspection(inspection_id=own))
    scene.run(user, ai.CompleteInspection(inspection_id=own))
    assert state(scene.system, own).completed


def test_viewers_and_auditors_do_not_write(scene: Scene) -> None:
    for role in ("viewer", "auditor", "investigator", "registrar"):
        refused(scene, Principal(f"test:{role}", role, COUNTY), ai.OpenInspection(
            kind=InspectionKind.enforcement, title="检查", target_unit_id=scene.enterprise,
            inspecting_unit_id=scene.department, inspectors=scene.inspectors[:2], checklist=CHECKLIST),
            Forbidden, "role-not-allowed")
