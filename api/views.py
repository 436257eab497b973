"""Response models of the read side: what the API returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
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


class PostView(BaseModel):
    post_id: UUID
    unit_id: UUID
    title: str
    kind: str
    first_responsible: bool
    portfolio: list[str]
    requires: list[str]
    category: str | None
    capacity: int | None
    abolished: bool
    holders: int
    jurisdiction: str


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
    certificates: list[CertificateView] = []


class SectorLeadView(BaseModel):
    territory_id: UUID
    sector: str
    department_id: UUID
    clause: str
    jurisdiction: str
    decided_at: datetime


class ListView(BaseModel):
    list_id: UUID
    unit_id: UUID
    kind: str
    year: int | None
    title: str
    published_version: int
    document_no: str | None
    published_at: datetime | None
    duties: int
    jurisdiction: str


class Publication(BaseModel):
    version: int
    document_no: str
    digest: str = Field(description="SHA-256 over the version's duties (canonical JSON)")
    duty_ids: list[UUID]
    effective_at: datetime
    recorded_at: datetime


class DutyInForce(BaseModel):
    """A duty in force at ``as_of`` and whoever held its post then (null when the post was vacant)."""

    duty_id: UUID
    list_id: UUID
    list_kind: str
    unit_id: UUID
    unit_name: str | None
    post_id: UUID
    post_title: str | None
    line: str
    scope: list[str]
    text: str
    source_document: str
    jurisdiction: str
    duty_from: datetime
    duty_to: datetime | None
    person_id: UUID | None
    person_name: str | None
    held_from: datetime | None
    held_to: datetime | None


class ListDetail(BaseModel):
    """A responsibility list with the duties in force at ``as_of`` and its published versions."""

    list: ListView
    duties: list[DutyInForce]
    publications: list[Publication]


class Holding(BaseModel):
    post_id: UUID
    person_id: UUID
    unit_id: UUID
    jurisdiction: str
    document: str | None
    end_reason: str | None
    valid_from: datetime
    valid_to: datetime | None
    recorded_from: datetime
    recorded_to: datetime | None


class DutyInterval(BaseModel):
    """A person held a duty (through a post) from ``from`` to ``to`` (null: still)."""

    person_id: UUID
    post_id: UUID
    unit_id: UUID
    duty_id: UUID
    line: str
    text: str
    scope: list[str]
    source_document: str
    list_kind: str
    held_from: datetime = Field(alias="from")
    held_to: datetime | None = Field(alias="to")

    model_config = {"populate_by_name": True}


class Gap(BaseModel):
    gap: str
    term: str
    unit_id: UUID | None
    unit_name: str | None
    jurisdiction: str
    detail: str
    post_id: UUID | None = None
    person_id: UUID | None = None


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


class Replay(BaseModel):
    aggregate_id: UUID
    type: str
    version: int
    state: dict[str, Any]
    events: list[dict[str, Any]]


class PublishedEvent(BaseModel):
    """A published event: a CloudEvents 1.0 structured envelope, the same as on Kafka (docs/stream.md); the JSON
    Schema of each type is at ``/api/v1/schemas/{type}``. Optional ``zeren…`` attributes appear when present."""

    model_config = {"extra": "allow"}

    specversion: str
    id: str = Field(description="stable event id: dedupe on it")
    source: str = Field(description="zeren://<deployment>/<jurisdiction>")
    type: str = Field(description="cn.zeren.<context>.<Event>.v<N>")
    subject: str = Field(description="aggregate id (the Kafka key)")
    time: str = Field(description="recorded time, RFC 3339")
    datacontenttype: str
    zerenposition: int = Field(description="log position; the feed's cursor")
    zerenversion: int = Field(description="aggregate version: 1, 2, 3 … per subject, without gaps")
    zereneffective: str = Field(description="effective time, RFC 3339")
    data: dict[str, Any] = Field(description="the event's public fields (redacted fields never appear)")


class EventPage(BaseModel):
    items: list[PublishedEvent] = Field(description="envelopes in log order")
    next_after: int = Field(description="pass as `after` for the next page: the last log position this page "
                                        "covered, even when the filter matched few events; `after` when nothing new")
