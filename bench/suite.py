"""Every figure of issue #15 beside its baseline, measured in the same run on the same machine.

    .venv/bin/python -m bench [--quick] [--events N] [--runs 3] [--postgres URL]

Each figure is the median of ``--runs`` runs (3 unless told), its baseline likewise, and the table gives their
ratio and the target the issue sets. ``--quick`` uses tiny data (a smoke test runs it: the table's shape, never its
timings). The figures and what bounds them are discussed in docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from sqlalchemy import select

from api.bootstrap import System, bootstrap, projections
from api.demo.identifiers import credit_code
from application import organisation as o
from application.authorization import Principal
from bench.backends import POSTGRES
from bench.generator import BufferedLog, Generator
from domain.base import project
from domain.units import EnterpriseProfile, Level, RiskColour, TerritorialProfile, UnitRegistered
from infrastructure.audit.bundle import verify
from infrastructure.audit.export import Selection
from infrastructure.audit.sealer import NAME as SEALER
from infrastructure.following import Tracking, positions, wait_for
from infrastructure.settings import Settings
from projections.projection import SHADOW

ADMIN = Principal("bench", "admin", "350000")


@dataclass
class Row:
    figure: str
    unit: str
    value: float
    baseline: float | None
    baseline_label: str
    target: str

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


def median(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- stores ------------------------------------------------------------------------------------------------------
@contextmanager
def store(backend: str, postgres: str, tmp: Path) -> Iterator[Settings]:
    """A fresh, empty store: a SQLite file or a PostgreSQL schema (dropped afterwards)."""
    name = uuid.uuid4().hex[:8]
    if backend == "sqlite":
        yield Settings(sqlite_path=tmp / f"{name}.db", data_dir=tmp)
        return
    schema = f"bench_{name}"
    try:
        yield Settings(database_url=f"{postgres}?schema={schema}", data_dir=tmp)
    finally:
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def enterprises(system: System, count: int = 50) -> list[UUID]:
    execute = system.service.execute
    province = execute(o.RegisterUnit(profile=TerritorialProfile(name="省", level=Level.province, code="350000")),
                       ADMIN).id
    return [execute(o.RegisterUnit(profile=EnterpriseProfile(
        name=f"企业{i}", credit_code=credit_code(i), sector="城镇燃气", address="x", legal_representative="x",
        staff_count=1), parent_id=province), ADMIN).id for i in range(1, count + 1)]


def grade(system: System, units: list[UUID], i: int) -> int:
    """One command, one event: a risk colour graded (the whole service layer). The colour is the next one after the
    unit's current colour (from this process's cache, no read): a colour graded again is no change and writes
    nothing, which would measure a cheaper command than the library's save."""
    unit = units[i % len(units)]
    state = system.store.recent(unit)
    colours = list(RiskColour)
    now = getattr(state, "risk_colour", None)
    colour = colours[(colours.index(now) + 1) % 4] if now is not None else colours[i % 4]
    position = system.service.execute(o.GradeRiskColour(unit_id=unit, colour=colour, reason="bench"), ADMIN).position
    assert position is not None, "every command of the bench writes one event"
    return position


# --- the library's baseline ---------------------------------------------------------------------------------------
class Counter(Aggregate):
    """A trivial aggregate for the library's own ``Application.save``."""

    @event("Started")
    def __init__(self) -> None:
        self.n = 0

    @event("Counted")
    def count(self, n: int) -> None:
        self.n = n


class Library(Application[UUID]):
    name = "BenchLibrary"


def library(settings: Settings, tmp: Path) -> Library:
    env = {**settings.eventsourcing_env(), "AGGREGATE_CACHE_MAXSIZE": "10000"}
    env.pop("APPLICATION_RECORDER_TOPIC")
    if not settings.is_postgres:
        env["SQLITE_DBNAME"] = str(tmp / f"library-{uuid.uuid4().hex[:6]}.db")
    return Library(env=env)


def writers(count: int, per_writer: int, write: Callable[[int, int], object]) -> float:
    """``count`` threads, each writing ``per_writer`` times; returns writes per second."""
    def run(w: int) -> None:
        for i in range(per_writer):
            write(w, i)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count * per_writer / (time.perf_counter() - started)


def commands(settings: Settings, tmp: Path, n: int, runs: int, threads: int) -> tuple[float, float]:
    """Commands/s through the service layer and the library's saves/s, with ``threads`` writers each: the medians of
    ``runs`` runs, ours and the library's alternating (one of each, ``runs`` times), so that both see the same load.
    The client's CPU seconds per command of each run are kept in :data:`CPU`."""
    system = bootstrap(settings)
    lib = library(settings, tmp)
    try:
        units = enterprises(system, 50)
        counters = [Counter() for _ in range(50)]
        lib.save(*counters)
        ids = [c.id for c in counters]
        per = max(1, n // threads)

        def ours() -> float:
            return writers(threads, per, lambda w, i: grade(system, units[w::threads], i))

        def theirs() -> float:
            def save(w: int, i: int) -> None:
                mine = ids[w::threads]
                counter: Counter = lib.repository.get(mine[i % len(mine)])
                counter.count(i)
                lib.save(counter)
            return writers(threads, per, save)

        rates: dict[str, list[float]] = {"ours": [], "theirs": []}
        for _ in range(runs):
            for name, run in (("ours", ours), ("theirs", theirs)):
                cpu = time.process_time()
                rates[name].append(run())
                CPU.setdefault((settings.is_postgres, threads, name), []).append(
                    (time.process_time() - cpu) / (per * threads))
        return statistics.median(rates["ours"]), statistics.median(rates["theirs"])
    finally:
        system.close()
        lib.close()


CPU: dict[tuple[bool, int, str], list[float]] = {}
"""(PostgreSQL?, writers, "ours" | "theirs") → the client's CPU seconds per command of each run of :func:`commands`."""


# --- a generated store and what is measured on it ---------------------------------------------------------------
def generate(settings: Settings, events: int) -> tuple[System, float, float]:
    """The generator's bulk path into ``settings``; returns the system, the bulk append rate (events/s of the
    batched appends alone) and the whole generation's rate (events/s of ``Generator.run``: every command decided
    through the application layer, the policy read side projected, the appends)."""
    system = bootstrap(settings)
    generator = Generator(system, events, seed=15, bulk=True)
    started = time.perf_counter()
    try:
        generator.run()
    finally:
        generator.close()
    whole = system.store.head() / (time.perf_counter() - started)
    assert generator.buffer is not None
    return system, generator.buffer.written / generator.buffer.seconds, whole


def copy_rate(postgres: str, system: System, *, shaped: bool = False) -> float:
    """PostgreSQL ``COPY`` of rows the size of the stored events (id, version, topic, state) in one transaction,
    rows/s: into a temporary table without indexes (not WAL-logged), or — ``shaped`` — into a logged table of the
    events table's shape (its two unique indexes, the position from a sequence), as the events are."""
    rows = [(str(e.event.originator_id), e.event.originator_version, e.topic, e.state)
            for e in system.store.read(0, 1_000_000)]
    table = f'"{system.db.schema}".bench_copied' if shaped else "copied"
    with psycopg.connect(postgres, autocommit=False) as conn:
        if shaped:
            conn.execute(f"CREATE TABLE {table} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
                         "topic text, state bytea, notification_id bigserial UNIQUE, "
                         "PRIMARY KEY (originator_id, originator_version))")
        else:
            conn.execute(f"CREATE TEMP TABLE {table} (id uuid, version int, topic text, state bytea)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY {table} (originator_id, originator_version, topic, state) FROM STDIN"
                                            if shaped else f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        rate = len(rows) / (time.perf_counter() - started)
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
        return rate


def rebuild(system: System) -> float:
    head = system.store.head()
    started = time.perf_counter()
    system.runner.rebuild()
    return head / (time.perf_counter() - started)


def raw_read(system: System) -> float:
    """Read and decode the whole log in batches of 500: the ceiling of any follower."""
    head, position, started = system.store.head(), 0, time.perf_counter()
    while entries := system.store.read(position, 500):
        position = entries[-1].position
    return head / (time.perf_counter() - started)


def per_event_commits(system: System, events: int) -> float:
    """Every projection applying the first ``events`` log events with one transaction per event and projection
    (the pattern of the library's ``ProjectionRunner``), into shadow tables: log events/s."""
    shadows = [p.shadow() for p in projections() if hasattr(p, "shadow")]
    entries = system.store.read(0, events)
    with system.db.transaction() as conn:
        for shadow in shadows:
            shadow.drop(conn)
            shadow.create(conn)
            Tracking.start(conn, shadow.name + SHADOW)
    started = time.perf_counter()
    for entry in entries:
        for shadow in shadows:
            with system.db.transaction() as conn:
                Tracking.position(conn, shadow.name + SHADOW, lock=True)
                shadow.process(conn, [entry])
                Tracking.advance(conn, shadow.name + SHADOW, entry.position)
    rate = len(entries) / (time.perf_counter() - started)
    with system.db.transaction() as conn:
        for shadow in shadows:
            shadow.drop(conn)
            Tracking.forget(conn, shadow.name + SHADOW)
    return rate


def follower_latency(system: System, writer: System, units: list[UUID], samples: int) -> float:
    """Milliseconds from a command's answer until every projection has applied it. The command is written by
    ``writer`` (another system on the store: another process's commit), the runner of ``system`` follows with a
    poll of a minute, so on PostgreSQL only the commit's notification (LISTEN/NOTIFY) wakes it."""
    stop = threading.Event()
    thread = threading.Thread(target=system.runner.run, args=(stop, 60.0), daemon=True)
    thread.start()
    names = list(system.runner.projections)
    waits = []
    try:
        system.runner.catch_up()
        for i in range(samples):
            position = grade(writer, units, i)
            started = time.perf_counter()
            while min(positions(system.db, names).values()) < (position or 0):
                time.sleep(0.001)
            waits.append((time.perf_counter() - started) * 1000)
    finally:
        stop.set()
        system.runner.wake()
        thread.join()
    return p95(waits)


def as_of_duties(system: System, samples: int) -> float:
    """p95 milliseconds of 'who held duty D of unit U at T', over the generated units with duty lists (the read
    models at the head: the caller brings them there)."""
    from projections.responsibility_ledger import DUTIES

    with system.db.read() as conn:
        rows = conn.execute(select(DUTIES.c.unit_id, DUTIES.c.duty_id, DUTIES.c.valid_from)
                            .where(DUTIES.c.recorded_to.is_(None))).all()
    now = datetime.now(UTC)
    waits = []
    for i in range(samples):
        unit, _, since = rows[i % len(rows)]
        started = time.perf_counter()
        system.queries.ledger.duties("350000", as_of=since + timedelta(days=30 + i), known_at=now, unit_id=unit)
        waits.append((time.perf_counter() - started) * 1000)
    return p95(waits)


def sealing(system: System, tmp: Path, runs: int) -> tuple[float, float, float, float]:
    """Sealing events/s (the whole log sealed from scratch each run) and SHA-256 of the same bytes; ``audit verify``
    events/s and reading the bundle (each the median of ``runs``)."""
    from bench.sealing import unsealed

    entries = system.store.read(0, 1_000_000)

    def sha() -> float:
        started = time.perf_counter()
        for entry in entries:
            hashlib.sha256(entry.state).digest()
        return len(entries) / (time.perf_counter() - started)

    def seal() -> float:
        sealer = unsealed(system)
        started = time.perf_counter()
        sealer.seal_now()
        return len(entries) / (time.perf_counter() - started)

    keys = system.audit.keys()
    sealed = median(runs, seal)
    bundle = tmp / f"bundle-{uuid.uuid4().hex[:6]}.zip"
    with bundle.open("wb") as f:
        for chunk in system.audit.export(Selection()).chunks():
            f.write(chunk)

    def verifying() -> float:
        started = time.perf_counter()
        return verify(bundle, keys).events / (time.perf_counter() - started)

    def read() -> float:
        started = time.perf_counter()
        with bundle.open("rb") as f:
            while f.read(1 << 20):
                pass
        return len(entries) / (time.perf_counter() - started)

    return sealed, median(runs, sha), median(runs, verifying), median(runs, read)


def aggregate_load(settings: Settings, events: int) -> tuple[float, float]:
    """Loads per second of one unit of ``events`` events: from its latest snapshot, and folding every event."""
    system = bootstrap(settings)
    try:
        unit = enterprises(system, 1)[0]
        buffer = BufferedLog(system.store, 2000)
        from application.service import Zeren

        service = Zeren(buffer, system.service.clock, system.service.ids, system.vault, system.service.handlers,
                        system.service.directory, system.service.tips)
        for i in range(events - 1):
            service.execute(o.GradeRiskColour(unit_id=unit, colour=list(RiskColour)[i % 4], reason="bench"), ADMIN)
        buffer.flush()
        state = system.store.get(unit)
        assert state is not None
        version = state.version
        repository = system.store.backend.repository
        started = time.perf_counter()
        repository.get(unit, version=version, projector_func=project)  # a version: no cache, the snapshot
        snapshot = 1 / (time.perf_counter() - started)
        started = time.perf_counter()
        project(None, system.store.backend.events.get(unit))
        folded = 1 / (time.perf_counter() - started)
        return snapshot, folded
    finally:
        system.close()


def over_http(system: System, settings: Settings, units: list[UUID], n: int, runs: int, readers: int,
              pages: int, options: tuple[str, ...] = ()) -> list[Row]:
    """Commands over HTTP with 1 and 4 keep-alive clients (``wrk``'s connections when installed, about ``n / 300``
    seconds a run; else threads: ``n`` commands a run) beside the same commands in-process (measured first, while
    no server runs), the follower latency while 4 clients write, then a filtered ledger page at ``readers``
    concurrent clients (``wrk`` when installed: ``pages`` seconds a run; else threads: ``pages`` pages each) and the
    server's RSS; the server's CPU per request (its followers' process included) in the labels."""
    from bench import over_http as http

    def inside(count: int) -> float:
        return writers(count, max(1, n // count), lambda w, i: grade(system, units[w::count], i))

    in_process = {count: median(runs, partial(inside, count)) for count in (1, 4)}
    with http.served(settings, *options) as server:
        # The server's followers first take in the in-process rows' commands (a round each, the sealer's too):
        # measured during that catch-up, the first HTTP row paid for the baseline's events.
        wait_for(system.db, [*system.runner.projections, SEALER], system.store.head(), http.STARTUP_SECONDS)
        cpu: dict[int, float] = {}
        done: dict[int, int] = {}
        clients = ""

        def over(count: int) -> float:
            nonlocal clients
            before = server.cpu_seconds()
            commands, rate, clients = graded_over_http(system, server, units, count, n)
            cpu[count] = cpu.get(count, 0.0) + server.cpu_seconds() - before
            done[count] = done.get(count, 0) + commands
            return rate

        served, per_command, how_served = {}, {}, {}
        for count in (1, 4):
            served[count] = median(runs, partial(over, count))
            per_command[count], how_served[count] = cpu[count] * 1000 / max(1, done[count]), clients
        loads: list[str] = []
        latency = median(runs, lambda: latency_under_load(system, server, units, 10 if n < 100 else 40, loads))
        before, counted = server.cpu_seconds(), 0
        by_wrk = [http.pages_by_wrk(server, readers, max(2, pages // 2)) for _ in range(runs)]
        if all(by_wrk):
            rates = [r[0] for r in by_wrk if r]
            page_p95 = statistics.median(r[2] for r in by_wrk if r)
            counted = round(sum(rates) * max(2, pages // 2))
            how = f"wrk, {readers} connections"
        else:
            waits: list[float] = []
            rates = []
            for _ in range(runs):
                rate, run = http.clients(server, readers, pages, http.ledger_page)
                rates.append(rate)
                waits.extend(run)
            page_p95, counted, how = p95(waits), len(waits), f"{readers} client threads"
        per_page = (server.cpu_seconds() - before) * 1000 / max(1, counted)
        rss, peak, others = server.rss_mb()
    head = system.store.head()
    where = " ".join(options) or "followers in a child process"
    return [
        Row(f"commands over HTTP, 1 keep-alive client (zeren serve on loopback, {where}, postgres; {how_served[1]}; "
            f"server CPU {per_command[1]:.1f} ms/command)", "commands/s", served[1], in_process[1],
            "the same commands in-process, 1 writer", "≥ 0.5×"),
        Row(f"commands over HTTP, 4 keep-alive clients ({how_served[4]}; server CPU {per_command[4]:.1f} ms/command)",
            "commands/s", served[4], in_process[4], "the same commands in-process, 4 writers", "≥ 0.5×"),
        Row("commands over HTTP, 4 keep-alive clients", "commands/s", served[4], served[1], "1 keep-alive client",
            "≥ 1.0×"),
        Row(f"follower latency p95 while 4 HTTP clients write ({loads[-1]}; another process's write → every read "
            "model of the server's followers)", "ms", latency, None, "—", "≤ 50 ms"),
        Row(f"ledger page p95 (GET /hazards?limit=50, filters), {readers} concurrent clients ({how}), {head:,} "
            f"events, {statistics.median(rates):,.0f} pages/s, server CPU {per_page:.1f} ms/page",
            "ms", page_p95, None, "—", "≤ 30 ms"),
        Row(f"RSS of the API after the HTTP rows: the largest of the server's processes (the server itself "
            f"{rss:,.0f} MB, peak {peak:,.0f}; its {len(others)} child processes — workers, followers — "
            f"{', '.join(f'{o:,.0f}' for o in sorted(others, reverse=True))} MB)", "MB", max([rss, *others]), None,
            "—", "≤ 300 MB"),
    ]


def graded_over_http(system: System, server: Any, units: list[UUID], count: int, n: int) -> tuple[int, float, str]:
    """``count`` keep-alive clients grading ``units`` over HTTP, every command checked to write an event: ``wrk``'s
    connections for about ``n / 300`` seconds when it is installed, else ``n`` commands from Python client threads
    (≈ 1 ms of CPU a command on the server's cores). Returns the commands answered, their rate and the clients."""
    from bench import over_http as http

    head = system.store.head()
    by_wrk = http.commands_by_wrk(server, units, count, max(1, round(n / 300)))
    if by_wrk is None:
        commands = count * max(1, n // count)
        rate = http.clients(server, count, commands // count, http.grading(units, count))[0]
        clients = f"{count} Python client threads"
    else:
        commands, rate = by_wrk[0], by_wrk[0] / by_wrk[1]
        clients = f"wrk, {count} connection{'s' if count > 1 else ''}"
    written = system.store.head() - head  # a unit's first grading here may repeat its colour: no event
    if written < commands - len(units):
        raise RuntimeError(f"{commands} commands answered over HTTP wrote {written} events")
    return commands, rate, clients


def latency_under_load(system: System, server: Any, units: list[UUID], samples: int, loads: list[str]) -> float:
    """p95 milliseconds from a command's answer (written by ``system``, in this process) until every read model of
    the server's followers has applied it, while 4 keep-alive clients write over HTTP (to other units: as the
    command rows' clients, :func:`graded_over_http`, about a second or 40 commands at a time); what the clients
    were, and their rate, is appended to ``loads``."""
    stop = threading.Event()
    apart = 5 if len(units) >= 9 else 1  # units the load does not grade (one on a tiny store)
    loaded, sampled = units[:-apart], units[-apart:]
    count = min(4, len(loaded))

    def load() -> str:
        answered, took, clients = 0, 0.0, ""
        while not stop.is_set():
            commands, rate, clients = graded_over_http(system, server, loaded, count, 40)
            answered, took = answered + commands, took + commands / rate
        return f"{clients}, {answered / took:,.0f} commands/s"

    names = list(system.runner.projections)
    waits = []
    with ThreadPoolExecutor(1) as pool:
        loading = pool.submit(load)
        try:
            time.sleep(0.5)
            for i in range(samples):
                system.store.get(sampled[i % len(sampled)])  # this process's cached state brought up to date
                position = grade(system, sampled, i)
                started = time.perf_counter()
                while min(positions(system.db, names).values()) < position:
                    time.sleep(0.001)
                waits.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)
        finally:
            stop.set()
        loads.append(loading.result())  # the load's failure, if it failed
    return p95(waits)


# --- the table ------------------------------------------------------------------------------------------------------
def measure(quick: bool, events: int, runs: int, postgres: str) -> list[Row]:
    n = 30 if quick else 1000
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for backend in ("postgres", "sqlite"):
            with store(backend, postgres, tmp) as settings:
                ours, theirs = commands(settings, tmp, n, runs, 1)
                rows.append(Row(f"commands in-process, 1 writer, {backend}", "commands/s", ours, theirs,
                                "library Application.save", "≥ 1.0×"))
        with store("postgres", postgres, tmp) as settings:
            ours, theirs = commands(settings, tmp, n, runs, 4)
            rows.append(Row("commands in-process, 4 writers (threads), postgres", "commands/s", ours, theirs,
                            "library, 4 writers", "≥ 1.3× and ≥ 2,000/s"))
        with store("postgres", postgres, tmp) as settings:
            system, bulk, whole = generate(settings, events)
            try:
                head = system.store.head()
                copied = copy_rate(postgres, system)
                rows.append(Row(f"bulk append (generator's bulk path: its batched appends), postgres, {head:,} events",
                                "events/s", bulk, copied, "COPY of rows of the same size (temporary table)",
                                "≥ 0.3×"))
                rows.append(Row("bulk append", "events/s", bulk, copy_rate(postgres, system, shaped=True),
                                "COPY into a logged table of the events table's shape", "—"))
                rows.append(Row("whole generation (bulk path: every command decided, the policy read side, the "
                                "appends)", "events/s", whole, copied, "COPY of rows of the same size", "—"))
                raw = median(runs, lambda: raw_read(system))
                rows.append(Row(f"projection rebuild, all {len(system.runner.projections)}, postgres, "
                                f"{head:,} events", "log events/s", median(runs, lambda: rebuild(system)), raw,
                                "raw read + decode of the log", "≥ 20,000/s and ≥ 0.25×"))
                rows.append(Row("projection rebuild", "log events/s", rows[-1].value,
                                median(runs, lambda: per_event_commits(system, min(head, 100 if quick else 400))),
                                "one transaction per event and projection (library runner)", "—"))
                system.runner.catch_up()
                rows.append(Row(f"as-of duty query p95, {head:,} events", "ms",
                                median(runs, lambda: as_of_duties(system, 20 if quick else 200)), None, "—",
                                "≤ 20 ms"))
                seal, sha, verify_rate, read = sealing(system, tmp, runs)
                rows.append(Row("sealing", "events/s", seal, bulk, "bulk append of the same run (generator's bulk "
                                "path)", "≥ 1.0×: keeps up with bulk"))
                rows.append(Row("sealing", "events/s", seal, sha, "SHA-256 of the same bytes", "—"))
                rows.append(Row("audit verify", "events/s", verify_rate, read, "reading the bundle",
                                "≥ 100,000/s"))
                units = enterprises_of(system)
                writer = bootstrap(settings)
                try:
                    rows.append(Row("follower latency p95 (another process's write → every read model, LISTEN/"
                                    "NOTIFY)", "ms", median(runs, lambda: follower_latency(
                                        system, writer, units, 10 if quick else 50)), None, "—", "≤ 50 ms"))
                finally:
                    writer.close()
                rows.extend(over_http(system, settings, units, 12 if quick else 400, runs, 20, 2 if quick else 25))
            finally:
                system.close()
        with store("postgres", postgres, tmp) as settings:
            from bench import dossier  # imported here: bench.dossier takes its store and p95 from this module

            years = 1 if quick else dossier.YEARS
            built, whole, head = dossier.figures(settings, events, 5 if quick else 20, years)
            for label, value in (("first build, nothing kept", built.first), ("again, events kept", built.again)):
                rows.append(Row(f"dossier p95 with proofs ({label}), enterprise with {years} years of inspections, "
                                f"postgres, {head:,} events, {built.proven:,} proven", "ms", value, whole,
                                "the same dossier derived from the whole log read and decoded", "≤ 300 ms"))
        with store("postgres", postgres, tmp) as settings:
            size = 300 if quick else 10_000
            loads = [aggregate_load(settings, size)]
            rows.append(Row(f"aggregate load, {size:,} events, postgres", "loads/s", loads[0][0], loads[0][1],
                            "folding every event (no snapshot)", "≥ 10×"))
    return rows


def enterprises_of(system: System) -> list[UUID]:
    """Fifty enterprises of the generated store (from the log)."""
    found = [e.event.originator_id for e in system.store.read(0, 100_000)
             if isinstance(e.event, UnitRegistered) and isinstance(e.event.profile, EnterpriseProfile)]
    return found[:50]


def table(rows: list[Row]) -> str:
    header = ("figure", "unit", "value", "baseline (same run)", "baseline", "ratio", "target")
    lines = [header] + [(r.figure, r.unit, f"{r.value:,.1f}", f"{r.baseline:,.1f}" if r.baseline else "—",
                         r.baseline_label, f"{r.ratio:.2f}×" if r.ratio else "—", r.target) for r in rows]
    return "\n".join("| " + " | ".join(line) + " |" if i else "| " + " | ".join(line) + " |\n|" + "---|" * len(line)
                     for i, line in enumerate(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny data: a minute, for the smoke test")
    parser.add_argument("--events", type=int, default=None, help="size of the generated store (default 20,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is shown)")
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL database to make scratch schemas in")
    args = parser.parse_args(argv)
    events = args.events or (300 if args.quick else 20_000)
    started = time.perf_counter()
    rows = measure(args.quick, events, args.runs, args.postgres)
    print(table(rows))
    print(f"\n({time.perf_counter() - started:.0f} s; each figure the median of {args.runs} runs)")
