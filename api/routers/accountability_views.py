"""Response models of ``api.routers.accountability``: a person's record and a jurisdiction's board per year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class ActView(BaseModel):
    """One entry of a person's record: an act of accountability (问责), 尽职免责, or a commendation (表彰)."""

    no: int
    kind: str = Field(description="accountability (问责), exoneration (尽职免责) or commendation (表彰)")
    form: str | None = Field(description="通报、诫勉、停职检查、调整职务、责令辞职、降职、免职、处分 (code)")
    form_term: str | None
    title: str | None = Field(description="the commendation's title")
    person_id: UUID
    person_name: str | None
    post_id: UUID | None = Field(description="the post held at held_at, as recorded with the act")
    post_title: str | None
    unit_id: UUID | None
    unit_name: str | None
    held_at: datetime | None
    held_from: datetime | None
    held_to: datetime | None
    appointment_id: UUID | None = Field(description="the appointment (HolderAppointed) that began the holding")
    finding: dict[str, Any] | None = Field(description="kind, record_id and finding_no the act rests on")
    issuer_unit_id: UUID | None
    decided_on: date
    barred_until: date | None = Field(description="end of the bar on commendation and promotion")
    document: str | None
    basis: str | None
    recorded_at: datetime


class SlipRow(BaseModel):
    """A 交办单 / 督办单 with its report-back, as of now (or as of ``as_of``)."""

    slip_id: UUID
    kind: str
    issuer_unit_id: UUID
    target_unit_id: UUID
    target_name: str | None
    jurisdiction: str
    matter: str
    issued_at: datetime
    deadline: datetime
    answered_at: datetime | None
    report: str | None
    open: bool = Field(description="no report-back yet")
    late: bool = Field(description="past its deadline unanswered, or answered after it")
    late_flagged: bool = Field(description="the policy flagged the report-back late or missing (办结反馈逾期)")


class SummonsRow(BaseModel):
    """A 约谈: who was summoned (as holders of which posts), the record and the commitments with their follow-up."""

    summons_id: UUID
    issuer_unit_id: UUID
    target_unit_id: UUID
    target_name: str | None
    jurisdiction: str
    held_at: datetime
    record: str
    summoned: list[dict[str, Any]]
    commitments: list[dict[str, Any]]
    finding: dict[str, Any] | None


class NoticeRow(BaseModel):
    """A 提醒函, 警示函 or 通报."""

    notice_id: UUID
    kind: str
    issuer_unit_id: UUID
    target_unit_ids: list[UUID]
    jurisdiction: str
    matter: str
    issued_at: datetime
    finding: dict[str, Any] | None


class VetoRow(BaseModel):
    """A consequence of the assessment veto a town's year reached (seed 001 ¶30), found once by the policy."""

    finding_id: UUID
    territory_id: UUID
    territory_name: str | None
    year: int
    consequence: str = Field(description="admonition_of_deputies, admonition_of_main_leaders or assessment_veto")
    term: str
    illegal_acts: int
    fatal_accidents: int
    department_ids: list[UUID]
    reasons: list[str]
    found_at: datetime
    basis: str | None
    rules_version: str | None


class BoardView(BaseModel):
    """A jurisdiction's accountability board for a calendar year."""

    year: int
    slips: list[SlipRow]
    slips_open: int
    slips_late: int
    summons: list[SummonsRow]
    notices: list[NoticeRow]
    vetoes: list[VetoRow] = Field(description="the veto status: each consequence found for a town this year")


class DepartmentVetoFinding(BaseModel):
    finding_id: UUID
    territory_id: UUID
    territory_name: str | None
    consequence: str
    illegal_acts: int
    fatal_accidents: int
    found_at: datetime


class DepartmentVetoRow(BaseModel):
    """A department (行业主管部门) the year's veto findings name (seed 001 ¶30), with its status."""

    department_id: UUID
    department_name: str | None
    year: int
    vetoed: bool = Field(description="a finding of 一票否决 names it this year")
    findings: list[DepartmentVetoFinding]
