"""The FastAPI application: ``/api/v1`` with one router per bounded context, problem+json errors, ``/healthz``."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field

from api import problems, web
from api.bootstrap import System, bootstrap
from api.request_bounds import RequestBounds
from api.routers import (
    accidents,
    accountability,
    assessments,
    audit,
    audit_trail,
    blacklist,
    cases,
    dossiers,
    events,
    hazards,
    inspections,
    investigations,
    one_plus_n,
    orders,
    organisation,
    outsourcing,
    oversight,
    people,
    projections,
    responsibility,
    schemas,
    tips,
)
from infrastructure.memory import settle
from infrastructure.settings import Settings
from infrastructure.stream.relay import relay_statuses

API_PREFIX = "/api/v1"
DESCRIPTION = """
Zeren (责任) is the event-sourced system of record for work-safety accountability (安全生产责任制).

Every change is a command that writes immutable events; reads come from projections that follow the event log.
Authenticate with `Authorization: Bearer <token>` (make one with `zeren token issue`). Every read and write is
scoped to the token's jurisdiction. Commands accept an `Idempotency-Key` header; their response carries the log
`position`, which a query can pass as `min_position` to read its own writes. Errors are RFC 9457 problem+json.
"""


class ProjectionHealth(BaseModel):
    name: str
    position: int
    lag: int
    error: str | None = None
    """Why it is stuck, while it is (it cannot process the event after ``position``)."""


class RelayHealth(BaseModel):
    """A Kafka relay's progress (``zeren relay`` runs in its own process; this reads its tracking row)."""

    name: str
    position: int
    lag: int
    updated_at: datetime | None
    error: str | None = None
    """Why it is stuck (a broker outage, an event it cannot publish), while it is."""


class FollowerFailureView(BaseModel):
    """A follower that cannot go on: where it stopped and why."""

    name: str
    position: int | None = Field(description="the log position it could not process, when known")
    error: str
    failed_at: datetime


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        description="`degraded` (HTTP 503) while any follower (projection, relay, sealer, worker) is stuck")
    database: str
    head: int
    projections: list[ProjectionHealth]
    relays: list[RelayHealth] = []
    failures: list[FollowerFailureView] = []


def create_app(system: System, *, follow: bool = True) -> FastAPI:
    """The API on ``system``. With ``follow``, the projections run inside this process (the embedded mode)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threads = []
        if follow:
            for target in [system.runner.run, *system.followers]:
                thread = threading.Thread(target=target, args=(stop,), daemon=True,
                                          name=f"follow-{getattr(target, '__qualname__', target)}")
                thread.start()
                threads.append(thread)
        yield
        stop.set()
        system.runner.wake()
        system.audit.sealer.wake()
        for thread in threads:
            thread.join(timeout=5)

    app = FastAPIOffline(title="Zeren", version="1.0", description=DESCRIPTION, lifespan=lifespan,
                         openapi_url=f"{API_PREFIX}/openapi.json", docs_url=f"{API_PREFIX}/docs", redoc_url=None,
                         static_url=f"{API_PREFIX}/docs-static")  # the docs page works offline: no CDN
    app.state.system = system
    app.add_middleware(RequestBounds)
    problems.install(app)
    problems.document(app)
    for router in (organisation.router, people.router, responsibility.router, inspections.router, hazards.router,
                   one_plus_n.router,
                   tips.router, oversight.router, audit_trail.router, audit.router, events.router, schemas.router,
                   accidents.router, investigations.router, dossiers.router, cases.router,
                   accountability.router, assessments.router, orders.router,
                   blacklist.router, outsourcing.router, projections.router):
        app.include_router(router, prefix=API_PREFIX)
    web.mount(app)

    @app.get("/healthz", tags=["health"], summary="Liveness, database, projection and relay lag; stuck followers",
             response_model=Health, responses={503: {"model": Health, "description": "a follower is stuck"}})
    def healthz() -> JSONResponse:
        status = system.runner.status()
        failures = system.runner.health.failures()
        health = Health(
            status="degraded" if failures else "ok", database=system.db.dialect,
            head=status[0]["head"] if status else 0,
            projections=[ProjectionHealth(name=s["name"], position=s["position"], lag=s["lag"], error=s["error"])
                         for s in status],
            relays=[RelayHealth(name=r.name, position=r.position, lag=r.lag, updated_at=r.updated_at, error=r.error)
                    for r in relay_statuses(system.db, system.store, system.settings.kafka_topic)],
            failures=[FollowerFailureView(name=f.name, position=f.position, error=f.error, failed_at=f.failed_at)
                      for f in failures.values()])
        return JSONResponse(health.model_dump(mode="json"), status_code=503 if failures else 200)

    return app


def worker_app() -> FastAPI:
    """The app of one of ``zeren serve --workers N``'s processes (PostgreSQL): a system of its own on the
    environment's settings — its own pools, aggregate cache and group commit — and no followers: they run once, in
    the server's child process (``api.follower_process``). Several processes may write at once: every save takes
    the events table's lock and checks the versions its command decided on, so a worker whose cached state another
    worker has moved on decides that command again (``infrastructure.eventstore.EventStore.save``); an idempotency
    key used in two workers at once is stored once (the receipts' primary key), the second answer replays the
    first (``application.service.Zeren``); reads wait for the read models' durable positions, as in one process."""
    system = bootstrap(Settings())
    settle()
    return create_app(system, follow=False)
