"""What a genuine log never holds, so that neither the sealer seals it nor the live check lets it pass
(docs/audit.md §1, §8).

- **Positions start at 1.** The event store hands out positions (notification ids) from 1 upwards; a row at 0 or
  below was written straight into the events table.
- **Recorded time does not run backwards.** Every event's recorded time (its ``timestamp``) is taken when its command
  runs, and positions are handed out in commit order, so in log order the recorded time only grows — except by as
  much as one writer waited for the table lock and the application servers' clocks differ: the *clock-skew
  tolerance* (``ZEREN_AUDIT_CLOCK_SKEW_SECONDS``). An event recorded earlier than that before the latest recorded
  time seen so far was back-dated.
- **A record's versions run 1, 2, 3 … in log order**, without gaps (checked by the live check, which reads the whole
  log; the sealer reads only what it seals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate, repeat
from operator import itemgetter, lt, sub
from uuid import UUID

import orjson

from infrastructure.audit.log import StoredEvent, recorded_at


class Disorder(Exception):
    """A stored event no genuine log holds; ``kind`` is ``inserted``, ``time`` or ``version``."""

    def __init__(self, kind: str, position: int, detail: str):
        super().__init__(detail)
        self.kind, self.position, self.detail = kind, position, detail


@dataclass
class LogOrder:
    """The rules above, applied to stored events in log order."""

    tolerance: timedelta
    latest: datetime | None = None
    """The latest recorded time seen so far."""
    versions: dict[UUID, int] | None = None
    """Each record's last version seen so far (``None``: versions are not followed)."""

    def admit(self, event: StoredEvent) -> None:
        """Raise :class:`Disorder` when ``event`` cannot follow the events admitted before it."""
        p = event.position
        recorded = self._in_time(p, event.state)
        if self.versions is not None:
            last = self.versions.get(event.aggregate_id, 0)
            if event.aggregate_version != last + 1:
                raise Disorder("version", p, f"the event at position {p} is version {event.aggregate_version} of "
                               f"record {event.aggregate_id}, which had version {last} before it: a record's "
                               "versions run 1, 2, 3 … in log order")
            self.versions[event.aggregate_id] = event.aggregate_version
        self._recorded(recorded)

    def admit_stored(self, position: int, state: bytes) -> None:
        """:meth:`admit` of the event at ``position`` with the stored bytes ``state``, for an order that does not
        follow versions (the sealer's, which reads plain rows)."""
        self._recorded(self._in_time(position, state))

    def admit_rows(self, rows: Sequence[tuple[int, bytes, int, str, bytes]]) -> tuple[int, Disorder | None]:
        """:meth:`admit_stored` of each row ``(position, aggregate id, version, topic, stored bytes)`` in turn until
        one is refused: how many were admitted, and why the next one was not.

        The rows are first checked at once — every recorded time read by C calls, the latest before each row by
        ``accumulate`` — with the very comparisons of :meth:`_in_time`; only when a rule fails or a time cannot be
        read are they admitted one by one, which finds the same row and says why in the same words (the sealer's
        batch: no Python call per row)."""
        if not rows:
            return 0, None
        try:
            if min(map(itemgetter(0), rows)) >= 1:
                recorded = [datetime.fromisoformat(orjson.loads(state)["timestamp"]) for _, _, _, _, state in rows]
                if self.latest is None:
                    latest = list(accumulate(recorded, max))
                    checked = recorded[1:]
                else:
                    latest = list(accumulate(recorded, max, initial=self.latest))
                    checked = recorded
                if not any(map(lt, checked, map(sub, latest[:-1], repeat(self.tolerance)))):
                    self.latest = latest[-1]
                    return len(rows), None
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, OverflowError):
            pass
        for count, (position, _, _, _, state) in enumerate(rows):
            try:
                self.admit_stored(position, state)
            except Disorder as disorder:
                return count, disorder
        return len(rows), None

    def _in_time(self, p: int, state: bytes) -> datetime:
        """The first two rules; the event's recorded time."""
        if p < 1:
            raise Disorder("inserted", p, f"the event at position {p} has a position the event store never hands "
                           "out (positions start at 1): it was written straight into the events table")
        recorded = recorded_at(state)
        if recorded is None:
            raise Disorder("time", p, f"the event at position {p} holds no recorded time (timestamp)")
        if self.latest is not None and recorded < self.latest - self.tolerance:
            raise Disorder("time", p, f"the event at position {p} was recorded at {recorded.isoformat()}, "
                           f"{self.latest - recorded} before an earlier event ({self.latest.isoformat()}): beyond the "
                           f"clock-skew tolerance of {self.tolerance.total_seconds():g} s, it was back-dated")
        return recorded

    def _recorded(self, recorded: datetime) -> None:
        self.latest = recorded if self.latest is None else max(self.latest, recorded)
