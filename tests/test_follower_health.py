"""Every follower handles every stored event — also one written before ``domain.bounds`` — or stops visibly.

Issue #9 §1: an event with ``effective_at`` 0001-01-01T00:00:00+08:00 or 9999-12-31T23:59:59-14:00, or a name with
a NUL, was accepted and then stopped the feed (500), the relay, and the read models for good, while ``/healthz``
said ``ok``. Each poison event is stored straight through the event store here, as old data would be.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from api.bootstrap import System, bootstrap
from application.following import FollowerFailed
from infrastructure.follower_health import FollowerHealth
from infrastructure.stream.envelope import cloud_event, kafka_message
from infrastructure.stream.relay import BrokerUnavailable, Relay, relay_statuses
from tests.builders import World
from tests.kafka_broker import free_port
from tests.test_cli import run
from tests.test_event_feed import read_sse

POISON: dict[str, dict[str, object]] = {
    "year-1": {"effective_at": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8)))},
    "year-9999": {"effective_at": datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14)))},
    "nul": {"name": "张\x00三"},
}


def store_poison(system: System, kind: str) -> int:
    """Store a copy of the first PersonRegistered with the poison value, bypassing every command (old data)."""
    world = World(system)
    world.person(5)
    original = next(e.event for e in system.store.read(0, 1000) if type(e.event).__name__ == "PersonRegistered")
    fields = POISON[kind]
    envelope = original.envelope.model_copy(update={k: v for k, v in fields.items() if k == "effective_at"})
    poison = original.model_copy(update={"originator_id": uuid4(), "envelope": envelope,
                                         **{k: v for k, v in fields.items() if k != "effective_at"}})
    position = system.store.save([], [poison], None)
    world.person(6, name="王五")  # an ordinary event after it
    return position


@pytest.mark.parametrize("kind", list(POISON))
def test_every_follower_gets_past_an_old_poison_event(client: TestClient, system: System, token, kind: str) -> None:
    position = store_poison(system, kind)
    head = system.store.head()
    system.runner.catch_up()
    assert system.runner.step_all() == 0
    assert {s["name"]: s["position"] for s in system.runner.status()} == {s["name"]: head
                                                                        for s in system.runner.status()}
    assert system.audit.sealer.catch_up() >= 0
    response = client.get(f"/api/v1/people?min_position={head}&limit=500", headers=token())
    assert response.status_code == 200, response.text
    people = response.json()
    assert {"王五"} <= {p["name"] for p in people}
    feed = client.get(f"/api/v1/events?after={position - 1}&limit=1", headers=token("stream"))
    assert feed.status_code == 200, feed.text
    [item] = feed.json()["items"]
    assert item["zerenposition"] == position
    headers = {**token("stream"), "Last-Event-ID": str(position - 1)}
    with client.stream("GET", "/api/v1/events/live", headers=headers) as live:
        [(live_position, envelope)] = read_sse(live.iter_lines(), 1)
    assert (live_position, envelope) == (position, item)
    entry = system.store.read(position - 1, 1)[0]
    assert kafka_message(cloud_event(entry, "test")).value  # what the relay sends
    health = client.get("/healthz")
    assert (health.status_code, health.json()["status"]) == (200, "ok")


def test_a_projection_that_cannot_process_an_event_stops_visibly(client: TestClient, system: System,
                                                                 token) -> None:
    world = World(system)
    system.runner.catch_up()
    before = system.store.head()
    system.store.recorder.insert_events([StoredEvent(  # a stored event no class can load (a broken upcaster)
        originator_id=uuid4(), originator_version=1, topic="domain.people:PersonRegistered",
        state=orjson.dumps({"name": "赵六"}))])
    world.person(8, name="钱七")
    with pytest.raises(FollowerFailed) as failed:
        system.store.read(before, 10)
    assert failed.value.position == before + 1
    system.runner.step_all()
    status = {s["name"]: s for s in system.runner.status()}
    assert status["directory"]["position"] == before
    assert status["directory"]["failed_at_position"] == before + 1
    assert "ValidationError" in status["directory"]["error"]
    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "degraded"
    failure = next(f for f in body["failures"] if f["name"] == "directory")
    assert failure["position"] == before + 1
    assert "ValidationError" in failure["error"]
    started = datetime.now(UTC)
    stuck = client.get(f"/api/v1/people?min_position={before + 2}", headers=token())
    assert stuck.status_code == 503
    assert stuck.json()["code"] == "projection-stuck"
    assert datetime.now(UTC) - started < timedelta(seconds=system.settings.projection_wait_seconds)


def test_a_position_the_log_has_not_reached_is_refused_at_once(client: TestClient, system: System, token) -> None:
    World(system)
    head = system.store.head()
    assert client.get(f"/api/v1/people?min_position={head}", headers=token()).status_code == 200
    started = datetime.now(UTC)
    beyond = client.get(f"/api/v1/people?min_position={head + 1}", headers=token())
    assert beyond.status_code == 422
    assert beyond.json()["code"] == "position-not-written"
    assert datetime.now(UTC) - started < timedelta(seconds=system.settings.projection_wait_seconds)


def test_a_recovered_follower_is_healthy_again(system: System) -> None:
    health = FollowerHealth(system.db)
    assert health.failed("relay:zeren.events", ConnectionError("broker down\nsecond line"), 7)
    assert not health.failed("relay:zeren.events", ConnectionError("broker down"), 7), "the same error is not news"
    [failure] = health.failures().values()
    assert (failure.name, failure.position, failure.error) == ("relay:zeren.events", 7, "ConnectionError: broker down")
    assert FollowerHealth(system.db).failures() == health.failures(), "another process sees it"
    health.recovered("relay:zeren.events")
    assert health.failures() == {}


def test_a_round_that_has_not_reached_a_failure_does_not_clear_it(system: System) -> None:
    """Two followers of one name (the app's background thread and a CLI step, or two processes) race: one meets an
    unloadable event at position 10 while the other, which read the log before it, finishes a round up to 9."""
    health, elsewhere = FollowerHealth(system.db), FollowerHealth(system.db)
    assert health.failed("directory", ValueError("no class can load it"), 10)
    health.recovered("directory", 9)
    elsewhere.recovered("directory", 9)
    assert [f.position for f in health.failures().values()] == [10], "a round that stopped at 9 has not passed 10"
    elsewhere.recovered("directory", 10)
    assert health.failures() == {}, "a round that processed position 10 has recovered"

def test_a_broker_outage_shows_the_relay_degraded(client: TestClient, system: System) -> None:
    World(system)
    settings = system.settings.model_copy(update={"kafka_bootstrap": f"127.0.0.1:{free_port()}",
                                                  "relay_timeout_seconds": 0.5})
    relay = Relay(settings, system.db, system.store)
    with pytest.raises(BrokerUnavailable):
        relay.catch_up()
    relay.close()
    health = client.get("/healthz")
    assert health.status_code == 503
    [failure] = health.json()["failures"]
    assert (failure["name"], failure["position"]) == ("relay:zeren.events", 1)
    assert "BrokerUnavailable" in failure["error"]
    [status] = relay_statuses(system.db, system.store, settings.kafka_topic)
    assert status.error == failure["error"]


def test_the_command_line_shows_stuck_followers(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ZEREN_DATABASE_URL", "ZEREN_SQLITE_PATH", "ZEREN_JWT_SECRET", "ZEREN_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert run(capsys, "projections", "status")[0] == 0
    system = bootstrap()
    health = FollowerHealth(system.db)
    health.failed("directory", FollowerFailed(7, ValueError("NUL in text")), 7)
    health.failed("relay:zeren.events", BrokerUnavailable("broker at kafka:9092 down"), 1)
    system.close()
    code, out, _ = run(capsys, "projections", "status")
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("directory")]
    assert line.endswith("STUCK at 7: ValueError: NUL in text")
    code, out, _ = run(capsys, "relay", "--status")
    assert code == 1
    assert out.strip().endswith("STUCK: BrokerUnavailable: broker at kafka:9092 down")
