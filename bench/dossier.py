"""``python -m bench.dossier``: how long one 一案四查 dossier takes (issue #11; target ≤ 300 ms p95).

The store is the generator's province-like history (``bench.generator``, ``--events``), plus one enterprise with ten
years of enforcement inspections — monthly, each with its checklist, signatures, findings and the hazards they
found, planned, rectified, accepted and closed, or left overdue — and an accident at its end. The figure is the p95
of ``System.dossiers.build`` (the dossier read through its index: ``projections/dossier_index.py``) for that
accident, as of the accident and as known now, with every proof; beside it, the same dossier derived from the whole
sealed log read and decoded (what the dossier did before its index). A module of its own, so the suite's table
(``bench/suite.py``) can take the figure in with one row.

Two p95s: **first** — every build starts from nothing kept (``Kept``: the first dossier of an enterprise in a
process), and **again** — the process has built dossiers before and kept their decoded events and range hashes
(``infrastructure/dossier_build.py``). Beside each, the median CPU time of the build (``time.process_time``): on a
machine shared with other work the wall time mostly measures waiting for a core, the CPU time is the build's own.

``--keep DIR`` keeps the generated store and reuses it on the next run (generating 10⁵ events takes half an hour on
a loaded machine): a SQLite file in DIR, or with ``--backend postgres`` the schema ``kept_<DIR's name>`` of the
``--postgres`` database (DIR holds what it was made of and its keys); ``--widen K`` appends K copies of the
generated history under new ids before the first measurement (``bench/widen.py``: the store's size, not the
enterprise's history, grows K+1 times), then brings the dossier index up to them and seals them, each step timed.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from uuid import UUID

from api.bootstrap import System
from application import accidents as a
from application.authorization import Principal
from bench.backends import POSTGRES
from bench.generator import Generator
from bench.suite import p95, store
from domain import accidents as ac
from domain.dossier import Logged, derive
from domain.rules.accidents import Figures
from infrastructure.dossier_build import Kept
from infrastructure.memory import settle
from infrastructure.settings import Settings
from projections.dossier_index import DossierIndex

YEARS = 10


def enterprise_with_history(generator: Generator, years: int = YEARS) -> tuple[UUID, str]:
    """One generated enterprise inspected every month for ``years`` years after the generated history, and an
    accident at the end; returns the accident and its county's path."""
    county = generator.counties[0]
    enterprise = county.enterprises[0]
    when = generator.clock.now() + timedelta(days=1)
    for month in range(12 * years):
        day = when + timedelta(days=30 * month)
        generator.demo.later(day, partial(generator._inspect, county, enterprise, day))
    generator.demo.run_agenda()
    occurred = generator.clock.now() + timedelta(days=1)
    investigator = Principal("bench:investigator", "investigator", county.path)
    accident = generator.do(investigator, a.RecordAccident(
        unit_id=enterprise[0], kind=ac.AccidentKind.work, occurred_at=occurred, place="生产车间",
        description="bench", unit_head_informed_at=occurred + timedelta(minutes=5),
        known_from=ac.KnownFrom.unit_report, known_at=occurred + timedelta(minutes=30),
        figures=Figures(deaths=1)), occurred + timedelta(minutes=30))
    if generator.buffer is not None:
        generator.buffer.flush()
    return accident, county.path


def prepare(settings: Settings, events: int, years: int = YEARS) -> tuple[System, UUID, str, datetime]:
    """The store, the accident, its county's path and the end of the history (the generator's clock)."""
    from api.bootstrap import bootstrap

    system = bootstrap(settings)
    generator = Generator(system, events, seed=11, bulk=True)
    generator.run()
    accident, scope = enterprise_with_history(generator, years)
    system.runner.catch_up()
    system.audit.sealer.seal_now()
    return system, accident, scope, generator.clock.now()


@dataclass(frozen=True)
class Built:
    """One dossier measured: p95 wall ms and median CPU ms, built from nothing kept (first) and again; the events it
    proves."""

    first: float
    first_cpu: float
    again: float
    again_cpu: float
    proven: int


def build_ms(system: System, accident: UUID, scope: str, now: datetime, samples: int) -> Built:
    """The dossier through its index, ``samples`` times from nothing kept and ``samples`` times again."""
    measured: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
    proven = 0
    system.dossiers.build(accident, scope=scope, known_at=now)  # the connections and the index's pages warmed
    settle()  # as `zeren serve` does once it has loaded the system
    for fresh in (True, False):
        for _ in range(samples):
            if fresh:
                system.dossiers.kept = Kept()
            wall, cpu = time.perf_counter(), time.process_time()
            built = system.dossiers.build(accident, scope=scope, known_at=now)
            measured[fresh][0].append((time.perf_counter() - wall) * 1000)
            measured[fresh][1].append((time.process_time() - cpu) * 1000)
            proven = len(built["evidence"])
    (first, first_cpu), (again, again_cpu) = measured[True], measured[False]
    return Built(p95(first), statistics.median(first_cpu), p95(again), statistics.median(again_cpu), proven)


def whole_log_ms(system: System, accident: UUID, scope: str, now: datetime) -> float:
    """Milliseconds of deriving the same dossier from the whole log, read and decoded (no proofs)."""
    started = time.perf_counter()
    logged, position = [], 0
    while entries := system.store.read(position, 1000):
        logged += [Logged(e.position, e.event) for e in entries]
        position = entries[-1].position
    derive("accident", accident, logged, known_at=now, scope=scope)
    return (time.perf_counter() - started) * 1000


def figures(settings: Settings, events: int, samples: int, years: int = YEARS) -> tuple[Built, float, int]:
    """On a fresh store: the dossier with its proofs (:class:`Built`), the ms of the whole-log derivation (the
    baseline of the same run) and the store's size."""
    system, accident, scope, now = prepare(settings, events, years)
    try:
        return build_ms(system, accident, scope, now, samples), whole_log_ms(system, accident, scope, now), \
            system.store.head()
    finally:
        system.close()


def kept_settings(path: Path, postgres: str | None) -> Settings:
    """The kept store of ``path``: its SQLite file, or (``postgres``: a database URL) the schema named after it."""
    if postgres is None:
        return Settings(sqlite_path=path / "store.db", data_dir=path)
    return Settings(database_url=f"{postgres}?schema=kept_{re.sub(r'[^0-9a-z]', '_', path.name.lower())}",
                    data_dir=path)


@contextmanager
def kept_store(path: Path, events: int, widen: int,
               postgres: str | None = None) -> Iterator[tuple[System, UUID, str, datetime]]:
    """A store generated once (a SQLite file in ``path``, or a PostgreSQL schema of the ``postgres`` database;
    ``path/meta.json`` says what it holds) and reused, widened ``widen`` times on its first use."""
    from api.bootstrap import bootstrap
    from bench.widen import widen as widened

    settings = kept_settings(path, postgres)
    meta_file = path / "meta.json"
    if not meta_file.exists():
        path.mkdir(parents=True, exist_ok=True)
        wall, cpu = time.perf_counter(), time.process_time()
        system, accident, scope, now = prepare(settings, events)
        print(f"generated, caught up and sealed in {time.perf_counter() - wall:.0f} s ({time.process_time() - cpu:.0f} "
              f"s of client CPU), head {system.store.head():,}", flush=True)
        meta_file.write_text(json.dumps({"accident": str(accident), "scope": scope, "now": now.isoformat(),
                                         "generated": system.store.head(), "widened": 0}))
        system.close()
    meta = json.loads(meta_file.read_text())
    system = bootstrap(settings)
    try:
        if widen and not meta["widened"]:
            for step, done in (("widened", lambda: widened(system, widen)),
                               ("indexed", lambda: system.runner.catch_up(DossierIndex.name)),
                               ("sealed", system.audit.sealer.seal_now)):
                wall, cpu = time.perf_counter(), time.process_time()
                done()
                print(f"{step} in {time.perf_counter() - wall:.0f} s ({time.process_time() - cpu:.0f} s of client "
                      f"CPU), head {system.store.head():,}", flush=True)
            meta["widened"] = widen
            meta_file.write_text(json.dumps(meta))
        yield system, UUID(meta["accident"]), meta["scope"], datetime.fromisoformat(meta["now"])
    finally:
        system.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000, help="size of the generated store (issue: 1,000,000)")
    parser.add_argument("--samples", type=int, default=20, help="dossiers built each way (the p95 is shown)")
    parser.add_argument("--backend", choices=("postgres", "sqlite"),
                        help="default: postgres, or sqlite with --keep (as before --keep knew PostgreSQL)")
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL database to make scratch schemas in")
    parser.add_argument("--keep", type=Path, help="generate the store once (its files in this directory), reuse it")
    parser.add_argument("--widen", type=int, default=0, help="with --keep: append this many copies of the history")
    parser.add_argument("--no-whole-log", action="store_true", help="skip the whole-log baseline (long at 10⁶)")
    args = parser.parse_args(argv)
    if args.keep:
        args.backend = args.backend or "sqlite"
        postgres = args.postgres if args.backend == "postgres" else None
        with kept_store(args.keep, args.events, args.widen, postgres) as (system, accident, scope, now):
            built, head = build_ms(system, accident, scope, now, args.samples), system.store.head()
            whole = None if args.no_whole_log else whole_log_ms(system, accident, scope, now)
        backend = f"{args.backend} (kept store)"
    else:
        args.backend = args.backend or "postgres"
        with tempfile.TemporaryDirectory() as name, store(args.backend, args.postgres, Path(name)) as settings:
            built, whole, head = figures(settings, args.events, args.samples)
        backend = args.backend
    baseline = "—" if whole is None else f"{whole:,.1f}"
    print(f"| dossier of an enterprise with {YEARS} years of inspections, {backend}, {head:,} events "
          f"| {built.proven:,} proven | first build p95 {built.first:,.1f} ms (CPU {built.first_cpu:,.1f}) "
          f"| again p95 {built.again:,.1f} ms (CPU {built.again_cpu:,.1f}) | whole log read and derived: {baseline} ms "
          f"| ≤ 300 ms |")


if __name__ == "__main__":
    main()
