"""Oversight flags (督查提示): what the policies find missing in a month, raised once and withdrawn on new facts.

- ``zero_enforcement`` (零执法, seed 000 §25, which names 以检查代替执法 as the fault): a department that supervised
  something in the month and took no enforcement act in it — decided no penalty (行政处罚决定 with a fine) and
  issued no order on the spot (责令限期整改, 责令暂时停产停业); inspections are not enforcement acts
  (``domain.rules.oversight``).
- ``zero_penalty`` (零处罚, seed 000 §25): a department that supervised something in the month and decided no
  penalty in it, whatever else it did.
- ``leader_inspection_missed`` (docs/rules.md R12): a leader whose post must lead an inspection every month — a safety
  (special) committee's head (专委会主任每月至少开展1次对分管行业领域的安全生产检查, seed 002 §(一)3) — and led none
  in the sector(s) their committee covers.
- ``campaign_check_missed`` (专项行动主要负责人每月检查缺失, seed 004 §三(一)1(4)): during a campaign of a local pack
  (``campaign.periods``), an enterprise's main responsible person led no check of their own unit in a month.
- ``listing_unsupervised`` (挂牌督办无督办责任人): a listing that names no supervisor — what an escalation one level up
  leaves until the new authority names one; seed 004 §三(二)3(1) asks for 跟踪督办的具体责任人. Raised once per
  listing (the hazard and the listing's start).

A flag is its own aggregate with an id derived from (kind, subject, period), so a policy that fires twice — or two
workers at once — creates it once. When a late-recorded inspection shows the month was not empty after all, the
worker withdraws the flag with the reason: history keeps both facts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, created, first_event
from domain.calendar import month_bounds
from domain.errors import Conflict
from domain.rules.oversight import FLAGGED, MonthCounts

FLAG_NAMESPACE = UUID("9e2b4c71-3f5a-4d08-b6e1-7a2c5d9f0e34")


class FlagKind(StrEnum):
    zero_enforcement = "zero_enforcement"  # 零执法
    zero_penalty = "zero_penalty"  # 零处罚
    leader_inspection_missed = "leader_inspection_missed"  # 领导带队检查缺失
    listing_unsupervised = "listing_unsupervised"  # 挂牌督办无督办责任人
    campaign_check_missed = "campaign_check_missed"  # 专项行动主要负责人每月检查缺失


FLAG_TERMS = {"zero_enforcement": "零执法", "zero_penalty": "零处罚", "leader_inspection_missed": "领导带队检查缺失",
              "listing_unsupervised": "挂牌督办无督办责任人", "campaign_check_missed": "专项行动主要负责人每月检查缺失"}


class Flag(Aggregate):
    kind: FlagKind
    subject_id: UUID
    period: str
    withdrawn: bool = False


class ZeroEnforcementFlagged(DomainEvent):
    """零执法: the department took no enforcement act in the month (seed 000 §25). Flags raised before penalty cases
    existed counted completed enforcement inspections (``penalties`` null); since, ``penalties`` is 0 and
    ``inspections`` only informs (以检查代替执法 is the fault the notice names). v2: ``orders`` (0), the orders on the
    spot issued in the month, counted too; null on v1 flags, which counted the penalties alone."""

    term = "零执法"
    context = "oversight"
    class_version = 2
    department_id: UUID
    period: str
    inspections: int
    penalties: int | None = None
    """Penalties decided in the month (null on flags raised before penalty cases existed)."""
    orders: int | None = None
    """Orders on the spot issued in the month (null on flags raised before orders were counted)."""

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """v2: the orders counted (none were, on a v1 flag)."""
        state.setdefault("orders", None)

    def apply(self, _: None) -> Flag:
        return created(Flag, self, kind=FlagKind.zero_enforcement, subject_id=self.department_id, period=self.period)


class ZeroPenaltyFlagged(DomainEvent):
    """零处罚: the department, supervising something in the month, decided no penalty in it (seed 000 §25). v2: the
    orders issued in the month (for information; 0 on v1 flags, which did not count them)."""

    term = "零处罚"
    context = "oversight"
    class_version = 2
    department_id: UUID
    period: str
    inspections: int = Field(description="completed enforcement inspections in the month (for information)")
    orders: int = Field(default=0, description="orders on the spot issued in the month (for information)")

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """v2: the orders issued in the month (not counted on a v1 flag)."""
        state.setdefault("orders", 0)

    def apply(self, _: None) -> Flag:
        return created(Flag, self, kind=FlagKind.zero_penalty, subject_id=self.department_id, period=self.period)


class LeaderInspectionMissed(DomainEvent):
    """领导带队检查缺失: a leader who must lead an inspection every month led none (seed 002 §3; docs/rules.md R12)."""

    term = "领导带队检查缺失"
    context = "oversight"
    person_id: UUID
    post_id: UUID
    unit_id: UUID
    period: str
    required: int
    led: int

    def apply(self, _: None) -> Flag:
        return created(Flag, self, kind=FlagKind.leader_inspection_missed, subject_id=self.person_id,
                       period=self.period)


class CampaignCheckMissed(DomainEvent):
    """专项行动主要负责人每月检查缺失: during a campaign an enterprise's main responsible person led no check of
    their own unit in the month (seed 004 §三(一)1(4): 专项行动期间，主要负责人每月要带队…至少开展1次检查)."""

    term = "专项行动主要负责人每月检查缺失"
    context = "oversight"
    person_id: UUID
    post_id: UUID
    unit_id: UUID
    period: str
    campaign: str
    required: int
    led: int

    def apply(self, _: None) -> Flag:
        return created(Flag, self, kind=FlagKind.campaign_check_missed, subject_id=self.person_id,
                       period=self.period)


class ListingUnsupervised(DomainEvent):
    """挂牌督办无督办责任人: a hazard's listing names no supervisor (after an escalation one level up); seed 004
    §三(二)3(1) (挂牌督办, 明确跟踪督办的具体责任人)."""

    term = "挂牌督办无督办责任人"
    context = "oversight"
    hazard_id: UUID
    authority_id: UUID
    level: str
    since: datetime

    def apply(self, _: None) -> Flag:
        return created(Flag, self, kind=FlagKind.listing_unsupervised, subject_id=self.hazard_id,
                       period=self.since.isoformat())


class FlagWithdrawn(DomainEvent):
    """督查提示撤回: later-recorded facts show the month was not empty; the flag no longer holds."""

    term = "督查提示撤回"
    context = "oversight"
    reason: str
    found: int

    def apply(self, state: Flag) -> Flag:
        return state.evolved(self, withdrawn=True)


def flag_id(kind: FlagKind, subject_id: UUID, period: str) -> UUID:
    return uuid5(FLAG_NAMESPACE, f"{kind.value}:{subject_id}:{period}")


def judged_at(period: str, grace_days: int) -> datetime:
    """When a month is judged: ``grace_days`` after it ended — the effective time of its flags, however late the
    worker runs."""
    return month_bounds(period)[1] + timedelta(days=grace_days)


DEPARTMENT_FLAGS: dict[FlagKind, type[ZeroEnforcementFlagged] | type[ZeroPenaltyFlagged]] = {
    FlagKind.zero_enforcement: ZeroEnforcementFlagged, FlagKind.zero_penalty: ZeroPenaltyFlagged}
"""The flags a supervising department's month may raise, by kind (零执法, 零处罚)."""


def flag_department_month(ctx: CommandContext, kind: FlagKind, department_id: UUID, jurisdiction: str, period: str,
                          counts: MonthCounts, *, due: datetime, basis: str,
                          rules_version: str) -> ZeroEnforcementFlagged | ZeroPenaltyFlagged | None:
    """Raise 零执法 or 零处罚 when the month's counts meet it (``domain.rules.oversight.FLAGGED``); ``None`` when the
    month had the act the flag asks for. Inspections only inform (seed 000 §25: 以检查代替执法)."""
    if not FLAGGED[kind](counts):
        return None
    counted: dict[str, int] = {"inspections": counts.inspections, "orders": counts.orders}
    if kind == FlagKind.zero_enforcement:
        counted["penalties"] = counts.penalties
    return first_event(DEPARTMENT_FLAGS[kind], ctx, id=flag_id(kind, department_id, period),
                       jurisdiction=jurisdiction, basis=basis, rules_version=rules_version, effective_at=due,
                       department_id=department_id, period=period, **counted)


def flag_leader_inspection(ctx: CommandContext, person_id: UUID, post_id: UUID, unit_id: UUID, jurisdiction: str,
                           period: str, required: int, led: int, *, due: datetime, basis: str,
                           rules_version: str) -> LeaderInspectionMissed | None:
    if led >= required:
        return None
    return first_event(LeaderInspectionMissed, ctx,
                       id=flag_id(FlagKind.leader_inspection_missed, person_id, period), jurisdiction=jurisdiction,
                       basis=basis, rules_version=rules_version, effective_at=due, person_id=person_id,
                       post_id=post_id, unit_id=unit_id, period=period, required=required, led=led)


def flag_campaign_check(ctx: CommandContext, person_id: UUID, post_id: UUID, unit_id: UUID, jurisdiction: str,
                        period: str, campaign: str, required: int, led: int, *, due: datetime, basis: str,
                        rules_version: str) -> CampaignCheckMissed | None:
    """Raise the flag when the main responsible person led fewer checks of their unit than the campaign asks."""
    if led >= required:
        return None
    return first_event(CampaignCheckMissed, ctx,
                       id=flag_id(FlagKind.campaign_check_missed, person_id, period), jurisdiction=jurisdiction,
                       basis=basis, rules_version=rules_version, effective_at=due, person_id=person_id,
                       post_id=post_id, unit_id=unit_id, period=period, campaign=campaign, required=required, led=led)


def flag_unsupervised_listing(ctx: CommandContext, hazard_id: UUID, jurisdiction: str, authority_id: UUID | None,
                              level: str, supervisor_id: UUID | None, since: datetime, *, open_: bool, basis: str,
                              rules_version: str) -> ListingUnsupervised | None:
    """Raise the flag when an open hazard's listing names no supervisor; ``None`` otherwise. Effective when the
    listing began."""
    if not open_ or authority_id is None or supervisor_id is not None:
        return None
    return first_event(ListingUnsupervised, ctx,
                       id=flag_id(FlagKind.listing_unsupervised, hazard_id, since.isoformat()),
                       jurisdiction=jurisdiction, basis=basis, rules_version=rules_version, effective_at=since,
                       hazard_id=hazard_id, authority_id=authority_id, level=level, since=since)


def withdraw(ctx: CommandContext, flag: Flag, found: int, reason: str) -> FlagWithdrawn:
    if flag.withdrawn:
        raise Conflict("flag-withdrawn", "the flag was already withdrawn")
    return flag.next_event(FlagWithdrawn, ctx, reason=reason, found=found)
