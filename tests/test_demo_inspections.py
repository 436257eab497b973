"""The demo's inspections: every kind, months without enforcement or without the committee head's inspection, draws
that re-run and rotate inspectors, plans planned against done, one correction (the ``demo`` fixture: conftest)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from api.bootstrap import System
from domain.calendar import CST
from domain.inspections import ENFORCEMENT_KINDS, InspectionCorrected, InspectionKind
from domain.random_draws import RandomDrawMade, rerun
from projections.directory import POSTS, UNITS
from projections.inspection_ledger import FINDINGS, INSPECTIONS, SPOT_TESTS
from projections.responsibility_ledger import HOLDINGS

NOW = datetime(2026, 11, 1, tzinfo=CST)


def rows(demo: System, query: Any) -> list[dict]:
    with demo.db.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def unit_id(demo: System, name: str) -> str:
    [row] = rows(demo, select(UNITS.c.unit_id).where(UNITS.c.name == name))
    return row["unit_id"]


def holder(demo: System, title: str) -> str:
    h = HOLDINGS.c
    [row] = rows(demo, select(h.person_id).join(POSTS, POSTS.c.post_id == h.post_id)
                 .where(POSTS.c.title == title, h.recorded_to.is_(None)))
    return row["person_id"]


def month(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m")


def every_month(first: str, last: str) -> set[str]:
    months, (year, mon) = set(), map(int, first.split("-"))
    while f"{year}-{mon:02d}" <= last:
        months.add(f"{year}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return months


def test_every_kind_of_inspection_signed_by_its_inspectors(demo: System) -> None:
    inspections = rows(demo, select(INSPECTIONS))
    kinds = {r["kind"] for r in inspections}
    assert kinds == {k.value for k in InspectionKind}
    assert all(r["status"] == "completed" for r in inspections)
    assert all(r["signatures"] == len(r["inspectors_json"]) for r in inspections)
    enforcement = [r for r in inspections if r["kind"] in ENFORCEMENT_KINDS]
    assert len(enforcement) >= 40
    assert all(len(r["inspectors_json"]) >= 2 for r in enforcement)
    assert any(r["expert_assisted"] for r in enforcement)
    assert any(r["unannounced"] for r in enforcement)
    assert all(r["unannounced"] for r in enforcement if r["kind"] == "undercover")
    findings = rows(demo, select(FINDINGS.c.hazard_suspected))
    assert any(f["hazard_suspected"] for f in findings)
    assert not all(f["hazard_suspected"] for f in findings)
    tests = rows(demo, select(SPOT_TESTS.c.passed))
    assert any(not t["passed"] for t in tests)
    assert sum(1 for t in tests if t["passed"]) > len(tests) / 2


def test_months_without_enforcement_for_a_flag_to_find(demo: System) -> None:
    done: dict[str, set[str]] = defaultdict(set)
    for r in rows(demo, select(INSPECTIONS)):
        if r["kind"] in ENFORCEMENT_KINDS:
            done[r["inspecting_unit_id"]].add(month(r["inspected_at"]))
    chengguan, yingji = unit_id(demo, "泉港区城市管理局"), unit_id(demo, "泉港区应急管理局")
    assert every_month("2025-01", "2026-10") - done[chengguan] == {"2025-02"}
    assert every_month("2025-01", "2026-10") - done[yingji] == {"2025-08"}


def test_the_committee_head_misses_two_months(demo: System) -> None:
    i = INSPECTIONS.c
    head = holder(demo, "区安委会主任")
    led = {month(r["inspected_at"]) for r in rows(demo, select(i.inspected_at).where(i.kind == "leader",
                                                                                    i.led_by == head))}
    assert every_month("2025-01", "2026-10") - led == {"2025-04", "2025-10"}
    gas = holder(demo, "区城镇燃气安全专业委员会主任")
    assert len(rows(demo, select(i.inspection_id).where(i.led_by == gas))) == 3


def test_every_draw_reruns_and_rotates_its_inspectors(demo: System) -> None:
    draws = [e.event for e in demo.store.read(0, 100_000) if isinstance(e.event, RandomDrawMade)]
    assert len(draws) >= 16
    for draw in draws:
        assert rerun(draw) == draw.result
        excluded = {(x.target_id, x.inspector_id) for x in draw.exclusions}
        assert not any((a.target_id, i) in excluded for a in draw.result for i in a.inspector_ids)
    assert all(d.exclude_previous_inspector for d in draws)
    assert sum(len(d.exclusions) for d in draws) > 0
    drawn = rows(demo, select(INSPECTIONS.c.draw_id).where(INSPECTIONS.c.draw_id.is_not(None)))
    assert len(drawn) == sum(d.targets for d in draws)


def test_plans_planned_against_done(demo: System) -> None:
    plans = {(p["department_name"], p["year"]): p
             for p in demo.queries.plans.plans("350000", "admin", None, as_of=NOW, known_at=NOW)}
    assert len(plans) == 4
    revised = plans[("泉港区城市管理局", 2025)]
    assert revised["revisions"] == 1
    assert revised["planned_count"] == 18
    assert 0 < revised["done"] <= revised["planned_count"]
    assert set(revised["key_enterprises_inspected_json"]) <= set(revised["key_enterprises_json"])
    assert revised["key_enterprises_inspected_json"]


def test_the_corrected_spot_test_shows_both_ways(demo: System) -> None:
    [correction] = [e.event for e in demo.store.read(0, 100_000) if isinstance(e.event, InspectionCorrected)]
    inspection = correction.originator_id
    before = demo.queries.inspections.inspection("350000", "admin", None, inspection, as_of=NOW,
                                                 known_at=correction.timestamp - timedelta(days=1))
    after = demo.queries.inspections.inspection("350000", "admin", None, inspection, as_of=NOW, known_at=NOW)
    assert before["spot_tests_json"][0]["score"] == 58
    assert after["spot_tests_json"][0]["score"] == 85
    assert correction.previous_spot_tests[0].score == 58
