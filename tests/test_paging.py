"""Every list endpoint pages by default (issue #15): a GET whose answer is a JSON array takes a bounded ``limit``,
and a page of the duties ledger is the slice of the whole ledger it names."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import System
from domain.responsibility import Line
from tests.builders import World


def test_every_list_endpoint_takes_a_bounded_limit(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    unbounded = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        answer = get["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if answer.get("type") != "array":
            continue
        limit = next((p for p in get.get("parameters", []) if p["name"] == "limit"), None)
        if limit is None or "maximum" not in limit["schema"] or "default" not in limit["schema"]:
            unbounded.append(path)
    assert unbounded == []


def test_a_page_of_the_duties_ledger_is_a_slice_of_it(client: TestClient, system: System, token) -> None:
    world = World(system)
    duties = world.duty_list(world.department)
    for seq in range(3):
        world.duty(duties, world.post(world.department, title=f"岗位{seq}"), Line.supervisory, text=f"职责{seq}")
    head = system.store.head()
    whole = client.get(f"/api/v1/ledger/duties?min_position={head}", headers=token()).json()
    page = client.get("/api/v1/ledger/duties?limit=1&offset=1", headers=token()).json()
    assert len(whole) == 3
    assert page == whole[1:2]
    assert client.get("/api/v1/ledger/duties?limit=5001", headers=token()).status_code == 422
