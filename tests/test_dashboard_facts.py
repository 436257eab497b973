"""The facts behind a dashboard figure (``GET /statistics/hazards/facts``): the same events the statistics count, in
the caller's jurisdiction only, so every number of the web dashboard opens onto the rows it counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import System
from api.demo.scene import NANPU, SHANYAO

WINDOW = {"from": "2024-11-01", "to": "2026-10-31"}


@pytest.fixture
def client(demo: System) -> Iterator[TestClient]:
    with TestClient(create_app(demo, follow=False)) as http:
        yield http


def headers(demo: System, role: str, jurisdiction: str, unit_id: UUID | None = None) -> dict[str, str]:
    token = issue_token(demo.settings.resolved_jwt_secret, subject=f"t:{role}", role=role, jurisdiction=jurisdiction,
                        unit_id=unit_id, ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


def test_the_facts_are_what_the_statistics_count(client: TestClient, demo: System) -> None:
    admin = headers(demo, "admin", "350000")
    stats = client.get("/api/v1/statistics/hazards", params={"by": "grade", **WINDOW}, headers=admin).json()
    facts = client.get("/api/v1/statistics/hazards/facts", params={"limit": 1000, **WINDOW}, headers=admin).json()
    counted: Counter[tuple[str, str]] = Counter()
    for r in stats:  # one row per month, metric and grade
        counted[r["metric"], r["breakdown"]] += r["count"]
    assert counted == Counter((f["metric"], f["grade"]) for f in facts)
    major_found = client.get("/api/v1/statistics/hazards/facts", headers=admin,
                             params={"metric": "found", "grade": "major", **WINDOW}).json()
    assert major_found
    assert {(f["metric"], f["grade"]) for f in major_found} == {("found", "major")}
    assert all(f["description"] and f["unit_name"] and f["status_term"] for f in major_found)
    page = client.get("/api/v1/statistics/hazards/facts", params={"limit": 2, "offset": 1, **WINDOW},
                      headers=admin).json()
    assert page == facts[1:3]


def test_a_town_sees_only_its_own_facts(client: TestClient, demo: System) -> None:
    town = headers(demo, "viewer", NANPU)
    own = client.get("/api/v1/statistics/hazards/facts", params={"limit": 1000, **WINDOW}, headers=town).json()
    assert own
    assert all(f["jurisdiction"].startswith(NANPU + "/") or f["jurisdiction"] == NANPU for f in own)
    other = client.get("/api/v1/statistics/hazards/facts", params={"jurisdiction": SHANYAO, **WINDOW},
                       headers=town).json()
    assert other == []


def test_refusals(client: TestClient, demo: System) -> None:
    enterprise = headers(demo, "enterprise", NANPU, uuid4())
    refused = client.get("/api/v1/statistics/hazards/facts", headers=enterprise)
    assert (refused.status_code, refused.json()["code"]) == (403, "role-not-allowed")
    backwards = client.get("/api/v1/statistics/hazards/facts", params={"from": "2026-01-02", "to": "2026-01-01"},
                           headers=headers(demo, "viewer", NANPU))
    assert (backwards.status_code, backwards.json()["code"]) == (422, "empty-range")
