"""The interpreter's garbage collector, set for a long-running Zeren process (``zeren serve``, the followers).

CPython's cyclic collector runs its youngest generation every 700 allocations of container objects and, every
hundred of those, may walk every object the process holds. A Zeren process holds many long-lived objects — the
bootstrapped system, the aggregate cache, the events and hashes the dossiers keep (``infrastructure.dossier_build``)
— and a dossier or a ledger page allocates thousands of short-lived ones (decoded events, folded states, rows), so
the full walks land inside requests: measured on a dossier of an enterprise with ten years of inspections (1,162
events proven, docs/performance.md "The collector"), a third of its first build's CPU. :func:`settle` is called
once the process has loaded what it keeps: what is alive then is frozen (never walked again; it is freed by
reference counting as before), and the youngest generation is collected every :data:`YOUNGEST` allocations.
"""

from __future__ import annotations

import gc

YOUNGEST = 10_000
"""Container allocations between collections of the youngest generation (CPython's default: 700)."""


def settle() -> None:
    """Collect once, freeze the survivors and space out the collections (see the module's docstring)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST, middle, oldest)
