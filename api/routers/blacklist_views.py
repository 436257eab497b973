"""Response models of ``api.routers.blacklist``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class PublicListing(BaseModel):
    """A listing as it may be published (公示): the unit, the ground, who decided, the dates — no person."""

    unit_id: UUID
    unit_name: str | None
    ground: str = Field(description="the ground (列入情形): major_accident, serious_accidents, …")
    ground_text: str = Field(description="the ground in the words of 应急管理部令第11号")
    department_name: str | None = Field(description="the deciding department (谁处罚、谁决定、谁负责)")
    decision_no: str | None
    listed_on: date
    expires_on: date = Field(description="the end of the term (管理期限 3 years)")


class ListingView(BaseModel):
    """A listing with its whole record, for officials."""

    listing_id: UUID
    unit_id: UUID
    unit_name: str | None
    jurisdiction: str
    ground: str
    ground_text: str
    accident_ids: list[UUID] = Field(description="the accidents that met the ground")
    evidence: list[dict[str, Any]] = Field(description="the records named as evidence for other grounds")
    status: str = Field(description="as recorded now: proposed, listed, declined or removed")
    state: str = Field(description="on the day asked: proposed, listed, declined, removed or expired (期满)")
    proposed_at: datetime
    decided_at: datetime | None
    department_id: UUID | None
    department_name: str | None
    person_id: UUID | None = Field(description="the main responsible person listed with the unit")
    decision_no: str | None
    listed_on: date | None
    expires_on: date | None
    removed_on: date | None = Field(description="removed early on application (提前移出)")
    notices: list[dict[str, Any]] = Field(description="joint-discipline notices (联合惩戒): recipients, measures, day")
