"""The stored events exactly as the database holds them: read through the recorder, never decoded or cached."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from infrastructure.audit import leaves
from infrastructure.persistence import LogRow, PositionedRow


@dataclass(frozen=True)
class StoredEvent:
    """One row of the events table, in the notification log."""

    position: int
    aggregate_id: UUID
    aggregate_version: int
    topic: str
    state: bytes

    def leaf_hash(self) -> bytes:
        return leaves.hash_event(self.position, self.aggregate_id, self.aggregate_version, self.topic, self.state)

    def decoded(self) -> dict[str, Any]:
        return orjson.loads(self.state)

    @property
    def jurisdiction(self) -> str:
        return self.decoded()["envelope"]["jurisdiction"]

    def recorded_at(self) -> datetime | None:
        """The recorded time in the stored bytes (``timestamp``), or ``None`` when the bytes hold none."""
        return recorded_at(self.state)


def recorded_at(state: bytes) -> datetime | None:
    """The recorded time in an event's stored bytes (``timestamp``), or ``None`` when the bytes hold none."""
    try:
        return datetime.fromisoformat(orjson.loads(state)["timestamp"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


class StoredLog:
    """The notification log read through the ``eventsourcing`` recorder (the application recorder's
    ``select_notifications``): the raw rows, in position order."""

    def __init__(self, recorder: Any):
        self.recorder = recorder

    def read(self, after: int | None, limit: int, stop: int | None = None) -> list[StoredEvent]:
        """Up to ``limit`` events with ``after < position`` (``≤ stop`` if given), in position order;
        ``after=None`` reads from the very first row, whatever its id (even one no writer hands out: ≤ 0)."""
        rows = self.recorder.select_notifications(start=after, limit=limit, stop=stop, inclusive_of_start=False)
        return [StoredEvent(n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in rows]

    def rows(self, after: int | None, limit: int) -> list[LogRow]:
        """:meth:`read` without a stop, as plain tuples ``(position, aggregate id's 16 bytes, version, topic, stored
        bytes)``: the sealer's read, which needs no more to hash a leaf and check the order (issue #15)."""
        rows: list[LogRow] = self.recorder.select_rows(after, limit)
        return rows

    def at_positions(self, positions: list[int]) -> list[StoredEvent]:
        """The events at these positions (any order; a position not in the log is left out), read at once."""
        return _stored(self.recorder.select_positions(positions))

    def of_records(self, aggregate_ids: list[UUID], last: int) -> list[StoredEvent]:
        """Every event of these records at or below position ``last``, in position order, read at once."""
        return _stored(self.recorder.select_records(aggregate_ids, last))

    def at(self, position: int) -> StoredEvent | None:
        found = self.read(position - 1, 1, stop=position)
        return found[0] if found else None

    def scan(self, after: int | None, stop: int | None, batch: int = 1000) -> Iterator[StoredEvent]:
        """Every event with ``after < position ≤ stop`` (``None``: no bound), read in batches (constant memory)."""
        while after is None or stop is None or after < stop:
            rows = self.read(after, batch, stop=stop)
            if not rows:
                return
            yield from rows
            after = rows[-1].position

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0


def _stored(rows: list[PositionedRow]) -> list[StoredEvent]:
    """The recorders' rows by position or record as stored events."""
    return [StoredEvent(p, a if isinstance(a, UUID) else UUID(a), v, t, s) for p, a, v, t, s in rows]
