"""``bench.widen``: a store made wider by copies of its own history under new ids (issue #15).

The generator (``bench/generator.py``) writes through the application layer: under the session's load it makes
about 60–600 events/s, so a 10⁶-event store takes hours. What a dossier costs besides its own enterprise's events
depends on the size of what it searches — the dossier index (b-trees, logarithmic) and the sealed tree (a proof's
length is log₂ of the tree's size). A widened store has that size: each copy is every stored event of the
generated history again, in order, with every id (each UUID in its stored bytes, and its record's id) replaced by
one derived from the copy's number, and every day moved 400 years per copy (the sealer refuses an event recorded
before an earlier one; the Gregorian calendar repeats every 400 years, weekdays and leap days alike) — other
provinces of the same shape in the same log, indexed and sealed. They are appended straight through the recorder
(no command decides them again: they are copies of events that were decided), so only the dossier index is brought
to the head afterwards; the other read models are not.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from eventsourcing.persistence import StoredEvent as Row

from api.bootstrap import System

NAMESPACE = uuid.UUID("6f1c1f0e-6b8e-4c57-9a57-7a1d0d3c5e11")
UUID_TEXT = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DAY_TEXT = re.compile(rb"(?<![0-9])([0-9]{4})(-[0-9]{2}-[0-9]{2})(?![0-9])")
CYCLE = 400
"""Years a copy's days move by: the Gregorian calendar repeats every 400 years (weekdays and leap days alike)."""


def widen(system: System, copies: int, batch: int = 5000) -> dict[str, Any]:
    """Append ``copies`` copies of every stored event under new ids, in batches of ``batch`` (one transaction
    each); returns the events appended and the seconds taken."""
    started = time.perf_counter()
    original = list(system.audit.log.scan(None, system.store.head()))
    appended = 0
    for copy in range(1, copies + 1):
        mapped: dict[bytes, bytes] = {}

        def renamed(match: re.Match[bytes], copy: int = copy, mapped: dict[bytes, bytes] = mapped) -> bytes:
            text = match.group(0)
            if text not in mapped:
                mapped[text] = str(uuid.uuid5(NAMESPACE, f"{copy}:{text.decode()}")).encode()
            return mapped[text]

        def later(match: re.Match[bytes], years: int = CYCLE * copy) -> bytes:
            return b"%d%s" % (int(match.group(1)) + years, match.group(2))

        rows = []
        for stored in original:
            originator = UUID_TEXT.sub(renamed, str(stored.aggregate_id).encode()).decode()
            rows.append(Row(originator_id=uuid.UUID(originator), originator_version=stored.aggregate_version,
                            topic=stored.topic,
                            state=DAY_TEXT.sub(later, UUID_TEXT.sub(renamed, stored.state))))
            if len(rows) == batch:
                system.store.recorder.insert_events(rows)
                appended, rows = appended + len(rows), []
        if rows:
            system.store.recorder.insert_events(rows)
            appended += len(rows)
    return {"appended": appended, "seconds": time.perf_counter() - started}
