"""Response models of ``api.routers.projections``: the read models' progress, field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ProjectionStatusView(BaseModel):
    """One read model (projection): how far it has read the event log (``infrastructure.following.Runner``)."""

    name: str = Field(description="the projection's name, e.g. hazard_ledger")
    version: int = Field(description="the version of its code; a new version is rebuilt into shadow tables")
    position: int = Field(description="the last log position its live tables reflect")
    head: int = Field(description="the log's head when this was read")
    lag: int = Field(description="events it has still to read: head − position")
    rebuilding: bool = Field(description="its version changed: readers see its old tables until the rebuild, in "
                                         "shadow tables, catches up and is swapped in")
    updated_at: datetime | None = Field(description="when its position last moved")
    failed_at_position: int | None = Field(description="while it is stuck: the log position it cannot process")
    error: str | None = Field(description="while it is stuck: why")


class ReadModelsView(BaseModel):
    head: int = Field(description="the event log's head")
    items: list[ProjectionStatusView] = Field(description="every registered read model, by name")
