"""Response models of the read side: what the API returns, documented field by field in OpenAPI."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class UnitView(BaseModel):
    unit_id: UUID
    kind: str
    name: str
    code: str | None = Field(description="行政区划代码 or 统一社会信用代码")
    level: str | None
    parent_id: UUID | None
    jurisdiction: str
    sector: str | None
    grid: str | None
    risk_colour: str | None
    supervising_department_id: UUID | None
    supervision_clause: str | None
    closure: str | None
    profile: dict[str, Any]
    registered_at: datetime
    version: int


class PostView(BaseModel):
    post_id: UUID
    unit_id: UUID
    title: str
    kind: str
    first_responsible: bool
    portfolio: list[str]
    requires: list[str]
    category: str | None
    capacity: int | None
    abolished: bool
    holders: int
    jurisdiction: str


class CertificateView(BaseModel):
    number: str
    kind: str
    operation: str | None
    issuer: str
    issued_on: date
    expires_on: date
    revoked: bool


class PersonView(BaseModel):
    person_id: UUID
    name: str
    id_number: str = Field(description="居民身份证号, masked unless your role needs it whole and you asked (reveal)")
    jurisdiction: str
    registered_at: datetime
    certificates: list[CertificateView] = []


class SectorLeadView(BaseModel):
    territory_id: UUID
    sector: str
    department_id: UUID
    clause: str
    jurisdiction: str
    decided_at: datetime


class ListView(BaseModel):
    list_id: UUID
    unit_id: UUID
    kind: str
    year: int | None
    title: str
    published_version: int
    document_no: str | None
    published_at: datetime | None
    duties: int
    jurisdiction: str


class Publication(BaseModel):
    version: int
    document_no: str
    digest: str = Field(description="SHA-256 over the version's duties (canonical JSON)")
    duty_ids: list[UUID]
    effective_at: datetime
    recorded_at: datetime


class DutyInForce(BaseModel):
    """A duty in force at ``as_of`` and whoever held its post then (null when the post was vacant)."""

    duty_id: UUID
    list_id: UUID
    list_kind: str
    unit_id: UUID
    unit_name: str | None
    post_id: UUID
    post_title: str | None
    line: str
    scope: list[str]
    text: str
    source_document: str
    jurisdiction: str
    duty_from: datetime
    duty_to: datetime | None
    person_id: UUID | None
    person_name: str | None
    held_from: datetime | None
    held_to: datetime | None


class ListDetail(BaseModel):
    """A responsibility list with the duties in force at ``as_of`` and its published versions."""

    list: ListView
    duties: builtins.list[DutyInForce]
    publications: builtins.list[Publication]


class Holding(BaseModel):
    post_id: UUID
    person_id: UUID
    unit_id: UUID
    jurisdiction: str
    document: str | None
    end_reason: str | None
    valid_from: datetime
    valid_to: datetime | None
    recorded_from: datetime
    recorded_to: datetime | None


class DutyInterval(BaseModel):
    """A person held a duty (through a post) from ``from`` to ``to`` (null: still)."""

    person_id: UUID
    post_id: UUID
    unit_id: UUID
    duty_id: UUID
    line: str
    text: str
    scope: list[str]
    source_document: str
    list_kind: str
    held_from: datetime = Field(alias="from")
    held_to: datetime | None = Field(alias="to")

    model_config = {"populate_by_name": True}


class Gap(BaseModel):
    gap: str
    term: str
    unit_id: UUID | None
    unit_name: str | None
    jurisdiction: str
    detail: str
    post_id: UUID | None = None
    person_id: UUID | None = None


class AuditEvent(BaseModel):
    position: int
    aggregate_id: UUID
    aggregate_version: int
    event_type: str
    term: str
    context: str
    recorded_at: datetime
    effective_at: datetime
    actor: str
    role: str
    jurisdiction: str
    basis: str | None
    rules_version: str | None
    correlation_id: UUID
    causation_id: UUID | None
    command_id: str | None
    data: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEvent]
    next_after: int | None = Field(description="pass as `after` for the next page; null when this page is the last")


class Replay(BaseModel):
    aggregate_id: UUID
    type: str
    version: int
    state: dict[str, Any]
    events: list[dict[str, Any]]


class HazardView(BaseModel):
    """A hazard as it stood at ``as_of``, as recorded by ``known_at`` (隐患台账)."""

    hazard_id: UUID
    unit_id: UUID
    unit_name: str | None
    risk_colour: str | None = Field(description="the enterprise's risk colour now (红橙黄蓝)")
    jurisdiction: str
    sector: str
    grade: str = Field(description="general (一般隐患) or major (重大事故隐患)")
    criterion: dict[str, Any] | None = Field(description="判定依据: standard and item")
    description: str
    location: str | None
    source: str = Field(description="inspection, self_reported (自查自报), grid_patrol or tip")
    inspection_id: UUID | None
    finding_no: int | None
    found_at: datetime
    status: str
    status_term: str
    mode: str | None = Field(description="immediate (即知即改), deadline (限期整改) or suspension (停产停业整顿)")
    responsible_person_id: UUID | None = Field(description="五落实: 责任人")
    measures: str | None = Field(description="五落实: 措施")
    funds_yuan: int | None = Field(description="五落实: 资金")
    funds_source: str | None
    deadline_on: date | None = Field(description="五落实: 时限")
    contingency_plan: str | None = Field(description="五落实: 预案")
    suspension_scope: str | None
    days_overdue: int = Field(description="days past the deadline at as_of while still unfixed")
    overdue_at: datetime | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    verifier_id: UUID | None
    closed_at: datetime | None
    listing_authority_id: UUID | None = Field(description="挂牌督办: the listing authority")
    listing_level: str | None
    listing_supervisor_id: UUID | None = Field(description="督办责任人")
    listed_at: datetime | None
    escalations: int
    reopened: int
    self_reported_exemption: bool = Field(description="自查自报 and fixed as planned: not penalised (seed 004)")


# --- inspections (检查台账) --------------------------------------------------------------------------------------


class InspectionView(BaseModel):
    """An inspection as it stood at ``as_of``, as recorded by ``known_at`` (counts of its record's parts)."""

    inspection_id: UUID
    kind: str
    kind_term: str = Field(description="执法检查, 暗访, 企业自查 …")
    title: str
    inspecting_unit_id: UUID
    inspecting_unit_name: str | None
    target_unit_id: UUID
    target_name: str | None
    jurisdiction: str
    led_by: UUID | None
    inspected_at: datetime
    status: str = Field(description="open or completed")
    completed_at: datetime | None
    unannounced: bool = Field(description="四不两直")
    expert_assisted: bool = Field(description="执法+专家")
    inspectors: list[UUID]
    checklist_items: int
    items_covered: int
    signatures: int
    findings: int
    hazards_suspected: int
    spot_tests: int
    spot_tests_failed: int
    corrections: int
    summary: str | None
    plan_id: UUID | None
    draw_id: UUID | None
    valid_from: datetime
    valid_to: datetime | None
    recorded_from: datetime
    recorded_to: datetime | None


class ListedItem(BaseModel):
    hazard_id: UUID
    unit_id: UUID
    unit_name: str | None
    description: str
    status: str
    deadline_on: date | None
    days_overdue: int
    listing_supervisor_id: UUID | None
    listed_at: datetime
    age_days: int = Field(description="days since it was listed, at as_of")
    escalations: int


class ListingBoard(BaseModel):
    """One supervising authority's open listings (挂牌督办), oldest first."""

    authority_id: UUID
    authority_name: str | None
    level: str | None
    open: int
    oldest_days: int
    items: list[ListedItem]


class StatisticsRow(BaseModel):
    """A count of one metric in one period (and one value of the breakdown)."""

    period: str = Field(description="2025-03-01 (day), 2025-W09 (ISO week) or 2025-03 (month), Beijing time")
    metric: str = Field(description="found, fixed, overdue, listed, escalated or reopened")
    breakdown: str | None = Field(description="the grade, sector or risk colour counted (null without breakdown)")
    count: int


class PublishedEvent(BaseModel):
    """A published event: a CloudEvents 1.0 structured envelope, the same as on Kafka (docs/stream.md); the JSON
    Schema of each type is at ``/api/v1/schemas/{type}``. Optional ``zeren…`` attributes appear when present."""

    model_config = {"extra": "allow"}

    specversion: str
    id: str = Field(description="stable event id: dedupe on it")
    source: str = Field(description="zeren://<deployment>/<jurisdiction>")
    type: str = Field(description="cn.zeren.<context>.<Event>.v<N>")
    subject: str = Field(description="aggregate id (the Kafka key)")
    time: str = Field(description="recorded time, RFC 3339")
    datacontenttype: str
    zerenposition: int = Field(description="log position; the feed's cursor")
    zerenversion: int = Field(description="aggregate version: 1, 2, 3 … per subject, without gaps")
    zereneffective: str = Field(description="effective time, RFC 3339")
    data: dict[str, Any] = Field(description="the event's public fields (redacted fields never appear)")


class EventPage(BaseModel):
    items: list[PublishedEvent] = Field(description="envelopes in log order")
    next_after: int = Field(description="pass as `after` for the next page: the last log position this page "
                                        "covered, even when the filter matched few events; `after` when nothing new")


class SignedHeadView(BaseModel):
    """A signed tree head (docs/audit.md §5): the tree of ``tree_size`` sealed events had ``root_hash``."""

    format: str = Field(examples=["zeren-tree-head/1"])
    tree_size: int = Field(description="number of leaves (sealed events) the head covers")
    timestamp_ms: int = Field(description="when it was signed, milliseconds since 1970-01-01T00:00:00Z (signed)")
    signed_at: datetime = Field(description="the same moment, readable (not signed)")
    root_hash: str = Field(description="RFC 9162 Merkle tree hash of the first tree_size leaves, hex")
    key_id: str = Field(description="SHA-256 of the raw Ed25519 public key, hex")
    signature: str = Field(description="Ed25519 signature over the canonical head bytes, hex")


class SignedHeadPage(BaseModel):
    items: list[SignedHeadView]
    next_after: int | None = Field(description="pass as `after` for the next page; null when this page is the last")


class InclusionProofView(BaseModel):
    """RFC 9162 §2.1.3: the sealed event at ``position`` is leaf ``leaf_index`` of the tree of ``tree_size``."""

    position: int
    leaf_index: int
    tree_size: int
    leaf_hash: str = Field(description="SHA-256(0x00 ‖ leaf), hex")
    root_hash: str = Field(description="the root the path leads to: compare with a signed head of this size")
    inclusion_path: list[str]


class ConsistencyProofView(BaseModel):
    """RFC 9162 §2.1.4: the tree of ``first`` leaves is a prefix of the tree of ``second`` leaves."""

    first: int
    second: int
    first_root: str
    second_root: str
    consistency_path: list[str]


class AuditProblemView(BaseModel):
    kind: str = Field(description="altered, inserted, missing (events), tree (a stored leaf or node) or head")
    detail: str
    position: int | None
    leaf_index: int | None
    tree_size: int | None


class AuditCheckView(BaseModel):
    """The live store compared with its seals (``zeren audit check``)."""

    ok: bool
    summary: str
    tree_size: int = Field(description="leaves sealed when the check began")
    sealed_position: int
    log_head: int
    events_checked: int
    nodes_checked: int
    heads_checked: int
    problem: AuditProblemView | None = Field(description="the first problem in log order; null when all holds")


class PublicKeyView(BaseModel):
    key_id: str
    pem: str = Field(description="the Ed25519 public key (SubjectPublicKeyInfo PEM) heads are signed with")


class ChecklistEntry(BaseModel):
    code: str
    text: str
    basis: str | None
    covered: bool


class FindingEntry(BaseModel):
    finding_no: int
    item_code: str | None
    description: str
    hazard_suspected: bool
    location: str | None


class SpotTestEntry(BaseModel):
    test_no: int
    person_id: UUID
    post_id: UUID
    post_kind: str
    subject: str
    score: float
    max_score: float
    pass_mark: float
    passed: bool


class SignatureEntry(BaseModel):
    inspector_id: UUID
    signed_at: datetime


class CorrectionView(BaseModel):
    version: int
    corrects_version: int
    reason: str
    corrected_by: UUID | None
    actor: str
    findings: list[FindingEntry]
    previous_findings: list[FindingEntry]
    spot_tests: list[SpotTestEntry]
    previous_spot_tests: list[SpotTestEntry]
    effective_at: datetime
    recorded_at: datetime


class InspectionRecord(BaseModel):
    """One inspection's record at ``as_of`` as known at ``known_at``; its corrections as recorded so far."""

    inspection: InspectionView
    experts: list[dict[str, Any]]
    checklist: list[ChecklistEntry]
    findings: list[FindingEntry]
    spot_tests: list[SpotTestEntry]
    signatures: list[SignatureEntry]
    corrections: list[CorrectionView]


class InspectionTotals(BaseModel):
    """Counts of the inspections of one unit (per department: carried out; per enterprise: undergone)."""

    unit_id: UUID
    unit_name: str | None
    unit_kind: str | None
    inspections: int
    completed: int
    enforcement_inspections: int = Field(description="执法检查, 大检查, 暗访, 交叉检查 (count against 零执法)")
    by_kind: dict[str, int]
    unannounced: int
    expert_assisted: int
    findings: int
    hazards_suspected: int
    spot_tests: int
    spot_tests_failed: int
    last_inspected_at: datetime | None


class InspectionPart(BaseModel):
    """The inspection a spot test, signature or finding belongs to."""

    inspection_id: UUID
    kind: str
    title: str
    inspected_at: datetime
    status: str
    target_unit_id: UUID
    target_name: str | None
    inspecting_unit_id: UUID
    inspecting_unit_name: str | None


class SpotTestView(InspectionPart, SpotTestEntry):
    """逢查必考: a person's score (corrections applied)."""

    person_name: str | None
    tested_at: datetime
    corrected_at: datetime | None


class SignatureView(InspectionPart):
    """谁检查、谁签名、谁负责: who signed which record, when, and the digest of what they signed."""

    inspector_id: UUID
    inspector_name: str | None
    signed_at: datetime
    record_digest: str


class FindingView(InspectionPart, FindingEntry):
    found_at: datetime
    corrected_at: datetime | None


class DrawView(BaseModel):
    """A random draw (双随机): seed, the pools as they were, exclusions, result — re-runnable."""

    draw_id: UUID
    department_id: UUID
    department_name: str | None
    plan_id: UUID | None
    seed: str
    algorithm: str
    target_pool: list[UUID]
    inspector_pool: list[UUID]
    targets: int
    inspectors_per_target: int
    exclude_previous_inspector: bool
    exclusions: list[dict[str, Any]]
    result: list[dict[str, Any]]
    rules_version: str | None
    basis: str | None
    jurisdiction: str
    drawn_at: datetime
    recorded_at: datetime


class DrawVerification(BaseModel):
    """The recorded draw re-run from its seed and pools (as stored in the event log)."""

    draw_id: UUID
    algorithm: str
    reproduced: bool
    recorded: list[dict[str, Any]]
    rerun: list[dict[str, Any]]


class PlanView(BaseModel):
    """An annual enforcement plan (年度执法计划), planned against done."""

    plan_id: UUID
    department_id: UUID
    department_name: str | None
    year: int
    key_enterprises: list[UUID]
    scope: str
    focus: list[str]
    content: str
    planned_count: int
    planned_undercover: int
    planned_campaign: int
    done: int = Field(description="completed inspections carried out under the plan")
    done_undercover: int
    done_campaign: int
    key_enterprises_inspected: list[UUID] = Field(
        description="key enterprises the unit's completed enforcement inspections reached that year (全覆盖)")
    document_no: str | None
    revisions: int
    adopted_at: datetime
    revised_at: datetime | None
    jurisdiction: str
    valid_from: datetime = Field(description="these terms in force from")
    recorded_from: datetime = Field(description="… as recorded from")


class TipOutcomeView(BaseModel):
    kind: str = Field(description="what the tip led to: hazard (later also penalty_case, accident)")
    target_id: UUID
    linked_at: datetime


class TipView(BaseModel):
    """A tip as the ledger shows it (举报台账): never who reported it, their contact or the original text."""

    tip_id: UUID
    jurisdiction: str
    receiving_unit_id: UUID = Field(description="受理单位: it verifies and pays the reward (谁受理、谁奖励)")
    receiving_unit_name: str | None
    channel: str = Field(description="hotline_12350, hotline_12345, web, letter, visit or internal_whistleblower")
    channel_term: str
    subject_kind: str = Field(description="unit, hazard or concealed_accident (瞒报谎报事故)")
    subject_unit_id: UUID | None
    subject_hazard_id: UUID | None
    subject_description: str
    occurred_on: date | None
    summary: str = Field(description="the public summary written by the officer")
    anonymous: bool
    received_at: datetime
    recorded_at: datetime
    status: str = Field(description="received, substantiated, unsubstantiated, reward_proposed or reward_paid")
    status_term: str
    verdict: str | None = Field(description="substantiated (属实) or unsubstantiated (不属实)")
    finding: str | None
    verified_at: datetime | None
    verified_by: UUID | None
    referred_to_id: UUID | None = Field(description="the safety committee a concealed accident went to")
    outcomes: list[TipOutcomeView]
    reward_outcome_id: UUID | None = Field(description="the matter rewarded")
    reward_grounds: str | None = Field(description="major_hazard, illegal_act or concealed_accident")
    reward_yuan: str | None = Field(description="the reward proposed, in yuan (exact decimal)")
    reward_formula: str | None
    reward_document_no: str | None = Field(description="行政处罚决定书文号 or 事故调查报告")
    reward_rules_version: str | None
    reward_proposed_at: datetime | None
    reward_paid_at: datetime | None
    payment_ref: str | None
    payer_id: UUID | None
    feedback_count: int
    last_feedback_at: datetime | None
    disclosures: int = Field(description="how often a tip officer opened the sealed identity (each one recorded)")
    last_disclosed_at: datetime | None
    identity_shredded_at: datetime | None
    version: int


class FlagView(BaseModel):
    """An oversight flag (督查提示) as known at ``known_at``."""

    flag_id: UUID
    kind: str = Field(description="zero_enforcement (零执法) or leader_inspection_missed (领导带队检查缺失)")
    term: str
    period: str = Field(description="the calendar month, YYYY-MM")
    subject_id: UUID = Field(description="the department, or the leader (person)")
    unit_id: UUID | None
    unit_name: str | None
    person_name: str | None
    post_id: UUID | None
    jurisdiction: str
    found: int = Field(description="enforcement inspections, or inspections led, counted for the month")
    required: int | None
    raised_at: datetime
    recorded_at: datetime
    basis: str | None
    rules_version: str | None
    withdrawn: bool
    withdrawn_at: datetime | None
    withdraw_reason: str | None


class EnforcementRow(BaseModel):
    """A department with supervisory duties and its completed enforcement inspections in a month."""

    department_id: UUID
    department_name: str
    jurisdiction: str
    inspections: int
    zero_enforcement: bool = Field(description="flagged 零执法 for the month (and not withdrawn)")


class CertificateThen(CertificateView):
    valid: bool = Field(description="valid on the as_of day (not revoked, issued, not expired)")


class PersonInPost(BaseModel):
    """Someone holding a post of the enterprise at ``as_of``, with their certificates."""

    person_id: UUID
    name: str | None
    post_id: UUID
    post_title: str | None
    post_kind: str | None
    requires: list[str] = Field(description="certificates the post requires (安全生产法 第27、30条)")
    held_from: datetime
    certificates: list[CertificateThen]


class OnePlusNSummary(BaseModel):
    hazards_open: int
    hazards_overdue: int
    major_hazards_open: int
    inspections: int
    last_inspected_at: datetime | None
    duties: int
    posts_vacant: int = Field(description="posts with duties and nobody holding them")
    certificates_invalid: int


class OnePlusN(BaseModel):
    """The enterprise "1+N" ledger ("1+N" 电子台账): the master record and its thematic ledgers at one moment."""

    unit: UnitView
    summary: OnePlusNSummary
    hazards: list[HazardView]
    inspections: list[InspectionView]
    people: list[PersonInPost]
    duties: list[DutyInForce]
