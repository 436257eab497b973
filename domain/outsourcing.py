"""Outsourcing (外包外租, docs/glossary.md): a production unit contracting out or leasing out a project, premises or
equipment to another unit — and what the record shows of the safety conditions the law asks for.

Sources, and only what they say:

- 安全生产法 (2021) 第49条: a 生产经营单位 shall not contract out or lease out (发包或者出租) a project, premises or
  equipment to a unit or person without the safety conditions or the qualifications required (不具备安全生产条件或者
  相应资质); contracting out or leasing out to another unit, it signs a dedicated safety management agreement with
  the contractor or lessee (签订专门的安全生产管理协议) or sets out each side's safety duties in the contract or lease
  (在承包合同、租赁合同中约定各自的安全生产管理职责), and coordinates and manages their safety work, inspecting it
  regularly (统一协调、管理，定期进行安全检查).
- seed 004 ¶(13): 外包外租 includes 委托、合作 and similar ways; what a review checks — a contractor or lessee without
  the safety conditions or qualifications, no safety agreement signed (双方未签订安全生产协议), duties unclear;
  ¶(14): outsourced work belongs to the unit's own safety management, with its records (建立健全有关档案).
- seed 000 ¶18: the 发包单位 reviews the 承包单位's qualifications continuously (资质有效性、失信情况、安全管理情况).

The record states facts (who, what, the agreement, the qualification shown, the period); it judges nothing:
``concerns`` names what the record itself lacks, for an investigator to read (the dossier's entity line).

    recorded ──OutsourcingEnded (终止, before the agreed end)──► ended        (the agreed end needs no event)
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, created, first_event, require
from domain.calendar import local_day
from domain.errors import Conflict
from domain.units import Unit

BASIS = "安全生产法 (2021) 第49条; 方积政发〔2023〕11号 ¶(13)(14)"
PRODUCTION_UNITS = frozenset({"enterprise", "intermediary"})


class OutsourcingKind(StrEnum):
    """How the work or the premises pass to the other unit (第49条: 发包、出租; seed 004 ¶(13): 委托、合作)."""

    contracting = "contracting"  # 发包
    leasing = "leasing"  # 出租
    entrustment = "entrustment"  # 委托
    cooperation = "cooperation"  # 合作


KIND_TERMS = {"contracting": "发包", "leasing": "出租", "entrustment": "委托", "cooperation": "合作"}


class Agreement(StrEnum):
    """How the two sides set out their safety duties (第49条第2款)."""

    safety_agreement = "safety_agreement"  # 签订专门的安全生产管理协议
    in_contract = "in_contract"  # 在承包合同、租赁合同中约定各自的安全生产管理职责
    none = "none"  # 未签订、未约定


AGREEMENT_TERMS = {"safety_agreement": "签订专门的安全生产管理协议",
                   "in_contract": "在合同中约定各自的安全生产管理职责", "none": "未签订安全生产管理协议、未约定职责"}
CONCERN_TERMS = {"no_agreement": "未签订安全生产管理协议或约定各自职责（安全生产法第49条）",
                 "no_qualification_shown": "记录未载明承包承租方的安全生产条件或资质（安全生产法第49条；seed 000 ¶18）"}


class Outsourcing(Aggregate):
    unit_id: UUID
    contractor_id: UUID
    kind: OutsourcingKind
    scope: str
    agreement: Agreement
    qualification: str | None = None
    starts_on: date
    ends_on: date | None = None
    ended_on: date | None = None

    def in_force(self, day: date) -> bool:
        """In force on ``day``: begun, its agreed end not passed, not ended early."""
        return (self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
                and (self.ended_on is None or day < self.ended_on))

    @property
    def concerns(self) -> list[str]:
        return concerns(self.agreement, self.qualification)


def concerns(agreement: str, qualification: str | None) -> list[str]:
    """What a record lacks of 第49条 (``CONCERN_TERMS``; shown, not judged): no safety agreement nor duties set out
    in the contract, no qualification or safety conditions of the contractor shown."""
    return [*(["no_agreement"] if agreement == Agreement.none else []),
            *(["no_qualification_shown"] if not qualification else [])]


class OutsourcingRecorded(DomainEvent):
    """外包外租登记: the unit contracts out or leases out (or entrusts, cooperates on) a project, premises or
    equipment to the contractor, for the period, with the agreement and the qualification shown."""

    term = "外包外租登记"
    context = "outsourcing"
    unit_id: UUID
    contractor_id: UUID = Field(description="the contractor or lessee (承包单位、承租单位)")
    kind: OutsourcingKind
    scope: str = Field(description="the project, premises or equipment (生产经营项目、场所、设备)")
    agreement: Agreement
    qualification: str | None = Field(default=None, description="the contractor's qualification or safety "
                                                                "conditions as shown (资质证书 …)")
    starts_on: date
    ends_on: date | None = None

    def apply(self, _: None) -> Outsourcing:
        return created(Outsourcing, self, unit_id=self.unit_id, contractor_id=self.contractor_id, kind=self.kind,
                       scope=self.scope, agreement=self.agreement, qualification=self.qualification,
                       starts_on=self.starts_on, ends_on=self.ends_on)


class OutsourcingEnded(DomainEvent):
    """外包外租终止: the relation ended before its agreed end (or had none), from ``ended_on``."""

    term = "外包外租终止"
    context = "outsourcing"
    ended_on: date
    reason: str

    def apply(self, state: Outsourcing) -> Outsourcing:
        return state.evolved(self, ended_on=self.ended_on)


def record(ctx: CommandContext, outsourcing_id: UUID, unit: Unit, contractor: Unit, kind: OutsourcingKind,
           scope: str, agreement: Agreement, qualification: str | None, starts_on: date,
           ends_on: date | None) -> OutsourcingRecorded:
    """Record the relation: between two distinct production units, the first open, a scope named, a period that
    does not end before it begins."""
    require(unit.kind in PRODUCTION_UNITS, "not-a-production-unit",
            f"{unit.name} is a {unit.kind}: 第49条 binds 生产经营单位", field="unit_id", basis=BASIS)
    require(unit.closure is None, "unit-closed", f"{unit.name} is closed", field="unit_id")
    require(contractor.id != unit.id, "same-unit", "a unit does not contract out to itself", field="contractor_id")
    require(contractor.kind in PRODUCTION_UNITS, "not-a-contractor",
            f"{contractor.name} is a {contractor.kind}: the contractor or lessee is a unit that operates",
            field="contractor_id", basis=BASIS)
    require(bool(scope.strip()), "scope-required", "name the project, premises or equipment", field="scope")
    require(ends_on is None or ends_on >= starts_on, "period-inverted",
            f"the period ends ({ends_on}) before it begins ({starts_on})", field="ends_on")
    qualification = qualification.strip() if qualification and qualification.strip() else None
    return first_event(OutsourcingRecorded, ctx, id=outsourcing_id, jurisdiction=unit.jurisdiction, basis=BASIS,
                       unit_id=unit.id, contractor_id=contractor.id, kind=kind, scope=scope.strip(),
                       agreement=agreement, qualification=qualification, starts_on=starts_on, ends_on=ends_on)


def end(ctx: CommandContext, state: Outsourcing, ended_on: date, reason: str) -> OutsourcingEnded:
    """End the relation early: once, within its period, not later than today."""
    if state.ended_on is not None:
        raise Conflict("already-ended", f"the relation ended on {state.ended_on}")
    require(state.starts_on <= ended_on and (state.ends_on is None or ended_on <= state.ends_on), "outside-period",
            f"the end ({ended_on}) lies within the period from {state.starts_on}"
            + (f" to {state.ends_on}" if state.ends_on else ""), field="ended_on")
    require(ended_on <= local_day(ctx.effective_at), "future-end", "an end is recorded once it happened",
            field="ended_on")
    require(bool(reason.strip()), "reason-required", "say why it ended", field="reason")
    return state.next_event(OutsourcingEnded, ctx, basis=BASIS, ended_on=ended_on, reason=reason.strip())
