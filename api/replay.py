"""Replaying one aggregate to a point in time: the state and the events that made it.

``known_at`` keeps the events recorded by then (what the system knew); ``as_of`` keeps those effective by then
(what had happened in the world, as we know it now). Both may be combined.
"""

from __future__ import annotations

from datetime import datetime
from itertools import takewhile
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from application.visibility import shown
from domain.base import project
from domain.jurisdiction import covers
from infrastructure.eventstore import EventStore


class Replay(BaseModel):
    """An aggregate's state at a point in time and the events that made it (the CLI and the audit-trail router)."""

    aggregate_id: UUID
    type: str
    version: int
    state: dict[str, Any]
    events: list[dict[str, Any]]


def replay(store: EventStore, aggregate_id: UUID, *, as_of: datetime | None = None,
           known_at: datetime | None = None, role: str = "system", scope: str = "") -> Replay | None:
    """The replay as ``role`` of ``scope`` may see it (``application.visibility``; the command line is the operator,
    of every jurisdiction): a record in ``scope`` whole; one that left ``scope`` as far as it was there (the events
    recorded in ``scope``, up to and including its move away); else ``None``."""
    events = [e for e in store.history(aggregate_id)
              if (known_at is None or e.timestamp <= known_at) and (as_of is None or e.effective_at <= as_of)]
    if events and not covers(scope, project(None, events).jurisdiction):
        events = list(takewhile(lambda e: covers(scope, e.envelope.jurisdiction), events))
    if not events:
        return None
    state = project(None, events)
    hidden = {name for e in events for name in e.redacted}
    context = type(events[0]).context
    return Replay(
        aggregate_id=aggregate_id, type=type(state).__name__, version=state.version,
        state=shown(context, role, state.shown(hidden)),
        events=[shown(context, role, {"type": type(e).__name__, "term": type(e).term, **e.shown()}) for e in events],
    )
