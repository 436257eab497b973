"""Group commit (issue #15) against what it replaced, in one process and the same minutes: ``writers`` threads of
``GradeRiskColour`` commands on PostgreSQL, in rounds that alternate five modes — *before* (each save in its own
transaction, the writers queueing for the table lock, as before group commit), *group* (this code: a group that holds
together in one statement of the append function), *group, decided save by save* (every group read and decided
under the lock before its insert, two round trips: the tenth round's code before), *group without the gather wait*
(``GATHER_SECONDS = 0``) and the library's ``Application.save`` of a trivial aggregate —
printing each mode's median commands/s, its ratio to the library and the client's CPU per command. Short runs in many
rounds, so that the load of a shared machine falls alike on every mode.

    .venv/bin/python -m bench.group_commit [--writers 4] [--per-writer 250] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.backends import POSTGRES
from bench.suite import Counter, bootstrap, enterprises, grade, library, store, writers
from infrastructure import group_commit
from infrastructure.group_commit import Save

MODES = ("before", "group", "group, decided save by save", "group, no gather", "library")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--per-writer", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args(argv)
    count, per = args.writers, args.per_writer
    with tempfile.TemporaryDirectory() as name, store("postgres", args.postgres, Path(name)) as settings:
        system, lib = bootstrap(settings), library(settings, Path(name))
        try:
            units = enterprises(system, 12 * count)
            counters = [Counter() for _ in range(12 * count)]
            lib.save(*counters)
            ids = [c.id for c in counters]
            recorder = system.store.recorder
            grouped = recorder.insert_events
            together = recorder.group._together
            gather = group_commit.GATHER_SECONDS

            def alone(stored_events: Any, **kwargs: Any) -> list[int]:
                return recorder._insert_alone(Save(stored_events, dict(kwargs.get("read") or {}),
                                                   kwargs.get("receipt")))

            def save(w: int, i: int) -> None:
                mine = ids[w::count]
                counter: Counter = lib.repository.get(mine[i % len(mine)])
                counter.count(i)
                lib.save(counter)

            def run(mode: str) -> float:
                recorder.insert_events = alone if mode == "before" else grouped
                recorder.group._together = recorder._decide_group if mode == "group, decided save by save" \
                    else together
                group_commit.GATHER_SECONDS = 0.0 if mode == "group, no gather" else gather
                write: Callable[[int, int], object] = save if mode == "library" else \
                    (lambda w, i: grade(system, units[w::count], i))
                return writers(count, per, write)

            run("before")  # warm-up
            rates: dict[str, list[float]] = {mode: [] for mode in MODES}
            cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
            for _ in range(args.rounds):
                for mode in MODES:
                    started = time.process_time()
                    rates[mode].append(run(mode))
                    cpu[mode].append((time.process_time() - started) / (count * per))
        finally:
            recorder.insert_events = grouped
            recorder.group._together = together
            group_commit.GATHER_SECONDS = gather
            system.close()
            lib.close()
    library_rate = statistics.median(rates["library"])
    print(f"{count} writers, {count * per} commands a run, {args.rounds} rounds, load average {os.getloadavg()[0]:.1f}")
    print("| mode | commands/s (median) | ratio to the library | client CPU ms/command | runs |")
    print("|---|---|---|---|---|")
    for mode in MODES:
        rate = statistics.median(rates[mode])
        print(f"| {mode} | {rate:,.1f} | {rate / library_rate:.2f}× | {statistics.median(cpu[mode]) * 1000:.2f} | "
              f"{', '.join(f'{r:,.0f}' for r in rates[mode])} |")


if __name__ == "__main__":
    main()
