"""The interpreter's garbage collector, set for a long-running Zeren process (``zeren serve``, the followers) and for
a bulk load (a rebuild).

CPython's cyclic collector runs its youngest generation every 700 allocations of container objects and, every
hundred of those, may walk every object the process holds. A Zeren process holds many long-lived objects — the
bootstrapped system, the aggregate cache, the events and hashes the dossiers keep (``infrastructure.dossier_build``)
— and a dossier or a ledger page allocates thousands of short-lived ones (decoded events, folded states, rows), so
the full walks land inside requests: measured on a dossier of an enterprise with ten years of inspections (1,162
events proven, docs/performance.md "The collector"), a third of its first build's CPU. :func:`settle` is called
once the process has loaded what it keeps: what is alive then is frozen (never walked again; it is freed by
reference counting as before), and the youngest generation is collected every :data:`YOUNGEST` allocations.

A rebuild (``Runner.rebuild``) allocates enough (decoded events, rows, folded states) to trigger a full walk of
whatever the process holds — in ``zeren projections rebuild``, a fresh process, the ~150,000 objects of its
startup, ~0.1 s of a demo rebuild's ~0.6 s of CPU, the walk finding nothing to free (docs/performance.md, issue #10,
"Seventh pass"). :func:`bulk` keeps those objects out of the walks for the rebuild's duration.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNGEST = 10_000
"""Container allocations between collections of the youngest generation (CPython's default: 700)."""


def settle() -> None:
    """Collect once, freeze the survivors and space out the collections (see the module's docstring)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST, middle, oldest)


@contextmanager
def bulk() -> Iterator[None]:
    """For a bulk load in a process whose collector is not settled: what is alive when the block starts is frozen
    until it ends (``gc.freeze`` without the collection :func:`settle` starts with, which would cost the walk it
    spares), and the youngest generation is collected every :data:`YOUNGEST` allocations; both are undone when the
    block ends, so what was frozen is walked again by later full collections, garbage among it freed then. In a
    settled process (``zeren serve``, the followers), or inside another such block, nothing changes: what the
    process keeps is frozen already."""
    if gc.get_freeze_count():
        yield
        return
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNGEST, *threshold[1:])
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
