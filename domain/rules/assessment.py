"""考核 — the year's assessment of towns and departments under a local pack (docs/rules.md R9; seeds 001, 002).

The seeds demand a yearly assessment (考核) but give **no items' weights or scores**: the scheme in the pack is a
structure with PLACEHOLDER figures (``assessment.scheme.placeholder`` is true) that a jurisdiction replaces with its
own; a result computed under a placeholder scheme says so. Only the veto (seed 001 ¶30, see
:mod:`domain.rules.assessment_veto`) is law-like here, and it overrides the score: a vetoed unit fails the year
whatever its points.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from domain.base import Frozen, require
from domain.rules import RulesPack
from domain.rules.rewards import Exact


class AssessmentItem(Frozen):
    """One item of the scheme: its code, its title and its weight (points out of the scheme's total)."""

    code: str
    title: str
    weight: Exact


class AssessmentScheme(Frozen):
    items: tuple[AssessmentItem, ...]
    placeholder: bool
    """True while the figures are the shipped placeholders, not a jurisdiction's decision."""
    source: str


class AssessmentResult(Frozen):
    """A unit's year: the weighted score (each item scored 0–100, weighted), and whether a veto overrode it."""

    score: Exact
    item_scores: dict[str, Exact]
    vetoed: bool
    placeholder: bool
    source: str


def assessment_scheme(pack: RulesPack) -> AssessmentScheme:
    items = tuple(AssessmentItem(code=code, title=title, weight=Decimal(weight))
                  for code, title, weight in pack["assessment.scheme.items"])
    total = sum((item.weight for item in items), Decimal(0))
    require(total == 100, "weights-not-100", f"the scheme's weights add up to {total}, not 100")
    return AssessmentScheme(items=items, placeholder=bool(pack["assessment.scheme.placeholder"]),
                            source=str(pack["assessment.scheme.source"]))


def assess(scheme: AssessmentScheme, scores: Mapping[str, Decimal], *, vetoed: bool) -> AssessmentResult:
    """Weigh the item scores (each 0–100) into the year's score out of 100; every item must be scored, no other."""
    codes = {item.code for item in scheme.items}
    require(set(scores) == codes, "items-mismatch",
            f"score exactly the scheme's items: {', '.join(sorted(codes))}", field="scores")
    for code, value in scores.items():
        require(Decimal(0) <= value <= Decimal(100), "score-out-of-range",
                f"item {code} is scored 0 to 100, not {value}", field="scores")
    total = sum((item.weight * scores[item.code] / 100 for item in scheme.items), Decimal(0))
    return AssessmentResult(score=total.quantize(Decimal("0.01")), item_scores=dict(scores), vetoed=vetoed,
                            placeholder=scheme.placeholder, source=scheme.source)
