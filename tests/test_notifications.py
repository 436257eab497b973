"""A follower on PostgreSQL is woken by the commit of new events (LISTEN/NOTIFY), from any process — not by its
poll, which these tests set to an hour (issue #15). Not timed: the deadline only bounds a failing test."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from api.bootstrap import System, bootstrap
from api.follower_process import followers
from application import organisation as o
from application.following import follow
from domain.units import RiskColour
from infrastructure.audit.sealer import NAME as SEALER
from infrastructure.following import positions
from infrastructure.settings import Settings
from infrastructure.stream.relay import Relay
from tests.builders import World
from tests.conftest import PG_URL, REGISTRAR, drop_schema, make_settings

HOUR = 3600.0
DEADLINE = 60.0


def _reached(system: System, position: int) -> bool:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if min(positions(system.db, system.runner.projections).values()) >= position:
            return True
        time.sleep(0.05)
    return False


def test_a_follower_wakes_on_a_commit_in_another_process(pg: Settings) -> None:
    follower, writer = bootstrap(pg), bootstrap(pg)  # two processes on one store
    stop = threading.Event()
    thread = threading.Thread(target=follower.runner.run, args=(stop, HOUR), daemon=True)
    try:
        world = World(writer)
        thread.start()
        assert follower.runner.notifications is not None
        assert follower.runner.notifications.listening.wait(DEADLINE)
        assert _reached(follower, writer.store.head())  # the wake on listening: caught up, now idle for an hour
        position = writer.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red,
                                                            reason="通知"), REGISTRAR).position
        assert position is not None
        assert _reached(follower, position)  # within DEADLINE, long before its hourly poll: the notification woke it
    finally:
        stop.set()
        thread.join()
        follower.close()
        writer.close()


def _sealed(system: System, position: int) -> bool:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if positions(system.db, [SEALER]).get(SEALER, 0) >= position:
            return True
        time.sleep(0.05)
    return False


def test_the_sealer_wakes_on_a_commit_in_another_process(pg: Settings) -> None:
    sealing, writer = bootstrap(pg), bootstrap(pg)
    stop = threading.Event()
    thread = threading.Thread(target=sealing.audit.sealer.run, args=(stop, HOUR), daemon=True)
    try:
        world = World(writer)
        thread.start()
        notifications = sealing.audit.sealer.notifications
        assert notifications is not None
        assert notifications.listening.wait(DEADLINE)
        assert _sealed(sealing, writer.store.head())
        position = writer.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red,
                                                            reason="通知"), REGISTRAR).position
        assert position is not None
        assert _sealed(sealing, position)  # long before its hourly poll: the notification woke it
    finally:
        stop.set()
        thread.join()
        sealing.close()
        writer.close()


def test_the_relay_listens_on_its_stores_channel(pg: Settings) -> None:
    system = bootstrap(pg)
    try:
        relay = Relay(system.settings, system.db, system.store)
        assert relay.notifications is not None
        assert relay.notifications.channel == system.store.recorder.channel_name
    finally:
        system.close()


def test_a_store_in_another_schema_does_not_wake_this_ones_followers(pg: Settings, tmp_path: Path,
                                                                      request: pytest.FixtureRequest) -> None:
    """The channel is database-wide, so each store's names its schema: a commit in another schema sends nothing on
    this one's. PostgreSQL delivers notifications in commit order, so a marker sent after the other store's writes
    arrives first exactly when they sent nothing here."""
    other_settings, other_schema = make_settings("postgres", tmp_path / "other", request)
    here, other = bootstrap(pg), bootstrap(other_settings)
    try:
        channel = here.store.recorder.channel_name
        assert channel != other.store.recorder.channel_name
        with psycopg.connect(PG_URL, autocommit=True) as listener:
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            World(other)  # commits in the other schema
            with psycopg.connect(PG_URL, autocommit=True) as marker:
                marker.execute(sql.SQL("NOTIFY {}, 'marker'").format(sql.Identifier(channel)))
            first = next(listener.notifies(timeout=DEADLINE, stop_after=1))
            assert first.payload == "marker"
            World(here)
            assert next(listener.notifies(timeout=DEADLINE, stop_after=1)).channel == channel
    finally:
        here.close()
        other.close()
        assert other_schema
        drop_schema(other_schema)


def test_zeren_serves_followers_follow_in_a_child_process_and_stop_with_it(pg: Settings) -> None:
    """``zeren serve`` on PostgreSQL runs the projections, the sealer and the worker in a child process
    (``api.follower_process``): another process's command reaches every read model and is sealed, with nothing
    of this process following; the child ends when the block does."""
    writer = bootstrap(pg)
    try:
        world = World(writer)
        with followers(pg) as child:
            position = writer.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red,
                                                                reason="子进程"), REGISTRAR).position
            assert position is not None
            assert _reached(writer, position)  # nothing in this process follows: the child did
            deadline = time.monotonic() + DEADLINE
            while positions(writer.db, [SEALER]).get(SEALER, 0) < position and time.monotonic() < deadline:
                time.sleep(0.05)
            assert positions(writer.db, [SEALER])[SEALER] >= position
        assert not child.is_alive()
    finally:
        writer.close()


def test_a_wake_during_a_step_causes_one_more_step() -> None:
    """``application.following.follow`` clears the wake-up before each step, so one arriving during a step (events
    the step may have read past) is never lost, and coalesced steps still run (issue #15)."""
    stop, wake = threading.Event(), threading.Event()
    steps: list[int] = []

    def step() -> int:
        steps.append(len(steps))
        if len(steps) == 1:
            wake.set()  # a commit while the first step runs
        if len(steps) == 2:
            stop.set()
        return 0

    follow(step, stop, wake, HOUR, "test", spacing=0.01)
    assert steps == [0, 1]  # woken again at once, not after an hour's poll


def _follow_in_turns(moved: int, full: int) -> list[str]:
    """What :func:`follow` does after a first step that moved ``moved`` entries (of batches of ``full``): the
    steps and the one wake-up (a commit, a second after the first step) in the order they happened."""
    stop, wake = threading.Event(), threading.Event()
    happened: list[str] = []

    def commit() -> None:
        happened.append("wake")
        wake.set()

    def step() -> int:
        happened.append("step")
        if len(happened) == 1:
            threading.Timer(1.0, commit).start()
            return moved
        stop.set()
        return 0

    follower = threading.Thread(target=follow, args=(step, stop, wake, HOUR, "test"),
                                kwargs={"spacing": 0.01, "full": full})
    follower.start()
    follower.join(DEADLINE)
    stop.set()
    wake.set()
    return happened


def test_a_step_that_reached_the_head_waits_for_the_next_wake() -> None:
    """A step that moved less than a full batch reached the head of the log: the next waits for a commit's wake-up
    (and the spacing) instead of following at once — under a stream of commands rounds would run back to back, a
    command or two each (issue #15)."""
    assert _follow_in_turns(moved=3, full=10)[:3] == ["step", "wake", "step"]


def test_a_full_step_is_followed_at_once() -> None:
    """A step that moved a full batch may have left more behind: the next follows at once (catching up)."""
    assert _follow_in_turns(moved=10, full=10)[:2] == ["step", "step"]
