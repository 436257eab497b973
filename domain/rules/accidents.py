"""Accident rules as data and pure functions: grade (R1), reporting chain (R2), supplementary reports (R3) and the
investigation's levels and periods (R4) — 《生产安全事故报告和调查处理条例》(国务院令第493号); 安全生产法 第86条.

Every figure comes from the base pack (``domain/rules/base.py``), whose keys cite the article that states it.
"以上" includes the figure, "以下" excludes it (493号令 第3条 last paragraph: 所称的"以上"包括本数,
所称的"以下"不包括本数).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import Field

from domain.base import Frozen
from domain.rules import RulesPack


class AccidentGrade(StrEnum):
    """事故等级 (493号令 第3条)."""

    general = "general"  # 一般事故
    serious = "serious"  # 较大事故
    major = "major"  # 重大事故
    extraordinary = "extraordinary"  # 特别重大事故


GRADE_TERMS = {"general": "一般事故", "serious": "较大事故", "major": "重大事故", "extraordinary": "特别重大事故"}
GRADE_ORDER = [AccidentGrade.general, AccidentGrade.serious, AccidentGrade.major, AccidentGrade.extraordinary]


class GovernmentLevel(StrEnum):
    """The government levels of the reporting chain and the investigation (493号令 第10、19条)."""

    county = "county"  # 县级
    city = "city"  # 设区的市级
    province = "province"  # 省级
    national = "national"  # 国务院


GOVERNMENT_ORDER = [GovernmentLevel.county, GovernmentLevel.city, GovernmentLevel.province, GovernmentLevel.national]
GOVERNMENT_TERMS = {"county": "县级人民政府", "city": "设区的市级人民政府", "province": "省级人民政府",
                    "national": "国务院"}


class Figures(Frozen):
    """What a report says the accident cost: the three dimensions of R1, and the missing (失踪) beside them."""

    deaths: int = Field(default=0, ge=0)
    missing: int = Field(default=0, ge=0)
    serious_injuries: int = Field(default=0, ge=0)
    """重伤, including acute industrial poisoning (包括急性工业中毒, 493号令 第3条)."""
    direct_loss_yuan: int = Field(default=0, ge=0)


class GradeDecision(Frozen):
    """The grade and the dimensions that reached it, with the article."""

    grade: AccidentGrade
    reached_by: tuple[str, ...]
    """The dimensions that reached the grade (``deaths``, ``serious_injuries``, ``direct_loss_yuan``); empty for
    一般 reached by none."""
    source: str


DIMENSIONS = ("deaths", "serious_injuries", "direct_loss_yuan")


def grade(pack: RulesPack, figures: Figures) -> GradeDecision:
    """The highest grade that ANY dimension reaches (493号令 第3条; the thresholds are "以上": ≥)."""
    thresholds: dict[str, dict[str, int]] = pack["accident.grade.thresholds"]
    for name in reversed(GRADE_ORDER[1:]):
        floor = thresholds[name.value]
        reached = tuple(d for d in DIMENSIONS if getattr(figures, d) >= floor[d])
        if reached:
            return GradeDecision(grade=name, reached_by=reached, source=pack["accident.grade.basis"])
    return GradeDecision(grade=AccidentGrade.general, reached_by=(), source=pack["accident.grade.basis"])


def first_report_due(pack: RulesPack, unit_head_informed_at: datetime) -> datetime:
    """单位负责人接到报告后1小时内 (493号令 第9条)."""
    return unit_head_informed_at + timedelta(hours=pack["accident.report.unit_head_hours"])


def upward_report_due(pack: RulesPack, received_at: datetime) -> datetime:
    """每级上报的时间不得超过2小时 (493号令 第11条)."""
    return received_at + timedelta(hours=pack["accident.report.per_level_hours"])


def top_report_level(pack: RulesPack, accident_grade: AccidentGrade) -> GovernmentLevel:
    """The level a report must climb to (493号令 第10条): 一般 → 设区的市, 较大 → 省, 重大/特别重大 → 国务院."""
    return GovernmentLevel(pack["accident.report.top_level"][accident_grade.value])


def missing_items(pack: RulesPack, present: frozenset[str]) -> tuple[str, ...]:
    """The mandatory items of a report (493号令 第12条) that it leaves out."""
    return tuple(item for item in pack["accident.report.mandatory_items"] if item not in present)


def supplementary_window_days(pack: RulesPack, kind: str) -> int:
    """伤亡人数发生变化的, 应当及时补报: within 30 days, road traffic and fire within 7 days (493号令 第13条)."""
    windows: dict[str, int] = pack["accident.supplementary.window_days"]
    return windows.get(kind, windows["default"])


def investigating_level(pack: RulesPack, accident_grade: AccidentGrade) -> GovernmentLevel:
    """特别重大 → 国务院; 重大 → 省级; 较大 → 设区的市级; 一般 → 县级 (493号令 第19条)."""
    return GovernmentLevel(pack["accident.investigation.level"][accident_grade.value])


def level_above(level: GovernmentLevel) -> GovernmentLevel | None:
    """The level that may take an investigation over (上级人民政府认为必要时, 可以调查由下级人民政府负责调查的事故,
    493号令 第20条); ``None`` above 国务院."""
    rank = GOVERNMENT_ORDER.index(level)
    return GOVERNMENT_ORDER[rank + 1] if rank + 1 < len(GOVERNMENT_ORDER) else None


def report_due(pack: RulesPack, occurred_on: date, extension_days: int, appraisal_days: int) -> date:
    """事故调查组应当自事故发生之日起60日内提交事故调查报告; 特殊情况下经批准可以适当延长, 但延长的期限最长不超过
    60日. 技术鉴定所需时间不计入事故调查期限 (493号令 第25、27条)."""
    return occurred_on + timedelta(days=pack["accident.investigation.days"] + extension_days + appraisal_days)


def approval_days(pack: RulesPack, accident_grade: AccidentGrade) -> int:
    """重大、较大、一般事故: 15日内批复; 特别重大: 30日内 (493号令 第32条)."""
    table: dict[str, int] = pack["accident.approval.days"]
    return table[accident_grade.value]


def evaluation_due(pack: RulesPack, approved_on: date) -> date:
    """事故调查报告批复后一年内, 组织有关部门对整改和防范措施落实情况进行评估 (安全生产法 第86条)."""
    years: int = pack["accident.evaluation.years"]
    try:
        return approved_on.replace(year=approved_on.year + years)
    except ValueError:  # approved on 29 February: the year ends on 28 February
        return approved_on.replace(year=approved_on.year + years, day=28)
