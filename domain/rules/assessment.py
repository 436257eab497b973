"""考核 — the year's assessment of towns and departments under a local pack (docs/rules.md R9; seeds 001, 002).

The seeds demand a yearly assessment (考核) but give **no items' weights or scores**: the scheme in the pack is a
structure with PLACEHOLDER figures (``assessment.scheme.placeholder`` is true) that a jurisdiction replaces with its
own; a result computed under a placeholder scheme says so. The rating bands (优秀/合格/不合格 at the pack's
``assessment.scheme.ratings`` minimums) are placeholders too.

Only the veto is law-like here (seed 001 ¶30, :mod:`domain.rules.assessment_veto`). The seed says no more than that
the town and the competent department are "一票否决" (5 起以上的对镇（街道）和行业主管部门"一票否决"; 1 起以上
一般生产安全责任事故且造成人员死亡的 … "一票否决"); it gives no rating. Read as the term says — one vote
decides the year — a vetoed unit is rated ``vetoed`` (一票否决) whatever its points: never excellent, never passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from domain.base import Frozen, require
from domain.rules import RulesPack
from domain.rules.rewards import Exact


class Rating(StrEnum):
    excellent = "excellent"  # 优秀
    passed = "passed"  # 合格
    failed = "failed"  # 不合格
    vetoed = "vetoed"  # 一票否决


RATING_TERMS = {"excellent": "优秀", "passed": "合格", "failed": "不合格", "vetoed": "一票否决"}


class AssessmentItem(Frozen):
    """One item of the scheme: its code, its title and its weight (points out of the scheme's total)."""

    code: str
    title: str
    weight: Exact


class AssessmentScheme(Frozen):
    items: tuple[AssessmentItem, ...]
    bands: tuple[tuple[Rating, Exact], ...]
    """The minimum score of each rating above 不合格, highest first (placeholders as the items)."""
    placeholder: bool
    """True while the figures are the shipped placeholders, not a jurisdiction's decision."""
    source: str


class AssessmentResult(Frozen):
    """A unit's year: the weighted score (each item scored 0–100, weighted), and whether a veto overrode it."""

    score: Exact
    item_scores: dict[str, Exact]
    vetoed: bool
    rating: Rating
    placeholder: bool
    source: str


def assessment_scheme(pack: RulesPack) -> AssessmentScheme:
    items = tuple(AssessmentItem(code=code, title=title, weight=Decimal(weight))
                  for code, title, weight in pack["assessment.scheme.items"])
    total = sum((item.weight for item in items), Decimal(0))
    require(total == 100, "weights-not-100", f"the scheme's weights add up to {total}, not 100")
    bands = tuple(sorted(((Rating(rating), Decimal(minimum)) for rating, minimum in pack["assessment.scheme.ratings"]),
                         key=lambda band: band[1], reverse=True))
    return AssessmentScheme(items=items, bands=bands, placeholder=bool(pack["assessment.scheme.placeholder"]),
                            source=str(pack["assessment.scheme.source"]))


def assess(scheme: AssessmentScheme, scores: Mapping[str, Decimal], *, vetoed: bool) -> AssessmentResult:
    """Weigh the item scores (each 0–100) into the year's score out of 100; every item must be scored, no other."""
    codes = {item.code for item in scheme.items}
    require(set(scores) == codes, "items-mismatch",
            f"score exactly the scheme's items: {', '.join(sorted(codes))}", field="scores")
    for code, value in scores.items():
        require(Decimal(0) <= value <= Decimal(100), "score-out-of-range",
                f"item {code} is scored 0 to 100, not {value}", field="scores")
    total = sum((item.weight * scores[item.code] / 100 for item in scheme.items), Decimal(0)).quantize(Decimal("0.01"))
    return AssessmentResult(score=total, item_scores=dict(scores), vetoed=vetoed, rating=rate(scheme, total, vetoed),
                            placeholder=scheme.placeholder, source=scheme.source)


def rate(scheme: AssessmentScheme, score: Decimal, vetoed: bool) -> Rating:
    """The year's rating: ``vetoed`` (一票否决, seed 001 ¶30) whatever the score; otherwise the highest band whose
    minimum the score reaches, else 不合格."""
    if vetoed:
        return Rating.vetoed
    return next((rating for rating, minimum in scheme.bands if score >= minimum), Rating.failed)
