"""R11 reward arithmetic (安监总财〔2018〕19号): boundaries n−1, n, n+1 and the rounding, as pure functions."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from domain.errors import Rejected
from domain.rules import pack_for
from domain.rules.rewards import collection_deadline, concealed_death_reward, penalty_reward, reward_bar

PACK = pack_for("350000/350500/350505")


@pytest.mark.parametrize(("fine", "reward", "bound"), [
    ("19999", "3000.00", "minimum"),  # 2,999.85 → raised to the minimum
    ("20000", "3000.00", None),  # exactly 15 %
    ("20001", "3000.15", None),
    ("1999999", "299999.85", None),
    ("2000000", "300000.00", None),  # exactly the maximum
    ("2000001", "300000.00", "maximum"),  # 300,000.15 → held to the maximum
    ("1", "3000.00", "minimum"),
    ("50000", "7500.00", None),
])
def test_fifteen_percent_of_the_fine_within_3000_and_300000(fine: str, reward: str, bound: str | None) -> None:
    computed = penalty_reward(PACK, Decimal(fine))
    assert (computed.amount_yuan, computed.bound) == (Decimal(reward), bound)
    assert str(computed.amount_yuan) == reward, "amounts are kept to the fen"
    assert (computed.rate, computed.minimum_yuan, computed.maximum_yuan) == (
        Decimal("0.15"), Decimal(3000), Decimal(300_000))
    assert computed.computed_yuan == (Decimal(fine) * Decimal("0.15")).quantize(Decimal("0.01"))
    assert computed.source == "《安全生产领域举报奖励办法》(安监总财〔2018〕19号)"


def test_the_share_is_rounded_half_up_to_the_fen_before_the_bounds() -> None:
    """20,000.30 × 15 % = 3,000.045: half up gives 3,000.05 (banker's rounding would give 3,000.04)."""
    exact = Decimal("20000.30") * Decimal("0.15")
    assert exact == Decimal("3000.0450")
    assert exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Decimal("3000.04")
    assert penalty_reward(PACK, Decimal("20000.30")).amount_yuan == Decimal("3000.05")
    assert penalty_reward(PACK, Decimal("20000.03")).amount_yuan == Decimal("3000.00"), "3,000.0045 rounds down"
    held = penalty_reward(PACK, Decimal("19999.97"))
    assert (held.computed_yuan, held.amount_yuan, held.bound) == (Decimal("3000.00"), Decimal("3000.00"), None), (
        "2,999.9955 rounds to 3,000.00 first, so the minimum does not apply")
    assert penalty_reward(PACK, Decimal("2000000.03")).bound is None, "300,000.0045 rounds to the maximum itself"


def test_the_formula_explains_the_reward() -> None:
    assert penalty_reward(PACK, Decimal("19999")).formula == (
        "15% × 19,999.00 = 2,999.85, held to the minimum 3,000.00")
    assert penalty_reward(PACK, Decimal("2000001")).formula == (
        "15% × 2,000,001.00 = 300,000.15, held to the maximum 300,000.00")


@pytest.mark.parametrize(("grade", "deaths", "reward", "bound"), [
    ("general", 1, 30_000, None), ("general", 2, 60_000, None),
    ("serious", 6, 240_000, None), ("serious", 7, 280_000, None), ("serious", 8, 300_000, "maximum"),
    ("major", 5, 250_000, None), ("major", 6, 300_000, None), ("major", 7, 300_000, "maximum"),
    ("extraordinary", 4, 240_000, None), ("extraordinary", 5, 300_000, None),
    ("extraordinary", 6, 300_000, "maximum"),
])
def test_per_concealed_death_by_grade_at_most_300000(grade: str, deaths: int, reward: int, bound: str | None) -> None:
    computed = concealed_death_reward(PACK, grade, deaths)
    assert (computed.amount_yuan, computed.bound, computed.concealed_deaths) == (Decimal(reward), bound, deaths)
    assert computed.per_death_yuan == Decimal({"general": 30_000, "serious": 40_000, "major": 50_000,
                                               "extraordinary": 60_000}[grade])
    assert computed.rule == "per_concealed_death"


@pytest.mark.parametrize(("fine", "reward"), [("0", "0.00"), ("0.01", "3000.00"), ("1", "3000.00")])
def test_no_fine_decided_gives_no_reward_not_an_error(fine: str, reward: str) -> None:
    """安监总财〔2018〕19号: the reward is 15 % of the fine (at least 3,000): no fine, nothing to share."""
    computed = penalty_reward(PACK, Decimal(fine))
    assert str(computed.amount_yuan) == reward


@pytest.mark.parametrize(("supervises", "found_before", "barred"), [
    (False, False, False), (True, False, True), (False, True, True), (True, True, True),
])
def test_who_earns_nothing(supervises: bool, found_before: bool, barred: bool) -> None:
    """安监总财〔2018〕19号 第七条: only what was not found, or found and not handled; staff with supervisory duties
    over the matter are not rewarded."""
    reason = reward_bar(PACK, reporter_supervises=supervises, matter_found_before=found_before)
    assert (reason is not None) == barred
    assert PACK["tip.reward.exclusion.basis"].endswith("第七条")


@pytest.mark.parametrize(("notified", "last_day"), [
    (date(2025, 1, 1), date(2025, 3, 2)),  # 60 days: January 30 + February 28 + 2
    (date(2024, 1, 1), date(2024, 3, 1)),  # a leap year: February has 29
])
def test_a_reward_is_collected_within_60_days_of_the_notice(notified: date, last_day: date) -> None:
    assert collection_deadline(PACK, notified) == last_day
    assert PACK["tip.reward.collection_days"] == 60


def test_nonsense_is_refused() -> None:
    with pytest.raises(Rejected) as negative:
        penalty_reward(PACK, Decimal(-1))
    assert negative.value.code == "fine-negative"
    with pytest.raises(Rejected) as none:
        concealed_death_reward(PACK, "major", 0)
    assert none.value.code == "deaths-required"
    with pytest.raises(Rejected) as grade:
        concealed_death_reward(PACK, "catastrophic", 1)
    assert grade.value.code == "unknown-accident-grade"


def test_the_computation_is_stored_as_exact_decimal_text() -> None:
    stored = penalty_reward(PACK, Decimal("20001")).model_dump()
    assert (stored["amount_yuan"], stored["rate"], stored["fine_yuan"]) == ("3000.15", "0.15", "20001")
    assert type(penalty_reward(PACK, Decimal(1)).model_validate(stored).amount_yuan) is Decimal
