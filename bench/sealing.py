"""Sealing against the bulk import it must keep up with, and ``audit verify`` of a large bundle (issue #15).

    .venv/bin/python -m bench.sealing [--events N] [--widen K] [--backend postgres|sqlite] [--runs 3] [--keep DIR]
    .venv/bin/python -m bench.sealing --bundle BUNDLE.zip --public-key KEY.pub [--runs 3]

The first form writes a province-like history of N events with the generator's bulk path (``bench/generator.py``:
its batched saves' rate is the bulk append rate), optionally widens it by K copies of itself (``bench/widen.py``:
a 10⁶-event store from a 5·10⁴-event history), then seals the whole log from scratch ``--runs`` times (the seal taken
away before each run, outside its time: a scratch store), beside SHA-256 of the same stored bytes and the bulk append
rate; then exports a full bundle through the real exporter and verifies it ``--runs`` times beside reading the
bundle's file. With
``--keep DIR`` (SQLite) the store and its bundle stay in DIR for the second form, which verifies a kept bundle alone.
Every figure is the median of the runs, in events/s of wall time and events per CPU second (this process and its
workers), with the load average.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from psycopg.sql import SQL, Identifier
from sqlalchemy import delete

from api.bootstrap import System, bootstrap
from bench.backends import POSTGRES
from bench.generator import Generator
from infrastructure.audit import cosigning, tree
from infrastructure.audit.bundle import Verified, verify
from infrastructure.audit.export import Selection
from infrastructure.audit.sealer import NAME, Sealer
from infrastructure.audit.signing import key_id, load_public_key
from infrastructure.following import Tracking
from infrastructure.settings import Settings


def cpu() -> float:
    """CPU seconds of this process and of its children that ended (verify's workers), to the microsecond (``os.times``
    counts in 10 ms ticks: a tenth of a 3,000-event seal)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(runs: int, events: int, run: Callable[[], object],
          prepare: Callable[[], object] = lambda: None) -> tuple[float, float]:
    """Median events/s of wall time and median events per CPU second over ``runs`` runs of ``run``, each after
    ``prepare`` (outside its time)."""
    walls, cpus = [], []
    for _ in range(runs):
        prepare()
        wall, used = time.perf_counter(), cpu()
        run()
        walls.append(events / (time.perf_counter() - wall))
        cpus.append(events / max(cpu() - used, 1e-9))
    return statistics.median(walls), statistics.median(cpus)


def unsealed(system: System) -> Sealer:
    """A scratch store's seal taken away — its audit tables emptied, the sealer's position back to 0 — and a new
    sealer, so that the whole log is sealed again from scratch.

    On PostgreSQL the tables are truncated: a ``DELETE`` leaves its rows dead in the tables and their unique indexes
    until a vacuum, and the next seal from scratch, inserting the very same keys, checked each against the dead
    entries — a cost no sealer of a live log meets (it more than halved this figure's rate, issue #15). The
    garbage the figures before left is collected here too: in ``bench.suite``'s process a full collection of the
    generator's, rebuilds' and queries' objects (≈ 0.35 s at 3·10³ events, loaded) otherwise fell into the second of
    the seals timed, every time."""
    gc.collect()
    audit, settings = system.audit, system.audit.settings
    tables = (cosigning.SIGNATURES, tree.HEADS, tree.NODES, tree.LEAVES)
    with system.db.transaction() as conn:
        if conn.dialect.name == "postgresql":
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute(SQL("TRUNCATE {}").format(SQL(", ").join(Identifier(t.name) for t in tables)))
        else:
            for table in tables:
                conn.execute(delete(table))
        Tracking.start(conn, NAME)
    return Sealer(audit.db, audit.log, lambda: audit.signer, audit.clock, every_events=settings.seal_every_events,
                  every_minutes=settings.seal_every_minutes, clock_skew_seconds=settings.audit_clock_skew_seconds,
                  cosigning=audit.cosigning)


def sha256_rate(system: System, runs: int) -> tuple[float, float]:
    """SHA-256 of every stored event's bytes, read beforehand: events/s and per CPU second."""
    states = [e.state for e in system.audit.log.scan(None, None, 5000)]

    def digest() -> None:
        for state in states:
            hashlib.sha256(state).digest()

    return timed(runs, len(states), digest)


def read_rate(bundle: Path, events: int, runs: int) -> tuple[float, float]:
    """Reading the bundle's file, a megabyte at a time."""
    def read() -> None:
        with bundle.open("rb") as f:
            while f.read(1 << 20):
                pass

    return timed(runs, events, read)


def verify_rates(bundle: Path, keys: dict, runs: int,
                 jobs: int | None = None) -> tuple[Verified, tuple[float, float], tuple[float, float]]:
    """``audit verify`` (in ``jobs`` processes; default: as it chooses) beside reading the file, runs alternating."""
    verified = verify(bundle, keys, jobs=jobs)
    verifying, reading = [], []
    for _ in range(runs):
        verifying.append(timed(1, verified.events, lambda: verify(bundle, keys, jobs=jobs)))
        reading.append(read_rate(bundle, verified.events, 1))
    return verified, median_pair(verifying), median_pair(reading)


def median_pair(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def rates(value: tuple[float, float]) -> str:
    """Events/s, and per CPU second unless the CPU time was too short to count (below the clock's 10 ms)."""
    wall, per_cpu = value
    return f"{wall:,.0f}" + (f" ({per_cpu:,.0f} per CPU s)" if per_cpu < 1e9 else "")


def row(label: str, value: tuple[float, float], baseline: tuple[float, float], baseline_label: str,
        target: str) -> str:
    return (f"| {label} | {rates(value)} | {rates(baseline)} | {baseline_label} | {value[0] / baseline[0]:.2f}× "
            f"| {target} |")


def store_settings(args: argparse.Namespace, tmp: Path) -> tuple[Settings, str | None]:
    if args.backend == "sqlite":
        where = args.keep or tmp
        where.mkdir(parents=True, exist_ok=True)
        return Settings(sqlite_path=where / "store.db", data_dir=where), None
    schema = f"bench_{os.urandom(4).hex()}"
    return Settings(database_url=f"{args.postgres}?schema={schema}", data_dir=tmp), schema


def measure(args: argparse.Namespace, settings: Settings, where: Path) -> list[str]:
    system = bootstrap(settings)
    try:
        generator = Generator(system, args.events, seed=15, bulk=True)
        generator.run()
        assert generator.buffer is not None
        bulk = generator.buffer.written / generator.buffer.seconds
        if args.widen:
            from bench.widen import widen

            widen(system, args.widen)
        events = system.store.head()
        keys = system.audit.keys()
        sealers: list[Sealer] = []
        sealing = timed(args.runs, events, lambda: sealers.pop().seal_now(),
                        lambda: sealers.append(unsealed(system)))
        sha = sha256_rate(system, args.runs)
        bundle = where / "bundle.zip"
        with bundle.open("wb") as f:
            for chunk in system.audit.export(Selection()).chunks():
                f.write(chunk)
        verified, verifying, reading = verify_rates(bundle, keys, args.runs)
    finally:
        system.close()
    size = f"{args.backend}, {events:,} events" + (f" ({args.events:,} generated, ×{args.widen + 1})"
                                                   if args.widen else "")
    return [
        row(f"sealing, {size}", sealing, (bulk, float("inf")), "bulk append of the generated "
            f"{generator.buffer.written:,} events (generator's bulk path; wall only)", "≥ 1.0×: keeps up with bulk"),
        row("sealing", sealing, sha, "SHA-256 of the same stored bytes", "—"),
        row(f"audit verify, {verified.events:,} events, {bundle.stat().st_size / 1e6:,.0f} MB", verifying, reading,
            "reading the bundle's file", "≥ 100,000/s"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000, help="events the generator writes")
    parser.add_argument("--widen", type=int, default=0, help="copies of the generated history appended after it")
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL database to make a scratch schema in")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is shown)")
    parser.add_argument("--keep", type=Path, help="SQLite: keep the store and its bundle in this directory")
    parser.add_argument("--bundle", type=Path, help="only verify this bundle, beside reading its file")
    parser.add_argument("--public-key", type=Path, help="with --bundle: the PEM public key of its heads")
    parser.add_argument("--jobs", type=int, help="with --bundle: verify in this many processes (1: one process)")
    args = parser.parse_args(argv)
    started, load = time.perf_counter(), os.getloadavg()
    if args.bundle:
        if args.public_key is None:
            parser.error("--bundle needs --public-key")
        public = load_public_key(args.public_key)
        verified, verifying, reading = verify_rates(args.bundle, {key_id(public): public}, args.runs, args.jobs)
        processes = "" if args.jobs is None else f" in {args.jobs} process{'es' if args.jobs > 1 else ''}"
        rows = [row(f"audit verify{processes}, {verified.events:,} events, {args.bundle.stat().st_size / 1e6:,.0f} MB",
                    verifying, reading, "reading the bundle's file", "≥ 100,000/s")]
    else:
        with tempfile.TemporaryDirectory() as name:
            settings, schema = store_settings(args, Path(name))
            try:
                rows = measure(args, settings, args.keep or Path(name))
            finally:
                if schema:
                    import psycopg

                    with psycopg.connect(args.postgres, autocommit=True) as conn:
                        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print("| figure | events/s (median) | baseline, same run | baseline | ratio | target |\n|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n({time.perf_counter() - started:.0f} s; each figure the median of {args.runs} runs; load average "
          f"{load[0]:.1f} before, {os.getloadavg()[0]:.1f} after)")


if __name__ == "__main__":
    main()
