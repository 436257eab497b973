"""Response models of ``api.routers.projections``: the read models' progress, field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RebuildView(BaseModel):
    """A rebuild under way: its shadow tables' own progress through the log, batch by batch."""

    position: int = Field(description="the last log position the shadow tables reflect")
    target: int = Field(description="the log's head: the rebuild is swapped in once it has reached it")
    lag: int = Field(description="events the rebuild has still to read: target − position")
    updated_at: datetime = Field(description="when the rebuild last moved")
    stalled: bool = Field(description="it has not moved for two minutes: its process may have died, and another "
                                      "may take it over")


class ProjectionStatusView(BaseModel):
    """One read model (projection): how far it has read the event log (``infrastructure.following.Runner``)."""

    name: str = Field(description="the projection's name, e.g. hazard_ledger")
    version: int = Field(description="the version of its code; a new version is rebuilt into shadow tables")
    position: int = Field(description="the last log position its live tables reflect")
    head: int = Field(description="the log's head when this was read")
    lag: int = Field(description="events it has still to read: head − position")
    rebuilding: bool = Field(description="it is being rebuilt (its version changed, or an operator asked): readers "
                                         "see its old tables until the rebuild, in shadow tables, catches up and "
                                         "is swapped in")
    rebuild: RebuildView | None = Field(description="while the shadow tables are being filled: their progress "
                                                    "(``position`` stays the live tables' until the swap); none "
                                                    "while a changed read model waits for its rebuild to start")
    updated_at: datetime | None = Field(description="when its position last moved")
    failed_at_position: int | None = Field(description="while it is stuck: the log position it cannot process")
    error: str | None = Field(description="while it is stuck: why")


class ReadModelsView(BaseModel):
    head: int = Field(description="the event log's head")
    items: list[ProjectionStatusView] = Field(description="every registered read model, by name")
