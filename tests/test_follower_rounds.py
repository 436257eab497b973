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
from infrastructure.following import Runner, positions
from projections.audit_trail import EVENTS, AuditTrail
from projections.columns import BigInt
from projections.projection import Projection
from tests.builders import World
from tests.conftest import REGISTRAR

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
