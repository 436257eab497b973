"""A follower on PostgreSQL is woken by the commit of new events (LISTEN/NOTIFY), from any process — not by its
poll, which these tests set to an hour (issue #15). Not timed: the deadline only bounds a failing test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.bootstrap import System, bootstrap
from application import organisation as o
from domain.units import RiskColour
from infrastructure.following import positions
from infrastructure.settings import Settings
from tests.builders import World
from tests.conftest import REGISTRAR, drop_schema, make_settings

HOUR = 3600.0
DEADLINE = 60.0


@pytest.fixture
def pg(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    settings, schema = make_settings("postgres", tmp_path, request)
    yield settings
    assert schema
    drop_schema(schema)


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
