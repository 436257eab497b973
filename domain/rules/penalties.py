"""Administrative penalties (行政处罚): periods, amounts and discretion, as pure functions of the rules pack.

Sources (docs/rules.md R5–R7): 行政处罚法 (2021) 第36条 (limitation),
第60条 (decision within 90 days), 第64条 and 第85条
(hearing requested within 5 working days), 第67条 (payment within 15 days), 第72条 (late surcharge 3 % a day, capped
at the fine); 安全生产法 (2021) 第94、97、101、102条 (ranges), 第112条 (daily continuous fine), 第113条 (closure);
and, from the local packs of the jurisdiction, what aggravates (seed 000 ¶27 in 泉港区, seed 003 ¶28 in 石狮市) and
what exempts (seed 004 §三(二)3(2) in 积翠镇) — the law names no trigger of its own (docs/rules.md R7).

**Counting days.** A period "within N days of" a day does not count that day: it ends at the end of the N-th day
after it (payment: served on 1 March → last day 16 March). A period in years ends on the same calendar day N years
later (the last day of February when that day does not exist). "In 180 days" counts the day of the latest
penalty as the first of the 180; "in one year" takes what was decided after the same day a year earlier.

Every function returns what it decided together with the article it applied, so that the event recording it
explains itself years later with the pack version.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from uuid import UUID

from domain.base import Frozen, require
from domain.rules import RulesPack
from domain.rules.rewards import Exact
from domain.rules.working_days import calendar_for

YUAN = Decimal("1")
FEN = Decimal("0.01")


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- periods ------------------------------------------------------------------------------------------------


class Limitation(Frozen):
    """追责时效 (第36条): how long the act could still be penalised, and whether it was discovered in time."""

    years: int
    counted_from: date
    last_day: date
    discovered_on: date
    barred: bool
    basis: str


def limitation(pack: RulesPack, act_ended_on: date, discovered_on: date, *,
               endangered_with_harm: bool) -> Limitation:
    """2 years from the act (or the end of a continuing act); 5 where life or health was endangered and harm
    followed. Discovered on the last day: still in time; the day after: barred."""
    years = pack["penalty.limitation.years_endangered" if endangered_with_harm else "penalty.limitation.years"]
    last_day = add_years(act_ended_on, years)
    return Limitation(years=years, counted_from=act_ended_on, last_day=last_day, discovered_on=discovered_on,
                      barred=discovered_on > last_day, basis=pack["penalty.limitation.basis"])


def hearing_request_deadline(pack: RulesPack, notified_on: date) -> date:
    """The last day to ask for a hearing: the 5th working day after the notice (第64条, 第85条)."""
    return calendar_for(pack).add_working_days(notified_on, pack["penalty.hearing.working_days"])


def decision_deadline(pack: RulesPack, opened_on: date) -> date:
    """The last day for the decision: 90 days after opening (第60条)."""
    return opened_on + timedelta(days=pack["penalty.decision.days"])


def payment_deadline(pack: RulesPack, served_on: date) -> date:
    """The last day to pay: 15 days after the decision was received (第67条)."""
    return served_on + timedelta(days=pack["penalty.payment.days"])


def days_left(due_on: date, today: date) -> int:
    """Days from ``today`` to the last day ``due_on`` (0 on the day itself, negative once it has passed)."""
    return (due_on - today).days


# --- amounts after the decision -----------------------------------------------------------------------------


class Surcharge(Frozen):
    """加处罚款 (第72条): 3 % of the fine for each day after the last day to pay, never more than the fine."""

    fine_yuan: Exact
    due_on: date
    paid_on: date
    days_late: int
    computed_yuan: Exact
    capped: bool
    amount_yuan: Exact
    basis: str


def late_surcharge(pack: RulesPack, fine_yuan: Decimal, due_on: date, paid_on: date) -> Surcharge:
    days_late = max(0, (paid_on - due_on).days)
    computed = (fine_yuan * Decimal(pack["penalty.surcharge.daily_rate"]) * days_late).quantize(
        FEN, rounding=ROUND_HALF_UP)
    capped = computed > fine_yuan
    return Surcharge(fine_yuan=fine_yuan, due_on=due_on, paid_on=paid_on, days_late=days_late,
                     computed_yuan=computed, capped=capped, amount_yuan=fine_yuan.quantize(FEN) if capped else computed,
                     basis=pack["penalty.surcharge.basis"])


class DailyFine(Frozen):
    """按日连续处罚 (安全生产法 第112条): the original amount for each day from the day after the order to correct."""

    amount_yuan: Exact
    order_made_on: date
    through: date
    days: int
    total_yuan: Exact
    basis: str


def daily_fine(pack: RulesPack, amount_yuan: Decimal, order_made_on: date, through: date) -> DailyFine:
    """Days counted from the day after the order was made up to and including ``through``."""
    days = max(0, (through - order_made_on).days)
    return DailyFine(amount_yuan=amount_yuan, order_made_on=order_made_on, through=through, days=days,
                     total_yuan=amount_yuan * days, basis=pack["penalty.daily_fine.basis"])


# --- 第113条 closure --------------------------------------------------------------------------------------------


class ClosureGround(Frozen):
    """Why 第113条第(一)项 applies: the penalties counted and the window they fell in."""

    rule: Literal["3_in_180_days", "4_in_a_year"]
    window_from: date
    window_to: date
    penalties: tuple[date, ...]
    basis: str


def closure_ground(pack: RulesPack, penalised_on: list[date], on: date) -> ClosureGround | None:
    """A unit with a major hazard penalised 3 times in the 180 days ending ``on`` or 4 times in the year ending
    ``on`` is proposed for closure; ``None`` otherwise. Only penalties of the major hazard's unit are passed in."""
    basis = pack["penalty.closure.basis"]
    start_180 = on - timedelta(days=179)
    in_180 = tuple(sorted(d for d in penalised_on if start_180 <= d <= on))
    if len(in_180) >= pack["penalty.closure.times_in_180_days"]:
        return ClosureGround(rule="3_in_180_days", window_from=start_180, window_to=on, penalties=in_180,
                             basis=basis)
    year_before = add_years(on, -1)
    in_year = tuple(sorted(d for d in penalised_on if year_before < d <= on))
    if len(in_year) >= pack["penalty.closure.times_in_a_year"]:
        return ClosureGround(rule="4_in_a_year", window_from=year_before + timedelta(days=1), window_to=on,
                             penalties=in_year, basis=basis)
    return None


# --- ranges and discretion ----------------------------------------------------------------------------------


Party = Literal["unit", "person"]


class FineRange(Frozen):
    article: str
    party: Party
    refused: bool
    minimum_yuan: Exact
    maximum_yuan: Exact


def fine_range(pack: RulesPack, article: str, party: Party, *, refused: bool = False) -> FineRange | None:
    """The article's range for the unit or its responsible person (docs/rules.md R6); ``None`` where the article fines
    nobody of that party (第102条 fines the person only where the unit refuses)."""
    articles = pack["penalty.articles"]
    require(article in articles, "unknown-article",
            f"the rules pack knows the ranges of {', '.join(articles)}", field="article")
    entry = articles[article]
    bounds = entry.get(f"{party}_refused") if refused else None
    bounds = bounds or entry.get(party)
    if bounds is None:
        return None
    return FineRange(article=article, party=party, refused=refused, minimum_yuan=Decimal(bounds[0]),
                     maximum_yuan=Decimal(bounds[1]))


FactCode = Literal["prior_penalties", "same_violation_repeated", "hazards_not_remedied", "not_corrected_by_deadline",
                   "self_reported_major"]


class Fact(Frozen):
    """An aggravating or exempting fact found in the history, with what says it counts and the records showing it."""

    code: FactCode
    effect: Literal["aggravating", "exempting"]
    detail: str
    basis: str
    evidence: tuple[UUID, ...]


class HazardFact(Frozen):
    """What the discretion rules read of a hazard of the unit (decided from the event store)."""

    id: UUID
    grade: str
    source: str
    found_on: date
    overdue: bool
    """It became overdue (逾期未整改) at some point, even if it was fixed since."""
    being_fixed: bool
    """Under rectification with a plan, submitted or accepted, and not overdue."""


class PriorPenalty(Frozen):
    case_id: UUID
    decided_on: date
    article: str


def discretion_facts(pack: RulesPack, opened_on: date, article: str, *, source_hazard: HazardFact | None,
                     hazards: list[HazardFact], prior: list[PriorPenalty]) -> list[Fact]:
    """Every fact the jurisdiction's packs make aggravating or exempting (``penalty.discretion.triggers``,
    ``penalty.exemption.basis``) that the history shows; the base pack (the law) names none."""
    triggers: dict[str, str] = pack["penalty.discretion.triggers"]
    facts: list[Fact] = []
    year_before = add_years(opened_on, -1)
    if "prior_penalties" in triggers:
        recent = [p for p in prior if year_before < p.decided_on <= opened_on]
        if len(recent) >= pack["penalty.discretion.prior_penalties"]:
            facts.append(Fact(code="prior_penalties", effect="aggravating",
                              detail=f"{len(recent)} administrative penalties for work-safety violations in the year "
                                     f"before {opened_on}", basis=triggers["prior_penalties"],
                              evidence=tuple(p.case_id for p in recent)))
    if "same_violation_repeated" in triggers:
        since = add_years(opened_on, -pack["penalty.discretion.repeat_window_years"])
        same = [p for p in prior if p.article == article and since < p.decided_on <= opened_on]
        if same:
            facts.append(Fact(code="same_violation_repeated", effect="aggravating",
                              detail=f"{article} was penalised {len(same)} time(s) since {since}",
                              basis=triggers["same_violation_repeated"], evidence=tuple(p.case_id for p in same)))
    if "hazards_not_remedied" in triggers:
        others = [h for h in hazards if h.overdue and year_before < h.found_on <= opened_on
                  and (source_hazard is None or h.id != source_hazard.id)]
        if others:
            facts.append(Fact(code="hazards_not_remedied", effect="aggravating",
                              detail=f"{len(others)} hazard(s) not remedied by their deadline in the year before "
                                     f"{opened_on}", basis=triggers["hazards_not_remedied"],
                              evidence=tuple(h.id for h in others)))
    if "not_corrected_by_deadline" in triggers and source_hazard is not None and source_hazard.overdue:
        facts.append(Fact(code="not_corrected_by_deadline", effect="aggravating",
                          detail="the hazard of the case was not rectified by its deadline (逾期未整改)",
                          basis=triggers["not_corrected_by_deadline"], evidence=(source_hazard.id,)))
    exemption = pack["penalty.exemption.basis"]
    if (exemption and source_hazard is not None and source_hazard.grade == "major"
            and source_hazard.source == "self_reported" and source_hazard.being_fixed and not source_hazard.overdue):
        facts.append(Fact(code="self_reported_major", effect="exempting",
                          detail="a major hazard the enterprise found itself, reported and is fixing",
                          basis=exemption, evidence=(source_hazard.id,)))
    return facts


Tier = Literal["exempt", "standard", "aggravated"]


class PartyProposal(Frozen):
    party: Party
    range: FineRange | None
    amount_yuan: Exact


class Proposal(Frozen):
    """拟处罚: the tier the facts put the case in, the amount each party is proposed, and why."""

    article: str
    refused: bool
    tier: Tier
    facts: tuple[Fact, ...]
    unit: PartyProposal
    person: PartyProposal | None
    practice: str


def tier_of(facts: list[Fact]) -> Tier:
    """Aggravated (较高档次) when any aggravating fact holds; exempt when the exempting fact holds and nothing
    aggravates; standard otherwise."""
    if any(f.effect == "aggravating" for f in facts):
        return "aggravated"
    if any(f.effect == "exempting" for f in facts):
        return "exempt"
    return "standard"


def proposed_amount(tier: Tier, bounds: FineRange | None) -> Decimal:
    """Local practice (``penalty.discretion.practice``): the range splits at its midpoint; standard proposes the
    lower tier's midpoint, aggravated the maximum; exempt proposes nothing."""
    if bounds is None or tier == "exempt":
        return Decimal(0)
    if tier == "aggravated":
        return bounds.maximum_yuan
    quarter = (bounds.maximum_yuan - bounds.minimum_yuan) / 4
    return (bounds.minimum_yuan + quarter).quantize(YUAN, rounding=ROUND_HALF_UP)


def propose(pack: RulesPack, article: str, facts: list[Fact], *, refused: bool = False,
            dual: bool = True) -> Proposal:
    """The proposal for the unit and, in a 一案双罚 case (``dual``), for its responsible person."""
    tier = tier_of(facts)
    unit_range = fine_range(pack, article, "unit", refused=refused)
    person_range = fine_range(pack, article, "person", refused=refused) if dual else None
    return Proposal(
        article=article, refused=refused, tier=tier, facts=tuple(facts),
        unit=PartyProposal(party="unit", range=unit_range, amount_yuan=proposed_amount(tier, unit_range)),
        person=(PartyProposal(party="person", range=person_range, amount_yuan=proposed_amount(tier, person_range))
                if person_range is not None else None),
        practice=pack["penalty.discretion.practice"],
    )
