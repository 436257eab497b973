"""The accident, investigation and dossier routes: recorded over HTTP, the dossier for investigators and auditors of
the subject's jurisdiction only — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import orjson
from fastapi.testclient import TestClient

from api.bootstrap import System
from application.clock import ManualClock
from infrastructure import dossier
from tests.conftest import COUNTY, T0, TOWN_B
from tests.tipdesk import TipDesk

API = "/api/v1"


def test_an_accident_recorded_over_http_and_its_dossier_for_the_right_jurisdiction_only(
        system: System, clock: ManualClock, client: TestClient, token: Any) -> None:
    desk = TipDesk(system)
    clock.set(T0 + timedelta(days=1))
    investigator = token("investigator", COUNTY)
    body = {"unit_id": str(desk.world.enterprise), "kind": "work", "occurred_at": T0.isoformat(),
            "place": "灌装车间", "description": "钢瓶泄漏起火", "known_from": "unit_report",
            "known_at": (T0 + timedelta(minutes=40)).isoformat(), "figures": {"deaths": 3}}
    created = client.post(f"{API}/accidents", json=body, headers=investigator)
    assert created.status_code == 201, created.text
    accident_id = created.json()["id"]
    system.runner.catch_up()
    system.worker.tick()  # the accident policies judge the record (the embedded worker may have done it already)
    shown = client.get(f"{API}/accidents/{accident_id}", headers=investigator).json()
    assert shown["grade"] == "serious"
    assert [f["irregularity"] for f in shown["flags"]] == ["head_informed_unknown"]
    refused = client.post(f"{API}/accidents", json={**body, "known_at": (T0 - timedelta(hours=1)).isoformat()},
                          headers=investigator)
    assert (refused.status_code, refused.json()["code"]) == (422, "known-before-occurred")
    system.audit.sealer.seal_now()
    built = client.get(f"{API}/dossiers/{accident_id}", headers=investigator)
    assert built.status_code == 200, built.text
    assert [x["line"] for x in built.json()["content"]["lines"]] == [
        "subject", "entity", "supervisory", "territorial", "leadership", "backtracks"]
    page = client.get(f"{API}/dossiers/{accident_id}", params={"format": "html"}, headers=token("auditor", COUNTY))
    assert page.headers["content-type"].startswith("text/html")
    assert "一案四查卷宗" in page.text
    pdf = client.get(f"{API}/dossiers/{accident_id}", params={"format": "pdf"}, headers=investigator)
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")
    elsewhere = client.get(f"{API}/dossiers/{accident_id}", headers=token("investigator", TOWN_B))
    assert elsewhere.status_code == 404
    unknown = client.get(f"{API}/dossiers/{uuid4()}", headers=token("investigator", TOWN_B))
    # out of scope reads as unknown: the refusal tells nothing of the record
    assert elsewhere.json()["detail"].replace(accident_id, "ID") == unknown.json()["detail"].replace(
        unknown.url.path.rsplit("/", 1)[1], "ID")
    assert client.get(f"{API}/dossiers/{accident_id}", headers=token("viewer", COUNTY)).status_code == 403
    assert client.get(f"{API}/accidents/{accident_id}", headers=token("investigator", TOWN_B)).status_code == 404


def test_a_dossier_opened_on_a_tip_shows_of_it_only_its_existence_time_verdict_and_outcome(
        system: System, clock: ManualClock, client: TestClient, token: Any) -> None:
    """An investigator opens a dossier on a tip about a unit: U is the unit it names, T its receipt; of the tip the
    dossier says only that it exists, when, its verdict and outcome — never the reporter or the original text."""
    desk = TipDesk(system)
    tip_id = desk.receive()
    desk.verify(tip_id)
    clock.advance(timedelta(hours=1))
    system.audit.sealer.seal_now()
    built = client.get(f"{API}/dossiers/{tip_id}", headers=token("investigator", COUNTY))
    assert built.status_code == 200, built.text
    saved = built.json()
    subject = saved["content"]["lines"][0]["facts"]
    assert (saved["content"]["subject"]["kind"], subject["tip_id"], subject["verdict"]) == (
        "tip", str(tip_id), "substantiated")
    assert saved["content"]["subject"]["unit_id"] == str(desk.world.enterprise)
    text = orjson.dumps(saved["content"]).decode()
    assert "偷偷" not in text, "not the original text"
    assert "群众反映" not in text, "nor the summary"
    assert "verified" in dossier.verify(saved, system.audit.keys())
