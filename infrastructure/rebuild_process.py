"""A rebuild of every read model in two processes (PostgreSQL; issue #15, docs/performance.md "Eleventh round, the
rebuild").

A rebuild's time is its client's CPU — the projections' Python, a third to a half of it the inspection ledger's — on
one core, while the machine has more. The read models are independent (each its own tables, its own
``follower_tracking`` rows, its own swap), so :meth:`SecondProcess.halves` splits them into two groups of about equal
cost (``Projection.rebuild_cost``), and :meth:`SecondProcess.rebuild` rebuilds one group in a child process while the
caller's runner rebuilds the other (``Runner.rebuild``). Each process reads and decodes the log itself — a second
read, ~0.05 ms a log event, against the table's "one read shared by all in-process followers" — and fills, finishes
and swaps each of its read models exactly as one process does: a read model's swap stays one transaction of its own.

The child is forked: it has every module the parent imported (a fresh interpreter spent ~1 s of CPU importing the
domain, SQLAlchemy and the projections, as much as a rebuild of the table's 3,000 events in one process) and the
projections as they are. It opens connections and a log of its own and never touches the parent's (their pools'
threads are not copied; it leaves by ``os._exit``, so no finalizer of an inherited connection runs). SQLite has one
writer at a time: there a rebuild stays in one process.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from infrastructure.database import Database
from infrastructure.eventstore import EventStore
from infrastructure.following import Runner
from infrastructure.settings import Settings
from projections.projection import Projection


class SecondProcess:
    """Rebuilds read models in a child process on ``settings``' store (``Runner.elsewhere``)."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @staticmethod
    def halves(projections: Sequence[Projection]) -> tuple[list[Projection], list[Projection]]:
        """Two groups of about equal ``rebuild_cost``, each in the order given: the costliest first, each to the
        group that costs less so far; the first group holds the costliest read model."""
        groups: tuple[list[Projection], list[Projection]] = ([], [])
        costs = [0, 0]
        for projection in sorted(projections, key=lambda p: -p.rebuild_cost):
            lighter = 0 if costs[0] <= costs[1] else 1
            groups[lighter].append(projection)
            costs[lighter] += projection.rebuild_cost
        first = {id(p) for p in groups[0]}
        return [p for p in projections if id(p) in first], [p for p in projections if id(p) not in first]

    def rebuild(self, projections: Sequence[Projection]) -> Callable[[], int]:
        """Start rebuilding ``projections`` in a child process; the function that waits for it and returns the
        entries it applied (summed over the projections), or raises the error that stopped it."""
        context = multiprocessing.get_context("fork")
        answers, answer = context.Pipe(duplex=False)
        child = context.Process(target=rebuild_in_child, args=(self.settings, list(projections), answer),
                                name="zeren-rebuild")
        child.start()
        answer.close()

        def joined() -> int:
            try:
                outcome, value = answers.recv()
            except EOFError:  # it died without answering
                outcome, value = "failed", "no answer"
            child.join()
            if outcome != "rebuilt":
                raise RuntimeError(f"the rebuild's second process failed (exit code {child.exitcode}): {value}")
            return int(value)

        return joined


def rebuild_in_child(settings: Settings, projections: list[Projection], answer: Connection) -> None:
    """The child's body: a runner of just these projections, on connections and a log of its own, rebuilds them (in
    one process: it has no ``elsewhere``); ``("rebuilt", entries)`` or ``("failed", traceback)`` is sent back."""
    outcome: tuple[str, Any]
    try:
        db, store = Database(settings), EventStore(settings)
        try:
            outcome = ("rebuilt", Runner(db, store, projections).rebuild())
        finally:
            store.close()
            db.close()
    except Exception:
        outcome = ("failed", traceback.format_exc())
    answer.send(outcome)
