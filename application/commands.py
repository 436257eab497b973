"""The base of every command: what the client may say besides the content (never who it is)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Command(BaseModel):
    """A request to change something. Who sends it comes from authentication, not from these fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: ClassVar[frozenset[str]] = frozenset({"admin"})
    """Roles allowed to send it."""
    action: ClassVar[str] = "change records"
    """What it does, for error messages: "the role viewer may not <action>"."""

    effective_at: AwareDatetime | None = Field(
        default=None, description="When it happened in the world (time zone required); defaults to now."
    )
    basis: str | None = Field(
        default=None, max_length=300, description="The document or rule it rests on, e.g. 泉港城管〔2022〕149号 §16"
    )


class Targeted(Command):
    """A command on an existing aggregate, with optimistic concurrency."""

    expected_version: int | None = Field(
        default=None, ge=1,
        description="The aggregate version the client last saw; if it has moved on, the command is refused (409).",
    )
