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
- seed 000 ¶18 (泉港城管〔2022〕149号): 发包单位应加强承包单位资质情况的动态审核工作，重点检查资质有效性、失信情况以及
  安全管理情况，发现不符合要求的外包工程队伍要予以清退 — the contractor's continuing review (``ContractorReviewed``):
  the three things it checks, and a contractor found wanting is cleared out (清退), which ends the relation. How often
  is in no text at hand: the next review's due day is the pack's local practice (``outsourcing.review.*``).

The record states facts (who, what, the agreement, the qualification shown, the period); it judges nothing:
``concerns`` names what the record itself lacks, for an investigator to read (the dossier's entity line).

    recorded ──OutsourcingEnded (终止, before the agreed end)──► ended        (the agreed end needs no event)
    recorded ──ContractorReviewed (动态审核) ──► recorded (retained: next review due) | ended (cleared out: 清退)
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.calendar import local_day
from domain.errors import Conflict
from domain.rules import RulesPack
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
                 "no_qualification_shown": "记录未载明承包承租方的安全生产条件或资质（安全生产法第49条；seed 000 ¶18）",
                 "never_reviewed": "未记录对承包单位的动态审核（seed 000 ¶18）",
                 "review_overdue": "动态审核已逾期（下次审核日已过；审核周期为本地做法）",
                 "retained_despite_findings": "动态审核发现不符合要求而未予清退（seed 000 ¶18）"}
REVIEW_BASIS = ("泉港城管〔2022〕149号 ¶18 (承包单位资质动态审核: 资质有效性、失信情况、安全管理情况; "
                "不符合要求予以清退)")


class ReviewOutcome(StrEnum):
    """What the 发包单位 did after the review (seed 000 ¶18: 发现不符合要求的外包工程队伍要予以清退)."""

    retained = "retained"  # 继续使用
    cleared_out = "cleared_out"  # 清退


OUTCOME_TERMS = {"retained": "继续使用", "cleared_out": "清退"}


class Review(Frozen):
    """One 动态审核 of the contractor: the three things seed 000 ¶18 names, what was found, what followed."""

    no: int
    reviewed_on: date
    qualification_valid: bool = Field(description="资质有效性: the qualification is valid on the day")
    discredited: bool = Field(description="失信情况: the contractor is on a list of discredited entities")
    safety_management_adequate: bool = Field(description="安全管理情况: its safety management meets the requirements")
    findings: str | None = None
    outcome: ReviewOutcome
    next_due: date | None = Field(default=None, description="when the next review falls due (none: cleared out)")

    @property
    def wanting(self) -> bool:
        """不符合要求: the qualification invalid, the contractor discredited, or its safety management inadequate."""
        return not self.qualification_valid or self.discredited or not self.safety_management_adequate


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
    reviews: tuple[Review, ...] = ()

    def in_force(self, day: date) -> bool:
        """In force on ``day``: begun, its agreed end not passed, not ended early."""
        return (self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
                and (self.ended_on is None or day < self.ended_on))

    @property
    def concerns(self) -> list[str]:
        return concerns(self.agreement, self.qualification)

    def concerns_on(self, day: date) -> list[str]:
        """What the record lacks on ``day``: of 第49条, and of the continuing review (``review_concerns``)."""
        return [*self.concerns, *review_concerns(self.reviews, day)]


def concerns(agreement: str, qualification: str | None) -> list[str]:
    """What a record lacks of 第49条 (``CONCERN_TERMS``; shown, not judged): no safety agreement nor duties set out
    in the contract, no qualification or safety conditions of the contractor shown."""
    return [*(["no_agreement"] if agreement == Agreement.none else []),
            *(["no_qualification_shown"] if not qualification else [])]


def review_concerns(reviews: Sequence[Review], day: date) -> list[str]:
    """What the continuing review lacks on ``day`` (seed 000 ¶18; shown, not judged), from the reviews held by then:
    none recorded (``never_reviewed``), the last one's next review due before ``day`` (``review_overdue``), or the
    last one found the contractor wanting and it was kept on (``retained_despite_findings``)."""
    held = [r for r in reviews if r.reviewed_on <= day]
    if not held:
        return ["never_reviewed"]
    last = held[-1]
    return [*(["review_overdue"] if last.next_due is not None and last.next_due < day else []),
            *(["retained_despite_findings"] if last.wanting and last.outcome == ReviewOutcome.retained else [])]


def add_months(day: date, months: int) -> date:
    """``day`` so many months later (the last day of the month where that month is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


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


class ContractorReviewed(DomainEvent):
    """承包单位动态审核: the 发包单位 reviewed the contractor's qualification, credit and safety management (seed 000
    ¶18) and kept it on, or cleared it out (清退: the relation ends on the review's day)."""

    term = "承包单位动态审核"
    context = "outsourcing"
    review: Review

    def apply(self, state: Outsourcing) -> Outsourcing:
        ended = self.review.reviewed_on if self.review.outcome == ReviewOutcome.cleared_out else state.ended_on
        return state.evolved(self, reviews=(*state.reviews, self.review), ended_on=ended)


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


def review(ctx: CommandContext, state: Outsourcing, reviewed_on: date, qualification_valid: bool, discredited: bool,
           safety_management_adequate: bool, findings: str | None, outcome: ReviewOutcome, *,
           pack: RulesPack) -> ContractorReviewed:
    """Record a 动态审核 (seed 000 ¶18): of a relation in force on the day, not ended, not in the future, not before
    the last review (reviews come in order); what was found is said when the contractor was found wanting. Kept on,
    the next review falls due ``outsourcing.review.interval_months`` later (local practice); cleared out, the relation
    ends that day. Keeping on a contractor found wanting is recorded as done, not refused: the dossier shows it
    (``retained_despite_findings``)."""
    if state.ended_on is not None:
        raise Conflict("already-ended", f"the relation ended on {state.ended_on}")
    require(state.in_force(reviewed_on), "outside-period",
            f"the review ({reviewed_on}) lies within the period from {state.starts_on}"
            + (f" to {state.ends_on}" if state.ends_on else ""), field="reviewed_on")
    require(reviewed_on <= local_day(ctx.effective_at), "future-review", "a review is recorded once it was held",
            field="reviewed_on")
    last = state.reviews[-1] if state.reviews else None
    require(last is None or reviewed_on >= last.reviewed_on, "review-out-of-order",
            f"the last review was held on {last.reviewed_on if last else ''}: reviews are recorded in order",
            field="reviewed_on")
    text = findings.strip() if findings and findings.strip() else None
    wanting = not qualification_valid or discredited or not safety_management_adequate
    require(not wanting or text is not None, "findings-required",
            "say what was found wanting (资质、失信或安全管理)", field="findings", basis=REVIEW_BASIS)
    retained = outcome == ReviewOutcome.retained
    next_due = add_months(reviewed_on, int(pack["outsourcing.review.interval_months"])) if retained else None
    entry = Review(no=len(state.reviews) + 1, reviewed_on=reviewed_on, qualification_valid=qualification_valid,
                   discredited=discredited, safety_management_adequate=safety_management_adequate, findings=text,
                   outcome=outcome, next_due=next_due)
    return state.next_event(ContractorReviewed, ctx, basis=f"{REVIEW_BASIS}; {pack['outsourcing.review.basis']}",
                            rules_version=pack.version_tag, review=entry)
