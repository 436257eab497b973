"""Four writers and every follower at once (issue #15, not timed): each follower sees each event exactly once, in
log order — the library's table lock keeps notification ids in commit order, so a follower that reads "after its
position" never skips an event committed late (the trap of insert functions that skip the lock, settings.py).
A fifth writer imports in bulk meanwhile: on PostgreSQL its batches go in by ``COPY``
(``PostgresEventRecorder._copy_events``), under the same lock; and the four writers' commands share transactions by
group commit (``infrastructure.group_commit``: several commands' events in one insert, one commit)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from api.bootstrap import System, projections
from application import organisation as o
from application.service import Zeren
from bench.generator import BufferedLog
from bench.simulate import WITNESSED, Witness
from domain.units import RiskColour
from infrastructure.following import Runner
from infrastructure.persistence import COPY_FROM
from tests.builders import World
from tests.conftest import REGISTRAR

WRITERS, COMMANDS, BATCHES = 4, 15, 3
def test_four_writers_and_every_follower_at_once(system: System) -> None:
    world = World(system)
    units = [world.enterprise_in(world.town_a, 900 + w) for w in range(WRITERS)]
    runners = [Runner(system.db, system.store, [*projections(), Witness()], batch_size=7) for _ in range(2)]
    runners[0].setup()  # two projector "processes" on one store, small batches so that they interleave
    stop, failures = threading.Event(), []

    def write(w: int) -> None:
        try:
            for i in range(COMMANDS):
                system.service.execute(o.GradeRiskColour(unit_id=units[w], colour=list(RiskColour)[i % 4],
                                                         reason=f"w{w}#{i}"), REGISTRAR)
        except Exception as exc:
            failures.append(exc)

    def follow(step: Any) -> None:
        while not stop.is_set():
            try:
                step()
            except Exception as exc:
                failures.append(exc)
                return

    bulk_unit = world.enterprise_in(world.town_a, 900 + WRITERS)
    buffer = BufferedLog(system.store, COPY_FROM)
    importer = Zeren(buffer, system.service.clock, system.service.ids, system.vault, system.service.handlers,
                     system.service.directory, system.service.tips)
    copies: list[int] = []
    recorder = system.store.recorder
    if hasattr(recorder, "_copy_events"):  # PostgreSQL: count the saves that go in by COPY
        copy_events = recorder._copy_events

        def counted(*args: Any) -> Any:
            copies.append(len(args[0]))
            return copy_events(*args)

        recorder._copy_events = counted
    grouped: list[int] = []
    if hasattr(recorder, "group"):  # PostgreSQL: count the commands saved in groups of two or more
        together = recorder.group._together

        def in_groups(group: list[Any]) -> Any:
            outcomes = together(group)
            grouped.append(sum(isinstance(outcome, list) for outcome in outcomes))
            return outcomes

        recorder.group._together = in_groups

    def bulk() -> None:
        try:
            for i in range(BATCHES * COPY_FROM):
                importer.execute(o.GradeRiskColour(unit_id=bulk_unit, colour=list(RiskColour)[i % 4],
                                                   reason=f"bulk#{i}"), REGISTRAR)
            buffer.flush()
        except Exception as exc:
            failures.append(exc)

    followers = [threading.Thread(target=follow, args=(r.step_all,)) for r in runners]
    followers.append(threading.Thread(target=follow, args=(system.audit.sealer.step,)))
    writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    writers.append(threading.Thread(target=bulk))
    for thread in (*followers, *writers):
        thread.start()
    for thread in writers:
        thread.join()
    head = system.store.head()
    for runner in runners:
        runner.catch_up()
    system.audit.sealer.catch_up()
    stop.set()
    for thread in followers:
        thread.join()

    assert failures == []
    positions = [e.position for e in system.store.read(0, 100_000)]
    assert positions[-1] == head
    assert len(positions) >= WRITERS * COMMANDS + BATCHES * COPY_FROM
    if hasattr(recorder, "_copy_events"):
        assert copies == [COPY_FROM] * BATCHES
    if hasattr(recorder, "group"):
        assert sum(grouped) >= WRITERS, "the writers' commands shared transactions"
    with system.db.read() as conn:
        seen = conn.execute(select(WITNESSED.c.position).order_by(WITNESSED.c.seq)).scalars().all()
    assert seen == positions  # every event exactly once (a second delivery breaks the key), in log order
    status = {s["name"]: s["position"] for s in runners[0].status()}
    assert status == dict.fromkeys(runners[0].projections, head)
    assert system.audit.check(system.audit.keys()).ok
