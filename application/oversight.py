"""Oversight context: the flags the policies raise for a month (零执法; a leader's missing monthly inspection).

Only the system (the policy worker) sends these commands; each carries what the read models counted, and the
decision raises nothing when the count is enough or the flag exists already, so firing twice writes once.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from application.commands import Command
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import oversight as ov
from domain.bounds import FreeText
from domain.hazards import Hazard, HazardStatus
from domain.posts import Post
from domain.references import FlagRef, HazardRef, PersonRef, PostRef, UnitRef
from domain.rules import pack_for
from domain.rules.campaigns import campaign_for
from domain.rules.oversight import MonthCounts
from domain.units import Unit

POLICY: frozenset[str] = frozenset()
PERIOD = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="the calendar month, YYYY-MM (Beijing time)")


DepartmentFlagKind = Literal[ov.FlagKind.zero_enforcement, ov.FlagKind.zero_penalty]
DEPARTMENT_KINDS: tuple[DepartmentFlagKind, ...] = (ov.FlagKind.zero_enforcement, ov.FlagKind.zero_penalty)
"""The flags of a supervising department's month (零执法, 零处罚)."""


class RaiseDepartmentFlag(Command):
    """零执法 or 零处罚 for a supervising department's month, with what the read models counted."""

    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "raise zero-enforcement and zero-penalty flags"
    kind: DepartmentFlagKind
    department_id: UnitRef
    period: str = PERIOD
    inspections: int = Field(ge=0)
    penalties: int = Field(default=0, ge=0)
    orders: int = Field(default=0, ge=0)


class RaiseLeaderInspectionFlag(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "raise missed-leader-inspection flags"
    person_id: PersonRef
    post_id: PostRef
    period: str = PERIOD
    led: int = Field(ge=0)


class RaiseCampaignCheckFlag(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "raise missed-campaign-check flags"
    person_id: PersonRef
    post_id: PostRef
    period: str = PERIOD
    campaign: str = Field(min_length=1, max_length=100, description="the campaign's code in its local pack")
    led: int = Field(ge=0)


class RaiseUnsupervisedListingFlag(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "raise unsupervised-listing flags"
    hazard_id: HazardRef


class WithdrawFlag(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "withdraw oversight flags"
    flag_id: FlagRef
    found: int = Field(ge=1, description="what the later records show for the month")
    reason: FreeText = Field(min_length=1, max_length=500)


def raise_department_flag(cmd: RaiseDepartmentFlag, uow: UnitOfWork) -> UUID:
    """零执法 / 零处罚 of a department's month, once: nothing when the flag exists or the month had the act."""
    department = uow.load(cmd.department_id, Unit, label="department", field="department_id", write=False)
    flag_id = ov.flag_id(cmd.kind, department.id, cmd.period)
    if uow.find(flag_id, ov.Flag) is None:
        pack = pack_for(department.jurisdiction)
        event = ov.flag_department_month(
            uow.ctx, cmd.kind, department.id, department.jurisdiction, cmd.period,
            MonthCounts(penalties=cmd.penalties, orders=cmd.orders, inspections=cmd.inspections),
            due=ov.judged_at(cmd.period, pack["oversight.grace_days"]), basis=pack["oversight.zero_enforcement.basis"],
            rules_version=pack.version_tag)
        if event is not None:
            uow.record(event)
    return flag_id


def raise_leader_inspection(cmd: RaiseLeaderInspectionFlag, uow: UnitOfWork) -> UUID:
    post = uow.load(cmd.post_id, Post, label="post", field="post_id", write=False)
    flag_id = ov.flag_id(ov.FlagKind.leader_inspection_missed, cmd.person_id, cmd.period)
    if uow.find(flag_id, ov.Flag) is None:
        pack = pack_for(post.jurisdiction)
        uow.record(ov.flag_leader_inspection(
            uow.ctx, cmd.person_id, post.id, post.unit_id, post.jurisdiction, cmd.period,
            pack["oversight.leader_inspection.per_month"], cmd.led,
            due=ov.judged_at(cmd.period, pack["oversight.grace_days"]), basis=pack["oversight.leader_inspection.basis"],
            rules_version=pack.version_tag))
    return flag_id


def raise_campaign_check(cmd: RaiseCampaignCheckFlag, uow: UnitOfWork) -> UUID:
    """Flag a main responsible person's month of a campaign that binds their unit's jurisdiction, once."""
    post = uow.load(cmd.post_id, Post, label="post", field="post_id", write=False)
    flag_id = ov.flag_id(ov.FlagKind.campaign_check_missed, cmd.person_id, cmd.period)
    campaign = campaign_for(post.jurisdiction, cmd.campaign, cmd.period)
    if campaign is not None and uow.find(flag_id, ov.Flag) is None:
        pack = pack_for(post.jurisdiction)
        event = ov.flag_campaign_check(
            uow.ctx, cmd.person_id, post.id, post.unit_id, post.jurisdiction, cmd.period, campaign.code,
            campaign.per_month, cmd.led, due=ov.judged_at(cmd.period, pack["oversight.grace_days"]),
            basis=campaign.basis, rules_version=pack.version_tag)
        if event is not None:
            uow.record(event)
    return flag_id


def raise_unsupervised_listing(cmd: RaiseUnsupervisedListingFlag, uow: UnitOfWork) -> UUID:
    """The hazard's current listing, if it names no supervisor, flagged once (re-checked on the event store)."""
    hazard = uow.load(cmd.hazard_id, Hazard, label="hazard", field="hazard_id", write=False)
    listing = hazard.listing
    if listing is None:
        return hazard.id
    flag_id = ov.flag_id(ov.FlagKind.listing_unsupervised, hazard.id, listing.since.isoformat())
    if uow.find(flag_id, ov.Flag) is None:
        pack = pack_for(hazard.jurisdiction)
        event = ov.flag_unsupervised_listing(
            uow.ctx, hazard.id, hazard.jurisdiction, listing.authority_id, listing.level, listing.supervisor_id,
            listing.since, open_=hazard.status != HazardStatus.closed, basis=pack["hazard.listing.basis"],
            rules_version=pack.version_tag)
        if event is not None:
            uow.record(event)
    return flag_id


def withdraw_flag(cmd: WithdrawFlag, uow: UnitOfWork) -> UUID:
    flag = uow.load(cmd.flag_id, ov.Flag, label="flag", field="flag_id")
    if not flag.withdrawn:
        uow.record(ov.withdraw(uow.ctx, flag, cmd.found, cmd.reason))
    return flag.id


HANDLERS: dict[type[Command], Handler] = {
    RaiseDepartmentFlag: raise_department_flag,
    RaiseLeaderInspectionFlag: raise_leader_inspection,
    RaiseUnsupervisedListingFlag: raise_unsupervised_listing,
    RaiseCampaignCheckFlag: raise_campaign_check,
    WithdrawFlag: withdraw_flag,
}
