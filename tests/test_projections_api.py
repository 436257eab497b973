"""``GET /api/v1/projections`` (issue #14: the web UI shows a rebuild's progress): every read model's position
against the log's head, its lag, whether it is rebuilding behind its old tables and, while it fills its shadow tables,
the rebuild's own position batch by batch; for auditors and admins only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

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


def during_rebuild(system: System, monkeypatch: pytest.MonkeyPatch, look: Callable[[], Any],
                   rebuild: Callable[[], Any]) -> list[tuple[int, Any]]:
    """What ``look`` answers before each batch a rebuild reads (between its transactions, when another reader sees
    the batches before committed): no thread and no sleep, the rebuild calls it. Two events a batch."""
    runner = system.runner
    monkeypatch.setattr(runner, "rebuild_batch_size", 2)
    seen: list[tuple[int, Any]] = []
    read = runner._read

    def reading(after: int, limit: int) -> Any:
        if limit == runner.rebuild_batch_size:  # the rebuild's shared pass (a follower's round reads batch_size)
            seen.append((after, look()))
        return read(after, limit)

    monkeypatch.setattr(runner, "_read", reading)
    rebuild()
    monkeypatch.setattr(runner, "_read", read)
    return seen


def test_a_rebuild_reports_its_own_position_as_it_fills_its_shadow_tables(still: TestClient, system: System, token,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    World(system).person(5)
    system.runner.catch_up()
    head = system.store.head()
    assert head > 6, "enough events for several batches of two"
    projection = system.runner.projections["audit_trail"]
    type(projection).version += 1
    try:
        system.runner.setup()  # a start after an upgrade: the rebuild is due, not begun
        waiting = read_models(still, token("auditor", COUNTY))["audit_trail"]
        assert (waiting["rebuilding"], waiting["rebuild"], waiting["position"]) == (True, None, head)
        seen = during_rebuild(system, monkeypatch, lambda: read_models(still, token())["audit_trail"],
                              lambda: system.runner.catch_up("audit_trail"))
    finally:
        type(projection).version -= 1
    assert [after for after, _ in seen] == list(range(0, head + 1, 2)), "one look per batch"
    for after, model in seen:  # the rebuild's position moves; the live tables' stays until the swap
        assert model["rebuilding"]
        assert model["version"] == projection.version + 1
        assert (model["position"], model["lag"]) == (head, 0)
        assert model["rebuild"] is not None
        assert not model["rebuild"]["stalled"]
        assert (model["rebuild"]["position"], model["rebuild"]["target"], model["rebuild"]["lag"]) == (
            after, head, head - after)
    after_swap = read_models(still, token())["audit_trail"]
    assert (after_swap["rebuilding"], after_swap["rebuild"], after_swap["position"]) == (False, None, head)

    # an operator's rebuild of a current read model (zeren projections rebuild) shows the same
    seen = during_rebuild(system, monkeypatch, lambda: read_models(still, token())["directory"],
                          lambda: system.runner.rebuild("directory"))
    assert [(m["rebuilding"], m["rebuild"]["position"]) for _, m in seen] == [(True, a) for a in range(0, head + 1, 2)]
    assert read_models(still, token())["directory"]["rebuild"] is None


def test_only_auditors_and_admins_read_the_read_models(still: TestClient, token) -> None:
    assert still.get("/api/v1/projections").status_code == 401
    for role in ("viewer", "registrar", "investigator", "enforcement", "stream", "tip_officer"):
        response = still.get("/api/v1/projections", headers=token(role, COUNTY))
        assert response.status_code == 403, role
        assert response.headers["content-type"].startswith("application/problem+json")
