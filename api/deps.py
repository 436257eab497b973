"""Shared pieces of the routers: running commands, reading consistently, request bodies from commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, create_model

from api.auth import authenticated
from api.bootstrap import System
from api.problems import ApiError
from application.authorization import READERS, Forbidden, Principal
from application.commands import Bounded, Command
from domain.bounds import Moment, Position
from infrastructure.following import wait_for

T = TypeVar("T")


async def system(request: Request) -> System:
    """The app's system. The dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency in
    its thread pool, a hop per dependency and request (issue #15: the ledger page spent more in hops than in SQL)."""
    return request.app.state.system


SystemDep = Annotated[System, Depends(system)]
PrincipalDep = Annotated[Principal, Depends(authenticated)]


async def reader(principal: PrincipalDep) -> Principal:
    """A caller allowed to read ledgers and dashboards."""
    if principal.role not in READERS:
        raise Forbidden("role-not-allowed", f"the role {principal.role} may not read ledgers")
    return principal


ReaderDep = Annotated[Principal, Depends(reader)]


async def official(principal: ReaderDep) -> Principal:
    """A reader who is an official: enterprise users only ever see their own enterprise's records."""
    if principal.role == "enterprise":
        raise Forbidden("role-not-allowed", "an enterprise user reads only its own enterprise's records")
    return principal


OfficialDep = Annotated[Principal, Depends(official)]


def own_unit(principal: Principal, unit_id: UUID | None) -> UUID | None:
    """The unit a query is narrowed to: an enterprise user's own enterprise, whatever it asked for."""
    if principal.role != "enterprise":
        return unit_id
    if unit_id is not None and unit_id != principal.unit_id:
        raise Forbidden("other-enterprise", "an enterprise user reads only its own enterprise's records")
    return principal.unit_id


KEY_LENGTH = 200
"""The longest ``Idempotency-Key``."""
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=KEY_LENGTH,
           description="A client-chosen key: a repeat returns the first result and writes nothing"),
]
CorrelationId = Annotated[
    UUID | None, Header(alias="X-Correlation-ID", description="Ties this command to others of the same case"),
]


def consistent(*names: str) -> Callable[..., Awaitable[None]]:
    """A dependency: wait (bounded) until the named projections have reached ``min_position``.

    A position the log has not reached is refused at once (422), and so is waiting on a projection that is stuck
    before it (503 naming it: it will not get there by waiting)."""

    async def wait(
        system: SystemDep,
        min_position: Annotated[Position | None, Query(description="read your own writes: wait for this position")]
        = None,
    ) -> None:
        if min_position is not None:  # the wait blocks: in the thread pool, as a plain dependency would be
            await run_in_threadpool(waited, system, min_position)

    def waited(system: System, min_position: int) -> None:
        if min_position > system.store.head():
            raise ApiError(422, "position-not-written", "Position not written",
                           f"min_position {min_position} is beyond the last position written to the log")
        if wait_for(system.db, names, min_position, 0):
            return
        stuck = [f for name, f in system.runner.health.failures().items()
                 if name in names and (f.position is None or f.position <= min_position)]
        if stuck:
            raise ApiError(503, "projection-stuck", "Read model stuck",
                           "; ".join(f"the read model {f.name} cannot process log position {f.position}: {f.error}"
                                     for f in stuck))
        if not wait_for(system.db, names, min_position, system.settings.projection_wait_seconds):
            raise ApiError(503, "projection-behind", "Read model not caught up",
                           f"the read model has not reached position {min_position} yet; retry shortly")

    return wait


def body_of(command: type[Command], *path_fields: str) -> type[BaseModel]:
    """The request body of a command whose ids come from the path: the command minus those fields."""
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in command.model_fields.items() if name not in path_fields
    }
    model = create_model(f"{command.__name__}Request", __base__=Bounded, **fields)
    model.__doc__ = command.__doc__
    return model


def moment(value: datetime | None) -> datetime:
    return value or datetime.now(UTC)


AsOf = Annotated[Moment | None, Query(description="effective time to look at (default: now)")]
KnownAt = Annotated[Moment | None, Query(description="recorded time: what the system knew then (default: now)")]


def sort_query(keys: Iterable[str]) -> Any:
    """The ``sort`` parameter of a ledger (``projections.sorting``): one key of its allow-list, ``-`` before it for
    descending; any other value is refused (422, problem+json) before the query runs."""
    names = sorted(keys)
    return Query(pattern=f"^-?({'|'.join(names)})$", max_length=64,
                 description=f"sort the whole ledger by one of {', '.join(names)} (-key: descending); ties by id")


@dataclass(frozen=True)
class Page:
    """A bounded page of a list answer: every list endpoint pages by default (issue #15), ``limit`` rows from
    ``offset`` in the endpoint's own order."""

    limit: int
    offset: int

    def of(self, rows: Sequence[T]) -> list[T]:
        return list(rows[self.offset:self.offset + self.limit])


async def page(limit: Annotated[Position, Query(ge=1, le=5000, description="at most this many rows")] = 500,
         offset: Annotated[Position, Query(ge=0, description="rows to skip")] = 0) -> Page:
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(page)]
