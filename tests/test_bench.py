"""The benchmark generator (bench/generator.py, issue #15): its bulk path writes exactly the events of its slow path,
on SQLite and PostgreSQL; a widened store (bench/widen.py) continues where an earlier widening stopped and its copies
stay loadable and in order; and ``python -m bench --quick`` prints the whole table (shape only, never timings)."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent as Row
from sqlalchemy import select

from api.bootstrap import bootstrap
from bench.dossier import kept_store
from bench.generator import Generator
from bench.scaling import their_events
from bench.suite import measure, table
from bench.widen import copies_of, widen
from infrastructure.following import Runner, Tracking
from infrastructure.persistence import RECEIPTS
from infrastructure.settings import Settings
from projections.directory import DirectoryProjection
from projections.projection import Projection
from projections.responsibility_ledger import ResponsibilityLedger
from tests.conftest import drop_schema, make_settings

EVENTS = 400  # enough to reach a January (DutyRevised) and an overdue hazard past the monthly oversight flags


def generated(settings: Settings, *, bulk: bool) -> tuple[list[tuple[str, str, int, dict]], list[tuple]]:
    """The events stored and the policy worker's idempotency receipts (each at its command's last position)."""
    system = bootstrap(settings)
    try:
        Generator(system, EVENTS, seed=11, bulk=bulk, batch=97).run()
        entries = system.store.read(0, 100_000)
        with system.db.read() as conn:
            receipts = [tuple(r) for r in conn.execute(select(RECEIPTS).order_by(RECEIPTS.c.key))]
    finally:
        system.close()
    # Sealed fields (a tip's original text) differ by their random nonce: compare what may be shown of each event.
    return [(e.topic, str(e.event.originator_id), e.event.originator_version, e.event.shown())
            for e in entries], receipts


def test_the_bulk_path_writes_exactly_the_events_of_the_slow_path(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    for name in ("slow", "bulk"):
        (tmp_path / name).mkdir()
    slow, slow_schema = make_settings(backend, tmp_path / "slow", request)
    bulk, bulk_schema = make_settings(backend, tmp_path / "bulk", request)
    bulk = bulk.model_copy(update={"data_dir": slow.data_dir})  # one master key: people's ids derive from it
    try:
        one_by_one = generated(slow, bulk=False)
        batched = generated(bulk, bulk=True)
    finally:
        for schema in (slow_schema, bulk_schema):
            if schema:
                drop_schema(schema)
    assert len(one_by_one[0]) >= EVENTS
    assert batched[0] == one_by_one[0]
    assert batched[1] == one_by_one[1]
    assert len(one_by_one[1]) > 10  # the worker's flags and overdue marks, written with the batches they fell in
    kinds = {topic.rsplit(":", 1)[-1] for topic, *_ in one_by_one[0]}
    assert {"InspectionCompleted", "HazardReported", "HazardClosedOut", "TipReceived", "DutyRevised",
            "HazardBecameOverdue"} <= kinds


def test_a_widening_continues_where_an_earlier_one_stopped_and_every_copy_loads_in_order(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Two copies at once, or one and then one more (``made=1``), are the same rows; a 25th copy (the 400-year
    shifts of before dated it past 9999) loads like every other event, each copy later than the one before it, on
    the same weekdays, under ids of its own."""
    settings, schema = make_settings(backend, tmp_path, request)
    system = bootstrap(settings)
    try:
        Generator(system, 120, seed=11, bulk=True).run()
        history = system.store.head()
        stored = list(system.audit.log.scan(None, history))
        assert list(copies_of(stored, 2)) == list(copies_of(stored, 1)) + list(copies_of(stored, 1, made=1))
        widen(system, 2, batch=50, processes=2)  # worker processes: the same rows, in order
        widen(system, 1, batch=50, made=24, original=history)
        entries = system.store.read(0, 100_000)
        appended = [Row(originator_id=e.aggregate_id, originator_version=e.aggregate_version, topic=e.topic,
                        state=e.state) for e in system.audit.log.scan(history, 3 * history)]
    finally:
        system.close()
        if schema:
            drop_schema(schema)
    assert appended == list(copies_of(stored, 2))
    assert len(entries) == 4 * history
    stamps = [e.event.timestamp for e in entries]
    blocks = [stamps[i * history:(i + 1) * history] for i in range(4)]
    assert all(max(before) < min(after) for before, after in pairwise(blocks))
    first, shift, twenty_fifth = blocks[0][0], (blocks[1][0] - blocks[0][0]).days, blocks[3][0]
    assert shift % 7 == 0
    assert (twenty_fifth - first).days == 25 * shift
    assert twenty_fifth.weekday() == first.weekday()
    assert twenty_fifth.time() == first.time()
    assert {e.event.originator_id for e in entries[:history]}.isdisjoint(
        e.event.originator_id for e in entries[3 * history:])


def test_a_kept_dossier_store_is_made_widened_and_sealed_once_then_reused(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """``python -m bench.dossier --keep DIR [--backend postgres]``: the store (a SQLite file, or a PostgreSQL schema
    named after DIR) is generated and widened on its first use, and the next use finds it as it was left."""
    postgres = request.getfixturevalue("postgres_ready") if backend == "postgres" else None
    path = tmp_path / "kept-store"
    try:
        with kept_store(path, 100, 1, postgres) as (system, accident, scope, now):
            assert system.db.dialect == ("postgres" if postgres else "sqlite")
            head, sealed = system.store.head(), system.audit.latest_head().tree_size
            events = sum(1 for _ in system.audit.log.scan(None, None))
            built = system.dossiers.build(accident, scope=scope, known_at=now)
        meta = json.loads((path / "meta.json").read_text())
        with kept_store(path, 100, 1, postgres) as (system, again, *_):
            assert (system.store.head(), again) == (head, accident)
    finally:
        if postgres:
            drop_schema("kept_kept_store")
    assert events == 2 * meta["generated"]
    assert meta["widened"] == 1
    assert sealed == events
    assert built["evidence"]


def test_reading_only_their_events_brings_the_directory_and_ledger_to_what_the_runner_makes(
        settings: Settings) -> None:
    """``bench.scaling --their-events-only``: the two read models the as-of duty query reads, brought up decoding
    only the events they handle (in batches smaller than the log), hold the rows the runner's rebuild makes."""
    system = bootstrap(settings)
    try:
        Generator(system, EVENTS, seed=11, bulk=True).run()  # the store's read models left behind
        projections: list[Projection] = [DirectoryProjection(), ResponsibilityLedger()]

        def rows() -> dict[str, list[tuple]]:
            with system.db.read() as conn:
                return {t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
                        for p in projections for t in p.tables}

        applied = their_events(system, projections, batch=97)
        head, theirs = system.store.head(), rows()
        with system.db.read() as conn:
            reached = Tracking.positions(conn, [p.name for p in projections])
        Runner(system.db, system.store, projections).rebuild()
        runners = rows()
    finally:
        system.close()
    assert 0 < applied < head
    assert set(reached.values()) == {head}
    assert sum(len(r) for r in theirs.values()) > 100
    assert theirs == runners


def test_the_quick_suite_prints_every_figure_beside_its_baseline(postgres_ready: str) -> None:
    rows = measure(quick=True, events=200, runs=1, postgres=postgres_ready.split("?")[0])
    figures = " / ".join(r.figure for r in rows)
    for figure in ("commands in-process, 1 writer, postgres", "commands in-process, 1 writer, sqlite",
                   "4 writers", "bulk append", "projection rebuild", "as-of duty query", "sealing", "audit verify",
                   "follower latency", "aggregate load", "dossier p95 with proofs",
                   "commands over HTTP, 1 keep-alive client", "commands over HTTP, 4 keep-alive clients",
                   "ledger page p95", "RSS of the API"):
        assert figure in figures
    assert all(r.value > 0 and (r.baseline is None or r.baseline > 0) for r in rows)
    lines = table(rows).splitlines()
    assert len(lines) == len(rows) + 2
    assert all(line.count("|") == 8 for line in lines)


def test_the_bulk_path_reads_its_own_scratch_read_side_whatever_store_the_environment_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy read side is projected ahead of the log from events not yet appended: in the store's own read
    models that would leave them ahead of the log. It is a scratch SQLite database even when ``ZEREN_*`` names a
    PostgreSQL store (as ``zeren bench generate`` is configured)."""
    settings, _ = make_settings("sqlite", tmp_path, None)
    monkeypatch.setenv("ZEREN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres?schema=never_used")
    system = bootstrap(settings)
    generator = Generator(system, 10, seed=1, bulk=True)
    try:
        assert generator.policies is not None
        assert generator.policies.db.dialect == "sqlite"
        assert generator.policies.db.path != settings.sqlite_path
    finally:
        generator.close()
        system.close()
