"""The reads the web dashboard needs besides the hazard statistics (issue #14): the accident ledger and accidents by
grade, enterprises by risk colour and tips by month and status — all counted in SQL, in the caller's jurisdiction —
and ledgers sorted by the server, whose pages continue one order (ties by id), refusing a key off the allow-list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import System
from api.demo.scene import NANPU, SHANYAO
from domain import accidents as ac
from domain.rules.accidents import Figures
from tests.test_accidents import OCCURRED, Scene


@pytest.fixture
def http(demo: System) -> Iterator[TestClient]:
    """A client of the demo store (the module's other test writes a store of its own: ``client``)."""
    with TestClient(create_app(demo, follow=False)) as http:
        yield http


def headers(demo: System, role: str = "admin", jurisdiction: str = "350000",
            unit_id: UUID | None = None) -> dict[str, str]:
    token = issue_token(demo.settings.resolved_jwt_secret, subject=f"t:{role}", role=role, jurisdiction=jurisdiction,
                        unit_id=unit_id, ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


def read(client: TestClient, auth: dict[str, str], path: str, **params: Any) -> Any:
    answer = client.get(f"/api/v1{path}", params=params, headers=auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_accidents_by_grade_are_the_ledger_rows_counted_in_the_callers_jurisdiction(http: TestClient,
                                                                                     demo: System) -> None:
    admin = headers(demo)
    ledger = read(http, admin, "/accidents", limit=1000)
    assert ledger
    assert [r["occurred_at"] for r in ledger] == sorted((r["occurred_at"] for r in ledger), reverse=True)
    counts = read(http, admin, "/statistics/accidents")
    assert {r["grade"]: r["accidents"] for r in counts} == Counter(r["grade"] for r in ledger)
    assert sum(r["deaths"] for r in counts) == sum(r["deaths"] for r in ledger)
    for row in counts:  # each number opens onto its rows
        rows = read(http, admin, "/accidents", grade=row["grade"], limit=1000)
        assert len(rows) == row["accidents"]
        assert {r["grade_term"] for r in rows} == {row["grade_term"]}
    first = ledger[-1]
    day = first["occurred_at"][:10]
    assert read(http, admin, "/accidents", **{"from": day, "to": day}, unit_id=first["unit_id"])[0] == first
    assert read(http, admin, "/accidents", as_of="2020-01-01T00:00:00+08:00") == []
    for town in (NANPU, SHANYAO):
        own = read(http, headers(demo, "viewer", town), "/accidents", limit=1000)
        assert own == [r for r in ledger if r["jurisdiction"].startswith(town)]
    refused = http.get("/api/v1/accidents", params={"from": "2025-02-01", "to": "2025-01-01"}, headers=admin)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"


def test_the_accident_ledger_shows_the_grade_on_a_day_as_known_then(system: System, client: TestClient, token) -> None:
    scene = Scene(system)
    accident_id = scene.record(figures=Figures(deaths=2))
    scene.report(accident_id, figures=Figures(deaths=2))
    scene.report(accident_id, ac.ReportKind.supplementary, received_at=OCCURRED + timedelta(days=12),
                 figures=Figures(deaths=3), summary="一名重伤者抢救无效死亡")  # 3 deaths: 较大事故 (493号令 第3条)
    head = system.store.head()

    def grade(**at: str) -> tuple[str, int]:
        rows = client.get("/api/v1/accidents", params={"min_position": head, **at}, headers=token()).json()
        return rows[0]["grade"], rows[0]["deaths"]

    assert grade() == ("serious", 3)
    assert grade(as_of=(OCCURRED + timedelta(days=5)).isoformat()) == ("general", 2)
    by_grade = client.get("/api/v1/statistics/accidents", params={"as_of": (OCCURRED + timedelta(days=5)).isoformat()},
                          headers=token()).json()
    assert [(r["grade"], r["accidents"], r["deaths"]) for r in by_grade] == [("general", 1, 2)]


def test_enterprises_by_colour_and_tips_by_month_are_counted_in_sql(http: TestClient, demo: System) -> None:
    admin = headers(demo)
    colours = read(http, admin, "/statistics/enterprises")
    enterprises = read(http, admin, "/units", kind="enterprise", limit=500)
    assert sum(r["count"] for r in colours) == len(enterprises)
    for row in colours:  # each number opens onto its rows
        rows = read(http, admin, "/units", kind="enterprise", colour=row["colour"] or "none",
                    jurisdiction=row["jurisdiction"], limit=500)
        assert len([r for r in rows if r["jurisdiction"] == row["jurisdiction"]]) == row["count"]
    town = read(http, headers(demo, "viewer", NANPU), "/statistics/enterprises")
    assert town
    assert all(r["jurisdiction"].startswith(NANPU) for r in town)
    assert http.get("/api/v1/statistics/enterprises", headers=headers(demo, "enterprise", NANPU, UUID(int=1))
                      ).status_code == 403

    tips = read(http, admin, "/tips", limit=1000)
    counts = read(http, admin, "/statistics/tips")
    assert tips
    assert Counter({(r["month"], r["status"]): r["count"] for r in counts}) == Counter(
        (t["received_at"][:7], t["status"]) for t in tips)  # the demo's tips arrive in daytime: the month holds
    month = counts[0]["month"]
    assert all(r["month"] == month for r in read(http, admin, "/statistics/tips", **{"from": month, "to": month}))
    assert http.get("/api/v1/statistics/tips", headers=headers(demo, "viewer")).status_code == 403


@pytest.mark.parametrize(("path", "key"), [("/hazards", "-deadline_on"), ("/hazards", "grade"),
                                           ("/inspections", "findings"), ("/tips", "-status"),
                                           ("/accidents", "deaths"), ("/ledger/duties", "line"),
                                           ("/blacklist", "status")])
def test_a_sorted_ledgers_pages_continue_one_order(http: TestClient, demo: System, path: str, key: str) -> None:
    admin = headers(demo)
    whole = read(http, admin, path, sort=key, limit=500)
    assert whole  # the demo's blacklist has one listing
    field, descending = key.removeprefix("-"), key.startswith("-")
    present = [r[field] for r in whole if r[field] is not None]
    assert present == sorted(present, reverse=descending)
    assert all(r[field] is None for r in whole[len(present):])  # empty values last either way
    half = max(1, len(whole) // 2)
    pages = read(http, admin, path, sort=key, limit=half) + read(http, admin, path, sort=key, limit=500,
                                                                   offset=half)
    assert pages == whole


@pytest.mark.parametrize("path", ["/hazards", "/inspections", "/tips", "/accidents", "/ledger/duties", "/blacklist"])
def test_a_sort_key_off_the_allow_list_is_refused(http: TestClient, demo: System, path: str) -> None:
    answer = http.get(f"/api/v1{path}", params={"sort": "jurisdiction"}, headers=headers(demo))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == "sort"
