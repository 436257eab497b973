"""The blacklist's rules (严重失信主体名单, docs/rules.md R10): which facts are a ground for listing, the term, early
removal — pure functions over facts the caller gathers, reading the pack's keys ``blacklist.*``.

Source: 《安全生产严重失信主体名单管理办法》(应急管理部令第11号, 2023, in force 2023-10-01). 第三条: 严重失信
"是指有关生产经营单位和承担安全评价、认证、检测、检验职责的机构及其人员因生产安全事故或者违反安全生产法律法规，受到行政处罚，并且
性质恶劣、情节严重的行为". 第四条第二款: "按照'谁处罚、谁决定、谁负责'的原则，由作出行政处罚决定的应急管理部门负责
严重失信主体名单管理工作". The grounds below quote the order's list for accidents (five items) and its first item
without an accident; the article numbers of the lists, the term and the early removal could not be verified in this
session (docs/rules.md R10 says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from domain.base import Frozen
from domain.calendar import local_day
from domain.rules import RulesPack
from domain.rules.accidents import AccidentGrade


class Ground(StrEnum):
    """A ground for listing (列入情形), as the order words it."""

    major_accident = "major_accident"
    serious_accidents = "serious_accidents"
    multiplied_fine = "multiplied_fine"
    concealed_accident = "concealed_accident"
    fled = "fled"
    unlicensed = "unlicensed"


GROUND_TEXT = {
    Ground.major_accident: "发生特别重大、重大生产安全事故的生产经营单位及其主要负责人，以及经调查认定对该事故发生负有"
                           "责任，应当列入名单的其他单位和人员",
    Ground.serious_accidents: "12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人",
    Ground.multiplied_fine: "发生生产安全事故，情节特别严重、影响特别恶劣，依照《中华人民共和国安全生产法》"
                            "第一百一十四条的规定被处以罚款数额2倍以上5倍以下罚款的生产经营单位及其主要负责人",
    Ground.concealed_accident: "瞒报、谎报生产安全事故的生产经营单位及其有关责任人员",
    Ground.fled: "发生生产安全事故后，不立即组织抢救或者在事故调查处理期间擅离职守或者逃匿的生产经营单位主要负责人",
    Ground.unlicensed: "未依法取得安全生产相关许可或者许可被暂扣、吊销期间从事相关生产经营活动的生产经营单位及其主要"
                       "负责人",
}
"""Each ground's words in 应急管理部令第11号 (列入条件)."""
ACCIDENT_GROUNDS = frozenset({Ground.major_accident, Ground.serious_accidents})
"""Grounds the accidents' own grades establish (the policy proposes them); the others need a finding or a decision
named as evidence."""


DECISION_BASIS = ("应急管理部令第11号 第三条: 严重失信是指…因生产安全事故或者违反安全生产法律法规，受到行政处罚，并且"
                  "性质恶劣、情节严重的行为")


def decision_grounds(pack: RulesPack, article: str, fined: bool) -> tuple[Ground, ...]:
    """The grounds a decided penalty case meets by the article it was decided under (``blacklist.decision_grounds``):
    a decision under 安全生产法 第114条第二款 (2–5 × the fine) meets "依照…第一百一十四条的规定被处以罚款数额2倍以上5倍
    以下罚款" — only a decision that fines (受到行政处罚, 第三条); a 不予处罚 decision meets nothing."""
    if not fined:
        return ()
    return tuple(Ground(g) for g in pack["blacklist.decision_grounds"].get(article, ()))


def basis_of(ground: Ground) -> str:
    return f"应急管理部令第11号 (列入条件): {GROUND_TEXT[ground]}"


class AccidentFact(Frozen):
    """What a ground needs to know of an accident at the unit: which, when, how grave."""

    accident_id: UUID
    occurred_at: datetime
    grade: AccidentGrade


class GroundMet(Frozen):
    """A ground met, with the accidents that meet it (the latest last: it is the one that made the ground)."""

    ground: Ground
    accident_ids: tuple[UUID, ...]


def months_later(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day where it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(year, month, min(day.day, last))


def accident_grounds(pack: RulesPack, accidents: Sequence[AccidentFact]) -> list[GroundMet]:
    """The accident grounds the unit's accidents meet; each accident counts towards one ground of a kind only.

    - (一) every 特别重大 or 重大 accident is a ground by itself (``blacklist.major_grades``);
    - (二) "12个月内累计发生2起以上较大生产安全事故": a 较大 accident makes the ground when, with it, at least
      ``blacklist.serious.count`` 较大 accidents not yet counted lie within ``blacklist.serious.months`` months up to it
      (an earlier one's day plus 12 calendar months lies after its day); those accidents are then counted.
    """
    by_time = sorted(accidents, key=lambda a: (a.occurred_at, a.accident_id))
    met = [GroundMet(ground=Ground.major_accident, accident_ids=(a.accident_id,)) for a in by_time
           if a.grade in pack["blacklist.major_grades"]]
    months, count = pack["blacklist.serious.months"], pack["blacklist.serious.count"]
    counted: set[UUID] = set()
    serious = [a for a in by_time if a.grade == AccidentGrade.serious]
    for i, later in enumerate(serious):
        day = local_day(later.occurred_at)
        window = [a for a in serious[:i + 1]
                  if a.accident_id not in counted and months_later(local_day(a.occurred_at), months) > day]
        if len(window) >= count:
            met.append(GroundMet(ground=Ground.serious_accidents, accident_ids=tuple(a.accident_id for a in window)))
            counted.update(a.accident_id for a in window)
    return met


def expires_on(pack: RulesPack, listed_on: date) -> date:
    """The end of the term (管理期限, ``blacklist.term_years`` years from the decision)."""
    return months_later(listed_on, 12 * pack["blacklist.term_years"])


def early_removal_from(pack: RulesPack, listed_on: date) -> date:
    """The first day an early removal may be decided (``blacklist.early_removal.after_months`` after the listing)."""
    return months_later(listed_on, pack["blacklist.early_removal.after_months"])
