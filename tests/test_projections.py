"""Followers: batched and tracked; a rebuild gives the same read model as live projection."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from api.bootstrap import System
from application import responsibility as rs
from domain.posts import RemovalReason
from infrastructure.following import Runner, Tracking, wait_for
from projections.audit_trail import AuditTrail
from projections.projection import SHADOW
from projections.responsibility_ledger import ResponsibilityLedger
from tests.builders import World
from tests.conftest import REGISTRAR


def dump(system: System) -> dict[str, list]:
    """Every row of every projection's tables."""
    out = {}
    with system.db.read() as conn:
        for table in system.runner.tables():
            rows = conn.execute(text(f"SELECT * FROM {table}")).mappings()
            out[table] = sorted(repr(sorted(r.items())) for r in rows)
    return out


def busy_history(system: System) -> World:
    world = World(system)
    a, b = world.person(1), world.person(2)
    position = world.post(world.enterprise)
    lst = world.duty_list(world.enterprise)
    duty = world.duty(lst, position)
    system.service.execute(rs.AppointHolder(post_id=position, person_id=a), REGISTRAR)
    system.runner.catch_up()  # part of it live ...
    system.service.execute(rs.RemoveHolder(post_id=position, person_id=a, reason=RemovalReason.left), REGISTRAR)
    system.service.execute(rs.AppointHolder(post_id=position, person_id=b), REGISTRAR)
    system.service.execute(rs.RevokeDuty(list_id=lst, duty_id=duty, reason="调整"), REGISTRAR)
    system.runner.catch_up()  # ... and the rest
    return world


def test_rebuild_gives_the_same_read_model_as_live_projection(system: System) -> None:
    busy_history(system)
    live = dump(system)
    assert live["ledger_holdings"]
    assert live["audit_events"]
    count = system.runner.rebuild()
    assert count == system.store.head() * len(system.runner.projections)
    assert dump(system) == live


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_rebuild_in_two_processes_gives_every_row_a_rebuild_in_one_gives(system: System, monkeypatch) -> None:
    """PostgreSQL: a rebuild hands about half the read models (by cost) to a second process, which reads the log
    and fills, finishes and swaps them itself; every table's rows are the followers', as one process leaves them."""
    busy_history(system)
    live = dump(system)
    runner = system.runner
    assert runner.elsewhere is not None
    runner.second_process_from = 0  # the test's log is short: a second process all the same
    here: list[str] = []
    fill_and_swap = runner._fill_and_swap

    def filled_here(projections: list) -> int:
        here.extend(p.name for p in projections)
        return fill_and_swap(projections)

    monkeypatch.setattr(runner, "_fill_and_swap", filled_here)
    count = runner.rebuild()
    assert count == system.store.head() * len(runner.projections)
    assert dump(system) == live
    there = set(runner.projections) - set(here)
    assert "inspection_ledger" in here
    assert {"hazard_ledger", "audit_trail"} <= there
    with system.db.read() as conn:
        rows = Tracking.positions(conn, [*runner.projections, *(name + SHADOW for name in runner.projections)])
    assert rows == dict.fromkeys(runner.projections, system.store.head())  # every one swapped in, at the head


@pytest.mark.parametrize("backend", ["postgres"])
def test_an_error_in_the_rebuilds_second_process_is_raised_and_leaves_its_read_models_unswapped(
        system: System, monkeypatch) -> None:
    busy_history(system)
    system.runner.second_process_from = 0

    def fails(*_: object) -> None:
        raise ValueError("the audit trail cannot apply this")

    monkeypatch.setattr(AuditTrail, "process", fails)  # the child is forked: it has this too
    with pytest.raises(RuntimeError, match="the audit trail cannot apply this"):
        system.runner.rebuild()
    with system.db.read() as conn:
        shadows = Tracking.positions(conn, [name + SHADOW for name in system.runner.projections])
    assert "audit_trail" + SHADOW in shadows  # its shadow never swapped in
    assert "inspection_ledger" + SHADOW not in shadows  # this process's read models were


@pytest.mark.parametrize("backend", ["postgres"])
def test_changed_read_models_are_rebuilt_in_the_followers_process_without_a_fork(system: System, monkeypatch) -> None:
    """The followers' process (``zeren serve``'s child) has the sealer's and the worker's threads beside the runner's:
    a fork there could copy a lock one of them holds, so changed read models are rebuilt in that process alone."""
    busy_history(system)
    live = dump(system)
    runner = system.runner
    runner.second_process_from = 0
    monkeypatch.setattr(runner.elsewhere, "rebuild", lambda _: pytest.fail("forked beside the followers' threads"))
    changed = [type(runner.projections[name]) for name in ("inspection_ledger", "audit_trail")]
    for cls in changed:
        monkeypatch.setattr(cls, "version", cls.version + 1)
    runner.setup()
    assert runner.stale == {"inspection_ledger", "audit_trail"}
    assert runner.rebuild_stale() == 2 * system.store.head()
    assert dump(system) == live


def test_status_reports_lag_and_catching_up_clears_it(system: System) -> None:
    World(system)  # its sector-lead decision brought the directory up to then (a command's lookup): no further
    lagging = {s["name"]: s["lag"] for s in system.runner.status()}
    assert lagging["audit_trail"] == system.store.head()
    assert all(lag > 0 for lag in lagging.values())
    system.runner.catch_up("audit_trail")
    status = {s["name"]: s["lag"] for s in system.runner.status()}
    assert status["audit_trail"] == 0
    assert status["responsibility_ledger"] == system.store.head()


def test_batches_are_bounded(system: System) -> None:
    World(system)
    system.runner.batch_size = 3
    assert system.runner.step(system.runner.projections["audit_trail"]) == 3


def test_a_changed_projection_version_rebuilds_behind_the_old_model_at_start(system: System, monkeypatch) -> None:
    """At start a projection whose version changed keeps its live tables: readers see the old model while it is
    rebuilt into shadow tables — by the projector's first step, or by a catch-up asked for it — and the new one
    once it is swapped in; the followers leave the old tables alone meanwhile."""
    busy_history(system)
    now = datetime.now(UTC)

    def read() -> list[dict]:
        return system.queries.ledger.holdings("350000", known_at=now)

    before, live = read(), dump(system)
    assert before
    projection = system.runner.projections["responsibility_ledger"]
    type(projection).version += 1
    try:
        system.runner.setup()  # what every start does
        assert system.runner.stale == {"responsibility_ledger"}
        assert read() == before, "nothing dropped at start"
        assert system.runner._round([projection])[:3] == (0, 0, {}), "new handlers never touch the old version's tables"
        seen: list[list[dict]] = []
        original = ResponsibilityLedger.process

        def process_and_read(self, conn, entries) -> None:
            assert self.is_shadow, "the rebuild writes only to the shadow tables"
            original(self, conn, entries)
            seen.append(read())  # another connection: what any reader sees now

        monkeypatch.setattr(ResponsibilityLedger, "process", process_and_read)
        system.runner.batch_size = system.runner.rebuild_batch_size = 2
        system.runner.catch_up("responsibility_ledger")
        assert len(seen) >= system.store.head() // 2
        assert all(rows == before for rows in seen), "readers saw the old model throughout"
        assert (read(), dump(system)) == (before, live)
        status = {s["name"]: s for s in system.runner.status()}["responsibility_ledger"]
        assert (status["version"], status["lag"], system.runner.stale) == (projection.version, 0, set())
        with system.db.read() as conn:
            assert not {n for n in inspect(conn).get_table_names() if n.endswith(SHADOW)}
        system.runner.setup()
        assert system.runner.stale == set(), "a second start finds it built at its version"
    finally:
        type(projection).version -= 1


def test_the_projector_rebuilds_a_changed_projection_before_it_follows(system: System) -> None:
    busy_history(system)
    live = dump(system)
    projection = system.runner.projections["audit_trail"]
    type(projection).version += 1
    try:
        system.runner.setup()
        stop = threading.Event()
        thread = threading.Thread(target=system.runner.run, args=(stop, 0.05))
        thread.start()
        try:
            assert wait_for(system.db, ["audit_trail"], system.store.head(), timeout=60)
            while system.runner.stale:
                stop.wait(0.05)
        finally:
            stop.set()
            system.runner.wake()
            thread.join(timeout=30)
        assert Tracking.rows(system.db)["audit_trail"]["version"] == projection.version
        assert dump(system) == live
    finally:
        type(projection).version -= 1


def test_one_process_rebuilds_a_changed_projection_another_waits_for_it(system: System) -> None:
    """Two processes start after a version bump: the first to claim the rebuild builds the shadow tables; the other
    leaves them alone, and its catch-up waits for the swap instead of building them too."""
    busy_history(system)
    live = dump(system)
    projection = system.runner.projections["audit_trail"]
    other = Runner(system.db, system.store, [type(projection)()])
    type(projection).version += 1
    try:
        system.runner.setup()
        other.setup()
        assert system.runner._claim(projection), "the first process claims it"
        assert other.rebuild_stale() == 0
        assert other.stale == {"audit_trail"}, "the other leaves it alone"
        system.runner.stale.discard("audit_trail")
        system.runner._rebuild([projection])
        assert other.catch_up("audit_trail") == 0
        assert other.stale == set()
        assert dump(system) == live
    finally:
        type(projection).version -= 1


def test_wait_for_is_bounded(system: System) -> None:
    World(system)
    head = system.store.head()
    started = datetime.now(UTC)
    assert not wait_for(system.db, ["directory"], head, timeout=0.1)
    assert (datetime.now(UTC) - started).total_seconds() < 2
    system.runner.catch_up()
    assert wait_for(system.db, ["directory"], head, timeout=0.1)


def test_a_rebuild_starts_from_empty_shadow_tables_and_leaves_only_live_names(system: System) -> None:
    """Shadow tables left full by a rebuild that never swapped (a crash) are made anew by the next rebuild, and after
    its swap every table and index has its live name (PostgreSQL: the shadows' DDL and the swap sent as scripts)."""
    busy_history(system)
    live = dump(system)
    shadows = [projection.shadow() for projection in system.runner.projections.values()]
    with system.db.transaction() as conn:
        for shadow in shadows:
            shadow.create(conn)
            shadow.process(conn, system.store.read(0, 1000))
    system.runner.rebuild()
    assert dump(system) == live
    every_index = ("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()" if system.settings.is_postgres
                   else "SELECT name FROM sqlite_master WHERE type = 'index'")  # primary keys' indexes too
    with system.db.read() as conn:
        tables = set(inspect(conn).get_table_names())
        indexes = set(conn.execute(text(every_index)).scalars())
        dialect = conn.dialect.name
    assert not {name for name in tables if SHADOW in name}
    assert not {name for name in indexes if SHADOW in name}
    declared = {i.name for p in system.runner.projections.values() for t in p.live_tables for i in t.indexes
                if i._ddl_if is None or i._ddl_if.dialect in (None, dialect)}  # one database's indexes: its own
    assert declared
    assert declared <= indexes


def test_readers_see_the_old_model_while_a_rebuild_runs(system: System, monkeypatch) -> None:
    """``zeren projections rebuild`` fills shadow tables and swaps them in when caught up: a reader between any two
    of its batches sees the whole read model, never an empty or half-built one."""
    busy_history(system)
    now = datetime.now(UTC)

    def read() -> list[dict]:
        return system.queries.ledger.holdings("350000", known_at=now)

    before = read()
    assert before
    seen: list[list[dict]] = []
    original = ResponsibilityLedger.process

    def process_and_read(self, conn, entries) -> None:
        assert self.is_shadow, "a rebuild writes only to the shadow tables"
        original(self, conn, entries)
        seen.append(read())  # another connection: what any reader sees now

    monkeypatch.setattr(ResponsibilityLedger, "process", process_and_read)
    system.runner.batch_size = system.runner.rebuild_batch_size = 2
    live = dump(system)
    assert system.runner.rebuild("responsibility_ledger") == system.store.head()
    assert len(seen) >= system.store.head() // 2
    assert all(rows == before for rows in seen)
    assert read() == before
    assert dump(system) == live, "the swapped-in tables are the live ones, indexes included, under their own names"
    with system.db.read() as conn:
        names = set(inspect(conn).get_table_names())
    assert not {name for name in names if name.endswith(SHADOW)}
    status = {s["name"]: s for s in system.runner.status()}
    assert status["responsibility_ledger"]["lag"] == 0
    assert system.runner.rebuild("responsibility_ledger") == system.store.head(), "a second rebuild works as well"
    assert dump(system) == live


def test_the_hazard_ledger_answers_with_names_while_the_directory_rebuilds(system: System, monkeypatch) -> None:
    """No read model joins the directory's tables: the hazard ledger asks ``DirectoryQueries`` for the names it shows,
    and while the directory rebuilds into its shadow tables (not swapped in yet) it answers in full, names included,
    for an inspector too (the units its department supervises are the directory's answer)."""
    from application.authorization import Principal
    from domain import hazards as hz
    from projections.directory import DirectoryProjection
    from tests.test_hazards import Desk

    desk = Desk(system)
    desk.report(hz.HazardGrade.major)
    system.runner.catch_up()
    now = datetime.now(UTC)
    inspector: Principal = desk.inspector

    def read() -> list[tuple[str, str | None, str | None]]:
        rows = system.queries.hazards.ledger("350000", as_of=now, known_at=now)
        seen_by_inspector = system.queries.hazards.ledger("350000", as_of=now, known_at=now, role="inspector",
                                                          unit_of_role=inspector.unit_id)
        assert [r["hazard_id"] for r in seen_by_inspector] == [r["hazard_id"] for r in rows]
        return [(r["hazard_id"], r["unit_name"], r["description"]) for r in rows]

    before = read()
    assert before
    assert all(name for _, name, _ in before)
    seen: list[list[tuple[str, str | None, str | None]]] = []
    original = DirectoryProjection.process

    def process_and_read(self, conn, entries) -> None:
        assert self.is_shadow
        original(self, conn, entries)
        seen.append(read())

    monkeypatch.setattr(DirectoryProjection, "process", process_and_read)
    system.runner.batch_size = system.runner.rebuild_batch_size = 2
    assert system.runner.rebuild("directory") == system.store.head()
    assert len(seen) >= system.store.head() // 2
    assert all(rows == before for rows in seen), "names and rows, between any two batches of the rebuild"
