"""``python -m bench.simulate``: several projector processes following one PostgreSQL store while the generator
writes — the ordering and exactly-once promises of docs/performance.md ("Beyond one machine"), shown (issue #15).

    .venv/bin/python -m bench.simulate [--events 5000] [--projectors 3] [--batch 50] [--postgres URL]

The generator (``bench/generator.py``, every command through the application layer) writes a province-like history
into a fresh PostgreSQL schema while ``--projectors`` processes follow it, each running every projection — the
production ``zeren projections run`` loop (``Runner.run``: woken by ``LISTEN``, small batches so that they
interleave) — plus a **witness**: a projection that records each log position it is given and the order it was
given in, under a primary key, so that a second delivery of a position, by any process, breaks the key. The
generator's own monthly catch-up (its policy worker reads read models brought to the head) is one more competitor
for the real read models. When the writer is done and every process has reached the head, three checks:

1. **exactly once, in log order**: the witness holds every log position once, in log order, whichever process
   applied which batch (how the batches fell is printed);
2. **the same read models as one process would build**: every table of every read model equals, row for row, what
   ``Runner.rebuild`` makes of the same log in one process — an event applied twice, skipped or applied out of
   order by the competing processes would show as a difference;
3. **no follower failed** (``FollowerHealth``).

Exit status 1 when a check fails. ``tests/test_simulation.py`` runs it small.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Integer, MetaData, Table, func, insert, select

from api.bootstrap import System, bootstrap, projections
from application.ports import LogEntry
from bench.backends import POSTGRES
from bench.generator import Generator
from bench.over_http import environment
from bench.suite import store
from infrastructure.database import Database
from infrastructure.following import Runner, positions
from infrastructure.settings import Settings
from projections.columns import BigInt
from projections.projection import Projection

WITNESSED = Table("simulation_witness", MetaData(), Column("position", BigInt, primary_key=True),
                  Column("seq", Integer, nullable=False), Column("batch", Integer, nullable=False),
                  Column("process", Integer, nullable=False))
Rows = dict[str, list[tuple[Any, ...]]]
"""Each read-model table's rows, by table name."""
HEAD_SECONDS = 300.0
"""How long the projectors may take to reach the head once the writer is done."""


class Witness(Projection):
    """Records every log entry it is given, in the order given, with the process that applied it (the runner locks
    a projection's tracking row for its batch, so the count read here is not raced)."""

    name = "simulation_witness"
    witnessed = WITNESSED

    def wants(self, entries: list[LogEntry]) -> bool:
        return bool(entries)

    def process(self, conn: Connection, entries: list[LogEntry]) -> None:
        base = conn.execute(select(func.count()).select_from(self.witnessed)).scalar() or 0
        conn.execute(insert(self.witnessed), [{"position": e.position, "seq": base + n, "batch": base,
                                               "process": os.getpid()} for n, e in enumerate(entries)])


def follower(system: System, batch: int) -> Runner:
    """The projector of one simulated process: every read model and the witness."""
    return Runner(system.db, system.store, [*projections(), Witness()], batch_size=batch,
                  notifications=system.runner.notifications)


def projector(batch: int) -> None:
    """A projector process (``--projector``): follows the log until SIGTERM, as ``zeren projections run`` does."""
    runner = follower(bootstrap(), batch)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    runner.run(stop, poll_seconds=0.2)


@dataclass
class Report:
    events: int
    projectors: int
    write_seconds: float
    drain_seconds: float
    batches_by_process: dict[int, int]
    entries_by_process: dict[int, int]
    exactly_once_in_order: bool
    differences: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exactly_once_in_order and not self.differences and not self.failures


def read_models(db: Database, runner: Runner) -> Rows:
    """Every read-model table's rows, sorted (by their text: rows hold NULLs and mixed types)."""
    with db.read() as conn:
        return {table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for projection in runner.projections.values() for table in projection.live_tables}


def differences(before: Rows, after: Rows) -> dict[str, str]:
    """The tables whose rows differ, each with a short account of the first difference."""
    found = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name, []), after.get(name, [])
        if old != new:
            only_old = [r for r in old if r not in set(new)]
            only_new = [r for r in new if r not in set(old)]
            found[name] = (f"{len(old)} rows followed, {len(new)} rebuilt; first only followed: "
                           f"{only_old[:1]}, first only rebuilt: {only_new[:1]}")
    return found


def _drain(system: System, names: list[str], head: int, processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + HEAD_SECONDS
    while min(positions(system.db, names).get(n, 0) for n in names) < head:
        dead = [p for p in processes if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a projector process exited ({dead[0].returncode})")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the projectors did not reach the head ({head}) in {HEAD_SECONDS:.0f} s")
        time.sleep(0.05)


def simulate(settings: Settings, events: int, projectors: int, batch: int = 50) -> Report:
    """The simulation on an empty PostgreSQL store (``settings``): see the module's docstring."""
    system = bootstrap(settings)
    try:
        witness_runner = follower(system, batch)
        witness_runner.setup()  # every table made once, before the processes start
        command = [sys.executable, "-m", "bench.simulate", "--projector", "--batch", str(batch)]
        processes = [subprocess.Popen(command, env=environment(settings), cwd=Path(__file__).parent.parent)
                     for _ in range(projectors)]
        try:
            started = time.perf_counter()
            Generator(system, events, seed=5).run()
            head = system.store.head()
            written = time.perf_counter()
            _drain(system, list(witness_runner.projections), head, processes)
            drained = time.perf_counter()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(60)
        with system.db.read() as conn:
            seen = conn.execute(select(WITNESSED.c.position, WITNESSED.c.process, WITNESSED.c.batch)
                                .order_by(WITNESSED.c.seq)).all()
        log = [e.position for e in system.store.read(0, head + 1)]
        failures = {row["name"]: str(row["error"]) for row in witness_runner.status() if row["error"] is not None}
        followed = read_models(system.db, system.runner)
        system.runner.rebuild()
        rebuilt = read_models(system.db, system.runner)
        return Report(
            events=head, projectors=projectors, write_seconds=written - started, drain_seconds=drained - written,
            batches_by_process=dict(Counter(process for process, _ in {(p, b) for _, p, b in seen})),
            entries_by_process=dict(Counter(process for _, process, _ in seen)),
            exactly_once_in_order=[position for position, _, _ in seen] == log,
            differences=differences(followed, rebuilt), failures=failures)
    finally:
        system.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5000, help="size of the generated history")
    parser.add_argument("--projectors", type=int, default=3, help="projector processes following at once")
    parser.add_argument("--batch", type=int, default=50, help="each projector's batch size (small: they interleave)")
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL database to make a scratch schema in")
    parser.add_argument("--projector", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.projector:
        projector(args.batch)
        return
    with tempfile.TemporaryDirectory() as name, store("postgres", args.postgres, Path(name)) as settings:
        report = simulate(settings, args.events, args.projectors, args.batch)
    print(f"{report.events:,} events written in {report.write_seconds:.1f} s while {report.projectors} projector "
          f"processes followed; every read model at the head {report.drain_seconds:.1f} s after the last write")
    for process in sorted(report.entries_by_process):
        print(f"  process {process}: {report.batches_by_process.get(process, 0):,} batches, "
              f"{report.entries_by_process[process]:,} log entries witnessed")
    print(f"exactly once, in log order: {'yes' if report.exactly_once_in_order else 'NO'}")
    print(f"read models equal to a rebuild in one process: {'yes' if not report.differences else 'NO'}")
    for name, account in report.differences.items():
        print(f"  {name}: {account}")
    print(f"followers failed: {', '.join(f'{n}: {e}' for n, e in report.failures.items()) or 'none'}")
    if not report.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
