"""Response models of ``api.routers.events``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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
