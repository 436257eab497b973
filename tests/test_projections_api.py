"""``GET /api/v1/projections`` (issue #14: the web UI shows a rebuild's progress): every read model's position
against the log's head, its lag, whether it is rebuilding behind its old tables; for auditors and admins only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import System
from tests.builders import World
from tests.conftest import COUNTY


@pytest.fixture
def still(system: System) -> Iterator[TestClient]:
    """The API without its followers: the read models move only when the test says so."""
    with TestClient(create_app(system, follow=False)) as client:
        yield client


def read_models(client: TestClient, headers: dict[str, str]) -> dict[str, dict]:
    response = client.get("/api/v1/projections", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert all(item["head"] == body["head"] for item in body["items"])
    return {item["name"]: item for item in body["items"]}


def test_the_read_models_progress_lag_and_rebuild(still: TestClient, system: System, token) -> None:
    World(system).person(5)
    head = system.store.head()
    before = read_models(still, token("auditor", COUNTY))
    assert set(before) == set(system.runner.projections)
    assert list(before) == sorted(before)
    assert all(m["position"] + m["lag"] == head and not m["rebuilding"] and m["error"] is None
               for m in before.values())
    assert any(m["lag"] > 0 for m in before.values()), "nothing followed the log yet"
    system.runner.catch_up()
    assert {(m["position"], m["lag"]) for m in read_models(still, token()).values()} == {(head, 0)}

    projection = system.runner.projections["audit_trail"]
    type(projection).version += 1
    try:
        system.runner.setup()  # what a start after an upgrade does: the old tables stay, a rebuild is due
        during = read_models(still, token())
        assert {n for n, m in during.items() if m["rebuilding"]} == {"audit_trail"}
        assert during["audit_trail"]["version"] == projection.version
        system.runner.catch_up("audit_trail")
        after = read_models(still, token())["audit_trail"]
        assert (after["rebuilding"], after["lag"], after["version"]) == (False, 0, projection.version)
    finally:
        type(projection).version -= 1


def test_only_auditors_and_admins_read_the_read_models(still: TestClient, token) -> None:
    assert still.get("/api/v1/projections").status_code == 401
    for role in ("viewer", "registrar", "investigator", "enforcement", "stream", "tip_officer"):
        response = still.get("/api/v1/projections", headers=token(role, COUNTY))
        assert response.status_code == 403, role
        assert response.headers["content-type"].startswith("application/problem+json")
