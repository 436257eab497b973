"""The demo's inspections: every kind, months without enforcement or without the committee head's inspection, draws
that re-run and rotate inspectors, plans planned against done, one correction (the ``demo`` fixture: conftest)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from api.bootstrap import System
from domain.calendar import CST
from domain.inspections import ENFORCEMENT_KINDS, InspectionCorrected, InspectionKind
from domain.random_draws import RandomDrawMade, rerun
from infrastructure.legacy_sql import LegacyDatabase

pytestmark = pytest.mark.xdist_group("demo")  # one process loads the demo history

NOW = datetime(2026, 11, 1, tzinfo=CST)


def rows(demo: System, sql: str, **params) -> list[dict]:
    with LegacyDatabase(demo.db).read() as tx:
        return tx.all(sql, params)


def unit_id(demo: System, name: str) -> str:
    [row] = rows(demo, "SELECT unit_id FROM units WHERE name = :n", n=name)
    return row["unit_id"]


def month(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m")


def every_month(first: str, last: str) -> set[str]:
    months, (year, mon) = set(), map(int, first.split("-"))
    while f"{year}-{mon:02d}" <= last:
        months.add(f"{year}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return months


def test_every_kind_of_inspection_signed_by_its_inspectors(demo: System) -> None:
    inspections = rows(demo, "SELECT * FROM inspections")
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
    findings = rows(demo, "SELECT hazard_suspected FROM inspection_findings")
    assert any(f["hazard_suspected"] for f in findings)
    assert not all(f["hazard_suspected"] for f in findings)
    tests = rows(demo, "SELECT passed FROM inspection_spot_tests")
    assert any(not t["passed"] for t in tests)
    assert sum(1 for t in tests if t["passed"]) > len(tests) / 2


def test_months_without_enforcement_for_a_flag_to_find(demo: System) -> None:
    done: dict[str, set[str]] = defaultdict(set)
    for r in rows(demo, "SELECT inspecting_unit_id, kind, inspected_at FROM inspections"):
        if r["kind"] in ENFORCEMENT_KINDS:
            done[r["inspecting_unit_id"]].add(month(r["inspected_at"]))
    chengguan, yingji = unit_id(demo, "泉港区城市管理局"), unit_id(demo, "泉港区应急管理局")
    assert every_month("2025-01", "2026-10") - done[chengguan] == {"2025-02"}
    assert every_month("2025-01", "2026-10") - done[yingji] == {"2025-08"}


def test_the_committee_head_misses_two_months(demo: System) -> None:
    [head] = rows(demo, "SELECT h.person_id FROM ledger_holdings h JOIN posts p ON p.post_id = h.post_id "
                        "WHERE p.title = '区安委会主任' AND h.recorded_to IS NULL")
    led = {month(r["inspected_at"]) for r in rows(
        demo, "SELECT inspected_at FROM inspections WHERE kind = 'leader' AND led_by = :p", p=head["person_id"])}
    assert every_month("2025-01", "2026-10") - led == {"2025-04", "2025-10"}
    [gas] = rows(demo, "SELECT h.person_id FROM ledger_holdings h JOIN posts p ON p.post_id = h.post_id "
                       "WHERE p.title = '区城镇燃气安全专业委员会主任' AND h.recorded_to IS NULL")
    assert len(rows(demo, "SELECT 1 FROM inspections WHERE led_by = :p", p=gas["person_id"])) == 3


def test_every_draw_reruns_and_rotates_its_inspectors(demo: System) -> None:
    draws = [e.event for e in demo.store.read(0, 100_000) if isinstance(e.event, RandomDrawMade)]
    assert len(draws) >= 16
    for draw in draws:
        assert rerun(draw) == draw.result
        excluded = {(x.target_id, x.inspector_id) for x in draw.exclusions}
        assert not any((a.target_id, i) in excluded for a in draw.result for i in a.inspector_ids)
    assert all(d.exclude_previous_inspector for d in draws)
    assert sum(len(d.exclusions) for d in draws) > 0
    drawn = rows(demo, "SELECT draw_id FROM inspections WHERE draw_id IS NOT NULL")
    assert len(drawn) == sum(d.targets for d in draws)


def test_plans_planned_against_done(demo: System) -> None:
    plans = {(p["department_name"], p["year"]): p
             for p in demo.queries.inspections.plans("350000", "admin", None, as_of=NOW, known_at=NOW)}
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
