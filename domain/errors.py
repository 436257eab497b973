"""Domain errors: every rejection names what was wrong, so the API can answer with a specific problem."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A command was refused. ``code`` is a stable slug; ``detail`` a sentence a person can act on."""

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Command rejected by a domain rule"

    def __init__(self, code: str, detail: str, *, field: str | None = None, basis: str | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field
        self.basis = basis


class Rejected(DomainError):
    """The command breaks a rule of the domain (422)."""


class NotFound(DomainError):
    """The command or query names something that does not exist (404)."""

    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The command clashes with the current state or a concurrent write (409)."""

    status = 409
    title = "Conflict with the current state"
