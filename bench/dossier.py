"""``python -m bench.dossier``: how long one 一案四查 dossier takes (issue #11; target ≤ 300 ms p95).

The store is the generator's province-like history (``bench.generator``, ``--events``), plus one enterprise with ten
years of enforcement inspections — monthly, each with its checklist, signatures, findings and the hazards they
found, planned, rectified, accepted and closed, or left overdue — and an accident at its end. The figure is the p95
of ``System.dossiers.build`` (the dossier read through its index: ``projections/dossier_index.py``) for that
accident, as of the accident and as known now, with every proof; beside it, the same dossier derived from the whole
sealed log read and decoded (what the dossier did before its index). A module of its own, so the suite's table
(``bench/suite.py``) can take the figure in with one row.
"""

from __future__ import annotations

import argparse
import tempfile
import time
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
from infrastructure.settings import Settings

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


def build_ms(system: System, accident: UUID, scope: str, now: datetime, samples: int) -> tuple[float, int]:
    """p95 milliseconds of the dossier through its index, and the events it proves."""
    waits, proven = [], 0
    for _ in range(samples):
        started = time.perf_counter()
        built = system.dossiers.build(accident, scope=scope, known_at=now)
        waits.append((time.perf_counter() - started) * 1000)
        proven = len(built["evidence"])
    return p95(waits), proven


def whole_log_ms(system: System, accident: UUID, scope: str, now: datetime) -> float:
    """Milliseconds of deriving the same dossier from the whole log, read and decoded (no proofs)."""
    started = time.perf_counter()
    logged, position = [], 0
    while entries := system.store.read(position, 1000):
        logged += [Logged(e.position, e.event) for e in entries]
        position = entries[-1].position
    derive("accident", accident, logged, known_at=now, scope=scope)
    return (time.perf_counter() - started) * 1000


def figures(settings: Settings, events: int, samples: int, years: int = YEARS) -> tuple[float, float, int, int]:
    """On a fresh store: the p95 ms of the dossier with its proofs, the ms of the whole-log derivation (the
    baseline of the same run), the events proven and the store's size."""
    system, accident, scope, now = prepare(settings, events, years)
    try:
        head = system.store.head()
        indexed, proven = build_ms(system, accident, scope, now, samples)
        return indexed, whole_log_ms(system, accident, scope, now), proven, head
    finally:
        system.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000, help="size of the generated store (issue: 1,000,000)")
    parser.add_argument("--samples", type=int, default=20, help="dossiers built (the p95 is shown)")
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL database to make scratch schemas in")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as name, store(args.backend, args.postgres, Path(name)) as settings:
        indexed, whole, proven, head = figures(settings, args.events, args.samples)
    print(f"| dossier of an enterprise with {YEARS} years of inspections, {args.backend}, {head:,} events | ms p95 "
          f"| {indexed:,.1f} | whole log read and derived: {whole:,.1f} | {proven:,} events proven | ≤ 300 ms |")


if __name__ == "__main__":
    main()
