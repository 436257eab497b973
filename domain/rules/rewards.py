"""举报奖励 (docs/rules.md R11): what a verified tip earns — 《安全生产领域举报奖励办法》(安监总财〔2018〕19号).

- A major hazard or an illegal act, verified and penalised: 15 % of the administrative penalty decided (行政处罚金额),
  at least 3,000 and at most 300,000 yuan (pack keys ``tip.reward.penalty_*``).
- A concealed or falsified accident (瞒报、谎报): per concealed death, by the accident's final grade — 一般 30,000,
  较大 40,000, 重大 50,000, 特别重大 60,000 — at most 300,000 yuan (``tip.reward.per_concealed_death_yuan``,
  ``tip.reward.concealed_maximum_yuan``).

**Rounding.** Amounts are exact decimals in yuan. The 15 % share is rounded half up to the fen (0.01 yuan,
``ROUND_HALF_UP``), and only then held within the bounds: a fine of 19,999 yuan gives 2,999.85, raised to the
minimum 3,000.00; 20,001 gives 3,000.15; 2,000,001 gives 300,000.15, held to the maximum 300,000.00. A
per-death reward is a whole multiple and needs no rounding.

The functions are pure and return the whole computation, so that the event recording a reward explains itself
years later together with the pack version (docs/architecture.md §5).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from pydantic import PlainSerializer

from domain.base import Frozen, require
from domain.rules import RulesPack

FEN = Decimal("0.01")
ROUNDING = "half up to the fen (0.01 yuan), then held within the bounds"

Exact = Annotated[Decimal, PlainSerializer(str, return_type=str)]
"""An exact decimal (amounts in yuan, rates), stored and sent as its decimal text: ``"7500.00"``."""


Bound = Literal["minimum", "maximum"]


class RewardComputation(Frozen):
    """How a reward was computed: the rule, its inputs, the bounds and what came out."""

    rule: Literal["penalty_share", "per_concealed_death"]
    formula: str
    fine_yuan: Exact | None = None
    rate: Exact | None = None
    accident_grade: str | None = None
    concealed_deaths: int | None = None
    per_death_yuan: Exact | None = None
    computed_yuan: Exact
    minimum_yuan: Exact | None = None
    maximum_yuan: Exact
    bound: Bound | None = None
    amount_yuan: Exact
    rounding: str | None = None
    source: str


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _bounded(value: Decimal, low: Decimal | None, high: Decimal) -> tuple[Decimal, Bound | None]:
    if low is not None and value < low:
        return low, "minimum"
    if value > high:
        return high, "maximum"
    return value, None


def penalty_reward(pack: RulesPack, fine_yuan: Decimal) -> RewardComputation:
    """15 % of the penalty decided, rounded half up to the fen, within 3,000–300,000 yuan; a decision that fines
    nothing (不予处罚, or a penalty without a fine) gives no reward — the 3,000 minimum bounds a share of a fine."""
    require(fine_yuan >= 0, "fine-negative", "a fine is never negative", field="basis.fine_yuan",
            basis=pack["tip.reward.basis"])
    rate = Decimal(pack["tip.reward.penalty_rate"])
    low = Decimal(pack["tip.reward.penalty_minimum_yuan"]).quantize(FEN)
    high = Decimal(pack["tip.reward.penalty_maximum_yuan"]).quantize(FEN)
    if fine_yuan == 0:
        nothing = Decimal(0).quantize(FEN)
        return RewardComputation(rule="penalty_share", formula="no fine decided: no share to reward",
                                 fine_yuan=fine_yuan, rate=rate, computed_yuan=nothing, minimum_yuan=low,
                                 maximum_yuan=high, amount_yuan=nothing, rounding=ROUNDING,
                                 source=pack["tip.reward.basis"])
    share = (fine_yuan * rate).quantize(FEN, rounding=ROUND_HALF_UP)
    amount, bound = _bounded(share, low, high)
    formula = f"{(rate * 100).normalize()}% × {_yuan(fine_yuan)} = {_yuan(share)}"
    if bound:
        formula += f", held to the {bound} {_yuan(amount)}"
    return RewardComputation(rule="penalty_share", formula=formula, fine_yuan=fine_yuan, rate=rate,
                             computed_yuan=share, minimum_yuan=low, maximum_yuan=high, bound=bound,
                             amount_yuan=amount, rounding=ROUNDING, source=pack["tip.reward.basis"])


def concealed_death_reward(pack: RulesPack, accident_grade: str, deaths: int) -> RewardComputation:
    """Per concealed (or falsely reported) death by the accident's final grade, at most 300,000 yuan."""
    table = pack["tip.reward.per_concealed_death_yuan"]
    require(accident_grade in table, "unknown-accident-grade",
            f"the accident grade is one of {', '.join(table)}", field="basis.accident_grade")
    require(deaths >= 1, "deaths-required", "a reward for a concealed accident counts the concealed deaths found",
            field="basis.deaths", basis=pack["tip.reward.basis"])
    per_death = Decimal(table[accident_grade]).quantize(FEN)
    high = Decimal(pack["tip.reward.concealed_maximum_yuan"]).quantize(FEN)
    computed = per_death * deaths
    amount, bound = _bounded(computed, None, high)
    formula = f"{deaths} × {_yuan(per_death)} ({accident_grade}) = {_yuan(computed)}"
    if bound:
        formula += f", held to the {bound} {_yuan(amount)}"
    return RewardComputation(rule="per_concealed_death", formula=formula, accident_grade=accident_grade,
                             concealed_deaths=deaths, per_death_yuan=per_death, computed_yuan=computed,
                             maximum_yuan=high, bound=bound, amount_yuan=amount, source=pack["tip.reward.basis"])


def reward_bar(pack: RulesPack, *, reporter_supervises: bool, matter_found_before: bool) -> str | None:
    """Why a verified tip earns nothing, or ``None``: the matter was already found by the enterprise or an
    authority and is being handled (奖励 only what 生产经营单位和负有安全监管职责的部门没有发现，或者虽然发现但未按
    有关规定依法处理), or the reporter has safety management or supervisory duties over it (不在奖励之列) —
    ``tip.reward.exclusion.basis``."""
    if reporter_supervises:
        return "the reporter has safety management or supervisory duties over the matter (不在奖励之列)"
    if matter_found_before:
        return "the matter had already been found and was being handled when the tip was received"
    return None


def collection_deadline(pack: RulesPack, notified_on: date) -> date:
    """The last day to collect a reward: 60 days after the reporter was notified; later, the right lapses unless
    the reporter gives a reason (``tip.reward.collection.basis``)."""
    return notified_on + timedelta(days=pack["tip.reward.collection_days"])
