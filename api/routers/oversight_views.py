"""Response models of ``api.routers.oversight``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


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
    """A department that supervised something in the month: its completed enforcement inspections and the penalties
    it decided then."""

    department_id: UUID
    department_name: str
    jurisdiction: str
    inspections: int = Field(description="completed enforcement inspections (not enforcement acts by themselves)")
    penalties: int = Field(description="penalty decisions with a fine, decided in the month")
    zero_enforcement: bool = Field(description="flagged 零执法 for the month (and not withdrawn)")
    zero_penalty: bool = Field(description="flagged 零处罚 for the month (and not withdrawn)")
