"""Outsourcing context (外包外租; domain/outsourcing.py, 安全生产法 第49条): record a unit's contracting-out or
leasing-out relation with its contractor, end it early, review the contractor (动态审核, seed 000 ¶18).

Officials record it for the units in their reach (an inspector for the units its department supervises), an
enterprise user for its own enterprise (seed 004 ¶(14): the unit keeps the records of its outsourced work).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from application.commands import Command, Targeted
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import outsourcing as os_
from domain.bounds import FreeText
from domain.references import OutsourcingRef, UnitRef
from domain.rules import pack_for
from domain.units import Unit

RECORDING = frozenset({"admin", "enforcement", "inspector", "enterprise"})


class RecordOutsourcing(Command):
    roles: ClassVar[frozenset[str]] = RECORDING
    action: ClassVar[str] = "record outsourcing"
    unit_id: UnitRef = Field(description="the unit that contracts out or leases out (发包单位、出租单位)")
    contractor_unit_id: UnitRef = Field(description="the contractor or lessee (承包单位、承租单位)")
    kind: os_.OutsourcingKind
    scope: FreeText = Field(min_length=1, max_length=1000, description="the project, premises or equipment")
    agreement: os_.Agreement = Field(description="how the two sides set out their safety duties (第49条第2款)")
    qualification: FreeText | None = Field(default=None, max_length=500,
                                      description="the contractor's qualification or safety conditions as shown")
    starts_on: date
    ends_on: date | None = None


class EndOutsourcing(Targeted):
    roles: ClassVar[frozenset[str]] = RECORDING
    action: ClassVar[str] = "end outsourcing"
    outsourcing_id: OutsourcingRef
    ended_on: date
    reason: FreeText = Field(min_length=1, max_length=2000)


class ReviewContractor(Targeted):
    """承包单位动态审核 (seed 000 ¶18): the contractor's qualification, credit and safety management, and whether it
    is kept on or cleared out (清退)."""

    roles: ClassVar[frozenset[str]] = RECORDING
    action: ClassVar[str] = "review contractors"
    outsourcing_id: OutsourcingRef
    reviewed_on: date
    qualification_valid: bool = Field(description="资质有效性: the qualification is valid on the day")
    discredited: bool = Field(description="失信情况: the contractor is on a list of discredited entities")
    safety_management_adequate: bool = Field(description="安全管理情况: its safety management meets the requirements")
    findings: str | None = Field(default=None, max_length=2000, description="what was found (required if wanting)")
    outcome: os_.ReviewOutcome = Field(description="retained (继续使用) or cleared_out (清退: ends the relation)")


def record_outsourcing(cmd: RecordOutsourcing, uow: UnitOfWork) -> UUID:
    unit = uow.load(cmd.unit_id, Unit, label="unit", field="unit_id")
    uow.principal.require_target(unit, "record outsourcing")
    contractor = uow.load(cmd.contractor_unit_id, Unit, label="unit", field="contractor_unit_id", write=False)
    event = os_.record(uow.ctx, uow.ids.new(), unit, contractor, cmd.kind, cmd.scope, cmd.agreement,
                       cmd.qualification, cmd.starts_on, cmd.ends_on)
    uow.record(event)
    return event.originator_id


def end_outsourcing(cmd: EndOutsourcing, uow: UnitOfWork) -> UUID:
    state = uow.load(cmd.outsourcing_id, os_.Outsourcing, label="outsourcing relation", field="outsourcing_id",
                     expected_version=cmd.expected_version)
    unit = uow.load(state.unit_id, Unit, label="unit", field="outsourcing_id", write=False)
    uow.principal.require_target(unit, "end outsourcing")
    uow.record(os_.end(uow.ctx, state, cmd.ended_on, cmd.reason))
    return state.id


def review_contractor(cmd: ReviewContractor, uow: UnitOfWork) -> UUID:
    state = uow.load(cmd.outsourcing_id, os_.Outsourcing, label="outsourcing relation", field="outsourcing_id",
                     expected_version=cmd.expected_version)
    unit = uow.load(state.unit_id, Unit, label="unit", field="outsourcing_id", write=False)
    uow.principal.require_target(unit, "review contractors")
    uow.record(os_.review(uow.ctx, state, cmd.reviewed_on, cmd.qualification_valid, cmd.discredited,
                          cmd.safety_management_adequate, cmd.findings, cmd.outcome, pack=pack_for(unit.jurisdiction)))
    return state.id


HANDLERS: dict[type[Command], Handler] = {
    RecordOutsourcing: record_outsourcing,
    EndOutsourcing: end_outsourcing,
    ReviewContractor: review_contractor,
}
