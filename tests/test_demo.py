"""The demo history: deterministic, realistic, and it answers an investigator's questions."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from api.bootstrap import System
from api.demo.loader import build_demo
from domain import hazards as hz
from domain.base import in_effect_order, project
from domain.hazards import RectificationReinspected
from domain.tips import ReporterIdentityDisclosed
from infrastructure.settings import Settings
from tests.conftest import DEMO_KEY


def load(settings: Settings) -> System:
    return build_demo(settings)[0]


def fingerprint(system: System) -> list[tuple]:
    return [(e.position, type(e.event).__name__, e.event.originator_id, e.event.originator_version, e.event.timestamp,
             e.event.envelope.effective_at, repr(e.event.public_data()))
            for e in system.store.read(0, 100_000)]


@pytest.mark.parametrize("demo", ["postgres"], indirect=True)
def test_the_demo_is_the_same_on_every_machine(demo: System, tmp_path: Path) -> None:
    """Same events, ids and times everywhere — on another machine and on the other database; person ids follow the
    deployment's keyed digest, so same key."""
    fresh = load(Settings(sqlite_path=tmp_path / "a.db", data_dir=tmp_path / "a", master_key=DEMO_KEY))
    try:
        assert fingerprint(fresh) == fingerprint(demo)
    finally:
        fresh.close()


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text + "T12:00:00+08:00")


def test_who_was_district_head_before_and_after_the_change(demo: System) -> None:
    rows = demo.queries.ledger.duties("350000", as_of=cst("2025-05-01"), known_at=cst("2026-11-01"))
    heads = {r["person_name"] for r in rows if r["post_title"] == "区长"}
    later = demo.queries.ledger.duties("350000", as_of=cst("2025-07-01"), known_at=cst("2026-11-01"))
    assert len(heads) == 1
    assert {r["person_name"] for r in later if r["post_title"] == "区长"} != heads


def test_the_late_recorded_safety_manager(demo: System) -> None:
    """Appointed 2025-03-01, recorded three weeks later: the ledger known on 03-10 shows the post vacant."""
    as_of = cst("2025-03-05")
    known_then = demo.queries.ledger.duties("350000", as_of=as_of, known_at=cst("2025-03-10"))
    known_now = demo.queries.ledger.duties("350000", as_of=as_of, known_at=cst("2026-11-01"))
    then = [r for r in known_then if r["post_title"] == "安全部经理"]
    now = [r for r in known_now if r["post_title"] == "安全部经理"]
    assert then
    assert all(r["person_id"] is None for r in then)
    assert now
    assert all(r["person_id"] is not None for r in now)


def test_the_demo_leaves_gaps_to_find(demo: System) -> None:
    gaps = {g["gap"] for g in demo.queries.gaps.find("350000", as_of=cst("2026-10-31"), known_at=cst("2026-11-01"))}
    assert {"vacant_post", "no_all_staff_list", "position_without_duties", "portfolio_without_safety_duty"} <= gaps


def test_no_demo_hazard_struck_off_reads_overdue(demo: System) -> None:
    """The ordered hazard the worker marked overdue on 2025-05-07 whose submission, re-inspection and close-out were
    recorded after it, effective 05-03…05-05, reads closed (it read 逾期未整改 when the ledger re-folded column
    values); every hazard's status, on 2025-06-01 and today, is the domain's fold of its events in effect order."""
    now = cst("2026-11-01")
    histories: dict[UUID, list] = {}
    for entry in demo.store.read(0, 100_000):
        if type(entry.event).__module__ == "domain.hazards":
            histories.setdefault(entry.event.originator_id, []).append(entry.event)
    late = [hid for hid, events in histories.items()
            if any(type(e).__name__ == "HazardBecameOverdue" and any(
                later.effective_at < e.effective_at for later in events[e.originator_version:]) for e in events)]
    assert late, "the demo records a fix after the worker marked the hazard overdue, effective before it"
    for as_of in (cst("2025-06-01"), now):
        rows = demo.queries.hazards.ledger("350000", as_of=as_of, known_at=now, limit=10_000)
        for row in rows:
            events = [e for e in in_effect_order(histories[UUID(row["hazard_id"])]) if e.effective_at <= as_of]
            assert row["status"] == project(None, events).status, (row["hazard_id"], as_of)
        statuses = {row["hazard_id"]: row["status"] for row in rows}
        assert [statuses[str(hid)] for hid in late if str(hid) in statuses] == ["closed"] * len(
            [hid for hid in late if str(hid) in statuses])
    assert all(demo.store.get(hid).status == hz.HazardStatus.closed for hid in late)


def test_the_demo_tips_a_reward_an_unfounded_web_tip_and_a_whistleblower(demo: System) -> None:
    """R11 in the demo: the 12345 call about the LPG refilling point led to a hazard and 15 % of the fine."""
    tips = {row["channel"]: row for row in demo.queries.tips.ledger("350000")}
    lpg, web, chem = tips["hotline_12345"], tips["web"], tips["internal_whistleblower"]
    assert (lpg["status"], lpg["reward_yuan"], lpg["reward_grounds"], lpg["feedback_count"]) == (
        "reward_paid", "7500.00", "major_hazard", 1)
    [outcome] = lpg["outcomes"]
    hazard = demo.store.get(UUID(outcome["target_id"]))
    assert (hazard.source, str(hazard.tip_id)) == ("tip", lpg["tip_id"])
    assert (web["anonymous"], web["verdict"], web["feedback_count"]) == (1, "unsubstantiated", 1)
    assert (chem["verdict"], chem["disclosures"], chem["feedback_count"]) == ("substantiated", 1, 1)
    [disclosure] = [e for e in demo.store.history(UUID(chem["tip_id"])) if isinstance(e, ReporterIdentityDisclosed)]
    assert "打击报复" in disclosure.reason, "the reason is recorded with the look"


def test_the_demo_hazards_go_overdue_escalate_and_reopen(demo: System) -> None:
    """A year of hazards from the inspections' findings and from tips (issue: hazards; seeds 000 §16, 004 §三)."""
    end, now = cst("2026-10-31"), cst("2026-11-01")
    hazards = demo.queries.hazards.ledger("350000", as_of=end, known_at=now, limit=10_000)
    assert len(hazards) >= 25
    assert {h["source"] for h in hazards} >= {"inspection", "self_reported", "tip"}
    assert all(h["inspection_id"] for h in hazards if h["source"] == "inspection")
    kinds = {type(e.event).__name__ for e in demo.store.read(0, 100_000)}
    assert {"HazardBecameOverdue", "ListedSupervisionEscalated", "FollowUpReviewed", "RectificationOrdered",
            "RectificationReinspected", "DeadlineExtended", "ProductionSuspended", "ProductionResumed",
            "RectifiedOnTheSpot"} <= kinds
    failed = [e.event for e in demo.store.read(0, 100_000)
              if isinstance(e.event, RectificationReinspected) and not e.event.passed]
    assert failed, "an ordered rectification failed its re-inspection (复查) once"
    [suspension] = demo.queries.orders.suspensions("350000", as_of=end)
    assert (suspension["lifted_by"], suspension["unit_name"] is not None) == ("review", True), (
        "the 工贸 suspension was lifted by the department's review (经审查同意), not by the close-out")
    assert demo.queries.orders.orders("350000", open_only=True, as_of=end), "orders still open at the end"
    assert [h["reopened"] for h in hazards if h["reopened"]] == [1]
    still_open = [h for h in hazards if h["status"] != "closed"]
    assert still_open, "the history ends with work in progress"
    assert any(h["days_overdue"] > 30 for h in still_open)
    board = demo.queries.hazards.board("350000", as_of=end, known_at=now)
    assert [(b["level"], b["open"]) for b in board] == [("city", 1)], "the escalated hot-work hazard is on the board"
    escalations = [e.event for e in demo.store.read(0, 100_000)
                   if type(e.event).__name__ == "ListedSupervisionEscalated"]
    assert all(e.envelope.actor.role == "system" and e.envelope.rules_version for e in escalations)


def test_the_demo_oversight_flags_find_the_empty_months(demo: System) -> None:
    """城管 did not enforce in 2025-02 nor 应急 in 2025-08; the committee head led no inspection in 2025-04."""
    flags = demo.queries.oversight.flags("350000", known_at=cst("2026-11-01"))
    names = {(f["kind"], f["period"], f["unit_name"] or f["person_name"]) for f in flags}
    assert ("zero_enforcement", "2025-02", "泉港区城市管理局") in names
    assert ("zero_enforcement", "2025-08", "泉港区应急管理局") in names
    assert ("zero_penalty", "2026-04", "泉港区城市管理局") in names
    assert ("zero_penalty", "2026-05", "泉港区城市管理局") not in names, "the LPG case was decided on 7 May 2026"
    assert any(kind == "leader_inspection_missed" and period == "2025-04" for kind, period, _ in names)
    raised = {(f["raised_at"], f["recorded_at"] >= f["raised_at"]) for f in flags if f["period"] == "2025-02"}
    assert raised == {(datetime.fromisoformat("2025-03-06T00:00:00+08:00"), True)}, (
        "effective when the month fell due (five days after it ended), recorded when the worker ran")


def test_every_department_town_and_village_of_the_county_has_a_duty_list(demo: System) -> None:
    gaps = demo.queries.gaps.find("350000/350500/350505", as_of=cst("2026-10-31"), known_at=cst("2026-11-01"))
    assert [g["unit_name"] for g in gaps if g["gap"] == "no_duty_list"] == []
    assert any(g["gap"] == "vacant_post" and g["unit_name"] == "南埔村" for g in gaps)  # still a gap to find


def test_the_demo_accidents_and_their_dossiers(demo: System) -> None:
    import orjson

    from domain.accidents import Accident, AccidentRegraded, ConcealmentSuspected
    from domain.dossier import Logged, derive
    from infrastructure import dossier

    accidents = sorted((e.event.apply(None) for e in demo.store.read(0, 100_000)
                        if type(e.event).__name__ == "AccidentRecorded"), key=lambda a: a.occurred_at)
    dust, collapse = (demo.store.get(a.id) for a in accidents)
    assert isinstance(dust, Accident)
    assert isinstance(collapse, Accident)
    assert (dust.grade, dust.flags, dust.concealment_suspected) == ("general", (), False)
    assert [f.irregularity for f in collapse.flags] == ["late_first_report"]  # three hours late
    assert (collapse.grade, collapse.figures.deaths, collapse.listed_by_id is not None) == ("serious", 3, True)
    history = demo.store.history(collapse.id)
    assert sum(isinstance(e, ConcealmentSuspected) for e in history) == 1
    assert [(e.previous, e.grade) for e in history if isinstance(e, AccidentRegraded)] == [("general", "serious")]
    built = demo.dossiers.build(dust.id, scope="350000/350500/350505", known_at=cst("2026-11-01"))
    hazards = {line["line"]: line for line in built["content"]["lines"]}["entity"]["facts"]["hazards"]
    major = [h for h in hazards if h["grade"] == "major"]
    assert [(h["status"], h["listing"] is not None) for h in major] == [("overdue", True)]
    inspections = {line["line"]: line for line in built["content"]["lines"]}["supervisory"]["facts"]["inspections"]
    assert any(i["signatures"] and i["findings"] for i in inspections)  # the inspection that found it, signed
    assert "verified" in dossier.verify(built, demo.audit.keys())
    everything = [Logged(e.position, e.event) for e in demo.store.read(0, 100_000)]  # the index reads what derive would
    derived = derive("accident", dust.id, everything, scope="350000/350500/350505", known_at=cst("2026-11-01"))
    assert built["content"] == orjson.loads(orjson.dumps(derived))


def test_the_demo_blacklist_lists_the_unlicensed_refilling_point(demo: System) -> None:
    """R10: 城管 lists the snack shop that refilled LPG without a licence, for 3 years, and notifies joint
    discipline."""
    [row] = [r for r in demo.queries.blacklist.public("350000", date(2026, 10, 31)) if r["ground"] == "unlicensed"]
    assert (row["ground"], row["decision_no"], row["listed_on"], row["expires_on"]) == (
        "unlicensed", "泉港城管失信〔2026〕1号", date(2026, 5, 27), date(2029, 5, 27))
    [entry] = [r for r in demo.queries.blacklist.entries("350000") if r["ground"] == "unlicensed"]
    assert [n["recipients"] for n in entry["notices"]] == [["泉港区发展和改革局", "泉港区市场监督管理局"]]
    assert [r["ground"] for r in demo.queries.blacklist.public("350000", date(2026, 5, 26))] == ["multiplied_fine"]


def test_the_demo_enforcement_cases(demo: System) -> None:
    """docs/cases.md: a hearing requested and held; a repeat offender moved up a tier (泉港城管〔2022〕149号 ¶27, the
    泉港区 pack's trigger); three fined decisions in 180 days with a major hazard open → the 第113条 closure proposal;
    a decision under 第114条第二款 → the listing the policy proposed and 应急管理局 decided; orders numbered."""
    cases = {r["article"] + "|" + r["decision_no"]: r for r in demo.queries.cases.ledger("350000", date(2026, 10, 31))
             if r["decision_no"]}
    dust = next(r for key, r in cases.items() if key.startswith("安全生产法 第114条第二款(一般事故)"))
    assert dust["hearing_requested_on"] is not None
    assert dust["hearing_held_on"] is not None
    assert dust["status"] == "paid"
    chem = sorted((r for r in cases.values() if r["decision_no"].startswith("泉港应急罚决字〔2026〕")),
                  key=lambda r: r["decision_no"])
    assert [(r["article"], r["tier"]) for r in chem] == [
        ("安全生产法 第101条", "standard"), ("安全生产法 第101条", "aggravated"), ("安全生产法 第102条", "aggravated")]
    assert "same_violation_repeated" in [f["code"] for f in chem[1]["facts_json"]]
    [closure] = demo.queries.cases.closures("350000")
    assert (closure["unit_id"], closure["decided"]) == (chem[0]["unit_id"], False), "a person decides; none has yet"
    listed = [r for r in demo.queries.blacklist.entries("350000") if r["ground"] == "multiplied_fine"]
    assert [(r["status"], r["unit_id"], r["evidence"][0]["kind"]) for r in listed] == [
        ("listed", dust["unit_id"], "PenaltyCase")]
    orders = demo.queries.orders.orders("350000", limit=10_000)
    numbers = [r["document_no"] for r in orders]
    assert len(set(numbers)) == len(numbers)
    assert all(n and "〔" in n for n in numbers)


def test_the_demo_dust_explosion_dossier_shows_contractors_and_grid_members(demo: System) -> None:
    """鑫达五金 had entrusted its bag filter's upkeep to a firm it never reviewed (seed 000 ¶18), no qualification on
    record; 上田村's grid member covers its 网格 (seed 001 ¶13, seed 002 ¶16); 石化助剂's overhaul contractor, found
    wanting and kept on in January 2026, is cleared out in March."""
    accidents = sorted((e.event.apply(None) for e in demo.store.read(0, 100_000)
                        if type(e.event).__name__ == "AccidentRecorded"), key=lambda a: a.occurred_at)
    built = demo.dossiers.build(accidents[0].id, scope="350000/350500/350505", known_at=cst("2026-11-01"))
    lines = {line["line"]: line["facts"] for line in built["content"]["lines"]}
    (filter_upkeep,) = lines["entity"]["outsourcing"]
    assert (filter_upkeep["contractor"], filter_upkeep["kind_term"], filter_upkeep["reviews"]) == (
        "泉港区洁源环保设备维保有限公司", "委托", [])
    assert [c["concern"] for c in filter_upkeep["concerns"]] == ["no_qualification_shown", "never_reviewed"]
    (member,) = lines["territorial"]["grid_members_of_unit"]
    assert (member["name"], member["title"], [h["name"] for h in member["holders"]]) == (
        "上田村", "上田村网格员(村委委员兼)", ["蔡丽芬"])
    rows = demo.queries.outsourcing.relations("350000/350500/350505", day=date(2026, 2, 1), in_force=True)
    overhaul = next(r for r in rows if r["contractor_name"] == "泉州市惠泉石化设备安装工程有限公司")
    assert overhaul["concerns"] == ["retained_despite_findings"]
    assert [r["reviewed_on"] for r in overhaul["reviews"]] == [date(2025, 1, 10), date(2026, 1, 20)]
    later = demo.queries.outsourcing.relations("350000/350500/350505", day=date(2026, 3, 2), in_force=True)
    assert "泉州市惠泉石化设备安装工程有限公司" not in {r["contractor_name"] for r in later}, "cleared out (清退)"
