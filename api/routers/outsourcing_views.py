"""Response models of ``api.routers.outsourcing``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field


class ReviewView(BaseModel):
    """A review of the contractor (承包单位动态审核, seed 000 ¶18)."""

    no: int
    reviewed_on: date
    qualification_valid: bool = Field(description="资质有效性")
    discredited: bool = Field(description="失信情况: on a list of discredited entities")
    safety_management_adequate: bool = Field(description="安全管理情况")
    findings: str | None
    outcome: str = Field(description="retained (继续使用) or cleared_out (清退)")
    next_due: date | None = Field(description="when the next review falls due (local practice)")


class OutsourcingView(BaseModel):
    """A contracting-out or leasing-out relation (外包外租; 安全生产法 第49条) and what its record lacks."""

    outsourcing_id: UUID
    unit_id: UUID
    unit_name: str | None = Field(description="the unit that contracts out or leases out (发包单位、出租单位)")
    contractor_id: UUID
    contractor_name: str | None = Field(description="the contractor or lessee (承包单位、承租单位)")
    jurisdiction: str
    kind: str = Field(description="contracting (发包), leasing (出租), entrustment (委托) or cooperation (合作)")
    kind_term: str
    scope: str = Field(description="the project, premises or equipment")
    agreement: str = Field(description="safety_agreement, in_contract or none (第49条第2款)")
    agreement_term: str
    qualification: str | None = Field(description="the contractor's qualification or safety conditions as shown")
    starts_on: date
    ends_on: date | None = Field(description="the agreed end (none: open-ended)")
    ended_on: date | None = Field(description="ended early from this day")
    recorded_at: datetime
    reviews: list[ReviewView] = Field(description="the reviews of the contractor held by the day (动态审核)")
    concerns: list[str] = Field(description="what the record lacks: no_agreement, no_qualification_shown, "
                                            "never_reviewed, review_overdue, retained_despite_findings")
