"""Oversight context: the flags the policies raise for a month (零执法; a leader's missing monthly inspection).

Only the system (the policy worker) sends these commands; each carries what the read models counted, and the
decision raises nothing when the count is enough or the flag exists already, so firing twice writes once.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from application.commands import Command
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import oversight as ov
from domain.posts import Post
from domain.references import FlagRef, PersonRef, PostRef, UnitRef
from domain.rules import pack_for
from domain.units import Unit

POLICY: frozenset[str] = frozenset()
PERIOD = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="the calendar month, YYYY-MM (Beijing time)")


class RaiseZeroEnforcementFlag(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "raise zero-enforcement flags"
    department_id: UnitRef
    period: str = PERIOD
    inspections: int = Field(ge=0)


class RaiseLeaderInspectionFlag(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "raise missed-leader-inspection flags"
    person_id: PersonRef
    post_id: PostRef
    period: str = PERIOD
    led: int = Field(ge=0)


class WithdrawFlag(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "withdraw oversight flags"
    flag_id: FlagRef
    found: int = Field(ge=1, description="what the later records show for the month")
    reason: str = Field(min_length=1, max_length=500)


def raise_zero_enforcement(cmd: RaiseZeroEnforcementFlag, uow: UnitOfWork) -> UUID:
    department = uow.load(cmd.department_id, Unit, label="department", field="department_id", write=False)
    flag_id = ov.flag_id(ov.FlagKind.zero_enforcement, department.id, cmd.period)
    if uow.find(flag_id, ov.Flag) is None:
        pack = pack_for(department.jurisdiction)
        uow.record(ov.flag_zero_enforcement(
            uow.ctx, department.id, department.jurisdiction, cmd.period, cmd.inspections, None,
            due=ov.judged_at(cmd.period, pack["oversight.grace_days"]), basis=pack["oversight.zero_enforcement.basis"],
            rules_version=pack.version_tag))
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


def withdraw_flag(cmd: WithdrawFlag, uow: UnitOfWork) -> UUID:
    flag = uow.load(cmd.flag_id, ov.Flag, label="flag", field="flag_id")
    if not flag.withdrawn:
        uow.record(ov.withdraw(uow.ctx, flag, cmd.found, cmd.reason))
    return flag.id


HANDLERS: dict[type[Command], Handler] = {
    RaiseZeroEnforcementFlag: raise_zero_enforcement,
    RaiseLeaderInspectionFlag: raise_leader_inspection,
    WithdrawFlag: withdraw_flag,
}
