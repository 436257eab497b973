"""Response models of ``api.routers.inspections``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


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
