"""Accident rules as data (docs/rules.md R1–R4): every boundary of the grade at n−1, n, n+1 on each dimension,
the reporting and investigation periods — 《生产安全事故报告和调查处理条例》(国务院令第493号)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.rules import accidents as rules
from domain.rules import pack_for
from domain.rules.accidents import AccidentGrade, Figures, GovernmentLevel

PACK = pack_for("350000/350500/350505")
G, S, M, X = AccidentGrade.general, AccidentGrade.serious, AccidentGrade.major, AccidentGrade.extraordinary

# 493号令 第3条: 特别重大 30人以上死亡, 或者100人以上重伤(包括急性工业中毒), 或者1亿元以上直接经济损失;
# 重大 10人以上30人以下死亡, 50人以上100人以下重伤, 5000万元以上1亿元以下;
# 较大 3人以上10人以下死亡, 10人以上50人以下重伤, 1000万元以上5000万元以下;
# 一般 3人以下死亡, 10人以下重伤, 1000万元以下. "以上"包括本数, "以下"不包括本数.
BOUNDARIES = [
    # (dimension, the figure at which the grade begins, the grade below, the grade from the figure on)
    ("deaths", 3, G, S), ("deaths", 10, S, M), ("deaths", 30, M, X),
    ("serious_injuries", 10, G, S), ("serious_injuries", 50, S, M), ("serious_injuries", 100, M, X),
    ("direct_loss_yuan", 10_000_000, G, S), ("direct_loss_yuan", 50_000_000, S, M),
    ("direct_loss_yuan", 100_000_000, M, X),
]


@pytest.mark.parametrize(("dimension", "figure", "below", "from_on"), BOUNDARIES)
def test_each_grade_boundary_at_n_minus_one_n_and_n_plus_one(dimension: str, figure: int, below: AccidentGrade,
                                                             from_on: AccidentGrade) -> None:
    assert rules.grade(PACK, Figures(**{dimension: figure - 1})).grade == below
    at = rules.grade(PACK, Figures(**{dimension: figure}))
    assert at.grade == from_on  # 以上 includes the figure
    assert at.reached_by == (dimension,)
    assert rules.grade(PACK, Figures(**{dimension: figure + 1})).grade == from_on
    assert "第3条" in at.source


def test_the_grade_is_the_highest_any_dimension_reaches() -> None:
    decision = rules.grade(PACK, Figures(deaths=1, serious_injuries=12, direct_loss_yuan=60_000_000))
    assert decision.grade == M
    assert decision.reached_by == ("direct_loss_yuan",)
    assert rules.grade(PACK, Figures(deaths=3, serious_injuries=10)).reached_by == ("deaths", "serious_injuries")
    assert rules.grade(PACK, Figures()).grade == G
    assert rules.grade(PACK, Figures(missing=40)).grade == G  # the missing are reported, not counted as deaths


def test_reporting_periods() -> None:
    informed = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert rules.first_report_due(PACK, informed) == informed + timedelta(hours=1)  # 第9条
    assert rules.upward_report_due(PACK, informed) == informed + timedelta(hours=2)  # 第11条
    assert [rules.top_report_level(PACK, g) for g in (G, S, M, X)] == [  # 第10条
        GovernmentLevel.city, GovernmentLevel.province, GovernmentLevel.national, GovernmentLevel.national]
    assert rules.missing_items(PACK, frozenset({"unit", "time", "place", "scene", "sequence", "casualties"})) == (
        "loss", "measures")  # 第12条


def test_supplementary_window_by_kind() -> None:
    """第13条: 30 days; road traffic and fire 7 days."""
    assert rules.supplementary_window_days(PACK, "work") == 30
    assert rules.supplementary_window_days(PACK, "road_traffic") == 7
    assert rules.supplementary_window_days(PACK, "fire") == 7


def test_investigation_levels_and_periods() -> None:
    """第19条 levels; 第20条 the level above; 第25、27条 60 days, +60, appraisal not counted; 第32条 approval;
    安全生产法 第86条 evaluation within a year."""
    assert [rules.investigating_level(PACK, g) for g in (G, S, M, X)] == [
        GovernmentLevel.county, GovernmentLevel.city, GovernmentLevel.province, GovernmentLevel.national]
    assert rules.level_above(GovernmentLevel.county) == GovernmentLevel.city
    assert rules.level_above(GovernmentLevel.national) is None
    occurred = date(2026, 3, 2)
    assert rules.report_due(PACK, occurred, 0, 0) == date(2026, 5, 1)
    assert rules.report_due(PACK, occurred, 60, 10) == date(2026, 7, 10)
    assert [rules.approval_days(PACK, g) for g in (G, S, M, X)] == [15, 15, 15, 30]
    assert rules.evaluation_due(PACK, date(2026, 6, 1)) == date(2027, 6, 1)
    assert rules.evaluation_due(PACK, date(2028, 2, 29)) == date(2029, 2, 28)
