"""What a read model stores of an event the bounds of today would refuse (written before ``domain.bounds``).

Events are facts forever: an old event may hold a NUL in its text (PostgreSQL text cannot store it), a time so
far out that it has no UTC equivalent (``0001-01-01T00:00:00+08:00``), or an integer beyond 64 bits. A projection
must still get past it, so it is handed a copy in which such a NUL reads U+FFFD, such a time is clamped to
:data:`FIRST` / :data:`LAST` and such an integer to the 64-bit range. The stored event stays as it was: the feed,
the stream and the audit seal show it exactly.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from application.ports import LogEntry
from domain.base import DomainEvent
from domain.bounds import INT64_MAX, INT64_MIN

FIRST = datetime(1000, 1, 1, tzinfo=UTC)
LAST = datetime(9999, 12, 30, tzinfo=UTC)
"""Four-digit years, a day inside the representable range: every database and time zone can take them."""
_NUL = b"\\u0000"
_TIME = re.compile(rb'"(?:0\d\d\d|999\d)-')
_DIGITS = bytes(ord("0") if ord("0") <= byte <= ord("9") else ord(" ") for byte in range(256))
"""Every digit as ``0``, every other byte as a space: a run of 19 digits is then 19 zeros."""
_LONG = b"0" * 19


def suspect(state: bytes) -> bool:
    """Whether stored bytes may hold such a value (a fast test: almost every event has none): a NUL's escape, a
    time whose year is below 1000 or in 9990–9999, a run of 19 digits. Three scans in C — a substring, a regular
    expression with a literal first byte, a translation — instead of one expression of three alternatives tried at
    every byte, which cost a rebuild ~13 µs a log event (issue #15)."""
    return _NUL in state or _TIME.search(state) is not None or _LONG in state.translate(_DIGITS)


def storable(entry: LogEntry) -> LogEntry:
    """``entry`` as a read model can store it (the entry itself, unless its event holds such a value)."""
    if not suspect(entry.state):
        return entry
    event: DomainEvent = _fixed(entry.event)
    return entry if event is entry.event else replace(entry, event=event)


def _fixed(value: Any) -> Any:
    if isinstance(value, BaseModel):
        updates = {name: fixed for name in type(value).model_fields
                   if (fixed := _fixed(getattr(value, name))) is not getattr(value, name)}
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return min(max(value, INT64_MIN), INT64_MAX) if not INT64_MIN <= value <= INT64_MAX else value
    if isinstance(value, datetime):
        return _clamped(value)
    if isinstance(value, tuple | list):
        items = [_fixed(item) for item in value]
        return type(value)(items) if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, dict):
        pairs = {key: _fixed(item) for key, item in value.items()}
        return pairs if any(pairs[key] is not value[key] for key in value) else value
    return value


def _clamped(moment: datetime) -> datetime:
    try:
        utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return FIRST if moment.year < 5000 else LAST
    return min(max(utc, FIRST), LAST) if not FIRST <= utc <= LAST else moment
