"""The base of every command: what the client may say besides the content (never who it is)."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from domain.bounds import Moment, Position, violations


class Bounded(BaseModel):
    """A request whose every value keeps the bounds of ``domain.bounds`` (text, integers, times and days, nested
    values included): checked here once for every command and request body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="wrap")
    @classmethod
    def _within_bounds(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        model = handler(data)
        errors = [InitErrorDetails(type=PydanticCustomError("out-of-bounds", message), loc=loc, input=None)
                  for loc, message in violations(model, data)]
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return model


class Command(Bounded):
    """A request to change something. Who sends it comes from authentication, not from these fields."""

    roles: ClassVar[frozenset[str]] = frozenset({"admin"})
    """Roles allowed to send it."""
    action: ClassVar[str] = "change records"
    """What it does, for error messages: "the role viewer may not <action>"."""

    effective_at: Moment | None = Field(
        default=None, description="When it happened in the world (RFC 3339 with its offset); defaults to now. "
                                  "Within 1949-10-01 .. the time it is recorded plus 366 days."
    )
    basis: str | None = Field(
        default=None, max_length=300, description="The document or rule it rests on, e.g. 泉港城管〔2022〕149号 §16"
    )


class Targeted(Command):
    """A command on an existing aggregate, with optimistic concurrency."""

    expected_version: Position | None = Field(
        default=None, ge=1,
        description="The aggregate version the client last saw; if it has moved on, the command is refused (409).",
    )
