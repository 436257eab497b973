"""Response models of ``api.routers.organisation``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime
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


class SectorLeadView(BaseModel):
    territory_id: UUID
    sector: str
    department_id: UUID
    clause: str
    jurisdiction: str
    decided_at: datetime


class ColourCount(BaseModel):
    """Enterprises of a jurisdiction in a risk colour (企业安全风险分级: 红橙黄蓝)."""

    jurisdiction: str
    colour: str | None = Field(description="red, orange, yellow, blue; null: not yet graded")
    count: int
