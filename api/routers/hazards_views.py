"""Response models of ``api.routers.hazards``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


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
    order_authority_id: UUID | None = Field(description="the department that ordered the rectification (责令限期整改)")
    ordered_at: datetime | None
    order_document_no: str | None = Field(description="文书编号 of the order (指令书)")
    resumed_at: datetime | None = Field(description="suspended work resumed by the authority's review (恢复生产经营)")
    self_reported_exemption: bool = Field(description="自查自报 and fixed as planned: not penalised (seed 004)")


# --- inspections (检查台账) --------------------------------------------------------------------------------------


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


class HazardFact(BaseModel):
    """One counted fact behind a statistics figure: which hazard, what happened to it and when."""

    hazard_id: UUID
    version: int = Field(description="the hazard's version the event made")
    metric: str = Field(description="found, fixed, overdue, listed, escalated or reopened")
    occurred_at: datetime = Field(description="when it happened (effective time)")
    day_on: date
    month: str
    jurisdiction: str
    unit_id: UUID
    unit_name: str | None
    sector: str
    grade: str = Field(description="the grade it had then")
    colour: str | None = Field(description="the unit's risk colour then (红橙黄蓝)")
    description: str | None = Field(description="the hazard's description now")
    status: str | None = Field(description="the hazard's status now")
    status_term: str | None
