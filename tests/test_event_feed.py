"""The HTTP event feed and the published schemas: log order, cursors, jurisdiction scoping, roles, type filters with
a bounded scan, long-poll, Server-Sent Events, and the relay's lag in /healthz."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from api.demo.identifiers import resident_id
from application import people as pp
from infrastructure.following import Tracking
from infrastructure.stream.feed import EventFeed
from infrastructure.stream.relay import Relay
from tests.builders import World
from tests.conftest import COUNTY, REGISTRAR, TOWN_A, TOWN_B

ROOT = Path(__file__).resolve().parents[1]

PROBLEM = "application/problem+json"
REGISTERED = "cn.zeren.organisation.UnitRegistered.v1"


def jurisdiction_of(envelope: dict) -> str:
    return envelope["source"].split("/", 3)[3]


def test_the_feed_pages_in_log_order_with_a_cursor(client: TestClient, system: System, token) -> None:
    World(system)
    headers = token("stream", "350000")
    items, after = [], 0
    while True:
        page = client.get(f"/api/v1/events?after={after}&limit=3", headers=headers).json()
        if not page["items"]:
            break
        assert len(page["items"]) <= 3
        assert page["next_after"] == page["items"][-1]["zerenposition"]
        items += page["items"]
        after = page["next_after"]
    assert page["next_after"] == after == system.store.head(), "a caught-up client keeps its cursor"
    assert [e["zerenposition"] for e in items] == [e.position for e in system.store.read(0, 1000)]
    assert len({e["id"] for e in items}) == len(items)


def test_a_subscriber_sees_only_its_own_jurisdiction(client: TestClient, system: System, token) -> None:
    world = World(system)
    other = world.enterprise_in(world.town_b, 2)
    for role in ("stream", "auditor"):
        items = client.get("/api/v1/events?limit=1000", headers=token(role, TOWN_B)).json()["items"]
        assert {e["subject"] for e in items} == {str(world.town_b), str(other)}
        assert all(jurisdiction_of(e) == TOWN_B or jurisdiction_of(e).startswith(TOWN_B + "/") for e in items)
    town_a = client.get("/api/v1/events?limit=1000", headers=token("stream", TOWN_A)).json()["items"]
    assert str(other) not in {e["subject"] for e in town_a}
    assert str(world.enterprise) in {e["subject"] for e in town_a}


@pytest.mark.parametrize("role", ["viewer", "registrar", "investigator"])
def test_other_roles_may_not_read_the_feed(client: TestClient, system: System, token, role: str) -> None:
    for url in ("/api/v1/events", "/api/v1/events/live"):
        response = client.get(url, headers=token(role, COUNTY))
        assert response.status_code == 403
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == "role-not-allowed"
    assert client.get("/api/v1/events").status_code == 401


def test_a_type_filter_keeps_only_those_types(client: TestClient, system: System, token) -> None:
    world = World(system)
    world.person(3)
    headers = token("stream", "350000")
    items = client.get(f"/api/v1/events?types={REGISTERED}&limit=1000", headers=headers).json()["items"]
    assert items
    assert {e["type"] for e in items} == {REGISTERED}
    unknown = client.get("/api/v1/events?types=cn.zeren.people.PersonRegistered.v9", headers=headers)
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == PROBLEM
    assert unknown.json()["code"] == "unknown-event-type"
    assert "PersonRegistered.v9" in unknown.json()["detail"]


def test_a_filtered_page_scans_a_bounded_stretch_and_moves_the_cursor(system: System) -> None:
    World(system)
    entries = system.store.read(0, 1000)
    feed = EventFeed(system.store, "test", scan_limit=4, batch=3)
    page = feed.page("350000", after=0, limit=10, types={"cn.zeren.people.PersonRegistered.v1"})
    assert page.items == [], "no person was registered"
    assert page.next_after == entries[3].position, "it scanned four events and says where it stopped"
    rest = feed.page("350000", after=page.next_after, limit=10)
    assert [e["zerenposition"] for e in rest.items] == [e.position for e in entries[4:8]]


def test_long_poll_answers_as_soon_as_an_event_is_written(client: TestClient, system: System, token) -> None:
    World(system)
    head = system.store.head()
    headers = token("stream", "350000")
    started = time.monotonic()
    empty = client.get(f"/api/v1/events?after={head}&wait=0.4", headers=headers).json()
    assert empty == {"items": [], "next_after": head}
    assert 0.35 <= time.monotonic() - started < 15, "it waited, and answered when the wait was over"

    def later() -> None:
        time.sleep(0.3)
        system.service.execute(pp.RegisterPerson(name="孙七", id_number=resident_id(date(1990, 1, 1), 21),
                                                 jurisdiction=COUNTY), REGISTRAR)

    writer = threading.Thread(target=later)
    writer.start()
    started = time.monotonic()
    page = client.get(f"/api/v1/events?after={head}&wait=30", headers=headers).json()
    writer.join()
    assert time.monotonic() - started < 15, "answered when the event was written, long before the 30 s wait"
    assert [e["type"] for e in page["items"]] == ["cn.zeren.people.PersonRegistered.v1"]
    assert client.get("/api/v1/events?wait=31", headers=headers).status_code == 422, "waits are bounded"


def read_sse(lines: Iterator[str], count: int) -> list[tuple[int, dict]]:
    """The next ``count`` SSE events (id, data) from a stream's lines."""
    events: list[tuple[int, dict]] = []
    event_id = None
    for line in lines:
        if line.startswith("id: "):
            event_id = int(line[4:])
        elif line.startswith("data: "):
            assert event_id is not None, "every event's id comes before its data"
            events.append((event_id, orjson.loads(line[6:])))
            if len(events) == count:
                return events
    raise AssertionError(f"the stream ended after {len(events)} events")


def test_live_tail_streams_new_events_and_resumes_after_last_event_id(client: TestClient, system: System,
                                                                        token) -> None:
    World(system)
    entries = system.store.read(0, 1000)
    resume_after = entries[2].position
    headers = {**token("stream", "350000"), "Last-Event-ID": str(resume_after)}
    with client.stream("GET", "/api/v1/events/live", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        caught_up = read_sse(lines, len(entries) - 3)
        assert [i for i, _ in caught_up] == [e.position for e in entries[3:]]
        assert all(i == envelope["zerenposition"] for i, envelope in caught_up)
        writer = threading.Timer(0.2, lambda: system.service.execute(pp.RegisterPerson(
            name="周八", id_number=resident_id(date(1991, 2, 3), 22), jurisdiction=COUNTY), REGISTRAR))
        writer.start()
        [(position, envelope)] = read_sse(lines, 1)
        writer.join()
    assert position == system.store.head()
    assert envelope["type"] == "cn.zeren.people.PersonRegistered.v1"
    assert set(envelope["data"]) == {"name", "id_number_masked"}


def test_schemas_are_served_with_their_index(client: TestClient, token) -> None:
    headers = token("stream", COUNTY)
    index = client.get("/api/v1/schemas", headers=headers).json()
    entry = next(t for t in index["types"] if t["type"] == REGISTERED)
    assert entry["url"] == f"/api/v1/schemas/{REGISTERED}"
    schema = client.get(entry["url"], headers=headers)
    assert schema.status_code == 200
    assert schema.headers["content-type"] == "application/schema+json"
    assert schema.json()["properties"]["type"] == {"const": REGISTERED}
    missing = client.get("/api/v1/schemas/cn.zeren.x.Nothing.v1", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "unknown-event-type"
    assert client.get("/api/v1/schemas").status_code == 401


def test_superseded_schema_versions_stay_served_beside_the_current_ones(client: TestClient, token) -> None:
    """A consumer holding a message of a superseded version reads its shape from the API (docs/stream.md,
    Versioning): the committed schema, indexed as superseded, named by the current version it upcasts to."""
    headers = token("stream", COUNTY)
    types = {t["type"]: t for t in client.get("/api/v1/schemas", headers=headers).json()["types"]}
    committed = sorted((ROOT / "docs" / "schemas-superseded").glob("*.json"))
    assert committed
    for path in committed:
        entry = types[path.stem]
        current = types[entry["superseded_by"]]
        assert (entry["status"], current["status"]) == ("superseded", "current")
        assert entry["upcaster"] == f"upcast_v{entry['version']}_v{entry['version'] + 1}"
        assert {"type": path.stem, "schema": path.name} in current["supersedes"]
        served = client.get(entry["url"], headers=headers)
        assert served.status_code == 200
        assert served.json() == orjson.loads(path.read_bytes())
    closed = types["cn.zeren.hazards.HazardClosedOut.v1"]
    assert (closed["superseded_by"], closed["term"]) == ("cn.zeren.hazards.HazardClosedOut.v2", "闭环销号")


def test_healthz_reports_the_relays_lag_from_its_tracking_row(client: TestClient, system: System) -> None:
    World(system)
    head = system.store.head()
    [relay] = client.get("/healthz").json()["relays"]
    assert relay == {"name": "relay:zeren.events", "position": 0, "lag": head, "updated_at": None, "error": None}
    name = Relay(system.settings, system.db, system.store).name
    with system.db.transaction() as conn:
        Tracking.start(conn, name, position=head - 2)
    [relay] = client.get("/healthz").json()["relays"]
    assert (relay["position"], relay["lag"]) == (head - 2, 2)
    assert relay["updated_at"] is not None
