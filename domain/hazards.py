"""Hazards (隐患): found, graded, rectified under the five assurances, accepted, struck off — or left overdue.

The life of a hazard (docs/rules.md R8; 安全生产法 第41、65条; 原安监总局令第16号; seeds 000 §16, 001 §20, 004 §三):

    reported ──即知即改 (general only)──────────────────────────────────────────► closed
       │ RectificationPlanned (five assurances; deadline or 停产停业整顿)                 ▲
       ▼                                                                              │ HazardClosedOut (闭环销号)
    rectifying ──deadline passes (policy)──► overdue                                 │
       │  ▲ DeadlineExtended (before the deadline)    │                               │
       ▼  │ RectificationRejected                     ▼                               │
    submitted ◄──────────────────────────── RectificationSubmitted                   │
       │ RectificationAccepted (on site, signed by the verifier) ──► accepted ────────┘
    closed ──FollowUpReviewed (回头看) reopened──► reported

Who decides (docs/rules.md R8; 安全生产法 第65条第一款): what the enterprise found itself (自查自报) it plans under the
five assurances and accepts itself (a major one is accepted by the authority). A hazard an authority found (an
inspection, a grid patrol, a tip) is the authority's to order — 责令限期整改 or 责令暂时停产停业 with the deadline
(RectificationOrdered, 现场处理措施); the enterprise may add its five assurances within that deadline but never sets
it; its acceptance is the authority's re-inspection (RectificationReinspected, 复查) and only the authority strikes
it off. Production suspended resumes only by the authority's review (ProductionResumed, 经审查同意，方可恢复): a
close-out never lifts a suspension (a close-out recorded before this rule did: ``HazardClosedOut`` v1).

A major hazard is put under listed supervision (挂牌督办) by a named authority with a named supervisor; when it is
overdue the listing moves one level up (ListedSupervisionEscalated). Decisions here are pure: the application
resolves units and people and passes them in.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.bounds import FreeText
from domain.calendar import end_of_day
from domain.errors import Conflict, Rejected
from domain.inspections import Inspection, InspectionKind
from domain.references import PersonRef
from domain.rules import RulesPack
from domain.units import Unit

HAZARD_BASIS = "安全生产法 第41条; 原安监总局令第16号"


class HazardGrade(StrEnum):
    general = "general"  # 一般隐患
    major = "major"  # 重大事故隐患


GRADE_TERMS = {"general": "一般隐患", "major": "重大事故隐患"}


class HazardSource(StrEnum):
    """Who found it: an inspection, the enterprise itself (自查自报), a grid patrol (网格巡查) or a tip (举报)."""

    inspection = "inspection"
    self_reported = "self_reported"
    grid_patrol = "grid_patrol"
    tip = "tip"


SOURCE_TERMS = {"inspection": "监督检查", "self_reported": "自查自报", "grid_patrol": "网格巡查", "tip": "举报"}


class RectificationMode(StrEnum):
    immediate = "immediate"  # 即知即改
    deadline = "deadline"  # 限期整改
    suspension = "suspension"  # 停产停业整顿 (安全生产法 第65条)


ARTICLE_65_2 = "安全生产法 第65条第一款第(二)项: 对检查中发现的安全生产违法行为，当场予以纠正或者要求限期改正"
ARTICLE_65_3 = "安全生产法 第65条第一款第(三)项: 对检查中发现的事故隐患，应当责令立即排除"
ORDER_BASIS = {
    RectificationMode.deadline: f"{ARTICLE_65_2}; {ARTICLE_65_3}",
    RectificationMode.suspension: "安全生产法 第65条第一款第(三)项: 重大事故隐患排除前或者排除过程中无法保证安全的，"
                                  "应当责令从危险区域内撤出作业人员，责令暂时停产停业或者停止使用相关设施、设备",
}
"""The article behind each kind of order on the spot (现场处理措施), quoted."""
RESUMPTION_BASIS = "安全生产法 第65条第一款第(三)项: 重大事故隐患排除后，经审查同意，方可恢复生产经营和使用"


class HazardStatus(StrEnum):
    reported = "reported"  # 待整改
    rectifying = "rectifying"  # 整改中
    overdue = "overdue"  # 逾期未整改
    submitted = "submitted"  # 整改完成, 待验收
    accepted = "accepted"  # 验收通过
    closed = "closed"  # 闭环销号


STATUS_TERMS = {"reported": "待整改", "rectifying": "整改中", "overdue": "逾期未整改", "submitted": "待验收",
                "accepted": "验收通过", "closed": "已销号"}
OPEN_STATUSES = frozenset({HazardStatus.reported, HazardStatus.rectifying, HazardStatus.overdue,
                           HazardStatus.submitted, HazardStatus.accepted})


class Criterion(Frozen):
    """判定依据: the standard (or rule) and the item of it that makes the hazard what it is graded."""

    standard: str = Field(min_length=1, max_length=200, description="e.g. 《工贸企业重大事故隐患判定标准》")
    item: str = Field(min_length=1, max_length=200, description="the item, e.g. 第四条第(三)项")


class Funds(Frozen):
    amount_yuan: int = Field(ge=0, description="整改资金 (yuan)")
    source: str = Field(min_length=1, max_length=200, description="where the money comes from")


class FiveAssurances(Frozen):
    """五落实: responsible person, measures, funds, deadline, contingency plan (seed 000 §16; seed 001 §20).

    Every field is optional here so that an incomplete plan is refused by the domain rule with the missing
    assurances named, rather than by a generic validation error.
    """

    responsible_person_id: PersonRef | None = Field(default=None, description="整改责任人 (a registered person)")
    measures: FreeText | None = Field(default=None, max_length=4000, description="整改措施")
    funds: Funds | None = Field(default=None, description="整改资金")
    deadline: date | None = Field(default=None, description="整改时限: the last day (Beijing time)")
    contingency_plan: FreeText | None = Field(default=None, max_length=4000, description="应急预案 meanwhile")


ASSURANCE_TERMS = {"responsible_person_id": "责任人", "measures": "措施", "funds": "资金", "deadline": "时限",
                   "contingency_plan": "预案"}


class Suspension(Frozen):
    """停产停业整顿: what stops while the hazard is remedied (安全生产法 第65条)."""

    scope: str = Field(min_length=1, max_length=500, description="全部 or the part of the works that stops")
    reason: FreeText = Field(min_length=1, max_length=1000)


class Listing(Frozen):
    """挂牌督办: the authority that tracks the hazard, its named supervisor, and since when."""

    authority_id: UUID
    level: str = Field(description="territorial level of the authority: town, county, city, province")
    supervisor_id: UUID | None = Field(description="督办责任人; null until the (escalated-to) authority names one")
    since: datetime
    reported_to_id: UUID | None = None


class Order(Frozen):
    """责令限期整改指令 / 责令暂时停产停业: the authority's order on a hazard it found (安全生产法 第65条第一款)."""

    authority_id: UUID = Field(description="the department that orders (the token's unit)")
    issued_by: UUID = Field(description="the inspector who signs the order (the token's person)")
    document_no: str | None = Field(default=None, description="文书编号 of the 指令书")
    requirements: str = Field(description="what the order requires (整改要求)")
    mode: RectificationMode
    deadline: date = Field(description="the deadline the authority set (整改期限, Beijing day)")
    issued_at: datetime


class Hazard(Aggregate):
    unit_id: UUID
    sector: str
    grade: HazardGrade
    criterion: Criterion | None
    description: str
    location: str | None
    source: HazardSource
    inspection_id: UUID | None = None
    finding_no: int | None = None
    tip_id: UUID | None = None
    found_at: datetime
    status: HazardStatus = HazardStatus.reported
    mode: RectificationMode | None = None
    plan: FiveAssurances | None = None
    deadline: date | None = None
    suspension: Suspension | None = None
    overdue_since: datetime | None = None
    submitted_at: datetime | None = None
    listing: Listing | None = None
    closed_at: datetime | None = None
    reopened: int = 0
    order: Order | None = None
    resumed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def authority_decides(self) -> bool:
        """The authority, not the enterprise, orders, accepts and strikes off: a hazard it found, or one it ordered."""
        return self.source != HazardSource.self_reported or self.order is not None


# --- events -------------------------------------------------------------------------------------------------


class HazardReported(DomainEvent):
    """隐患登记: a hazard found in a unit, with its grade, the criterion that grades it and who found it how."""

    term = "隐患登记"
    context = "hazards"
    unit_id: UUID
    sector: str
    grade: HazardGrade
    criterion: Criterion | None
    description: str
    location: str | None = None
    source: HazardSource
    inspection_id: UUID | None = None
    finding_no: int | None = None
    tip_id: UUID | None = None
    found_by: UUID | None = Field(default=None, description="the person who found it, from the token")

    def apply(self, _: None) -> Hazard:
        return created(Hazard, self, unit_id=self.unit_id, sector=self.sector, grade=self.grade,
                       criterion=self.criterion, description=self.description, location=self.location,
                       source=self.source, inspection_id=self.inspection_id, finding_no=self.finding_no,
                       tip_id=self.tip_id, found_at=self.envelope.effective_at)


class HazardRegraded(DomainEvent):
    """隐患等级调整: the hazard is now graded otherwise, by the criterion cited."""

    term = "隐患等级调整"
    context = "hazards"
    grade: HazardGrade
    previous: HazardGrade
    criterion: Criterion | None
    reason: str

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, grade=self.grade, criterion=self.criterion)


class RectifiedOnTheSpot(DomainEvent):
    """即知即改: the hazard was fixed on the spot; what was done."""

    term = "即知即改"
    context = "hazards"
    measures: str

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, mode=RectificationMode.immediate, status=HazardStatus.accepted)


class RectificationPlanned(DomainEvent):
    """限期整改(五落实): the rectification with its responsible person, measures, funds, deadline and plan."""

    term = "限期整改"
    context = "hazards"
    mode: RectificationMode
    plan: FiveAssurances

    def apply(self, state: Hazard) -> Hazard:
        if state.order is not None:  # the enterprise's five assurances under the authority's order and deadline
            return state.evolved(self, plan=self.plan)
        return state.evolved(self, mode=self.mode, plan=self.plan, deadline=self.plan.deadline,
                             status=HazardStatus.rectifying, overdue_since=None)


class RectificationOrdered(DomainEvent):
    """责令限期整改 / 责令暂时停产停业: the authority's order on a hazard it found, with the deadline it set
    (安全生产法 第65条第一款第(二)(三)项; 现场处理措施)."""

    term = "责令限期整改"
    context = "hazards"
    order: Order

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, mode=self.order.mode, deadline=self.order.deadline, order=self.order,
                             status=HazardStatus.rectifying, overdue_since=None)


class ProductionSuspended(DomainEvent):
    """停产停业整顿: work stops (in whole or part) while a major hazard is remedied (安全生产法 第65条)."""

    term = "停产停业整顿"
    context = "hazards"
    suspension: Suspension

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, suspension=self.suspension)


class DeadlineExtended(DomainEvent):
    """整改延期: a later deadline, with the reason and who granted it."""

    term = "整改延期"
    context = "hazards"
    deadline: date
    previous: date
    reason: str
    granted_by: UUID | None = Field(default=None, description="the person who granted it, from the token")

    def apply(self, state: Hazard) -> Hazard:
        plan = state.plan.model_copy(update={"deadline": self.deadline}) if state.plan is not None else None
        return state.evolved(self, deadline=self.deadline, plan=plan)


class HazardBecameOverdue(DomainEvent):
    """逾期未整改: the deadline passed with the hazard neither fixed nor submitted for acceptance (policy)."""

    term = "逾期未整改"
    context = "hazards"
    deadline: date

    def apply(self, state: Hazard) -> Hazard:
        """Overdue only what is still being rectified when the deadline passes. The policy decides so
        (:func:`mark_overdue`), but a read model folds the events in the order they took effect, where a submission
        recorded late may come first: then a hazard submitted for acceptance keeps its status and only notes that
        its deadline passed (a rejection puts it back overdue), and one accepted or struck off is left as it is."""
        if state.status == HazardStatus.rectifying:
            return state.evolved(self, status=HazardStatus.overdue, overdue_since=self.envelope.effective_at)
        if state.status == HazardStatus.submitted and state.overdue_since is None:
            return state.evolved(self, overdue_since=self.envelope.effective_at)
        return state.evolved(self)


class RectificationSubmitted(DomainEvent):
    """整改完成申请验收: the unit reports the rectification done and asks for on-site acceptance."""

    term = "整改完成申请验收"
    context = "hazards"
    report: str
    evidence: tuple[str, ...] = Field(default=(), description="references to photos, documents")

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, status=HazardStatus.submitted, submitted_at=self.envelope.effective_at)


class RectificationAccepted(DomainEvent):
    """整改验收通过: accepted on site, signed by the verifier (from the token)."""

    term = "整改验收通过"
    context = "hazards"
    verifier_id: UUID
    findings: str

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, status=HazardStatus.accepted)


class RectificationRejected(DomainEvent):
    """整改验收不通过: the verifier found it not fixed; back to rectification (overdue if it already was)."""

    term = "整改验收不通过"
    context = "hazards"
    verifier_id: UUID
    findings: str

    def apply(self, state: Hazard) -> Hazard:
        status = HazardStatus.overdue if state.overdue_since is not None else HazardStatus.rectifying
        return state.evolved(self, status=status, submitted_at=None)


class RectificationReinspected(DomainEvent):
    """整改复查: the ordering authority re-inspects the ordered rectification on site; passed → accepted, otherwise
    back to rectification (overdue if it already was). Signed by the inspector (from the token)."""

    term = "整改复查"
    context = "hazards"
    verifier_id: UUID
    authority_id: UUID | None = Field(description="the department that re-inspects (the token's unit)")
    findings: str
    passed: bool

    def apply(self, state: Hazard) -> Hazard:
        if self.passed:
            return state.evolved(self, status=HazardStatus.accepted)
        status = HazardStatus.overdue if state.overdue_since is not None else HazardStatus.rectifying
        return state.evolved(self, status=status, submitted_at=None)


class ProductionResumed(DomainEvent):
    """恢复生产经营: the authority reviewed the eliminated hazard and agreed that suspended work resumes
    (安全生产法 第65条第一款第(三)项: 经审查同意，方可恢复生产经营和使用)."""

    term = "恢复生产经营"
    context = "hazards"
    reviewer_id: UUID
    authority_id: UUID | None = Field(description="the department that reviewed (the token's unit)")
    findings: str

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, suspension=None, resumed_at=self.envelope.effective_at)


class HazardClosedOut(DomainEvent):
    """闭环销号: struck off the ledger and the listing is taken down; a suspension stays until the authority's review
    lifts it (ProductionResumed). ``suspension_lifted``: a close-out recorded before that rule (v1) ended the suspension
    with it, and still does when its history is folded."""

    term = "闭环销号"
    context = "hazards"
    class_version = 2
    closed_by: UUID | None = Field(default=None, description="the person who struck it off, from the token")
    suspension_lifted: bool = Field(default=False, description="v1 close-outs only: it also ended the suspension")

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["suspension_lifted"] = True

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, status=HazardStatus.closed, closed_at=self.envelope.effective_at,
                             suspension=None if self.suspension_lifted else state.suspension, listing=None)


class FollowUpReviewed(DomainEvent):
    """回头看: a re-inspection after close-out; ``reopened`` puts the hazard back to rectification."""

    term = "回头看"
    context = "hazards"
    reviewer_id: UUID | None = None
    findings: str
    reopened: bool

    def apply(self, state: Hazard) -> Hazard:
        if not self.reopened:
            return state.evolved(self)
        return state.evolved(self, status=HazardStatus.reported, mode=None, plan=None, deadline=None, order=None,
                             overdue_since=None, submitted_at=None, closed_at=None, reopened=state.reopened + 1)


class ListedSupervisionOpened(DomainEvent):
    """挂牌督办: the authority lists the major hazard and names its supervisor; reported up to a higher unit."""

    term = "挂牌督办"
    context = "hazards"
    listing: Listing

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, listing=self.listing)


class ListedSupervisionEscalated(DomainEvent):
    """提级挂牌督办: the listing moves one level up (an overdue major hazard, docs/rules.md R8)."""

    term = "提级挂牌督办"
    context = "hazards"
    listing: Listing
    previous: Listing | None

    def apply(self, state: Hazard) -> Hazard:
        return state.evolved(self, listing=self.listing)


class ListedSupervisorNamed(DomainEvent):
    """明确督办责任人: the listing authority names (or changes) the person who follows the hazard."""

    term = "明确督办责任人"
    context = "hazards"
    supervisor_id: UUID

    def apply(self, state: Hazard) -> Hazard:
        assert state.listing is not None
        return state.evolved(self, listing=state.listing.model_copy(update={"supervisor_id": self.supervisor_id}))


# --- decisions ----------------------------------------------------------------------------------------------


def _require_open(hazard: Hazard, what: str) -> None:
    if not hazard.is_open:
        raise Conflict("hazard-closed", f"the hazard was struck off (闭环销号); it cannot {what} — a follow-up "
                                        "review (回头看) may reopen it")


def _require_status(hazard: Hazard, allowed: set[HazardStatus], code: str, what: str) -> None:
    if hazard.status not in allowed:
        names = ", ".join(f"{s.value} ({STATUS_TERMS[s]})" for s in sorted(allowed))
        raise Conflict(code, f"{what} needs the hazard to be {names}; it is {hazard.status.value} "
                             f"({STATUS_TERMS[hazard.status]})")


def check_criterion(grade: HazardGrade, criterion: Criterion | None, sector: str, pack: RulesPack) -> None:
    """A major hazard cites the item of its sector's determination standard, or the general definition where the
    sector has none (原安监总局令第16号 第3条; 安全生产法 第118条)."""
    if grade != HazardGrade.major:
        return
    standard = pack["hazard.major_criteria"].get(sector, pack["hazard.major_definition"])
    if criterion is None:
        raise Rejected("criterion-required", f"a major hazard (重大事故隐患) in {sector} cites its criterion: an item "
                                             f"of {standard}", field="criterion", basis=standard)
    require(criterion.standard == standard, "wrong-criterion",
            f"a major hazard in {sector} is determined by {standard}, not {criterion.standard}",
            field="criterion.standard", basis=standard)


def source_of(inspection: Inspection) -> HazardSource:
    """The source of a hazard an inspection found: what the enterprise found checking itself (a self-check, or its
    own leader's check) is 自查自报; a grid patrol's finding is 网格巡查; every other inspection's is ``inspection``."""
    if inspection.inspecting_unit_id == inspection.target_unit_id:
        return HazardSource.self_reported
    if inspection.kind == InspectionKind.grid_patrol:
        return HazardSource.grid_patrol
    return HazardSource.inspection


def check_inspection(unit: Unit, source: HazardSource, inspection: Inspection, finding_no: int | None) -> None:
    """A hazard found by an inspection names an inspection of that very unit (and, if given, one of its findings),
    and its source is what the inspection was (:func:`source_of`)."""
    require(inspection.target_unit_id == unit.id, "inspection-of-another-unit",
            "the inspection named was not of this unit", field="inspection_id")
    expected = source_of(inspection)
    require(source == expected, "source-mismatch",
            f"a hazard found by a {inspection.kind.value} inspection has source {expected.value}, not {source.value}",
            field="source")
    if finding_no is not None:
        require(any(f.finding_no == finding_no for f in inspection.findings), "finding-not-found",
                f"the inspection has no finding number {finding_no}", field="finding_no")


def report_hazard(
    ctx: CommandContext, hazard_id: UUID, unit: Unit, pack: RulesPack, *, grade: HazardGrade,
    criterion: Criterion | None, description: str, location: str | None, source: HazardSource,
    inspection: Inspection | None = None, finding_no: int | None = None, tip_id: UUID | None = None,
    found_by: UUID | None = None,
) -> HazardReported:
    """Decide the registration of a hazard found in ``unit`` (an enterprise or intermediary, not closed)."""
    require(unit.kind in ("enterprise", "intermediary"), "not-a-production-unit",
            f"{unit.name} is a {unit.kind}: hazards are recorded against enterprises (生产经营单位)", field="unit_id")
    require(unit.closure is None, "unit-closed", f"{unit.name} is closed", field="unit_id")
    require(bool(description.strip()), "description-required", "describe the hazard", field="description")
    require(source != HazardSource.inspection or inspection is not None, "inspection-required",
            "a hazard found by an inspection names the inspection", field="inspection_id")
    require(finding_no is None or inspection is not None, "finding-without-inspection",
            "a finding number belongs to an inspection: name the inspection", field="finding_no")
    if inspection is not None:
        check_inspection(unit, source, inspection, finding_no)
    require(source != HazardSource.tip or tip_id is not None, "tip-required",
            "a hazard found through a tip names the tip", field="tip_id")
    sector = getattr(unit.profile, "sector", None) or "中介服务"
    check_criterion(grade, criterion, sector, pack)
    return first_event(
        HazardReported, ctx, id=hazard_id, jurisdiction=unit.jurisdiction, basis=ctx.basis or HAZARD_BASIS,
        rules_version=pack.version_tag if grade == HazardGrade.major else None,
        unit_id=unit.id, sector=sector, grade=grade, criterion=criterion, description=description.strip(),
        location=location, source=source, inspection_id=inspection.id if inspection else None, finding_no=finding_no,
        tip_id=tip_id,
        found_by=found_by,
    )


def regrade(ctx: CommandContext, hazard: Hazard, pack: RulesPack, grade: HazardGrade, criterion: Criterion | None,
            reason: str) -> HazardRegraded:
    _require_open(hazard, "be regraded")
    if grade == hazard.grade and criterion == hazard.criterion:
        raise Conflict("grade-unchanged", f"the hazard is already {grade.value} by that criterion")
    require(bool(reason.strip()), "reason-required", "a regrading needs its reason", field="reason")
    check_criterion(grade, criterion, hazard.sector, pack)
    require(grade == HazardGrade.major or hazard.suspension is None, "suspended-hazard",
            "a hazard under 停产停业整顿 stays major until it is struck off", field="grade")
    return hazard.next_event(HazardRegraded, ctx, rules_version=pack.version_tag, grade=grade, previous=hazard.grade,
                             criterion=criterion, reason=reason)


def rectify_on_the_spot(ctx: CommandContext, hazard: Hazard, pack: RulesPack, measures: str,
                        verifier_id: UUID) -> tuple[RectifiedOnTheSpot, HazardClosedOut]:
    """即知即改: fixed at once, seen fixed by the verifier, struck off — only a general hazard (seed 000 §16)."""
    _require_status(hazard, {HazardStatus.reported}, "already-in-rectification", "fixing it on the spot")
    require(hazard.grade.value in pack["hazard.immediate_grades"], "major-not-immediate",
            "a major hazard (重大事故隐患) needs a period of rectification under the five assurances; it cannot be "
            "fixed on the spot", field="mode", basis=pack["hazard.major_definition"])
    require(bool(measures.strip()), "measures-required", "record what was done on the spot", field="measures")
    fixed = hazard.next_event(RectifiedOnTheSpot, ctx, measures=measures.strip())
    closed = fixed.apply(hazard).next_event(HazardClosedOut, ctx, closed_by=verifier_id)
    return fixed, closed


def plan_rectification(
    ctx: CommandContext, hazard: Hazard, pack: RulesPack, mode: RectificationMode, plan: FiveAssurances,
    suspension: Suspension | None, today: date,
) -> tuple[RectificationPlanned, ProductionSuspended | None]:
    """限期整改 or 停产停业整顿, refused unless all five assurances are given (seed 000 §16; seed 001 §20).

    Only what the enterprise found itself is planned with its own deadline: a hazard an authority found is the
    authority's to order (:func:`order_rectification`); under an order the plan adds the five assurances within the
    order's deadline and changes neither the deadline nor the mode (安全生产法 第65条第一款).
    """
    if hazard.order is not None:
        return _plan_under_order(ctx, hazard, pack, mode, plan, suspension), None
    if hazard.authority_decides:
        raise Rejected("ordered-by-authority",
                       f"this hazard was found by {hazard.source.value} ({SOURCE_TERMS[hazard.source]}): its "
                       "rectification and deadline are the authority's order (责令限期整改), not a plan",
                       field="hazard_id", basis=ORDER_BASIS[RectificationMode.deadline])
    _require_status(hazard, {HazardStatus.reported}, "already-in-rectification", "planning a rectification")
    require(mode != RectificationMode.immediate, "use-on-the-spot",
            "a fix on the spot is recorded as 即知即改, not planned", field="mode")
    _require_five_assurances(plan, pack)
    assert plan.deadline is not None
    require(plan.deadline >= today, "deadline-in-the-past",
            f"the deadline {plan.deadline} lies before the plan is made ({today})", field="plan.deadline")
    if mode == RectificationMode.suspension:
        require(hazard.grade == HazardGrade.major, "suspension-for-major",
                "停产停业整顿 is ordered for a major hazard that cannot be kept safe meanwhile (安全生产法 第65条)",
                field="mode", basis="安全生产法 第65条")
        require(suspension is not None, "suspension-required", "say what stops and why", field="suspension")
    else:
        require(suspension is None, "suspension-needs-mode", "a suspension goes with mode suspension",
                field="suspension")
    planned = hazard.next_event(RectificationPlanned, ctx, basis=ctx.basis or pack["hazard.five_assurances.basis"],
                                rules_version=pack.version_tag, mode=mode, plan=plan)
    stopped = None
    if suspension is not None:
        stopped = planned.apply(hazard).next_event(ProductionSuspended, ctx, basis=ctx.basis or "安全生产法 第65条",
                                                   suspension=suspension)
    return planned, stopped


def _require_five_assurances(plan: FiveAssurances, pack: RulesPack) -> None:
    missing = [term for name, term in ASSURANCE_TERMS.items() if not _given(getattr(plan, name))]
    if missing:
        raise Rejected("five-assurances-incomplete",
                       f"a rectification needs all five assurances (五落实); missing: {'、'.join(missing)}",
                       field="plan", basis=pack["hazard.five_assurances.basis"])


def _plan_under_order(ctx: CommandContext, hazard: Hazard, pack: RulesPack, mode: RectificationMode,
                      plan: FiveAssurances, suspension: Suspension | None) -> RectificationPlanned:
    """The enterprise's five assurances under the authority's order: within its deadline, in its mode."""
    assert hazard.order is not None
    assert hazard.deadline is not None
    _require_status(hazard, {HazardStatus.rectifying, HazardStatus.overdue}, "not-in-rectification",
                    "planning under an order")
    if hazard.plan is not None:
        raise Conflict("already-planned", "the five assurances under this order are already recorded")
    require(mode == hazard.order.mode and suspension is None, "mode-is-the-orders",
            f"the order decided the mode ({hazard.order.mode.value}) and what stops; the plan does not change them",
            field="mode", basis=ORDER_BASIS[hazard.order.mode])
    _require_five_assurances(plan, pack)
    assert plan.deadline is not None
    require(plan.deadline <= hazard.deadline, "beyond-the-orders-deadline",
            f"the plan's deadline {plan.deadline} lies after the order's {hazard.deadline}: the authority set it",
            field="plan.deadline", basis=ORDER_BASIS[hazard.order.mode])
    return hazard.next_event(RectificationPlanned, ctx, basis=ctx.basis or pack["hazard.five_assurances.basis"],
                             rules_version=pack.version_tag, mode=mode, plan=plan)


def order_rectification(
    ctx: CommandContext, hazard: Hazard, authority: Unit, issued_by: UUID, mode: RectificationMode, deadline: date,
    requirements: str, document_no: str | None, suspension: Suspension | None, today: date,
) -> tuple[RectificationOrdered, ProductionSuspended | None]:
    """责令限期整改 / 责令暂时停产停业: the authority orders the rectification of a hazard, with the deadline it sets
    (安全生产法 第65条第一款第(二)(三)项); a suspension only for a major hazard that cannot be kept safe meanwhile."""
    _require_status(hazard, {HazardStatus.reported}, "already-in-rectification", "ordering a rectification")
    require(mode != RectificationMode.immediate, "use-on-the-spot",
            "an order to remove it at once is recorded as 即知即改 (fixed on the spot)", field="mode")
    require(authority.kind == "department", "not-an-authority",
            f"{authority.name} is a {authority.kind}: orders on the spot are a supervising department's "
            "(负有安全生产监督管理职责的部门)", field="authority_id", basis=ORDER_BASIS[mode])
    require(bool(requirements.strip()), "requirements-required", "say what the order requires",
            field="requirements")
    require(deadline >= today, "deadline-in-the-past", f"the deadline {deadline} lies before the order ({today})",
            field="deadline")
    if mode == RectificationMode.suspension:
        require(hazard.grade == HazardGrade.major, "suspension-for-major",
                "停产停业 is ordered for a major hazard that cannot be kept safe meanwhile", field="mode",
                basis=ORDER_BASIS[mode])
        require(suspension is not None, "suspension-required", "say what stops and why", field="suspension")
    else:
        require(suspension is None, "suspension-needs-mode", "a suspension goes with mode suspension",
                field="suspension")
    order = Order(authority_id=authority.id, issued_by=issued_by, document_no=document_no,
                  requirements=requirements.strip(), mode=mode, deadline=deadline, issued_at=ctx.effective_at)
    ordered = hazard.next_event(RectificationOrdered, ctx, basis=ctx.basis or ORDER_BASIS[mode], order=order)
    stopped = None
    if suspension is not None:
        stopped = ordered.apply(hazard).next_event(ProductionSuspended, ctx, basis=ctx.basis or ORDER_BASIS[mode],
                                                   suspension=suspension)
    return ordered, stopped


def resume_production(ctx: CommandContext, hazard: Hazard, reviewer_id: UUID, authority_id: UUID | None,
                      findings: str) -> ProductionResumed:
    """经审查同意，方可恢复: the authority reviews the eliminated major hazard and lets suspended work resume
    (安全生产法 第65条第一款第(三)项) — only once the rectification has been accepted (or re-inspected)."""
    if hazard.suspension is None:
        raise Conflict("not-suspended", "no production is suspended for this hazard")
    _require_status(hazard, {HazardStatus.accepted}, "not-eliminated",
                    "a resumption (the hazard must be eliminated first: 重大事故隐患排除后)")
    require(bool(findings.strip()), "findings-required", "record what the review found", field="findings")
    return hazard.next_event(ProductionResumed, ctx, basis=RESUMPTION_BASIS, reviewer_id=reviewer_id,
                             authority_id=authority_id, findings=findings.strip())


def _given(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def extend_deadline(ctx: CommandContext, hazard: Hazard, deadline: date, reason: str,
                    granted_by: UUID | None) -> DeadlineExtended:
    """A later deadline, decided before the current one has passed (seed 000 §16: 限期完成整改)."""
    _require_status(hazard, {HazardStatus.rectifying}, "not-extendable",
                    "extending the deadline (an overdue hazard is not extended: 逾期未整改 has happened)")
    assert hazard.deadline is not None
    require(ctx.effective_at < end_of_day(hazard.deadline), "deadline-passed",
            f"the deadline {hazard.deadline} has passed: extend before it, not after", field="effective_at")
    require(deadline > hazard.deadline, "not-later",
            f"the new deadline {deadline} is not later than the current one {hazard.deadline}", field="deadline")
    require(bool(reason.strip()), "reason-required", "an extension needs its reason", field="reason")
    return hazard.next_event(DeadlineExtended, ctx, deadline=deadline, previous=hazard.deadline, reason=reason.strip(),
                             granted_by=granted_by)


def mark_overdue(ctx: CommandContext, hazard: Hazard, pack: RulesPack, deadline: date,
                 now: datetime) -> HazardBecameOverdue | None:
    """The policy's decision: overdue once the deadline day has ended with the hazard still being rectified.

    ``None`` when nothing is due (the deadline moved, the rectification was submitted, it already is overdue):
    a policy firing twice, or late, writes nothing the second time.
    """
    if hazard.status != HazardStatus.rectifying or hazard.deadline != deadline:
        return None
    due = end_of_day(deadline)
    if now < due:
        return None
    return hazard.next_event(HazardBecameOverdue, ctx, basis=pack["hazard.overdue.basis"],
                             rules_version=pack.version_tag, effective_at=due, deadline=deadline)


def submit_rectification(ctx: CommandContext, hazard: Hazard, report: str,
                         evidence: tuple[str, ...]) -> RectificationSubmitted:
    _require_status(hazard, {HazardStatus.rectifying, HazardStatus.overdue}, "not-in-rectification",
                    "submitting a rectification")
    require(bool(report.strip()), "report-required", "say what was done", field="report")
    return hazard.next_event(RectificationSubmitted, ctx, report=report.strip(), evidence=evidence)


def inspect_acceptance(
    ctx: CommandContext, hazard: Hazard, verifier_id: UUID, passed: bool, findings: str, *,
    by_authority: bool, authority_id: UUID | None = None,
) -> RectificationAccepted | RectificationRejected | RectificationReinspected:
    """On-site acceptance (现场验收), signed by the verifier: only after the rectification was submitted.

    A hazard the authority decides (:attr:`Hazard.authority_decides`) is accepted by the authority's re-inspection
    (复查: RectificationReinspected), also when its deadline passed unsubmitted; the enterprise never accepts it.
    """
    if hazard.authority_decides:
        if not by_authority:
            raise Rejected("reinspection-by-authority",
                           "the rectification of a hazard an authority found or ordered is accepted by that "
                           "authority's re-inspection (复查), not by the enterprise", field="hazard_id",
                           basis=ORDER_BASIS[hazard.order.mode if hazard.order else RectificationMode.deadline])
        _require_status(hazard, {HazardStatus.submitted, HazardStatus.overdue}, "not-submitted",
                        "a re-inspection (复查)")
        require(bool(findings.strip()), "findings-required", "record what the re-inspection found",
                field="findings")
        return hazard.next_event(RectificationReinspected, ctx, verifier_id=verifier_id, authority_id=authority_id,
                                 findings=findings.strip(), passed=passed)
    _require_status(hazard, {HazardStatus.submitted}, "not-submitted", "an acceptance")
    require(bool(findings.strip()), "findings-required", "record what the verifier found on site", field="findings")
    if passed:
        return hazard.next_event(RectificationAccepted, ctx, verifier_id=verifier_id, findings=findings.strip())
    return hazard.next_event(RectificationRejected, ctx, verifier_id=verifier_id, findings=findings.strip())


def close_out(ctx: CommandContext, hazard: Hazard, closed_by: UUID | None, *, by_authority: bool) -> HazardClosedOut:
    """闭环销号 of an accepted hazard: the authority's alone for one it decides; never while work is suspended —
    production resumes by the authority's review first (安全生产法 第65条第一款第(三)项)."""
    _require_status(hazard, {HazardStatus.accepted}, "not-accepted", "striking it off (闭环销号)")
    require(by_authority or not hazard.authority_decides, "close-out-by-authority",
            "a hazard an authority found or ordered is struck off by that authority", field="hazard_id",
            basis=ARTICLE_65_3)
    if hazard.suspension is not None:
        raise Conflict("still-suspended", "production is still suspended: the authority's review lets it resume "
                                          "(恢复生产经营) before the hazard is struck off", basis=RESUMPTION_BASIS)
    return hazard.next_event(HazardClosedOut, ctx, closed_by=closed_by)


def review(ctx: CommandContext, hazard: Hazard, reviewer_id: UUID | None, findings: str,
           reopen: bool, pack: RulesPack) -> FollowUpReviewed:
    """回头看 after close-out (seed 003 ¶16: 整改落实情况"回头看"核查, 确保闭环销号; ``hazard.review.basis``)."""
    _require_status(hazard, {HazardStatus.closed}, "not-closed", "a follow-up review (回头看)")
    require(bool(findings.strip()), "findings-required", "record what the review found", field="findings")
    return hazard.next_event(FollowUpReviewed, ctx, reviewer_id=reviewer_id, findings=findings.strip(),
                             reopened=reopen, basis=ctx.basis or pack["hazard.review.basis"],
                             rules_version=pack.version_tag)


def open_listing(ctx: CommandContext, hazard: Hazard, pack: RulesPack, authority: Unit, level: str,
                 supervisor_id: UUID, reported_to: Unit | None) -> ListedSupervisionOpened:
    """挂牌督办 of a major hazard by a named authority and supervisor (seed 004 §三(二)3(1))."""
    _require_open(hazard, "be listed")
    require(hazard.grade == HazardGrade.major, "listing-for-major",
            "listed supervision (挂牌督办) is for major hazards", field="hazard_id", basis=pack["hazard.listing.basis"])
    if hazard.listing is not None:
        raise Conflict("already-listed", "the hazard is already under listed supervision")
    require(authority.kind in ("department", "territorial", "safety_committee", "committee_office"),
            "not-an-authority", f"{authority.name} is a {authority.kind}, not a supervising authority",
            field="authority_id")
    listing = Listing(authority_id=authority.id, level=level, supervisor_id=supervisor_id,
                      since=ctx.effective_at, reported_to_id=reported_to.id if reported_to else None)
    return hazard.next_event(ListedSupervisionOpened, ctx, basis=ctx.basis or pack["hazard.listing.basis"],
                             rules_version=pack.version_tag, listing=listing)


def escalate_listing(ctx: CommandContext, hazard: Hazard, pack: RulesPack, authority: Unit,
                     level: str) -> ListedSupervisionEscalated | None:
    """The policy's decision: an overdue major hazard goes to listed supervision one level up (docs/rules.md R8).

    ``None`` when it does not apply (not overdue, not major, already at that authority).
    """
    if hazard.status != HazardStatus.overdue or hazard.grade != HazardGrade.major:
        return None
    if hazard.listing is not None and hazard.listing.authority_id == authority.id:
        return None
    listing = Listing(authority_id=authority.id, level=level, supervisor_id=None, since=ctx.effective_at,
                      reported_to_id=None)
    return hazard.next_event(ListedSupervisionEscalated, ctx, basis=pack["hazard.escalation.basis"],
                             rules_version=pack.version_tag, listing=listing, previous=hazard.listing)


def name_supervisor(ctx: CommandContext, hazard: Hazard, supervisor_id: UUID) -> ListedSupervisorNamed:
    _require_open(hazard, "change its supervisor")
    if hazard.listing is None:
        raise Conflict("not-listed", "the hazard is not under listed supervision")
    if hazard.listing.supervisor_id == supervisor_id:
        raise Conflict("same-supervisor", "that person already supervises the listing")
    return hazard.next_event(ListedSupervisorNamed, ctx, supervisor_id=supervisor_id)
