"""Inspections (检查): who inspected whom, when, against which checklist, what they found, whom they tested, and the
signature of every inspector.

- Kinds: 执法检查, 大检查/专项检查, 暗访, 交叉检查 (seed 000 §24–28; seed 002 §12), 企业自查 (seed 000 §9; seed 004
  (一)1(1)), 领导带队检查 (专委会主任每月至少1次, seed 002 §3; 主要负责人每月带队检查, seed 004 (一)1(4)) and 网格巡查
  (seed 001 ¶13; seed 002 §(三)16).
- Enforcement kinds are carried out by at least two inspectors (行政处罚法 第42条: 执法人员不得少于两人) against a
  checklist (执法检查表, seed 000 §24); experts may take part (执法+专家, seed 000 §25); an undercover inspection is
  unannounced by nature (四不两直, seed 001 §8).
- Named responsible persons are tested (逢查必考, seed 002 §22) and their scores recorded.
- Every inspector signs the record (谁检查、谁签名、谁负责, seed 004 (二)4(7); 安全生产法 第68条: the written record is
  signed by the inspectors). A signature covers the record as it stood: after the first signature nothing is added,
  and each signature carries the digest of what it signed. An inspection is complete only when every inspector has
  signed; a completed record never changes — a mistake in it is fixed by a correction, a new fact that references
  the version it corrects.

What a correction may fix (:func:`correct`): a finding's text, checklist item, location and hazard flag; a spot
test's score and pass mark. It may not add or remove findings or spot tests, nor change who inspected whom, when,
of which kind, or the signatures: those are the facts the inspectors signed for (倒查, seed 004 (二)4(7)).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.bounds import FreeText
from domain.calendar import year_of
from domain.enforcement_plans import EnforcementPlan
from domain.enforcement_teams import MIN_ENFORCEMENT_INSPECTORS, TWO_INSPECTORS_BASIS
from domain.errors import Conflict, NotFound
from domain.jurisdiction import covers
from domain.posts import Post, PostKind
from domain.units import SUPERVISED_KINDS, Unit

if TYPE_CHECKING:
    from domain.random_draws import RandomDraw

SIGNATURE_BASIS = "谁检查、谁签名、谁负责 (方积政发〔2023〕11号 三(二)4(7)); 安全生产法 第68条"


class InspectionKind(StrEnum):
    enforcement = "enforcement"  # 执法检查
    campaign = "campaign"  # 大检查 / 专项检查
    undercover = "undercover"  # 暗访
    cross = "cross"  # 交叉检查
    self_check = "self_check"  # 企业自查
    leader = "leader"  # 领导带队检查
    grid_patrol = "grid_patrol"  # 网格巡查


KIND_TERMS = {
    "enforcement": "执法检查", "campaign": "大检查/专项检查", "undercover": "暗访", "cross": "交叉检查",
    "self_check": "企业自查", "leader": "领导带队检查", "grid_patrol": "网格巡查",
}
ENFORCEMENT_KINDS = frozenset({InspectionKind.enforcement, InspectionKind.campaign, InspectionKind.undercover,
                               InspectionKind.cross})
"""Kinds that are law enforcement: at least two inspectors (行政处罚法 第42条), and they count against
零执法 (seed 000 §25)."""
INSPECTING_UNIT_KINDS: dict[str, frozenset[str]] = {
    "enforcement": frozenset({"department", "territorial"}),
    "campaign": frozenset({"department", "territorial", "safety_committee", "committee_office", "special_committee"}),
    "undercover": frozenset({"department", "territorial", "safety_committee", "committee_office",
                             "special_committee"}),
    "cross": frozenset({"department", "territorial", "safety_committee", "committee_office", "special_committee"}),
    "self_check": frozenset({"enterprise", "intermediary"}),
    "leader": frozenset({"territorial", "department", "safety_committee", "committee_office", "special_committee",
                         "enterprise", "intermediary"}),
    "grid_patrol": frozenset({"territorial"}),
}
"""Who may carry out each kind: departments and towns enforce (镇综合行政执法, seed 004 (二)3); committees organise
大检查, 暗访 and 交叉检查 (seed 000 §28; seed 002 §3); an enterprise checks itself and its main leader leads
checks of it (seed 004 (一)1(4)); grids belong to territorial units (seed 002)."""
SPOT_TEST_POST_KINDS = frozenset({PostKind.main_responsible, PostKind.safety_manager, PostKind.position,
                                  PostKind.deputy_leader})
"""逢查必考 (seed 002 §22): 主要负责人、安全管理人员、一线重点岗位人员 (and the enterprise's deputy leaders)."""


class ChecklistItem(Frozen):
    """One item of the 执法检查表 (seed 000 §24): what to check, and the rule it checks."""

    code: str = Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9._-]+$")
    text: FreeText = Field(min_length=1, max_length=500)
    basis: str | None = Field(default=None, max_length=200, description="e.g. 城镇燃气管理条例 第18条")


class Expert(Frozen):
    """An expert taking part (执法+专家, seed 000 §25); not necessarily a registered person."""

    name: str = Field(min_length=1, max_length=50)
    speciality: str = Field(min_length=1, max_length=100)
    organisation: str | None = Field(default=None, max_length=200)


class Finding(Frozen):
    """A problem found, numbered in the record; ``hazard_suspected`` marks it for the hazard ledger."""

    finding_no: int = Field(ge=1)
    item_code: str | None = Field(default=None, description="the checklist item it falls under, if any")
    description: FreeText = Field(min_length=1, max_length=2000)
    hazard_suspected: bool = False
    location: str | None = Field(default=None, max_length=200)


class SpotTest(Frozen):
    """逢查必考 (seed 002 §22): a named person tested on their post's duties and the unit's main risks."""

    test_no: int = Field(ge=1)
    person_id: UUID
    post_id: UUID
    post_kind: PostKind
    subject: str
    score: float
    max_score: float
    pass_mark: float
    passed: bool


class SpotTestFix(Frozen):
    """A corrected score (and pass mark) of a recorded spot test."""

    test_no: int = Field(ge=1)
    score: float
    pass_mark: float | None = Field(default=None, description="unchanged when null")


class Inspection(Aggregate):
    kind: InspectionKind
    title: str
    inspecting_unit_id: UUID
    target_unit_id: UUID
    inspectors: tuple[UUID, ...]
    experts: tuple[Expert, ...]
    unannounced: bool
    checklist: tuple[ChecklistItem, ...]
    plan_id: UUID | None
    draw_id: UUID | None
    led_by: UUID | None
    inspected_at: datetime
    covered: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    spot_tests: tuple[SpotTest, ...] = ()
    signatures: dict[str, datetime] = Field(default_factory=dict)
    """Inspector person id → when they signed."""
    completed_at: datetime | None = None
    corrections: int = 0
    entered_at: datetime
    """The effective time of the latest entry: the record is written in time order."""

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def expert_assisted(self) -> bool:
        return bool(self.experts)

    @property
    def unsigned(self) -> tuple[UUID, ...]:
        return tuple(i for i in self.inspectors if str(i) not in self.signatures)


class InspectionOpened(DomainEvent):
    """检查开始: an inspection of a unit by a team of inspectors, with its checklist (执法检查表); effective when it
    took place."""

    term = "检查开始"
    context = "inspections"
    kind: InspectionKind
    title: str
    inspecting_unit_id: UUID
    target_unit_id: UUID
    inspectors: tuple[UUID, ...]
    experts: tuple[Expert, ...]
    unannounced: bool = Field(description="四不两直: no notice, no greeting, no briefing, no escort")
    checklist: tuple[ChecklistItem, ...]
    plan_id: UUID | None = Field(description="the annual enforcement plan (年度执法计划) it carries out")
    draw_id: UUID | None = Field(description="the random draw (双随机) that chose the target and inspectors")
    led_by: UUID | None = Field(description="the leader who led it (领导带队检查)")

    def apply(self, _: None) -> Inspection:
        return created(
            Inspection, self, kind=self.kind, title=self.title, inspecting_unit_id=self.inspecting_unit_id,
            target_unit_id=self.target_unit_id, inspectors=self.inspectors, experts=self.experts,
            unannounced=self.unannounced, checklist=self.checklist, plan_id=self.plan_id, draw_id=self.draw_id,
            led_by=self.led_by, inspected_at=self.envelope.effective_at, entered_at=self.envelope.effective_at,
        )


class ChecklistItemsCovered(DomainEvent):
    """检查表事项已检查: these items of the checklist were checked on site."""

    term = "检查表事项已检查"
    context = "inspections"
    item_codes: tuple[str, ...]

    def apply(self, state: Inspection) -> Inspection:
        return _entered(state, self, covered=(*state.covered, *self.item_codes))


class FindingRecorded(DomainEvent):
    """发现问题: a numbered finding of the inspection; ``hazard_suspected`` when it looks like a hazard (隐患)."""

    term = "发现问题"
    context = "inspections"
    finding_no: int
    item_code: str | None
    description: str
    hazard_suspected: bool
    location: str | None

    def apply(self, state: Inspection) -> Inspection:
        finding = Finding(finding_no=self.finding_no, item_code=self.item_code, description=self.description,
                          hazard_suspected=self.hazard_suspected, location=self.location)
        return _entered(state, self, findings=(*state.findings, finding))


class SpotTestRecorded(DomainEvent):
    """逢查必考: a named responsible person of the inspected unit was tested; the score and whether it passed."""

    term = "逢查必考"
    context = "inspections"
    test_no: int
    person_id: UUID
    post_id: UUID
    post_kind: PostKind
    subject: str
    score: float
    max_score: float
    pass_mark: float
    passed: bool

    def apply(self, state: Inspection) -> Inspection:
        test = SpotTest(**self.model_dump(include=set(SpotTest.model_fields)))
        return _entered(state, self, spot_tests=(*state.spot_tests, test))


class InspectionSigned(DomainEvent):
    """检查人员签名: an inspector signs the record (谁检查、谁签名、谁负责); ``record_digest`` is what they signed."""

    term = "检查人员签名"
    context = "inspections"
    inspector_id: UUID
    record_digest: str = Field(description="SHA-256 of the record's content when signed (see record_digest)")

    def apply(self, state: Inspection) -> Inspection:
        return _entered(state, self, signatures={**state.signatures, str(self.inspector_id): self.effective_at})


class InspectionCompleted(DomainEvent):
    """检查完成: every inspector has signed; the record is closed and never changes again."""

    term = "检查完成"
    context = "inspections"
    summary: str | None = Field(description="检查结论")
    target_acknowledged_by: str | None = Field(
        description="the inspected unit's representative who signed the record (安全生产法 第68条)")
    target_refused_to_sign: bool = Field(description="the representative refused to sign; recorded as such (第68条)")
    record_digest: str

    def apply(self, state: Inspection) -> Inspection:
        return _entered(state, self, completed_at=self.effective_at)


class InspectionCorrected(DomainEvent):
    """检查记录更正: a completed record corrected by a new fact — what it corrects, the corrected values, the reason.

    Effective at the completion time of the record it corrects: the ledger ``known_at`` before the correction still
    shows what the record said then."""

    term = "检查记录更正"
    context = "inspections"
    corrects_version: int = Field(description="the version of the inspection this correction was decided against")
    findings: tuple[Finding, ...] = Field(description="corrected findings, in full")
    previous_findings: tuple[Finding, ...]
    spot_tests: tuple[SpotTest, ...] = Field(description="corrected spot tests, in full")
    previous_spot_tests: tuple[SpotTest, ...]
    reason: str
    corrected_by: UUID | None = Field(description="the person who corrected it, when the token names one")

    def apply(self, state: Inspection) -> Inspection:
        findings = {f.finding_no: f for f in self.findings}
        tests = {t.test_no: t for t in self.spot_tests}
        return state.evolved(
            self,
            findings=tuple(findings.get(f.finding_no, f) for f in state.findings),
            spot_tests=tuple(tests.get(t.test_no, t) for t in state.spot_tests),
            corrections=state.corrections + 1,
        )


def _entered(state: Inspection, event: DomainEvent, **changes: Any) -> Inspection:
    return state.evolved(event, entered_at=max(state.entered_at, event.effective_at), **changes)


def record_digest(inspection: Inspection) -> str:
    """SHA-256 over the canonical JSON of the record's content: what a signature vouches for."""
    content = inspection.model_dump(
        mode="json",
        include={"kind", "title", "inspecting_unit_id", "target_unit_id", "inspectors", "experts", "unannounced",
                 "checklist", "led_by", "inspected_at", "covered", "findings", "spot_tests"},
    )
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def open_inspection(
    ctx: CommandContext,
    inspection_id: UUID,
    *,
    kind: InspectionKind,
    title: str,
    inspecting_unit: Unit,
    target: Unit,
    inspectors: list[UUID],
    experts: list[Expert],
    unannounced: bool,
    checklist: list[ChecklistItem],
    led_by: UUID | None = None,
    plan: EnforcementPlan | None = None,
    draw: RandomDraw | None = None,
    grid_basis: str | None = None,
) -> InspectionOpened:
    """Decide the start of an inspection of ``target`` (the event belongs to the target's jurisdiction), carrying
    out ``plan`` and ``draw`` when given. Inspectors are the ids of registered people (the caller checks they exist).
    """
    require(target.kind in SUPERVISED_KINDS, "not-an-inspectable-unit",
            f"{target.name} is a {target.kind}: inspections are of enterprises and intermediaries",
            field="target_unit_id")
    require(target.closure is None, "unit-closed", f"{target.name} was {target.closure} and is not inspected",
            field="target_unit_id")
    require(inspecting_unit.closure is None, "unit-closed", f"{inspecting_unit.name} is closed",
            field="inspecting_unit_id")
    allowed = INSPECTING_UNIT_KINDS[kind]
    require(inspecting_unit.kind in allowed, "wrong-inspecting-unit",
            f"a {KIND_TERMS[kind]} is carried out by a {' / '.join(sorted(allowed))}, not a {inspecting_unit.kind} "
            f"({inspecting_unit.name})", field="inspecting_unit_id")
    if kind == InspectionKind.self_check or inspecting_unit.kind in SUPERVISED_KINDS:
        require(inspecting_unit.id == target.id, "checks-only-itself",
                f"{inspecting_unit.name} can only check itself", field="inspecting_unit_id")
    else:
        require(covers(inspecting_unit.jurisdiction, target.jurisdiction), "target-outside-inspecting-unit",
                f"{target.name} lies outside the jurisdiction of {inspecting_unit.name}", field="target_unit_id")
    require(bool(title.strip()), "title-required", "name the inspection (e.g. 城镇燃气安全执法检查)", field="title")
    require(ctx.effective_at <= ctx.recorded_at, "inspection-in-the-future",
            "an inspection is recorded once it has taken place: effective_at lies in the future", field="effective_at")
    require(len(set(inspectors)) == len(inspectors), "duplicate-inspector", "an inspector is listed twice",
            field="inspectors")
    require(bool(inspectors), "inspector-required", "an inspection names at least one inspector", field="inspectors")
    if kind in ENFORCEMENT_KINDS:
        require(len(inspectors) >= MIN_ENFORCEMENT_INSPECTORS, "two-inspectors-required",
                f"a {KIND_TERMS[kind]} is carried out by at least {MIN_ENFORCEMENT_INSPECTORS} inspectors, "
                f"got {len(inspectors)}", field="inspectors", basis=TWO_INSPECTORS_BASIS)
        require(bool(checklist), "checklist-required",
                f"a {KIND_TERMS[kind]} follows a checklist (执法检查表): list its items", field="checklist",
                basis="泉港城管〔2022〕149号 §24")
    codes = [item.code for item in checklist]
    require(len(set(codes)) == len(codes), "duplicate-checklist-item", "two checklist items have the same code",
            field="checklist")
    if kind == InspectionKind.undercover:
        require(unannounced, "undercover-is-unannounced",
                "an undercover inspection (暗访) is unannounced (四不两直) by nature", field="unannounced",
                basis="惠政文〔2014〕53号 §8")
    if kind == InspectionKind.leader:
        require(led_by is not None, "leader-required", "a leader's inspection names the leader who led it",
                field="led_by", basis="肥安发〔2024〕4号 §3")
    if led_by is not None:
        require(led_by in inspectors, "leader-not-an-inspector",
                "the leader who led the inspection is one of its inspectors (and signs it)", field="led_by")
    day = ctx.effective_at
    if plan is not None:
        require(plan.department_id == inspecting_unit.id, "plan-of-other-unit",
                f"that enforcement plan belongs to another unit than {inspecting_unit.name}", field="plan_id")
        require(plan.year == year_of(day), "plan-of-other-year",
                f"the plan is for {plan.year}, the inspection is in {year_of(day)}", field="plan_id")
    if draw is not None:
        require(kind in ENFORCEMENT_KINDS, "draw-for-enforcement",
                "a random draw (双随机) chooses enforcement inspections", field="draw_id")
        require(draw.department_id == inspecting_unit.id, "draw-of-other-unit",
                f"that draw was made by another unit than {inspecting_unit.name}", field="draw_id")
        team = draw.team_for().get(target.id)
        require(team is not None, "target-not-drawn", f"{target.name} was not drawn in that draw", field="draw_id")
        assert team is not None
        missing = [i for i in team if i not in inspectors]
        require(not missing, "drawn-inspectors-missing",
                f"the inspectors drawn for {target.name} must inspect it: {len(missing)} of them are not listed",
                field="inspectors", basis="泉港城管〔2022〕149号 §25 (双随机)")
    return first_event(
        InspectionOpened, ctx, id=inspection_id, jurisdiction=target.jurisdiction,
        basis=ctx.basis or (TWO_INSPECTORS_BASIS if kind in ENFORCEMENT_KINDS
                            else grid_basis if kind == InspectionKind.grid_patrol else None),
        kind=kind, title=title.strip(), inspecting_unit_id=inspecting_unit.id, target_unit_id=target.id,
        inspectors=tuple(inspectors), experts=tuple(experts), unannounced=unannounced, checklist=tuple(checklist),
        plan_id=plan.id if plan else None, draw_id=draw.id if draw else None, led_by=led_by,
    )


def _require_in_order(ctx: CommandContext, inspection: Inspection) -> None:
    """The record is written in time order: an entry is not effective before the one before it."""
    require(ctx.effective_at >= inspection.entered_at, "entry-out-of-order",
            f"the record's latest entry is effective {inspection.entered_at.isoformat()}: a later entry cannot take "
            "effect before it", field="effective_at")


def _require_recording(ctx: CommandContext, inspection: Inspection) -> None:
    """Content is recorded only while nobody has signed (a signature covers the record as it stood), in order."""
    if inspection.completed:
        raise Conflict("inspection-completed",
                       "the inspection is completed and signed: it cannot change; record a correction instead",
                       basis=SIGNATURE_BASIS)
    if inspection.signatures:
        raise Conflict("inspection-being-signed",
                       "inspectors have started signing the record: nothing can be added to what they signed",
                       basis=SIGNATURE_BASIS)
    _require_in_order(ctx, inspection)


def cover_items(ctx: CommandContext, inspection: Inspection, item_codes: list[str]) -> ChecklistItemsCovered:
    """Decide that these checklist items were checked."""
    _require_recording(ctx, inspection)
    known = {item.code for item in inspection.checklist}
    require(bool(item_codes), "items-required", "name the checklist items that were checked", field="item_codes")
    require(len(set(item_codes)) == len(item_codes), "duplicate-checklist-item", "an item is listed twice",
            field="item_codes")
    unknown = sorted(set(item_codes) - known)
    require(not unknown, "unknown-checklist-item", f"not on this inspection's checklist: {', '.join(unknown)}",
            field="item_codes")
    again = sorted(set(item_codes) & set(inspection.covered))
    if again:
        raise Conflict("item-already-covered", f"already recorded as checked: {', '.join(again)}", field="item_codes")
    return inspection.next_event(ChecklistItemsCovered, ctx, item_codes=tuple(item_codes))


def record_finding(ctx: CommandContext, inspection: Inspection, *, item_code: str | None, description: str,
                   hazard_suspected: bool, location: str | None) -> FindingRecorded:
    """Decide the next numbered finding."""
    _require_recording(ctx, inspection)
    require(bool(description.strip()), "description-required", "describe what was found", field="description")
    _check_item(inspection, item_code)
    return inspection.next_event(
        FindingRecorded, ctx, finding_no=len(inspection.findings) + 1, item_code=item_code,
        description=description.strip(), hazard_suspected=hazard_suspected, location=location,
    )


def _check_item(inspection: Inspection, item_code: str | None) -> None:
    if item_code is not None:
        require(item_code in {item.code for item in inspection.checklist}, "unknown-checklist-item",
                f"{item_code} is not on this inspection's checklist", field="item_code")


def _check_score(score: float, max_score: float, pass_mark: float) -> None:
    require(max_score > 0, "max-score-positive", "the maximum score must be above 0", field="max_score")
    require(0 <= score <= max_score, "score-out-of-range", f"a score lies between 0 and {max_score:g}, got {score:g}",
            field="score")
    require(0 <= pass_mark <= max_score, "pass-mark-out-of-range",
            f"a pass mark lies between 0 and {max_score:g}, got {pass_mark:g}", field="pass_mark")


def record_spot_test(ctx: CommandContext, inspection: Inspection, *, post: Post, person_id: UUID, subject: str,
                     score: float, max_score: float, pass_mark: float) -> SpotTestRecorded:
    """Decide a spot test of ``person_id``, who holds ``post`` in the inspected unit (逢查必考, seed 002 §22)."""
    _require_recording(ctx, inspection)
    require(post.unit_id == inspection.target_unit_id, "post-of-other-unit",
            f"{post.title} is not a post of the inspected unit: spot tests are of its own people", field="post_id",
            basis="肥安发〔2024〕4号 §22")
    require(post.definition.kind in SPOT_TEST_POST_KINDS, "post-not-tested",
            f"{post.title} is not a post that is spot-tested (主要负责人、安全管理人员、一线重点岗位)", field="post_id")
    holding = post.holders.get(str(person_id))
    require(holding is not None and holding.since <= ctx.effective_at, "not-the-holder",
            f"that person did not hold {post.title} at the time of the test", field="person_id")
    require(bool(subject.strip()), "subject-required", "name what was tested (岗位职责、主要安全风险 …)",
            field="subject")
    _check_score(score, max_score, pass_mark)
    return inspection.next_event(
        SpotTestRecorded, ctx, test_no=len(inspection.spot_tests) + 1, person_id=person_id, post_id=post.id,
        post_kind=post.definition.kind, subject=subject.strip(), score=score, max_score=max_score,
        pass_mark=pass_mark, passed=score >= pass_mark, basis=ctx.basis or "肥安发〔2024〕4号 §22 (逢查必考)",
    )


def sign(ctx: CommandContext, inspection: Inspection, inspector_id: UUID) -> InspectionSigned:
    """Decide ``inspector_id``'s signature (the person named by the caller's token, never by the request)."""
    if inspection.completed:
        raise Conflict("inspection-completed", "the inspection is completed: every inspector has signed it already")
    require(inspector_id in inspection.inspectors, "signer-not-an-inspector",
            "only the inspectors of this inspection sign its record", field="inspector_id", basis=SIGNATURE_BASIS)
    if str(inspector_id) in inspection.signatures:
        raise Conflict("already-signed", "you have signed this inspection record already", basis=SIGNATURE_BASIS)
    _require_in_order(ctx, inspection)
    return inspection.next_event(InspectionSigned, ctx, inspector_id=inspector_id,
                                 record_digest=record_digest(inspection), basis=ctx.basis or SIGNATURE_BASIS)


def complete(ctx: CommandContext, inspection: Inspection, *, summary: str | None,
             target_acknowledged_by: str | None, target_refused_to_sign: bool) -> InspectionCompleted:
    """Decide the completion: refused while any inspector has not signed (谁检查、谁签名、谁负责)."""
    if inspection.completed:
        raise Conflict("inspection-completed", "the inspection is completed already")
    unsigned = inspection.unsigned
    require(not unsigned, "unsigned-inspection",
            f"{len(unsigned)} of {len(inspection.inspectors)} inspectors have not signed: an unsigned inspection "
            "is not complete", field="inspection_id", basis=SIGNATURE_BASIS)
    require(not (target_acknowledged_by and target_refused_to_sign), "acknowledged-or-refused",
            "the inspected unit's representative either signed or refused to sign, not both",
            field="target_refused_to_sign")
    _require_in_order(ctx, inspection)
    return inspection.next_event(
        InspectionCompleted, ctx, summary=summary, target_acknowledged_by=target_acknowledged_by,
        target_refused_to_sign=target_refused_to_sign, record_digest=record_digest(inspection),
        basis=ctx.basis or SIGNATURE_BASIS,
    )


def correct(ctx: CommandContext, inspection: Inspection, *, findings: list[Finding], spot_tests: list[SpotTestFix],
            reason: str, corrected_by: UUID | None) -> InspectionCorrected:
    """Decide a correction of a completed record (see the module docstring for what may be corrected).

    The correction takes effect at the record's completion time; it is recorded now, so ``known_at`` tells the
    record as it was signed from the record as corrected.
    """
    if not inspection.completed:
        raise Conflict("inspection-not-completed",
                       "an open inspection is not corrected: record the right values before the inspectors sign")
    assert inspection.completed_at is not None
    require(bool(reason.strip()), "reason-required", "a correction gives its reason", field="reason")
    require(bool(findings or spot_tests), "nothing-to-correct", "name the findings or spot tests to correct",
            field="findings")
    by_no = {f.finding_no: f for f in inspection.findings}
    numbers = [f.finding_no for f in findings]
    require(len(set(numbers)) == len(numbers), "duplicate-correction", "a finding is corrected twice",
            field="findings")
    previous_findings = []
    for fix in findings:
        current = by_no.get(fix.finding_no)
        if current is None:
            raise NotFound("finding-not-found", f"the record has no finding {fix.finding_no}: a correction does not "
                           "add findings", field="findings")
        require(fix != current, "nothing-to-correct", f"finding {fix.finding_no} already reads so", field="findings")
        require(bool(fix.description.strip()), "description-required", "describe what was found",
                field="findings")
        _check_item(inspection, fix.item_code)
        previous_findings.append(current)
    tests_by_no = {t.test_no: t for t in inspection.spot_tests}
    test_numbers = [t.test_no for t in spot_tests]
    require(len(set(test_numbers)) == len(test_numbers), "duplicate-correction", "a spot test is corrected twice",
            field="spot_tests")
    corrected_tests, previous_tests = [], []
    for test_fix in spot_tests:
        test = tests_by_no.get(test_fix.test_no)
        if test is None:
            raise NotFound("spot-test-not-found", f"the record has no spot test {test_fix.test_no}",
                           field="spot_tests")
        pass_mark = test.pass_mark if test_fix.pass_mark is None else test_fix.pass_mark
        _check_score(test_fix.score, test.max_score, pass_mark)
        require((test_fix.score, pass_mark) != (test.score, test.pass_mark), "nothing-to-correct",
                f"spot test {test_fix.test_no} already reads so", field="spot_tests")
        corrected_tests.append(test.model_copy(update={"score": test_fix.score, "pass_mark": pass_mark,
                                                       "passed": test_fix.score >= pass_mark}))
        previous_tests.append(test)
    return inspection.next_event(
        InspectionCorrected, ctx, effective_at=inspection.completed_at, corrects_version=inspection.version,
        findings=tuple(findings), previous_findings=tuple(previous_findings), spot_tests=tuple(corrected_tests),
        previous_spot_tests=tuple(previous_tests), reason=reason.strip(), corrected_by=corrected_by,
    )
