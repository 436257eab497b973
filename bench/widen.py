"""``bench.widen``: a store made wider by copies of its own history under new ids (issue #15).

    .venv/bin/python -m bench.widen --copies 9                              # ×10 the store (ZEREN_* settings)
    .venv/bin/python -m bench.widen --copies 90 --made 9 --original 102043  # then ×100: the same as --copies 99

The generator (``bench/generator.py``) writes through the application layer: under the session's load it makes
about 60–600 events/s, so a 10⁶-event store takes hours. What a dossier costs besides its own enterprise's events
depends on the size of what it searches — the dossier index (b-trees, logarithmic) and the sealed tree (a proof's
length is log₂ of the tree's size). A widened store has that size: each copy is every stored event of the
generated history again, in order, with every id (each UUID in its stored bytes, and its record's id) replaced by
one derived from the copy's number, and every day moved by a whole number of weeks per copy — the history's span
rounded up to weeks, so copy k begins after copy k−1 ends (the sealer refuses an event recorded before an earlier
one) on the same weekdays, each date shifted by calendar arithmetic (leap days stay valid). Stores widened before
2026-12-07 15:00 UTC moved each copy 400 years (the Gregorian cycle); Python's dates end at 9999, so that left
room for 19 copies only, and 10⁷ events need 99. The copies are other provinces of the same shape in the same
log, indexed and sealed. They are appended straight through the recorder (no command decides them again: they are
copies of events that were decided), so the read models are behind them afterwards (``bench.dossier`` brings the
dossier index up, ``bench.scaling`` the directory and the ledger).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import time
import uuid
from collections import deque
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import islice
from typing import Any

from eventsourcing.persistence import StoredEvent as Row

from api.bootstrap import System, bootstrap
from infrastructure.settings import Settings

NAMESPACE = uuid.UUID("6f1c1f0e-6b8e-4c57-9a57-7a1d0d3c5e11")
UUID_TEXT = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DAY_TEXT = re.compile(rb"(?<![0-9])[0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9])")
WEEK = 7


def span(history: list[Any]) -> tuple[int, date]:
    """The history's last day, and the days from its first day to past its last rounded up to whole weeks (one
    copy's shift)."""
    days = {day for stored in history for day in DAY_TEXT.findall(stored.state)}
    first, last = (date.fromisoformat(f(days).decode()) for f in (min, max))
    return -(-((last - first).days + 1) // WEEK) * WEEK, last


def shift_of(history: list[Any], copies: int) -> int:
    """Days one copy is moved by (:func:`span`); raises when ``copies`` copies would date events past 9999."""
    shift, last = span(history)
    if (date.max - last).days < shift * copies:
        raise ValueError(f"{copies} copies of {shift} days each would date events past {date.max}")
    return shift


def copies_of(history: list[Any], copies: int, made: int = 0) -> Iterator[Row]:
    """The rows of copies ``made + 1`` … ``made + copies`` of ``history`` (stored events, in order)."""
    shift = shift_of(history, made + copies)
    for copy in range(made + 1, made + copies + 1):
        yield from copied(history, copy, shift)


def copied(history: list[Any], copy: int, shift: int) -> Iterator[Row]:
    """Copy number ``copy`` of ``history``: each id renamed by the copy's number, each day moved ``copy × shift``
    days."""
    mapped: dict[bytes, bytes] = {}
    moved: dict[bytes, bytes] = {}

    def renamed(match: re.Match[bytes]) -> bytes:
        text = match.group(0)
        if text not in mapped:
            mapped[text] = str(uuid.uuid5(NAMESPACE, f"{copy}:{text.decode()}")).encode()
        return mapped[text]

    def later(match: re.Match[bytes]) -> bytes:
        text = match.group(0)
        if text not in moved:
            moved[text] = (date.fromisoformat(text.decode()) + timedelta(days=shift * copy)).isoformat().encode()
        return moved[text]

    for stored in history:
        originator = UUID_TEXT.sub(renamed, str(stored.aggregate_id).encode()).decode()
        yield Row(originator_id=uuid.UUID(originator), originator_version=stored.aggregate_version,
                  topic=stored.topic, state=DAY_TEXT.sub(later, UUID_TEXT.sub(renamed, stored.state)))


_KEPT: list[Any] = []
"""A worker process's ``(history, shift)``, inherited when the pool forks (never pickled)."""


def _keep(history: list[Any], shift: int) -> None:
    _KEPT[:] = [history, shift]


def _copy(copy: int) -> list[Row]:
    history, shift = _KEPT
    return list(copied(history, copy, shift))


def widen(system: System, copies: int, batch: int = 5000, made: int = 0, original: int | None = None,
          processes: int = 1) -> dict[str, Any]:
    """Append ``copies`` copies of the history up to position ``original`` (default: the head) under new ids, in
    batches of ``batch`` (one transaction each); returns the events appended, the seconds taken and the days each
    copy is moved by. ``made``: copies of it appended before, by an earlier call — the new ones are numbered and
    dated after them, so widening by 9 and then by 90 appends the same events as by 99 at once. ``processes`` > 1:
    the copies are made by that many forked worker processes (the renaming is most of the CPU) and appended by
    this one, in order — the same log."""
    started = time.perf_counter()
    history = list(system.audit.log.scan(None, system.store.head() if original is None else original))
    shift, appended = shift_of(history, made + copies), 0

    def append(rows: Iterator[Row]) -> None:
        nonlocal appended
        while chunk := list(islice(rows, batch)):
            system.store.recorder.insert_events(chunk)
            appended += len(chunk)

    if processes == 1:
        append(copies_of(history, copies, made))
    else:
        with multiprocessing.get_context("fork").Pool(processes, _keep, (history, shift)) as pool:
            pending: deque[Any] = deque()
            for copy in range(made + 1, made + copies + 1):
                pending.append(pool.apply_async(_copy, (copy,)))
                if len(pending) > processes:  # a window: at most this many copies held in memory
                    append(iter(pending.popleft().get()))
            while pending:
                append(iter(pending.popleft().get()))
    return {"appended": appended, "seconds": time.perf_counter() - started, "days per copy": shift}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, required=True, help="copies of the history to append")
    parser.add_argument("--made", type=int, default=0, help="copies appended before (by an earlier run)")
    parser.add_argument("--original", type=int, help="the history's last position (default: the head)")
    parser.add_argument("--processes", type=int, default=1, help="worker processes making the copies")
    parser.add_argument("--batch", type=int, default=5000, help="events appended per transaction")
    args = parser.parse_args(argv)
    system = bootstrap(Settings())
    try:
        done = widen(system, args.copies, args.batch, args.made, args.original, args.processes)
        cpu = sum(os.times()[:4])  # this process's CPU and its workers'
        print(f"{done['appended']:,} events appended in {done['seconds']:.0f} s ({cpu:.0f} s of client CPU), "
              f"{done['days per copy']} days per copy; head {system.store.head():,}", flush=True)
    finally:
        system.close()


if __name__ == "__main__":
    main()
