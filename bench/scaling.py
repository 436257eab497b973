"""The scaling rows of issue #15 on an existing store: the as-of duty query's p95 and the store's size.

    zeren bench generate --events 1000000 --no-catch-up      # a store (the ZEREN_* settings say which)
    .venv/bin/python -m bench.scaling [--samples 200] [--runs 3] [--their-events-only]

On the store the ``ZEREN_*`` settings name (``ZEREN_DATABASE_URL`` with ``?schema=…``, or ``ZEREN_SQLITE_PATH``):
the read models the query reads (the directory and the responsibility ledger) are brought to the head of the log
first — timed, and the time is printed, since a store generated with ``--no-catch-up`` has them behind —, then
"who held duty D of unit U at T" (``LedgerQueries.duties`` with a unit, as the suite's row and ``GET
/ledger/duties?as_of=``) is asked ``--samples`` times per run over every duty of the ledger at dates within its
validity; the figure is the median over ``--runs`` of each run's p95. ``--their-events-only`` brings the two read
models up reading only the events they handle (:func:`their_events`): at 10⁷ events the runner's catch-up, which
decodes every event of the log, takes hours of this shared machine's CPU. Beside it: the store's size (the events
table with its indexes, and every table of the store), the ledger's rows, and this process's RSS after the queries.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

from eventsourcing.utils import get_topic
from sqlalchemy import BigInteger, Column, LargeBinary, MetaData, Table, Text, bindparam, func, select, text

from api.bootstrap import System, bootstrap
from application.ports import LogEntry
from bench.suite import Row, as_of_duties, median, table
from domain.base import DomainEvent
from infrastructure.following import Runner, Tracking, positions
from infrastructure.persistence import decode
from infrastructure.settings import Settings
from projections.directory import DirectoryProjection
from projections.projection import Projection
from projections.responsibility_ledger import DUTIES, HOLDINGS, ResponsibilityLedger
from projections.storable import storable


def caught_up(system: System, theirs_only: bool = False) -> tuple[int, float]:
    """The directory and the responsibility ledger at the head of the log — by the runner (one shared read of the
    log, every event decoded), or with ``theirs_only`` by :func:`their_events`; returns the entries applied (the
    runner's count: entries passed to a projection) or the events applied, and the seconds taken."""
    started = time.perf_counter()
    projections: list[Projection] = [DirectoryProjection(), ResponsibilityLedger()]
    if theirs_only:
        applied = their_events(system, projections)
    else:
        applied = Runner(system.db, system.store, projections).catch_up()
    return applied, time.perf_counter() - started


def their_events(system: System, projections: list[Projection], batch: int = 500_000) -> int:
    """``projections`` brought to the head of the log reading and decoding only the events they handle: the rows
    whose topic is that of a class one of them has a handler for, selected by the database (``topic IN …``, a
    range of positions at a time), decoded as the store's read decodes them (``infrastructure.persistence.decode``)
    and applied as the runner applies a batch — each projection from its own position, its tracking row advanced to
    the range's end, one transaction per ``batch`` positions. For projections that keep the base ``process`` and
    ``wants`` (the runner skips what no handler takes) and a log whose topics are its classes' own (no aliases: the
    domain registers none); the same rows as the runner's catch-up (tests/test_bench.py). Returns the events
    applied, summed over projections."""
    names = [p.name for p in projections]
    topics = sorted({get_topic(t) for t in subclasses(DomainEvent) if any(p.handles(t) for p in projections)})
    position = "rowid" if system.db.dialect == "sqlite" else "notification_id"  # the log's position column
    events = Table(system.store.events_table, MetaData(), Column(position, BigInteger), Column("topic", Text),
                   Column("state", LargeBinary))
    pos = events.c[position]
    query = (select(pos, events.c.topic, events.c.state)
             .where(pos > bindparam("after"), pos <= bindparam("stop"), events.c.topic.in_(topics)).order_by(pos))
    applied, after, head = 0, min(positions(system.db, names).get(name, 0) for name in names), system.store.head()
    while after < head:
        stop = min(after + batch, head)
        with system.db.read() as conn:
            rows = conn.execute(query, {"after": after, "stop": stop}).all()
        entries = [storable(LogEntry(at, decode(topic, bytes(data)), topic, bytes(data))) for at, topic, data in rows]
        with system.db.transaction() as conn:
            held = Tracking.positions(conn, names, lock=True)
            for projection in projections:
                mine = [e for e in entries if e.position > held.get(projection.name, 0)]
                if mine:
                    projection.process(conn, mine)
                    applied += len(mine)
                Tracking.advance(conn, projection.name, stop)
        after = stop
    return applied


def subclasses(cls: type) -> Iterator[type]:
    """Every class derived from ``cls``, at any depth."""
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def sizes(system: System) -> tuple[float, float]:
    """MB of the events table with its indexes, and of every table of the store (PostgreSQL: the schema's
    relations; SQLite: the database file)."""
    if system.db.dialect == "sqlite":
        size = Path(system.settings.sqlite_path).stat().st_size / 1e6
        return size, size
    with system.db.read() as conn:
        events = conn.execute(text("SELECT pg_total_relation_size(:t)"),
                              {"t": f'"{system.db.schema}"."{system.store.events_table}"'}).scalar_one()
        every = conn.execute(text("SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                                  "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                  "WHERE n.nspname = :s AND c.relkind IN ('r', 'm')"),
                             {"s": system.db.schema}).scalar_one()
    return float(events) / 1e6, float(every) / 1e6


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(system: System, samples: int, runs: int, theirs_only: bool = False) -> list[Row]:
    head = system.store.head()
    cpu = time.process_time()
    applied, seconds = caught_up(system, theirs_only)
    print(f"{head:,} events; directory and ledger brought to the head "
          f"({'their events only' if theirs_only else 'the runner'}): {applied:,} "
          f"{'events' if theirs_only else 'entries'} applied in {seconds:.0f} s "
          f"({time.process_time() - cpu:.0f} s of client CPU)", flush=True)
    with system.db.read() as conn:
        duties, holdings = (conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (DUTIES, HOLDINGS))
    cpu = time.process_time()
    p95 = median(runs, lambda: as_of_duties(system, samples))
    cpu_ms = (time.process_time() - cpu) * 1000 / (runs * samples)
    events_mb, store_mb = sizes(system)
    return [
        Row(f"as-of duty query p95, {head:,} events (ledger: {duties:,} duty rows, {holdings:,} holdings; "
            f"{cpu_ms:.1f} ms client CPU per query)", "ms", p95, None, "—", "≤ 20 ms, ≤ log N growth"),
        Row(f"events table with its indexes, {head:,} events", "MB", events_mb, None, "—", "—"),
        Row("every table of the store (events, snapshots, read models, seal)", "MB", store_mb, None, "—", "—"),
        Row("RSS of this process after the queries", "MB", rss_mb(), None, "—", "—"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=200, help="queries per run")
    parser.add_argument("--runs", type=int, default=3, help="runs (the median of their p95 is shown)")
    parser.add_argument("--their-events-only", action="store_true",
                        help="bring the two read models up decoding only the events they handle")
    args = parser.parse_args()
    system = bootstrap(Settings())
    try:
        print(table(measure(system, args.samples, args.runs, args.their_events_only)))
    finally:
        system.close()


if __name__ == "__main__":
    main()
