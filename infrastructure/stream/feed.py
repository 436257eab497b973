"""The HTTP event feed's reading: envelopes in log order after a cursor, within a jurisdiction, filtered by type.

A page never scans the whole log: it reads from ``after`` in batches until it has ``limit`` matches or has scanned
``scan_limit`` events, and its ``next_after`` is the last position it looked at — so a client filtering for a
rare type still moves on through the log page by page, even when a page brings few (or no) items.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from application.ports import EventLog
from application.visibility import outline, shown
from domain.jurisdiction import covers
from infrastructure.stream.envelope import envelope, event_type

SCAN_BATCH = 500
SCAN_LIMIT = 5000


@dataclass(frozen=True)
class FeedPage:
    items: list[dict[str, Any]]
    """Envelopes, exactly as the relay publishes them to Kafka."""
    next_after: int
    """The cursor to pass as ``after`` next: the last log position this page covered (``after`` when none)."""


class EventFeed:
    def __init__(self, log: EventLog, deployment: str, *, scan_limit: int = SCAN_LIMIT, batch: int = SCAN_BATCH):
        self.log = log
        self.deployment = deployment
        self.scan_limit = scan_limit
        self.batch = batch

    def page(self, scope: str, *, after: int, limit: int, types: Collection[str] | None = None,
             role: str = "system") -> FeedPage:
        """Up to ``limit`` envelopes after position ``after`` that belong to ``scope``'s subtree (and are of one of
        ``types``, when given), with the data ``role`` may see (``application.visibility``): an envelope whose
        data is an outline says so in its ``zerenview`` attribute."""
        items: list[dict[str, Any]] = []
        cursor, scanned = after, 0
        while len(items) < limit and scanned < self.scan_limit:
            wanted = min(self.batch, self.scan_limit - scanned)
            entries = self.log.read(cursor, wanted)
            for entry in entries:
                cursor, scanned = entry.position, scanned + 1
                event = entry.event
                if covers(scope, event.envelope.jurisdiction) and (types is None or event_type(type(event)) in types):
                    items.append(self._as_seen(envelope(entry, self.deployment), type(event).context, role))
                    if len(items) == limit:
                        break
            if len(entries) < wanted:
                break
        return FeedPage(items=items, next_after=cursor)

    @staticmethod
    def _as_seen(item: dict[str, Any], context: str, role: str) -> dict[str, Any]:
        if outline(context, role) is None:
            return item
        return {**item, "zerenview": "outline", "data": shown(context, role, item["data"])}
