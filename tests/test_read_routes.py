"""A read's route answers every request as FastAPI's own handling of it does (``api.short_way.ReadRoute``, the hazard
ledger's pages): the ordinary requests it answers the short way, and every other, which it leaves to FastAPI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import fastapi.routing
import pytest
from fastapi import APIRouter, Header
from fastapi.testclient import TestClient

from api.deps import SystemDep
from api.deps import system as system_dependency
from api.short_way import ReadRoute

UNIT = UUID("3f2c8d6e-1b7a-4c59-9e0d-5a4b3c2d1e0f")
OTHER = UUID("0b9e8f7a-6d5c-4b3a-8f1e-0d9c8b7a6f5e")
LEDGER = "/api/v1/hazards"


def requests(token: Any) -> list[tuple[str, dict[str, str]]]:
    """(path and query, headers): the bench's pages, and every way a request can stray from one."""
    admin = token("admin")
    pages = [f"{LEDGER}?limit=50&{query}" for query in (
        "open=true", "status=closed", "grade=general", "sort=-deadline_on", "grade=major",
        "open=true&jurisdiction=350000")]
    strays = [f"{LEDGER}?{query}" for query in (
        "", "open=1", "open=yes", "open=maybe", "open=", "open_only=true", "limit=0", "limit=1000", "limit=1001",
        "limit=abc", "limit=5&limit=7", "limit=7&limit=abc", "offset=-1", "offset=3", "grade=bad", "grade=",
        "status=submitted", "sort=bogus", "sort=", "sort=found_at", "sector=", "sector=" + "x" * 51, "sector=城镇燃气",
        "unknown=1", "as_of=2024-05-01T08:00:00%2B08:00", "as_of=2024-05-01", "as_of=garbage",
        "known_at=2024-05-01T00:00:00Z", f"unit_id={UNIT}", "unit_id=not-a-uuid", f"unit_id={UNIT.hex}",
        "listed=false", "listed=true", "jurisdiction=350000/350500", "jurisdiction=", "min_position=0",
        "min_position=999999", "min_position=abc", "limit=0&grade=bad&min_position=abc")]
    return [
        *[(path, admin) for path in pages + strays],
        (f"{LEDGER}?limit=50", {}),
        (f"{LEDGER}?limit=50", {"Authorization": "Bearer not-a-jwt"}),
        (f"{LEDGER}?limit=50", {"Authorization": "Basic YWRtaW46YWRtaW4="}),
        (f"{LEDGER}?limit=bad", {"Authorization": "Bearer not-a-jwt"}),
        (f"{LEDGER}?limit=50", token("stream")),
        (f"{LEDGER}?limit=bad", token("stream")),
        (f"{LEDGER}?limit=50", token("inspector", unit_id=UNIT)),
        (f"{LEDGER}?limit=50", token("enterprise", unit_id=UNIT)),
        (f"{LEDGER}?unit_id={UNIT}", token("enterprise", unit_id=UNIT)),
        (f"{LEDGER}?unit_id={OTHER}", token("enterprise", unit_id=UNIT)),
        (f"{LEDGER}?limit=50", token("admin", jurisdiction="350000/350500")),
        (f"{LEDGER}/major?limit=50&open=true", admin),
        (f"{LEDGER}/major?grade=general", admin),
        (f"{LEDGER}/major?limit=0", admin),
        (f"{LEDGER}/major", {}),
    ]


def test_a_ledger_page_answers_as_fastapis_own_handling(client: TestClient, system, token,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request twice: as served, then with a dependency overridden (by itself), which leaves every request to
    FastAPI's handling: the same status, headers and bytes, and the same question to the ledger."""
    asked: list[dict[str, Any]] = []
    ledger = system.queries.hazards.ledger

    def recorded(scope: str, **arguments: Any) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        asked.append({"scope": scope, **{name: "now" if isinstance(value, datetime)
                                          and abs(value - now) < timedelta(minutes=1) else value
                                          for name, value in arguments.items()}})
        return ledger(scope, **arguments)

    monkeypatch.setattr(system.queries.hazards, "ledger", recorded)
    answers = []
    for path, headers in requests(token):
        for overridden in (False, True):
            client.app.dependency_overrides = (  # type: ignore[attr-defined]
                {system_dependency: system_dependency} if overridden else {})
            asked.clear()
            response = client.get(path, headers=headers)
            answers.append((response.status_code, response.headers.multi_items(), response.content, list(asked)))
        short, fastapis = answers[-2:]
        assert short == fastapis, (path, headers)
    statuses = [status for status, *_ in answers[::2]]
    assert {200, 401, 403, 422} <= set(statuses)
    assert sum(status == 200 for status in statuses) >= 20, "ordinary pages and the ways they may vary"


def test_an_ordinary_page_is_answered_without_fastapis_dependency_solving(client: TestClient, token,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The short way is taken: FastAPI solves the dependencies of a request that strays (to answer it), not of an
    ordinary one."""
    solved = []
    solve = fastapi.routing.solve_dependencies

    async def counted(**arguments: Any) -> Any:
        solved.append(arguments["request"].url.query)
        return await solve(**arguments)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    assert client.get(f"{LEDGER}?limit=50&open=true&jurisdiction=350000", headers=token("admin")).status_code == 200
    assert client.get(f"{LEDGER}/major?open=true", headers=token("admin")).status_code == 200
    assert solved == []
    assert client.get(f"{LEDGER}?limit=0", headers=token("admin")).status_code == 422
    assert solved == ["limit=0"]


def test_a_read_route_is_made_only_for_what_it_can_solve() -> None:
    """A route whose endpoint needs more than the request's query and ``async`` dependencies, or does not write its
    own response, is refused when it is made, not served another way."""
    router = APIRouter()

    def header(system: SystemDep, agent: str | None = Header(None)) -> fastapi.Response:
        return fastapi.Response()

    def model(system: SystemDep) -> dict[str, str]:
        return {}

    for endpoint in (header, model):
        with pytest.raises(TypeError):
            router.add_api_route("/x", endpoint, route_class_override=ReadRoute)
