"""The routers rule themselves out of paths none of their routes can match (``api.routing``), and only those."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import API_PREFIX
from api.routing import Router, ends


def routers(client: TestClient) -> list[Router]:
    found = {id(r.original_router): r.original_router for r in client.app.router.routes  # type: ignore[attr-defined]
             if isinstance(getattr(r, "original_router", None), Router)}
    return list(found.values())


def test_no_route_is_ruled_out_by_its_own_router(client: TestClient) -> None:
    """Every route's own path, its parameters filled in, behind the API's prefix and a server's root path."""
    for router in routers(client):
        pattern = ends(router.routes)
        assert pattern is not None
        for route in router.routes:
            assert isinstance(route, APIRoute)
            path = re.sub(r"{[^}]+}", "x1", route.path)
            for before in (API_PREFIX, "/root" + API_PREFIX):
                assert pattern.search(before + path), (route.path, before)


def test_a_request_tries_only_the_routers_that_could_answer_it(client: TestClient,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[Any] = []
    matches = APIRouter.matches

    def counted(self: APIRouter, scope: Any) -> Any:
        tried.append(self)
        return matches(self, scope)

    monkeypatch.setattr(APIRouter, "matches", counted)
    assert client.get(f"{API_PREFIX}/hazards", params={"limit": 50}).status_code == 401  # routed, then refused
    from api.routers import hazards

    assert tried == [hazards.router], "the routers before it ruled themselves out without trying their routes"
    assert client.get(f"{API_PREFIX}/no-such-thing").status_code == 404
    assert client.delete(f"{API_PREFIX}/hazards").status_code == 405
