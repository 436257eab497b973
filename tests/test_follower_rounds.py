"""A follower's round (``infrastructure.following.Runner._round``) applies its batch to every projection in one
transaction without a savepoint each (issue #15: fewer round trips per round); when a projection fails, the round
is rolled back and run again with a savepoint each, so the other projections' work is kept and the failing one
stops before the event it cannot process, its entries before that applied."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, event, insert, select

from api.bootstrap import System
from application import organisation as o
from application.following import FollowerFailed
from application.ports import LogEntry
from domain.units import RiskColour
from infrastructure.following import Runner, Tracking, positions
from projections.audit_trail import EVENTS, AuditTrail
from projections.columns import BigInt
from projections.directory import UNITS
from projections.projection import Projection
from tests.builders import World
from tests.conftest import REGISTRAR
from tests.read_models import statements_sent

SEEN = Table("round_test_seen", MetaData(), Column("position", BigInt, primary_key=True))


class Failing(Projection):
    """Records every position it is given, and cannot process the one at :attr:`poison`."""

    name = "round_test_seen"
    seen = SEEN
    poison = 0

    def wants(self, entries: list[LogEntry]) -> bool:
        return bool(entries)

    def process(self, conn: Connection, entries: list[LogEntry]) -> None:
        for entry in entries:
            if entry.position == self.poison:
                raise FollowerFailed(entry.position, ValueError("cannot"))
            conn.execute(insert(self.seen), {"position": entry.position})


class Clashing(Failing):
    """Inserts every position it is given; the database refuses one already stored (a write's error, which a
    pipelined round meets only later)."""

    def wants(self, entries: list[LogEntry]) -> bool:
        return bool(entries)

    def process(self, conn: Connection, entries: list[LogEntry]) -> None:
        for entry in entries:
            try:
                conn.execute(insert(self.seen), {"position": entry.position})
            except Exception as exc:
                raise FollowerFailed(entry.position, exc) from exc


def _grade(system: System, unit: Any, times: int) -> list[int]:
    written = []
    for i in range(times):
        result = system.service.execute(o.GradeRiskColour(unit_id=unit, colour=list(RiskColour)[(i + 1) % 4],
                                                          reason=f"#{i}"), REGISTRAR)
        assert result.position is not None
        written.append(result.position)
    return written


def _savepoints(system: System) -> list[str]:
    made: list[str] = []
    event.listen(system.db.engine, "savepoint", lambda _conn, name: made.append(name))
    return made


def test_a_round_applies_every_projection_without_a_savepoint(system: System) -> None:
    world = World(system)
    system.runner.catch_up()
    _grade(system, world.enterprise, 3)
    made = _savepoints(system)
    assert system.runner.step_all() > 0
    head = system.store.head()
    assert positions(system.db, system.runner.projections) == dict.fromkeys(system.runner.projections, head)
    assert made == []


def test_a_projection_that_fails_in_a_round_leaves_the_others_work(system: System) -> None:
    world = World(system)
    system.runner.catch_up()
    first, poison, last = _grade(system, world.enterprise, 3)
    failing = Failing()
    failing.poison = poison
    runner = Runner(system.db, system.store, [AuditTrail(), failing])
    runner.setup()
    made = _savepoints(system)
    runner.step_all()
    assert made, "the round ran again with a savepoint each"
    reached = positions(system.db, [AuditTrail.name, Failing.name])
    assert reached == {AuditTrail.name: last, Failing.name: first}
    with system.db.read() as conn:
        trail = set(conn.execute(select(EVENTS.c.position)).scalars())
        seen = conn.execute(select(SEEN.c.position).order_by(SEEN.c.position)).scalars().all()
    assert {first, poison, last} <= trail  # the audit trail applied the whole batch
    assert seen == [e.position for e in system.store.read(0, 100_000) if e.position < poison]
    failure = runner.health.failures()[Failing.name]
    assert failure.position == poison


def test_a_rounds_writes_go_out_in_one_pipeline_on_postgres(system: System) -> None:
    """PostgreSQL: every write of a round is sent in psycopg's pipeline mode, without waiting for its answer (issue
    #15: a round of one command was ~26 round trips); the statements whose rows are read are answered at once."""
    world = World(system)
    system.runner.step_all()  # the health log learnt: nothing of it is written in the next step
    _grade(system, world.enterprise, 2)
    _grade(system, world.enterprise_in(world.town_a, 2), 1)
    modes: list[tuple[str, bool]] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        driver = conn.connection.driver_connection
        piped = getattr(getattr(driver, "pgconn", None), "pipeline_status", 0) != 0
        modes.append((statement.split()[0].upper(), piped))

    event.listen(system.db.engine, "before_cursor_execute", seen)
    try:
        assert system.runner.step_all() > 0
    finally:
        event.remove(system.db.engine, "before_cursor_execute", seen)
    writes = [piped for verb, piped in modes if verb in ("INSERT", "UPDATE", "DELETE")]
    assert writes, "the round wrote"
    assert all(writes) == (system.db.dialect == "postgres"), modes
    head = system.store.head()
    assert positions(system.db, system.runner.projections) == dict.fromkeys(system.runner.projections, head)


class Committing(Failing):
    """Records, in each round, whether the round's commit waits for its WAL to be flushed (PostgreSQL's
    ``synchronous_commit`` of the round's transaction)."""

    name = "round_test_committing"
    flushed: list[str]

    def wants(self, entries: list[LogEntry]) -> bool:
        return bool(entries)

    def process(self, conn: Connection, entries: list[LogEntry]) -> None:
        if conn.dialect.name == "postgresql":
            self.flushed.append(conn.exec_driver_sql("SELECT current_setting('synchronous_commit')").scalar_one())
        super().process(conn, entries)


def test_a_rounds_commit_does_not_wait_for_the_wal_flush_on_postgres(system: System) -> None:
    """PostgreSQL: a round's rows are derived from the log and commit with its positions, so its commit does not
    wait for the WAL flush (issue #15: under write load it queued behind the commands' flushes); the setting is the
    round's transaction's alone, and what the round wrote is there to read at once."""
    world = World(system)
    system.runner.catch_up()
    written = _grade(system, world.enterprise, 2)
    committing = Committing()
    committing.flushed = []
    runner = Runner(system.db, system.store, [committing, AuditTrail()])
    runner.setup()
    runner.step_all()
    assert committing.flushed == (["off"] if system.db.dialect == "postgres" else [])
    with system.db.transaction() as conn:
        if system.db.dialect == "postgres":  # the connection back in the pool commits durably as before
            assert conn.exec_driver_sql("SELECT current_setting('synchronous_commit')").scalar_one() == "on"
    with system.db.read() as conn:
        assert set(written) <= set(conn.execute(select(SEEN.c.position)).scalars())
    assert positions(system.db, [Committing.name]) == {Committing.name: written[-1]}


def test_a_write_that_fails_inside_the_pipeline_stops_only_its_projection(system: System) -> None:
    """A write refused by the database surfaces later in a pipelined round (at the next read or the round's end):
    the round is rolled back and run again with a savepoint each, which names the projection and its event."""
    world = World(system)
    system.runner.catch_up()
    first, poison, last = _grade(system, world.enterprise, 3)
    failing = Clashing()
    runner = Runner(system.db, system.store, [failing, AuditTrail()])
    runner.setup()
    with system.db.transaction() as conn:
        conn.execute(insert(SEEN), {"position": poison})  # the projection's insert of it breaks the primary key
    runner.step_all()
    reached = positions(system.db, [AuditTrail.name, Failing.name])
    assert reached == {AuditTrail.name: last, Failing.name: first}
    assert runner.health.failures()[Failing.name].position == poison


def test_a_position_moved_back_elsewhere_is_read_again(system: System) -> None:
    """A runner reads the log from the positions its last round left (no read of them before each round); one
    that went back meanwhile — a projection made anew by another process — is found under the round's lock, and
    the round reads from there: no event is skipped."""
    world = World(system)
    system.runner.catch_up()
    _grade(system, world.enterprise, 2)
    system.runner.catch_up()
    other = Runner(system.db, system.store, [AuditTrail()])
    trail = other.projections[AuditTrail.name]
    with system.db.transaction() as conn:
        trail.drop(conn)
        trail.create(conn)
        Tracking.start(conn, AuditTrail.name, trail.version)
    _grade(system, world.enterprise, 1)
    system.runner.step_all()
    with system.db.read() as conn:
        kept = conn.execute(select(EVENTS.c.position).order_by(EVENTS.c.position)).scalars().all()
    assert kept == [e.position for e in system.store.read(0, 100_000)]


def test_a_round_reads_the_records_its_events_continue_once(system: System) -> None:
    """A round of commands on several records reads their open segments (and kept states) in one statement each,
    not one per event (issue #15), and projects what reading them one by one did."""
    world = World(system)
    units = [world.enterprise_in(world.town_a, 10 + i) for i in range(3)]
    system.runner.step_all()
    for unit in units:
        _grade(system, unit, 2)
    with statements_sent(system) as sent:
        system.runner.step_all()
    reads = [s.split("FROM")[1].split()[0] for s in sent
             if s.lstrip().upper().startswith("SELECT") and "unit_history" in s.split("WHERE")[0]]
    assert sorted(reads) == ["unit_history", "unit_history_states"]
    with system.db.read() as conn:
        rows = conn.execute(select(UNITS.c.unit_id, UNITS.c.risk_colour).where(
            UNITS.c.unit_id.in_([str(u) for u in units]))).all()
    assert [row.risk_colour for row in rows] == [list(RiskColour)[2].value] * 3
