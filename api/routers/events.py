"""The HTTP event feed for systems without Kafka: the published envelopes in log order, scoped to a jurisdiction.

``GET /events`` pages (with an optional long-poll), ``GET /events/live`` tails with Server-Sent Events. Both serve
exactly the envelopes the relay publishes to Kafka (``infrastructure.stream.envelope``), only those of the caller's
jurisdiction subtree, to the roles ``stream``, ``auditor`` and ``admin`` (docs/architecture.md §7, §9; docs/stream.md).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from functools import cache
from typing import Annotated

import orjson
from fastapi import Depends, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.catalogue import event_classes
from api.deps import PrincipalDep, SystemDep
from api.problems import ApiError, responses
from api.routers.events_views import EventPage
from api.routing import Router
from application.authorization import Forbidden, Principal, Role
from application.ports import EventLog
from domain.bounds import Position
from infrastructure.stream.envelope import event_type
from infrastructure.stream.feed import EventFeed

router = Router(tags=["event stream"])

FEED_ROLES = frozenset({Role.stream, Role.auditor, Role.admin})
MAX_WAIT_SECONDS = 30.0
LIVE_BATCH = 200
LIVE_KEEPALIVE_SECONDS = 15.0
LIVE_MAX_SECONDS = 900.0
"""A live stream ends after this long; the client reconnects with ``Last-Event-ID`` (and a fresh token)."""


def subscriber(principal: PrincipalDep) -> Principal:
    """A caller allowed to read the event feed."""
    if principal.role not in FEED_ROLES:
        raise Forbidden("role-not-allowed", f"the role {principal.role} may not read the event feed "
                                            f"(roles: {', '.join(sorted(FEED_ROLES))})")
    return principal


SubscriberDep = Annotated[Principal, Depends(subscriber)]
Types = Annotated[str | None, Query(description="comma-separated CloudEvents types to keep, e.g. "
                                                "`cn.zeren.people.PersonRegistered.v1` (all when absent)")]


@cache
def known_types() -> frozenset[str]:
    return frozenset(event_type(cls) for cls in event_classes())


def parse_types(types: str | None) -> frozenset[str] | None:
    if types is None:
        return None
    wanted = frozenset(t.strip() for t in types.split(",") if t.strip())
    unknown = sorted(wanted - known_types())
    if not wanted or unknown:
        raise ApiError(422, "unknown-event-type", "Unknown event type",
                       f"types: no published type {', '.join(unknown) or '(empty)'}; the types are listed at "
                       "GET /api/v1/schemas")
    return wanted


class LogHeadWatch:
    """Waits for the log to grow past a position: one head query per interval however many requests wait."""

    def __init__(self, log: EventLog, interval: float = 0.2):
        self.log = log
        self.interval = interval
        self._head = 0
        self._checked = float("-inf")

    async def head(self) -> int:
        if time.monotonic() - self._checked >= self.interval:
            self._checked = time.monotonic()
            self._head = await run_in_threadpool(self.log.head)
        return self._head

    async def wait_beyond(self, position: int, timeout: float) -> bool:
        """True as soon as the log's head is past ``position``; False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while await self.head() <= position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await asyncio.sleep(min(self.interval, remaining))
        return True


def watch(request: Request, system: SystemDep) -> LogHeadWatch:
    state = request.app.state
    if getattr(state, "log_head_watch", None) is None:
        state.log_head_watch = LogHeadWatch(system.store)
    return state.log_head_watch


WatchDep = Annotated[LogHeadWatch, Depends(watch)]


@router.get("/events", response_model=EventPage, responses=responses(401, 403, 422),
            summary="Published events (CloudEvents envelopes) after a cursor, in log order; long-poll with wait")
async def events(
    system: SystemDep, who: SubscriberDep, head: WatchDep,
    after: Annotated[Position, Query(ge=0, description="log position to continue after (the last `next_after`)")] = 0,
    limit: Annotated[Position, Query(ge=1, le=1000)] = 100,
    types: Types = None,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS,
                                 description="seconds to wait for new events when there are none yet")] = 0,
) -> Response:
    wanted = parse_types(types)
    feed = EventFeed(system.store, system.settings.deployment)
    page = await run_in_threadpool(feed.page, who.jurisdiction, after=after, limit=limit, types=wanted,
                                   role=who.role)
    if not page.items and page.next_after == after and wait and await head.wait_beyond(after, wait):
        page = await run_in_threadpool(feed.page, who.jurisdiction, after=after, limit=limit, types=wanted,
                                       role=who.role)
    return Response(orjson.dumps({"items": page.items, "next_after": page.next_after}),
                    media_type="application/json")


@router.get("/events/live", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "one SSE event per envelope: `id:` its log position, `data:` the "
                                            "envelope; comments keep the connection alive"},
                       **responses(401, 403, 422)},
            summary="Tail the published events live (Server-Sent Events); resumes after Last-Event-ID")
async def live(
    system: SystemDep, who: SubscriberDep, head: WatchDep,
    after: Annotated[Position, Query(ge=0, description="log position to start after (Last-Event-ID wins)")] = 0,
    types: Types = None,
    last_event_id: Annotated[Position | None, Header(alias="Last-Event-ID", ge=0,
                                                description="the last `id:` received, to resume")] = None,
) -> StreamingResponse:
    wanted = parse_types(types)
    feed = EventFeed(system.store, system.settings.deployment)
    start = last_event_id if last_event_id is not None else after

    async def stream() -> AsyncIterator[bytes]:
        cursor, ends = start, time.monotonic() + LIVE_MAX_SECONDS
        yield b"retry: 2000\n\n"
        while time.monotonic() < ends:  # a client that goes away cancels this (StreamingResponse)
            page = await run_in_threadpool(feed.page, who.jurisdiction, after=cursor, limit=LIVE_BATCH, types=wanted,
                                           role=who.role)
            chunk = b"".join(b"id: %d\ndata: %b\n\n" % (item["zerenposition"], orjson.dumps(item))
                             for item in page.items)
            if page.next_after > (page.items[-1]["zerenposition"] if page.items else cursor):
                chunk += b"id: %d\n\n" % page.next_after  # moves Last-Event-ID past events the filter skipped
            if chunk:
                yield chunk
            if page.next_after == cursor and not await head.wait_beyond(
                    cursor, min(LIVE_KEEPALIVE_SECONDS, max(ends - time.monotonic(), 0))):
                yield b": keep-alive\n\n"
            cursor = page.next_after

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
