"""Penalty rules (docs/rules.md R5–R7) as pure functions: each table quotes its article and figure; boundaries n−1,
n, n+1."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from uuid import uuid4

import pytest

from domain.errors import Rejected
from domain.rules import pack_for
from domain.rules.local import JICUI_SCOPE
from domain.rules.penalties import (
    HazardFact,
    PriorPenalty,
    add_years,
    closure_ground,
    daily_fine,
    decision_deadline,
    discretion_facts,
    fine_range,
    hearing_request_deadline,
    late_surcharge,
    limitation,
    payment_deadline,
    propose,
)
from domain.rules.working_days import WorkingCalendar, calendar_for

PACK = pack_for("350000/350500/350505")


# 行政处罚法 第36条: "违法行为在二年内未被发现的，不再给予行政处罚；
# 涉及公民生命健康安全…且有危害后果的，上述期限延长至五年"
@pytest.mark.parametrize(("act", "discovered", "endangered", "barred", "last_day"), [
    (date(2023, 3, 10), date(2025, 3, 9), False, False, date(2025, 3, 10)),  # n−1
    (date(2023, 3, 10), date(2025, 3, 10), False, False, date(2025, 3, 10)),  # n: the last day is in time
    (date(2023, 3, 10), date(2025, 3, 11), False, True, date(2025, 3, 10)),  # n+1
    (date(2023, 3, 10), date(2025, 3, 11), True, False, date(2028, 3, 10)),  # 5 years: harm followed
    (date(2023, 3, 10), date(2028, 3, 10), True, False, date(2028, 3, 10)),
    (date(2023, 3, 10), date(2028, 3, 11), True, True, date(2028, 3, 10)),
    (date(2024, 2, 29), date(2026, 2, 28), False, False, date(2026, 2, 28)),  # 29 February → 28 February
    (date(2024, 2, 29), date(2026, 3, 1), False, True, date(2026, 2, 28)),
])
def test_limitation_two_years_or_five_where_life_was_endangered(act: date, discovered: date, endangered: bool,
                                                                barred: bool, last_day: date) -> None:
    checked = limitation(PACK, act, discovered, endangered_with_harm=endangered)
    assert (checked.barred, checked.last_day, checked.years) == (barred, last_day, 5 if endangered else 2)
    assert checked.basis == "行政处罚法 第36条"


# 行政处罚法 第64条 (五日内提出听证) + 第85条 ("五日" = 工作日, 不含法定节假日).
@pytest.mark.parametrize(("notified", "deadline"), [
    (date(2025, 3, 12), date(2025, 3, 19)),  # Wednesday: across one weekend
    (date(2025, 3, 14), date(2025, 3, 21)),  # Friday: the weekend right after is not counted
    # Thursday 25 September 2025: Fri 26 (1), Sun 28 is a make-up working day (2), Mon 29 (3), Tue 30 (4),
    # 1–8 October is the National Day / Mid-Autumn holiday, Thu 9 October (5) — 国办发明电〔2024〕12号.
    (date(2025, 9, 25), date(2025, 10, 9)),
    (date(2025, 1, 24), date(2025, 2, 7)),  # Spring Festival: Sun 26 Jan is worked, 28 Jan–4 Feb off
])
def test_hearing_requested_within_five_working_days(notified: date, deadline: date) -> None:
    assert hearing_request_deadline(PACK, notified) == deadline
    calendar = calendar_for(PACK)
    assert calendar.working_days_between(notified, deadline) == 5  # n: the last day counts
    assert calendar.working_days_between(notified, date.fromordinal(deadline.toordinal() - 1)) == 4  # n−1
    assert calendar.working_days_between(notified, date.fromordinal(deadline.toordinal() + 1)) in (5, 6)  # n+1


def test_the_day_after_a_holiday_deadline_is_too_late() -> None:
    """n+1 across the holiday: the request on Friday 10 October 2025 is the 6th working day."""
    calendar = calendar_for(PACK)
    assert calendar.working_days_between(date(2025, 9, 25), date(2025, 10, 10)) == 6
    assert calendar.is_working_day(date(2025, 10, 11)), "Saturday 11 October 2025 is a make-up working day (调休)"
    assert not calendar.is_working_day(date(2025, 10, 8))


def test_a_jurisdiction_loads_its_own_holidays_and_make_up_days_as_data() -> None:
    local = replace(PACK, rules=MappingProxyType({**PACK.rules, "calendar.local_holidays": ("2025-03-19",),
                                                  "calendar.local_makeup_workdays": ("2025-03-15",)}))
    # Wednesday 12 March: Thu 13 (1), Fri 14 (2), Sat 15 worked (3), Mon 17 (4), Tue 18 (5).
    assert hearing_request_deadline(local, date(2025, 3, 12)) == date(2025, 3, 18)
    assert not calendar_for(local).is_working_day(date(2025, 3, 19))
    assert not calendar_for(local).is_working_day(date(2025, 10, 3)), "the national days stay"
    assert WorkingCalendar().add_working_days(date(2025, 9, 25), 5) == date(2025, 10, 2)  # no holidays known


# 行政处罚法 第60条: 自立案之日起九十日内作出行政处罚决定.
@pytest.mark.parametrize(("opened", "deadline"), [
    (date(2025, 1, 10), date(2025, 4, 10)),
    (date(2024, 1, 10), date(2024, 4, 9)),  # a leap year
])
def test_decision_within_90_days_of_opening(opened: date, deadline: date) -> None:
    assert decision_deadline(PACK, opened) == deadline
    assert (deadline - opened).days == 90


# 行政处罚法 第67条: 自收到行政处罚决定书之日起十五日内缴纳罚款.
def test_payment_within_15_days_of_service() -> None:
    assert payment_deadline(PACK, date(2025, 3, 1)) == date(2025, 3, 16)
    assert payment_deadline(PACK, date(2025, 2, 20)) == date(2025, 3, 7)


# 行政处罚法 第72条(一): 每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额.
@pytest.mark.parametrize(("paid", "days", "amount", "capped"), [
    (date(2025, 3, 15), 0, "0.00", False),
    (date(2025, 3, 16), 0, "0.00", False),  # the last day to pay: nothing added
    (date(2025, 3, 17), 1, "300.00", False),
    (date(2025, 4, 18), 33, "9900.00", False),  # n−1: 99 %
    (date(2025, 4, 19), 34, "10000.00", True),  # n: 102 % → held to the fine
    (date(2025, 4, 20), 35, "10000.00", True),  # n+1
])
def test_late_surcharge_three_percent_a_day_capped_at_the_fine(paid: date, days: int, amount: str,
                                                               capped: bool) -> None:
    surcharge = late_surcharge(PACK, Decimal(10_000), date(2025, 3, 16), paid)
    assert (surcharge.days_late, str(surcharge.amount_yuan), surcharge.capped) == (days, amount, capped)
    assert surcharge.amount_yuan <= surcharge.fine_yuan


# 安全生产法 第112条: 自作出责令改正之日的次日起，按照原处罚数额按日连续处罚.
@pytest.mark.parametrize(("through", "days", "total"), [
    (date(2025, 5, 1), 0, 0), (date(2025, 5, 2), 1, 10_000), (date(2025, 5, 3), 2, 20_000),
])
def test_daily_fine_from_the_day_after_the_order(through: date, days: int, total: int) -> None:
    fine = daily_fine(PACK, Decimal(10_000), date(2025, 5, 1), through)
    assert (fine.days, fine.total_yuan) == (days, Decimal(total))


# 安全生产法 第113条第(一)项: 存在重大事故隐患，一百八十日内三次或者一年内四次受到本法规定的行政处罚.
ON = date(2025, 7, 1)


@pytest.mark.parametrize(("penalties", "rule"), [
    ([date(2025, 4, 1), ON], None),  # n−1: twice
    ([date(2025, 1, 3), date(2025, 4, 1), ON], "3_in_180_days"),  # n: the first is the 180th day back
    ([date(2025, 1, 2), date(2025, 4, 1), ON], None),  # the first is the 181st day back
    ([date(2025, 1, 3), date(2025, 2, 1), date(2025, 4, 1), ON], "3_in_180_days"),  # n+1
    ([date(2024, 7, 2), date(2024, 10, 1), date(2025, 2, 1), ON], "4_in_a_year"),  # n: four in the year
    ([date(2024, 7, 1), date(2024, 10, 1), date(2025, 2, 1), ON], None),  # n−1: one falls a year back
    ([date(2024, 7, 2), date(2024, 8, 1), date(2024, 10, 1), date(2025, 2, 1), ON], "4_in_a_year"),  # n+1
])
def test_closure_after_three_penalties_in_180_days_or_four_in_a_year(penalties: list[date],
                                                                     rule: str | None) -> None:
    ground = closure_ground(PACK, penalties, ON)
    assert (ground.rule if ground else None) == rule
    if ground:
        assert ground.basis == "安全生产法 第113条第(一)项"
        assert ground.penalties[-1] == ON


# docs/rules.md R6 ranges (安全生产法 2021).
@pytest.mark.parametrize(("article", "party", "refused", "bounds"), [
    ("安全生产法 第102条", "unit", False, (0, 50_000)),
    ("安全生产法 第102条", "person", False, None),  # the person only where the unit refuses (拒不执行)
    ("安全生产法 第102条", "person", True, (50_000, 100_000)),
    ("安全生产法 第101条", "unit", False, (0, 100_000)),
    ("安全生产法 第101条", "unit", True, (100_000, 200_000)),
    # 第97条, 第101条: "逾期未改正的，…对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款"
    ("安全生产法 第101条", "person", False, None),
    ("安全生产法 第101条", "person", True, (20_000, 50_000)),
    ("安全生产法 第97条", "person", False, None),
    ("安全生产法 第97条", "person", True, (20_000, 50_000)),
    # 第105条: "处五万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处一万元以下的罚款"
    ("安全生产法 第105条", "unit", False, (0, 50_000)),
    ("安全生产法 第105条", "person", False, (0, 10_000)),
    ("安全生产法 第94条", "unit", False, None),
    ("安全生产法 第94条", "person", True, (50_000, 100_000)),
])
def test_fine_ranges_of_the_articles(article: str, party: str, refused: bool,
                                     bounds: tuple[int, int] | None) -> None:
    found = fine_range(PACK, article, party, refused=refused)  # type: ignore[arg-type]
    assert (None if found is None else (found.minimum_yuan, found.maximum_yuan)) == bounds


def test_an_article_without_a_range_is_refused() -> None:
    with pytest.raises(Rejected) as refused:
        fine_range(PACK, "安全生产法 第999条", "unit")
    assert refused.value.code == "unknown-article"


def _hazard(*, grade: str = "general", source: str = "inspection", found: date = date(2025, 3, 1),
            overdue: bool = False, fixing: bool = True) -> HazardFact:
    return HazardFact(id=uuid4(), grade=grade, source=source, found_on=found, overdue=overdue, being_fixed=fixing)


def _prior(*days: date, article: str = "安全生产法 第97条") -> list[PriorPenalty]:
    return [PriorPenalty(case_id=uuid4(), decided_on=d, article=article) for d in days]


OPENED = date(2025, 6, 1)
SHISHI = pack_for("350000/350500/350581")  # seed 003, 狮安委〔2023〕3号
JICUI = pack_for(JICUI_SCOPE)  # seed 004, 方积政发〔2023〕11号
NATIONAL = pack_for("350000")


# Seed 003 ¶28 (狮安委〔2023〕3号, 石狮市): 一年内因安全生产违法行为受到两次以上行政处罚 → 较高处罚档次.
@pytest.mark.parametrize(("prior", "tier"), [
    (_prior(date(2025, 1, 1)), "standard"),  # n−1: once
    (_prior(date(2025, 1, 1), date(2025, 5, 1)), "aggravated"),  # n: twice, any violations
    (_prior(date(2024, 6, 2), date(2025, 1, 1), date(2025, 5, 1)), "aggravated"),  # n+1
    (_prior(date(2024, 6, 1), date(2025, 5, 1)), "standard"),  # one of the two lies a year back
])
def test_two_penalties_within_a_year_aggravate_in_shishi(prior: list[PriorPenalty], tier: str) -> None:
    facts = discretion_facts(SHISHI, OPENED, "安全生产法 第101条", source_hazard=None, hazards=[], prior=prior)
    proposal = propose(SHISHI, "安全生产法 第101条", facts)
    assert proposal.tier == tier
    if tier == "aggravated":
        (fact,) = facts
        assert fact.code == "prior_penalties"
        assert fact.basis == "狮安委〔2023〕3号 ¶28 (一年内因安全生产违法行为受到两次以上行政处罚)"
        assert set(fact.evidence) <= {p.case_id for p in prior}
        assert proposal.unit.amount_yuan == Decimal(100_000), "the aggravated tier proposes the maximum"
    else:
        assert proposal.unit.amount_yuan == Decimal(25_000), "the lower tier's midpoint (local practice)"
    assert discretion_facts(NATIONAL, OPENED, "安全生产法 第101条", source_hazard=None, hazards=[],
                            prior=prior) == [], "the law names no trigger of its own"


# Seed 000 ¶27 (泉港城管〔2022〕149号, 泉港区): 同一违法行为反复出现的，依法从重查处 (within a year: local practice).
@pytest.mark.parametrize(("prior", "repeated"), [
    (_prior(date(2025, 5, 1)), False),  # another article
    (_prior(date(2024, 6, 1), article="安全生产法 第101条"), False),  # a year back
    (_prior(date(2024, 6, 2), article="安全生产法 第101条"), True),
    (_prior(date(2025, 5, 1), date(2025, 5, 20), article="安全生产法 第101条"), True),
])
def test_the_same_violation_repeated_aggravates_in_quangang(prior: list[PriorPenalty], repeated: bool) -> None:
    facts = discretion_facts(PACK, OPENED, "安全生产法 第101条", source_hazard=None, hazards=[], prior=prior)
    assert [f.code for f in facts] == (["same_violation_repeated"] if repeated else [])
    assert propose(PACK, "安全生产法 第101条", facts).tier == ("aggravated" if repeated else "standard")


def test_hazards_not_remedied_and_not_corrected_by_the_deadline_aggravate() -> None:
    """Seed 003 ¶28: 未按规定排查治理事故隐患, 违法行为逾期未改正; seed 000 ¶27: 逾期未整改的，依法从重查处."""
    source = _hazard(overdue=True, fixing=False)
    other = _hazard(found=date(2025, 2, 1), overdue=True, fixing=False)
    fixed = _hazard(found=date(2025, 2, 1))
    facts = discretion_facts(SHISHI, OPENED, "安全生产法 第102条", source_hazard=source,
                             hazards=[source, other, fixed], prior=[])
    assert [(f.code, f.evidence) for f in facts] == [("hazards_not_remedied", (other.id,)),
                                                     ("not_corrected_by_deadline", (source.id,))]
    assert facts[0].basis == "狮安委〔2023〕3号 ¶28 (未按规定排查治理事故隐患)"
    assert propose(SHISHI, "安全生产法 第102条", facts).tier == "aggravated"
    (quangang,) = discretion_facts(PACK, OPENED, "安全生产法 第102条", source_hazard=source,
                                   hazards=[source, other, fixed], prior=[])
    assert (quangang.code, quangang.basis) == ("not_corrected_by_deadline",
                                               "泉港城管〔2022〕149号 ¶27 (违法行为逾期未整改的…依法从重查处)")


@pytest.mark.parametrize(("hazard", "tier"), [
    (_hazard(grade="major", source="self_reported"), "exempt"),
    (_hazard(grade="major", source="inspection"), "standard"),  # an authority found it
    (_hazard(grade="general", source="self_reported"), "standard"),  # the seed speaks of major hazards
    (_hazard(grade="major", source="self_reported", fixing=False), "standard"),  # reported, not being fixed
    (_hazard(grade="major", source="self_reported", overdue=True, fixing=False), "standard"),  # left overdue
])
def test_a_self_reported_major_hazard_being_fixed_is_not_penalised_in_jicui(hazard: HazardFact, tier: str) -> None:
    """Seed 004 §三(二)3(2): 对企业自查查出的重大事故隐患，已按规定报告并正在采取有效措施消除的，不予行政处罚."""
    facts = discretion_facts(JICUI, OPENED, "安全生产法 第102条", source_hazard=hazard, hazards=[hazard], prior=[])
    proposal = propose(JICUI, "安全生产法 第102条", facts, refused=True)
    assert proposal.tier == tier
    if tier == "exempt":
        assert proposal.unit.amount_yuan == 0
        assert proposal.person is not None
        assert proposal.person.amount_yuan == 0
        assert facts[0].basis.startswith("方积政发〔2023〕11号 §三(二)3(2)")
    quangang = discretion_facts(PACK, OPENED, "安全生产法 第102条", source_hazard=hazard, hazards=[hazard], prior=[])
    assert "self_reported_major" not in [f.code for f in quangang], "泉港区 has no such exemption"


def test_dual_penalty_proposes_the_person_where_the_article_fines_one() -> None:
    """一案双罚 (seed 004 §三(二)3(3)): the same proposal decides the unit's and its responsible person's fine."""
    proposal = propose(PACK, "安全生产法 第105条", [])
    assert proposal.person is not None
    assert proposal.person.amount_yuan == Decimal(2_500), "the lower tier's midpoint of 0–10,000"
    assert propose(PACK, "安全生产法 第102条", []).person is None  # the unit did not refuse
    assert propose(PACK, "安全生产法 第101条", []).person is None  # the persons only after 逾期未改正
    assert propose(PACK, "安全生产法 第105条", [], dual=False).person is None


def test_years_are_counted_to_the_same_day() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2025, 6, 1), -1) == date(2024, 6, 1)
