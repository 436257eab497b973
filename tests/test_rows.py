"""List answers written from the read side's rows (``api.rows``): the same bytes as the response model's."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import System
from api.routers.hazards import HAZARDS, hazard_row, hazard_view
from api.routers.hazards_views import HazardView


def test_the_hazard_ledger_is_written_as_its_response_model_writes_it(demo: System) -> None:
    """Every field of every hazard of the demo (timestamps, dates, ids, the criterion's JSON, booleans, nulls),
    through orjson from the rows, byte for byte as pydantic writes the validated models."""
    now = datetime.now(UTC)
    rows = demo.queries.hazards.ledger("350000", as_of=now, known_at=now, limit=10_000)
    filled = {name for row in rows for name, value in hazard_row(row).items() if value is not None}
    assert {"criterion", "deadline_on", "accepted_at", "funds_yuan", "listing_authority_id", "unit_name",
            "risk_colour"} <= filled, "a value of each kind somewhere: JSON, date, timestamp, integer, id, text"
    expected = TypeAdapter(list[HazardView]).dump_json([hazard_view(row) for row in rows])
    assert HAZARDS.json(hazard_row(row) for row in rows) == expected


def test_the_ledger_page_answers_json_of_its_rows(demo: System) -> None:
    token = issue_token(demo.settings.resolved_jwt_secret, subject="t", role="admin", jurisdiction="350000")
    moment = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    with TestClient(create_app(demo, follow=False), headers={"Authorization": f"Bearer {token}"}) as client:
        answer = client.get("/api/v1/hazards", params={"limit": 50, "as_of": moment, "known_at": moment,
                                                       "sort": "-deadline_on"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    at = datetime.fromisoformat(moment)
    rows = demo.queries.hazards.ledger("350000", as_of=at, known_at=at, limit=50, sort="-deadline_on")
    assert answer.content == TypeAdapter(list[HazardView]).dump_json([hazard_view(row) for row in rows])
    assert [h["unit_name"] for h in answer.json()] == [row["unit_name"] for row in rows]
    assert all(h["unit_name"] for h in answer.json()), "each hazard names its unit (the directory's name)"
