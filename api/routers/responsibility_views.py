"""Response models of ``api.routers.responsibility``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

import builtins
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


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
    duties: builtins.list[DutyInForce]
    publications: builtins.list[Publication]


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
