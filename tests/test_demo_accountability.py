"""The demo's acts of accountability (api/demo/accountability.py): a slip answered late and flagged once, a summons
of 山腰街道's leaders that still names its head as such after his transfer, and the admonition of the 应急管理局 head
on the dust explosion's finding, with its bar."""

from __future__ import annotations

from datetime import datetime

from api.bootstrap import System
from domain import accountability as ac


def test_the_demo_slip_summons_and_admonition(demo: System) -> None:
    board = demo.queries.accountability.board("350000", 2025, now=datetime.fromisoformat("2026-10-31T17:00:00+08:00"))
    (slip,) = board["slips"]
    assert (slip["target_name"], slip["open"], slip["late"], slip["late_flagged"]) == ("山腰街道", False, True, True)
    (summons,) = board["summons"]
    assert [s["post_title"] for s in summons["summoned"]] == ["山腰街道党工委书记", "山腰街道办事处主任"]
    assert summons["commitments"][0]["kept"] is True
    assert summons["finding"]["kind"] == "slip_overdue"
    head = summons["summoned"][1]["person_id"]
    record = demo.queries.accountability.person_record("350000", head)
    assert record == [], "summoned, not held to account"
    acts = [r for r in demo.queries.ledger.duties("350000", as_of=datetime.fromisoformat("2026-10-01T12:00:00+08:00"),
                                                  known_at=datetime.fromisoformat("2026-10-31T12:00:00+08:00"))
            if r["post_title"] == "区应急管理局局长"]
    (admonished,) = demo.queries.accountability.person_record("350000", acts[0]["person_id"])
    assert (admonished["form"], admonished["post_title"], admonished["finding"]["kind"]) == (
        ac.AccountabilityForm.admonition, "区应急管理局局长", "investigation")
    assert admonished["barred_until"] is not None


def test_the_demo_huiji_town_crosses_the_veto_in_2025(demo: System) -> None:
    """惠济区 (seed 001 ¶30, the only pack with the veto): 花园口镇's fifth illegal act with large impact in 2025 vetoes
    the town and 惠济区应急管理局; 古荥镇's one act admonishes its deputy; the 2025 assessments apply the veto."""
    huiji = "410000/410100/410108"
    vetoes = {(v["territory_name"], v["consequence"]) for v in demo.queries.accountability.vetoes(huiji, 2025)}
    assert vetoes == {("花园口镇", "admonition_of_deputies"), ("花园口镇", "admonition_of_main_leaders"),
                      ("花园口镇", "assessment_veto"), ("古荥镇", "admonition_of_deputies")}
    assert demo.queries.accountability.vetoes("350000", 2025) == [], "泉港区 has no veto rule"
    (department,) = demo.queries.accountability.department_vetoes(huiji, 2025)
    assert (department["department_name"], department["vetoed"]) == ("惠济区应急管理局", True)
    ratings = {r["unit_name"]: (r["rating"], r["placeholder"])
               for r in demo.queries.accountability.assessments_of(huiji, 2025)}
    assert ratings == {"古荥镇": ("passed", True), "花园口镇": ("vetoed", True), "惠济区应急管理局": ("vetoed", True)}
    veto = next(v for v in demo.queries.accountability.vetoes(huiji, 2025) if v["consequence"] == "assessment_veto")
    assert (veto["illegal_acts"], veto["found_at"].date().isoformat() >= "2025-10-14") == (5, True)
    (deputy,) = demo.queries.directory.people(huiji, q="韩小勇")
    (act,) = demo.queries.accountability.person_record(huiji, deputy["person_id"])
    assert (act["form"], act["post_title"], act["finding"]["kind"]) == (
        "admonition", "花园口镇副镇长(分管安全生产)", "assessment_veto")
