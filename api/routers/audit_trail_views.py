"""Response models of ``api.routers.audit_trail``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


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
