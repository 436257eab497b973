"""Response models of ``api.routers.orders``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field


class OrderView(BaseModel):
    """An order on the spot (责令限期整改 / 责令暂时停产停业, 安全生产法 第65条第一款) and how it stands."""

    order_id: UUID = Field(description="the id of the event that made the order")
    hazard_id: UUID
    unit_id: UUID
    unit_name: str | None
    jurisdiction: str
    grade: str = Field(description="the hazard's grade when ordered: general or major")
    authority_id: UUID = Field(description="the department that ordered it")
    issued_by: UUID = Field(description="the inspector who signed the order")
    document_no: str | None = Field(description="文书编号 of the 指令书, given by the department's register (per "
                                                "department, series and year; never reused)")
    mode: str = Field(description="deadline (责令限期整改) or suspension (责令暂时停产停业)")
    requirements: str
    issued_at: datetime
    ordered_deadline_on: date = Field(description="the deadline as ordered")
    deadline_on: date | None = Field(description="the deadline in force (after any extension)")
    status: str = Field(description="the hazard's status under this order (docs/glossary.md)")
    current: bool = Field(description="the hazard's order in force (false once a follow-up review reopened it)")
    reinspected_at: datetime | None = Field(description="the latest re-inspection (复查)")
    complied_at: datetime | None = Field(description="the re-inspection that accepted the rectification")
    reinspection_due_on: date | None = Field(description="the last day of the re-inspection (复查) while one is "
                                                         "awaited: the order's deadline bounds it (local practice, "
                                                         "docs/cases.md)")
    closed_at: datetime | None


class SuspensionView(BaseModel):
    """Work stopped (停产停业) for a hazard, and whether and how it resumed."""

    suspension_id: UUID
    hazard_id: UUID
    unit_id: UUID
    unit_name: str | None
    jurisdiction: str
    authority_id: UUID | None = Field(description="the department whose order stopped it")
    scope: str = Field(description="what stopped")
    reason: str
    suspended_at: datetime
    resumed_at: datetime | None = Field(description="resumed by the authority's review (恢复生产经营), at as_of")
    lifted_by: str | None = Field(description="review (经审查同意), or close_out for close-outs before that rule")
    reviewer_id: UUID | None
