"""Response models of ``api.routers.accidents``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class AccidentRow(BaseModel):
    """An accident of the ledger (事故台账) as it stood on the day asked, as known then."""

    accident_id: UUID
    unit_id: UUID
    unit_name: str | None
    jurisdiction: str
    sector: str
    kind: str = Field(description="work, road_traffic or fire")
    kind_term: str
    occurred_at: datetime
    place: str
    description: str
    known_from: str = Field(description="how the authorities first learned of it: unit_report, tip, police, hospital")
    learned_at: datetime = Field(description="when the authorities first learned of it")
    grade: str = Field(description="事故等级 (493号令 第3条): general, serious, major, extraordinary")
    grade_term: str
    deaths: int
    missing: int
    serious_injuries: int
    direct_loss_yuan: int
    reports: int = Field(description="reports of the chain received (首报, 逐级上报, 补报)")
    flags: int = Field(description="irregularities of the reporting chain flagged (迟报, 漏报, …)")
    concealment_suspected: bool = Field(description="瞒报 suspected")
    listed_by_id: UUID | None = Field(description="the safety committee that listed it (挂牌督办)")


class AccidentsByGrade(BaseModel):
    """The accidents of a grade in the period, and what they cost (the dashboard's accidents by grade)."""

    grade: str
    grade_term: str
    accidents: int
    deaths: int
    missing: int
    serious_injuries: int
    direct_loss_yuan: int
