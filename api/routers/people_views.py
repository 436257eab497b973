"""Response models of ``api.routers.people``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field


class CertificateView(BaseModel):
    number: str
    kind: str
    operation: str | None
    issuer: str
    issued_on: date
    expires_on: date
    revoked: bool


class PersonView(BaseModel):
    person_id: UUID
    name: str
    id_number: str = Field(description="居民身份证号, masked unless your role needs it whole and you asked (reveal)")
    jurisdiction: str
    registered_at: datetime
    last_trained_on: date | None = Field(default=None, description="the last day of a safety training the person "
                                         "passed (安全教育培训, 安全生产法 第28条)")
    certificates: list[CertificateView] = []
