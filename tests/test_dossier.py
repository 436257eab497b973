"""The 一案四查 dossier: as of the accident, as known on any day, every line proven against a signed tree head and
re-derived offline — on SQLite and PostgreSQL (issue 11 acceptance; docs/dossier.md)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any
from uuid import UUID

import orjson
import pytest

from api.bootstrap import System
from api.dossier_pdf import render_pdf
from api.dossier_report import render
from application import accidents as a
from application import accountability as acc
from application import hazards as h
from application import inspections as ai
from application import responsibility as rs
from application.authorization import Principal
from application.clock import ManualClock
from domain import accidents as ac
from domain import accountability as ac_acc
from domain import hazards as hz
from domain.calendar import CST
from domain.dossier import Logged, derive
from domain.inspections import InspectionKind
from domain.rules.accidents import Figures
from infrastructure import dossier
from infrastructure.dossier_build import Kept
from tests.conftest import ADMIN, COUNTY, REGISTRAR, T0
from tests.inspection_scene import CHECKLIST, Scene

T = T0 + timedelta(days=10)
"""The accident."""


class Case:
    """The gas company of the inspection scene: its main responsible person replaced after the accident, a hazard
    found before it and closed after it, an inspection before it recorded only after it."""

    def __init__(self, system: System, clock: ManualClock):
        self.system, self.clock = system, clock
        self.scene = scene = Scene(system)
        world = scene.world
        self.list_id = world.duty_list(world.enterprise)
        world.duty(self.list_id, scene.main_post, text="组织制定并实施本单位安全生产教育和培训计划")
        clock.set(T0 + timedelta(days=1))
        self.hazard = scene.run(scene.inspector(0), h.ReportHazard(
            unit_id=world.enterprise, grade=hz.HazardGrade.general, description="调压站报警装置失效",
            source=hz.HazardSource.grid_patrol)).id
        clock.set(T + timedelta(minutes=50))
        investigator = Principal("inv", "investigator", COUNTY)
        self.accident = scene.run(investigator, a.RecordAccident(
            unit_id=world.enterprise, kind=ac.AccidentKind.work, occurred_at=T, place="调压站",
            description="燃气泄漏爆燃", unit_head_informed_at=T + timedelta(minutes=5),
            known_from=ac.KnownFrom.unit_report, known_at=T + timedelta(minutes=40), figures=Figures(deaths=1))).id
        clock.set(T + timedelta(days=2))
        scene.run(scene.inspector(0), h.RectifyOnTheSpot(hazard_id=self.hazard, measures="更换报警装置"))
        clock.set(T + timedelta(days=3))
        scene.run(REGISTRAR, rs.AppointHolder(post_id=scene.main_post, person_id=scene.stranger,
                                              replaces=scene.main_person))
        self.before_inspection = clock.advance(timedelta(hours=1))
        clock.set(T + timedelta(days=4))
        self.inspection = scene.run(scene.inspector(0), ai.OpenInspection(
            kind=InspectionKind.enforcement, title="城镇燃气安全执法检查", target_unit_id=world.enterprise,
            inspectors=scene.inspectors[:2], experts=[], unannounced=True, checklist=CHECKLIST,
            effective_at=T0 + timedelta(days=5))).id
        system.audit.sealer.seal_now()

    def build(self, **fields: Any) -> dict[str, Any]:
        return self.system.dossiers.build(self.accident, scope=COUNTY,
                             known_at=fields.pop("known_at", self.clock.now()), **fields)


@pytest.fixture
def case(system: System, clock: ManualClock) -> Case:
    return Case(system, clock)


def line(content: dict[str, Any], name: str) -> dict[str, Any]:
    return next(x for x in content["lines"] if x["line"] == name)


def holders(content: dict[str, Any], post_id: UUID) -> list[str]:
    post = next(p for p in line(content, "entity")["facts"]["posts"] if p["post_id"] == str(post_id))
    return [h["name"] for h in post["holders"]]


def test_the_holder_at_the_accident_is_shown_though_replaced_after_it(case: Case) -> None:
    content = case.build()["content"]
    assert holders(content, case.scene.main_post) == ["总经理"]
    later = case.build(as_of=T + timedelta(days=5))["content"]
    assert holders(later, case.scene.main_post) == ["路人"]


def test_a_hazard_closed_after_the_accident_shows_open_at_it(case: Case) -> None:
    (hazard,) = line(case.build()["content"], "entity")["facts"]["hazards"]
    assert (hazard["status"], hazard["open"]) == ("reported", True)
    (later,) = line(case.build(as_of=T + timedelta(days=5))["content"], "entity")["facts"]["hazards"]
    assert (later["status"], later["open"]) == ("closed", False)


def test_an_inspection_recorded_after_the_accident_is_absent_as_known_before_its_recording(case: Case) -> None:
    known_now = line(case.build()["content"], "supervisory")["facts"]["inspections"]
    assert [i["inspection_id"] for i in known_now] == [str(case.inspection)]
    assert [i["name"] for i in known_now[0]["inspectors"]] == ["检查员1", "检查员2"]
    known_before = case.build(known_at=case.before_inspection)["content"]
    assert line(known_before, "supervisory")["facts"]["inspections"] == []


def test_the_lines_name_the_lead_department_the_territories_and_the_gaps(case: Case) -> None:
    content = case.build()["content"]
    supervisory = line(content, "supervisory")["facts"]
    (department,) = supervisory["supervising_departments"]
    assert department["name"] == "泉港区城市管理局"
    assert [x["department_id"] for x in supervisory["lead_rule"]] == [department["unit_id"]]
    territories = [t["name"] for t in line(content, "territorial")["facts"]["territories"]]
    assert territories == ["山腰街道", "泉港区"]  # the reader is the county: the city and province are not shown
    gaps = {(g["gap"], g["detail"]) for g in content["gaps"]}
    assert ("no_duty_list", "泉港区城市管理局 在当时没有责任清单") in gaps
    assert ("no_duty_list", "山腰街道 在当时没有责任清单") in gaps
    assert line(content, "subject")["facts"]["grade"] == "general"
    timeline = line(content, "backtracks")["facts"]["timeline"]
    assert [e["effective_at"] for e in timeline] == sorted((e["effective_at"] for e in timeline), reverse=True)
    assert {"HazardReported", "InspectionOpened", "AccidentRecorded"} <= {e["type"] for e in timeline}


def test_a_saved_dossier_verifies_offline_and_an_altered_line_fails(case: Case) -> None:
    saved = case.build()
    keys = case.system.audit.keys()
    assert "verified" in dossier.verify(saved, keys)
    every = {p for x in saved["content"]["lines"] for p in x["positions"]}
    assert every == {e["position"] for e in saved["evidence"]}
    altered = copy.deepcopy(saved)
    line(altered["content"], "entity")["facts"]["posts"][0]["holders"][0]["name"] = "别人"
    with pytest.raises(dossier.DossierInvalid, match="entity"):
        dossier.verify(altered, keys)
    dropped = copy.deepcopy(saved)
    line(dropped["content"], "supervisory")["facts"]["inspections"] = []
    with pytest.raises(dossier.DossierInvalid, match="supervisory"):
        dossier.verify(dropped, keys)
    forged = copy.deepcopy(saved)
    forged["evidence"][0]["stored"] = forged["evidence"][1]["stored"]
    with pytest.raises(dossier.DossierInvalid, match="not in the signed tree"):
        dossier.verify(forged, keys)
    resigned = copy.deepcopy(saved)
    resigned["head"]["root_hash"] = "00" * 32
    with pytest.raises(dossier.DossierInvalid, match="head"):
        dossier.verify(resigned, keys)


def test_the_entity_line_shows_own_checks_and_the_supervisory_line_what_each_inspection_missed(
        system: System, clock: ManualClock) -> None:
    """谁检查、谁签名、谁负责: an earlier inspection had the hazard's checklist item in scope, checked it, signed and
    found nothing — in scope and missed; one without the item — out of scope; the one that found it — found. The
    enterprise's own check led by its main responsible person is on the entity line (seed 004 ¶67), not the
    supervisory one."""
    scene = Scene(system)
    who = scene.inspector(0)
    clock.set(T0 + timedelta(days=1))
    missed = scene.open()
    scene.run(who, ai.CoverChecklistItems(inspection_id=missed, item_codes=["G1", "G2"]))
    scene.signed_by_all(missed)
    clock.set(T0 + timedelta(days=2))
    narrow = scene.open(checklist=[CHECKLIST[0], CHECKLIST[2]])
    clock.set(T0 + timedelta(days=3))
    found = scene.completed()
    hazard = scene.run(who, h.ReportHazard(
        unit_id=scene.enterprise, grade=hz.HazardGrade.general, description="报警装置失效",
        source=hz.HazardSource.inspection, inspection_id=found, finding_no=1)).id
    own = scene.run(scene.enterprise_user, ai.OpenInspection(
        kind=InspectionKind.self_check, title="月度安全自查", target_unit_id=scene.enterprise,
        inspectors=[scene.main_person, scene.safety_person], experts=[], unannounced=False, checklist=CHECKLIST,
        led_by=scene.main_person)).id
    clock.set(T + timedelta(hours=1))
    accident = scene.run(Principal("inv", "investigator", COUNTY), a.RecordAccident(
        unit_id=scene.enterprise, kind=ac.AccidentKind.work, occurred_at=T, place="调压站", description="燃气泄漏",
        unit_head_informed_at=T + timedelta(minutes=5), known_from=ac.KnownFrom.unit_report,
        known_at=T + timedelta(minutes=30), figures=Figures(serious_injuries=1))).id
    system.audit.sealer.seal_now()
    saved = system.dossiers.build(accident, scope=COUNTY, known_at=clock.now())
    content = saved["content"]
    supervisory = line(content, "supervisory")
    assert str(own) not in {i["inspection_id"] for i in supervisory["facts"]["inspections"]}
    (behind,) = supervisory["facts"]["hazards_behind"]
    assert (behind["hazard_id"], behind["item_code"]) == (str(hazard), "G2")
    reach = {i["inspection_id"]: i["verdict"] for i in behind["inspections"]}
    assert reach == {str(missed): "in_scope_missed", str(narrow): "out_of_scope", str(found): "found"}
    missed_entry = next(i for i in behind["inspections"] if i["inspection_id"] == str(missed))
    assert missed_entry["signed_by"] == sorted(str(p) for p in scene.inspectors[:2])
    entity = line(content, "entity")["facts"]
    assert [i["inspection_id"] for i in entity["self_checks"]] == [str(own)]
    (leader,) = entity["main_leader_checks"]
    assert leader["name"] == "总经理"
    assert leader["inspection_ids"] == [str(own)]
    assert sum(m["checks"] for m in leader["months"]) == 1
    assert leader["months"][0]["month"] == T.astimezone(CST).strftime("%Y-%m")  # newest first, up to T's month
    assert "verified" in dossier.verify(saved, system.audit.keys())
    page = render(saved)
    assert "在检查表范围内、已检查而未发现" in page
    assert "主要负责人带队检查（按月）" in page
    altered = copy.deepcopy(saved)
    line(altered["content"], "supervisory")["facts"]["hazards_behind"][0]["inspections"][0]["verdict"] = "found"
    with pytest.raises(dossier.DossierInvalid, match="supervisory"):
        dossier.verify(altered, system.audit.keys())


def test_the_dossier_read_through_its_index_is_the_dossier_of_the_whole_log(case: Case) -> None:
    """The index (projections/dossier_index.py) changes what is read, never what is derived: the same content as
    ``derive`` over every sealed event, as of T and as known before the late inspection."""
    everything = [Logged(e.position, e.event) for e in case.system.store.read(0, 100_000)]
    for fields in ({}, {"known_at": case.before_inspection}, {"as_of": T + timedelta(days=5)}):
        built = case.build(**dict(fields))["content"]
        derived = derive("accident", case.accident, everything, scope=COUNTY,
                         known_at=fields.get("known_at", case.clock.now()), as_of=fields.get("as_of"))
        assert built == orjson.loads(orjson.dumps(derived))


def test_what_dossiers_keep_between_builds_changes_nothing(case: Case) -> None:
    """Decoded events, leaf indices and range hashes kept from earlier builds (infrastructure.dossier_build.Kept)
    give the very dossier a cold build gives — content, evidence and proofs — after the log grew and a new head was
    signed, as known before the late inspection, and with fewer events kept than one dossier proves."""
    case.build()
    case.clock.advance(timedelta(hours=2))
    case.scene.run(case.scene.inspector(0), h.ReportHazard(
        unit_id=case.scene.world.enterprise, grade=hz.HazardGrade.general, description="新的隐患",
        source=hz.HazardSource.grid_patrol))
    case.system.audit.sealer.seal_now()
    dossiers = case.system.dossiers
    for fields in ({}, {"known_at": case.before_inspection}, {"as_of": T + timedelta(days=5)}):
        warm = case.build(**dict(fields))
        dossiers.kept = Kept()
        assert case.build(**dict(fields)) == warm
        dossiers.kept = Kept(events=3, nodes=5)
        assert case.build(**dict(fields)) == warm
        assert case.build(**dict(fields)) == warm
        dossier.verify(warm, case.system.audit.keys())


def test_the_lines_show_the_cases_against_the_unit_and_the_slips_and_letters_to_its_town(
        system: System, clock: ManualClock) -> None:
    """Entity line: prior penalties; supervisory line: the cases and their outcomes; territorial line: the
    交办单/督办单 and letters to the 镇/街道 above U (seed 000 ¶6) — each proven like every line."""
    from tests.test_cases import Bench

    bench = Bench(system)
    case = bench.open(bench.hazard())
    bench.to_decision(case)
    world = bench.world
    slip = system.service.execute(acc.IssueSlip(
        kind=ac_acc.SlipKind.assignment, issuer_unit_id=world.county, target_unit_id=world.town_a,
        matter="燃气安全隐患突出问题, 限期整治并反馈", deadline=clock.now() + timedelta(days=10)), ADMIN).id
    letter = system.service.execute(acc.IssueNotice(
        kind=ac_acc.NoticeKind.warning_letter, issuer_unit_id=world.county, target_unit_ids=[world.town_a],
        matter="警示: 燃气隐患整治不力"), ADMIN).id
    occurred = clock.advance(timedelta(days=1))
    clock.advance(timedelta(hours=1))
    accident = system.service.execute(a.RecordAccident(
        unit_id=world.enterprise, kind=ac.AccidentKind.work, occurred_at=occurred, place="调压站", description="泄漏",
        unit_head_informed_at=occurred + timedelta(minutes=5), known_from=ac.KnownFrom.unit_report,
        known_at=occurred + timedelta(minutes=30)), Principal("inv", "investigator", COUNTY)).id
    system.audit.sealer.seal_now()
    saved = system.dossiers.build(accident, scope=COUNTY, known_at=clock.now())
    content = saved["content"]
    (shown,) = line(content, "supervisory")["facts"]["cases"]
    assert (shown["case_id"], shown["status"]) == (str(case), "decided")
    assert shown["decision"]["decision_no"].startswith("泉港应急罚")
    assert [c["case_id"] for c in line(content, "entity")["facts"]["prior_penalties"]] == [str(case)]
    town = next(t for t in line(content, "territorial")["facts"]["territories"] if t["unit_id"] == str(world.town_a))
    assert [s["slip_id"] for s in town["slips"]] == [str(slip)]
    assert (town["slips"][0]["answered_at"], town["slips"][0]["late_flagged"]) == (None, False)
    assert [n["notice_id"] for n in town["notices"]] == [str(letter)]
    assert {"CaseOpened", "CaseDecided"} <= {e["type"] for e in line(content, "backtracks")["facts"]["timeline"]}
    assert "verified" in dossier.verify(saved, system.audit.keys())
    page = render(saved)
    assert "警示: 燃气隐患整治不力" in page
    assert "泉港应急罚" in page


def test_the_printable_report_as_pdf(case: Case) -> None:
    """The PDF (reportlab, Chinese in its built-in CID font): an A4 document of the same report, the font named."""
    pdf = render_pdf(case.build())
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"STSong-Light" in pdf
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4


def test_a_dossier_opened_on_a_near_miss_is_anchored_where_the_hazard_was_found(case: Case) -> None:
    """An investigator also opens a dossier on a hazard (a near miss): U and T are where and when it was found."""
    saved = case.system.dossiers.build(case.hazard, scope=COUNTY, known_at=case.clock.now())
    content = saved["content"]
    assert content["subject"]["kind"] == "hazard"
    assert content["subject"]["at"] == content["as_of"]
    (hazard,) = line(content, "entity")["facts"]["hazards"]
    assert (hazard["hazard_id"], hazard["open"]) == (str(case.hazard), True), "open when it was found"
    assert holders(content, case.scene.main_post) == ["总经理"]
    assert "verified" in dossier.verify(saved, case.system.audit.keys())
