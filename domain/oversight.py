"""Oversight flags (督查提示): what the policies find missing in a month, raised once and withdrawn on new facts.

- ``zero_enforcement`` (零执法、零处罚, seed 000 §25): a department with supervisory duties that completed no
  enforcement inspection (and, once penalty cases exist, imposed no penalty) in a calendar month.
- ``leader_inspection_missed`` (docs/rules.md R12): a leader whose post must lead an inspection every month — a safety
  (special) committee's head (专委会主任每月至少开展1次检查, seed 002 §3) — and led none.

A flag is its own aggregate with an id derived from (kind, subject, period), so a policy that fires twice — or two
workers at once — creates it once. When a late-recorded inspection shows the month was not empty after all, the
worker withdraws the flag with the reason: history keeps both facts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid5

from domain.base import Aggregate, CommandContext, DomainEvent, created, first_event
from domain.calendar import month_bounds
from domain.errors import Conflict

FLAG_NAMESPACE = UUID("9e2b4c71-3f5a-4d08-b6e1-7a2c5d9f0e34")


class FlagKind(StrEnum):
    zero_enforcement = "zero_enforcement"  # 零执法
    leader_inspection_missed = "leader_inspection_missed"  # 领导带队检查缺失


FLAG_TERMS = {"zero_enforcement": "零执法", "leader_inspection_missed": "领导带队检查缺失"}


class Flag(Aggregate):
    kind: FlagKind
    subject_id: UUID
    period: str
    withdrawn: bool = False


class ZeroEnforcementFlagged(DomainEvent):
    """零执法: the department completed no enforcement inspection in the month (seed 000 §25)."""

    term = "零执法"
    context = "oversight"
    department_id: UUID
    period: str
    inspections: int
    penalties: int | None = None
    """Penalties imposed in the month, once penalty cases exist (null until then)."""

    def apply(self, _: None) -> Flag:
        return created(Flag, self, kind=FlagKind.zero_enforcement, subject_id=self.department_id, period=self.period)


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


def flag_zero_enforcement(ctx: CommandContext, department_id: UUID, jurisdiction: str, period: str,
                          inspections: int, penalties: int | None, *, due: datetime, basis: str,
                          rules_version: str) -> ZeroEnforcementFlagged | None:
    """Raise the flag when the month had no enforcement; ``None`` when it had some."""
    if inspections or penalties:
        return None
    return first_event(ZeroEnforcementFlagged, ctx, id=flag_id(FlagKind.zero_enforcement, department_id, period),
                       jurisdiction=jurisdiction, basis=basis, rules_version=rules_version, effective_at=due,
                       department_id=department_id, period=period, inspections=inspections, penalties=penalties)


def flag_leader_inspection(ctx: CommandContext, person_id: UUID, post_id: UUID, unit_id: UUID, jurisdiction: str,
                           period: str, required: int, led: int, *, due: datetime, basis: str,
                           rules_version: str) -> LeaderInspectionMissed | None:
    if led >= required:
        return None
    return first_event(LeaderInspectionMissed, ctx,
                       id=flag_id(FlagKind.leader_inspection_missed, person_id, period), jurisdiction=jurisdiction,
                       basis=basis, rules_version=rules_version, effective_at=due, person_id=person_id,
                       post_id=post_id, unit_id=unit_id, period=period, required=required, led=led)


def withdraw(ctx: CommandContext, flag: Flag, found: int, reason: str) -> FlagWithdrawn:
    if flag.withdrawn:
        raise Conflict("flag-withdrawn", "the flag was already withdrawn")
    return flag.next_event(FlagWithdrawn, ctx, reason=reason, found=found)
