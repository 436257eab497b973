"""Tips over HTTP and the command line: the identity only through a recorded disclosure, 410 after shredding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from application import tips as tp
from application.authorization import Principal
from domain import tips as t
from infrastructure.settings import Settings
from tests.builders import run_zeren
from tests.conftest import COUNTY, TOWN_B
from tests.tipdesk import REPORTER, TipDesk

PROBLEM = "application/problem+json"


@pytest.fixture
def desk(system: System) -> TipDesk:
    return TipDesk(system)


def tip_body(desk: TipDesk, **overrides) -> dict:
    return {"channel": "hotline_12350", "receiving_unit_id": str(desk.world.department),
            "subject": {"kind": "unit", "unit_id": str(desk.world.enterprise), "description": "疑似违规充装"},
            "summary": "群众来电反映违规充装", "original_text": "晚上有车来卸钢瓶",
            "reporter": REPORTER.model_dump(), **overrides}


def test_the_identity_is_only_in_the_answer_of_a_recorded_disclosure(client: TestClient, desk: TipDesk,
                                                                       token) -> None:
    officer = token("tip_officer", COUNTY)
    created = client.post("/api/v1/tips", json=tip_body(desk), headers=officer)
    assert created.status_code == 201
    tip_id, position = created.json()["id"], created.json()["position"]
    listed = client.get(f"/api/v1/tips?min_position={position}", headers=officer)
    one = client.get(f"/api/v1/tips/{tip_id}", headers=officer)
    assert listed.status_code == one.status_code == 200
    assert one.json()["summary"] == "群众来电反映违规充装"
    for response in (created, listed, one):
        assert REPORTER.name not in response.text
        assert REPORTER.contact not in response.text
        assert "晚上有车来卸钢瓶" not in response.text

    head = desk.system.store.head()
    missing = client.post(f"/api/v1/tips/{tip_id}/identity-disclosures", json={}, headers=officer)
    assert (missing.status_code, missing.json()["code"], missing.json()["errors"][0]["field"]) == (
        422, "invalid-request", "reason")
    blank = client.post(f"/api/v1/tips/{tip_id}/identity-disclosures", json={"reason": " "}, headers=officer)
    assert (blank.status_code, blank.json()["code"]) == (422, "reason-required")
    for role in ("admin", "viewer", "investigator"):
        denied = client.post(f"/api/v1/tips/{tip_id}/identity-disclosures", json={"reason": "看看"},
                             headers=token(role, COUNTY))
        assert (denied.status_code, denied.json()["code"]) == (403, "role-not-allowed")
    elsewhere = client.post(f"/api/v1/tips/{tip_id}/identity-disclosures", json={"reason": "看看"},
                            headers=token("tip_officer", TOWN_B))
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not-found")
    assert desk.system.store.head() == head, "refused disclosures write nothing"

    disclosed = client.post(f"/api/v1/tips/{tip_id}/identity-disclosures", json={"reason": "联系举报人补充证据"},
                            headers={**officer, "Idempotency-Key": "same"})
    assert disclosed.status_code == 200
    assert disclosed.headers["cache-control"] == "no-store"
    body = disclosed.json()
    assert (body["reporter"], body["original_text"], body["anonymous"]) == (REPORTER.model_dump(), "晚上有车来卸钢瓶",
                                                                            False)
    assert body["disclosure"]["events"] == [{"type": "ReporterIdentityDisclosed", "aggregate_id": tip_id,
                                             "version": 2}]
    again = client.post(f"/api/v1/tips/{tip_id}/identity-disclosures", json={"reason": "再次联系"},
                        headers={**officer, "Idempotency-Key": "same"})
    assert again.json()["disclosure"]["version"] == 3, "every look is recorded: a disclosure is never replayed"
    seen = client.get(f"/api/v1/tips/{tip_id}?min_position={again.json()['disclosure']['position']}",
                      headers=officer).json()
    assert seen["disclosures"] == 2
    assert REPORTER.name not in str(seen)


def test_the_tip_ledger_is_for_tip_officers_and_administrators(client: TestClient, desk: TipDesk, token) -> None:
    tip_id = desk.receive()
    desk.system.runner.catch_up()
    for role in ("viewer", "investigator", "auditor", "enforcement"):
        response = client.get("/api/v1/tips", headers=token(role, COUNTY))
        assert (response.status_code, response.json()["code"]) == (403, "role-not-allowed")
    assert [r["tip_id"] for r in client.get("/api/v1/tips", headers=token("admin", "350000")).json()] == [str(tip_id)]
    assert client.get("/api/v1/tips", headers=token("tip_officer", TOWN_B)).json() == []
    assert client.get(f"/api/v1/tips/{tip_id}", headers=token("tip_officer", TOWN_B)).status_code == 404
    filtered = client.get("/api/v1/tips?status=received&channel=hotline_12345", headers=token("tip_officer", COUNTY))
    assert [(r["status_term"], r["channel_term"]) for r in filtered.json()] == [("已受理", "12345政务热线")]
    assert client.get("/api/v1/tips?status=nonsense", headers=token("tip_officer", COUNTY)).status_code == 422


def test_a_reward_over_http_is_computed_and_explained(client: TestClient, desk: TipDesk, token) -> None:
    officer = token("tip_officer", COUNTY)
    tip_id = desk.receive()
    hazard_id = desk.hazard(tip_id)
    desk.verify(tip_id)
    for fine in ("-1", "20000.30", "abc"):  # a fine is never typed in: it is read from the case's decision
        bad = client.post(f"/api/v1/tips/{tip_id}/reward-proposal", headers=officer, json={
            "outcome_id": str(hazard_id), "facts": {"kind": "penalty", "fine_yuan": fine, "decision_no": "x"}})
        assert (bad.status_code, bad.json()["code"]) == (422, "invalid-request"), fine
    case_id = desk.decided_case(tip_id, Decimal("20000.30"), "泉港城管罚决字〔2026〕第8号")
    proposed = client.post(f"/api/v1/tips/{tip_id}/reward-proposal", headers=officer, json={
        "outcome_id": str(hazard_id), "case_id": str(case_id)})
    assert proposed.status_code == 200, proposed.text
    paid = client.post(f"/api/v1/tips/{tip_id}/reward-payment", headers=officer,
                       json={"amount_yuan": "3000.05", "payment_ref": "JL-2026-0008"})
    assert paid.status_code == 200, paid.text
    read = client.get(f"/api/v1/tips/{tip_id}?min_position={paid.json()['position']}", headers=officer)
    assert read.status_code == 200, read.text
    row = read.json()
    assert (row["status"], row["reward_yuan"], row["reward_document_no"]) == (
        "reward_paid", "3000.05", "泉港城管罚决字〔2026〕第8号")
    assert row["reward_formula"] == "15% × 20,000.30 = 3,000.05", "half up to the fen (banker's would give .04)"
    again = client.post(f"/api/v1/tips/{tip_id}/reward-payment", headers=officer,
                        json={"amount_yuan": "3000.05", "payment_ref": "JL-2"})
    assert (again.status_code, again.headers["content-type"], again.json()["code"]) == (
        409, PROBLEM, "reward-already-paid")


def test_after_shredding_a_disclosure_is_410_gone(client: TestClient, desk: TipDesk, token) -> None:
    officer = token("tip_officer", COUNTY)
    tip_id = desk.receive()
    desk.run(tp.ShredReporterIdentity(tip_id=tip_id, reason="举报人要求"), Principal("op", "admin", COUNTY))
    desk.system.vault.shred(t.key_id(tip_id))
    head = desk.system.store.head()
    gone = client.post(f"/api/v1/tips/{tip_id}/identity-disclosures", json={"reason": "x"}, headers=officer)
    assert (gone.status_code, gone.headers["content-type"]) == (410, PROBLEM)
    assert (gone.json()["code"], gone.json()["title"]) == ("identity-shredded", "Gone")
    assert "the identity was shredded" in gone.json()["detail"]
    assert desk.system.store.head() == head

    behind_its_back = desk.receive()  # a key destroyed outside `zeren tips shred`: the look is recorded, then 410
    desk.system.vault.shred(t.key_id(behind_its_back))
    lost = client.post(f"/api/v1/tips/{behind_its_back}/identity-disclosures", json={"reason": "x"}, headers=officer)
    assert (lost.status_code, lost.json()["detail"]) == (410, "the identity was shredded: its data key is gone")
    assert desk.events(behind_its_back)[-1] == "ReporterIdentityDisclosed"


def test_openapi_documents_the_tip_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/tips", "/api/v1/tips/{tip_id}", "/api/v1/tips/{tip_id}/verification",
                 "/api/v1/tips/{tip_id}/outcomes", "/api/v1/tips/{tip_id}/reward-proposal",
                 "/api/v1/tips/{tip_id}/reward-payment", "/api/v1/tips/{tip_id}/feedback"):
        assert path in paths, path
    disclosure = paths["/api/v1/tips/{tip_id}/identity-disclosures"]
    assert set(disclosure) == {"post"}, "a GET never reveals the identity"
    assert {"200", "403", "410", "422"} <= set(disclosure["post"]["responses"])


# --- the command line --------------------------------------------------------------------------------------------


def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the ``zeren`` command line at the test's store, with the same master key."""
    monkeypatch.delenv("ZEREN_MASTER_KEY", raising=False)
    monkeypatch.setenv("ZEREN_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ZEREN_JWT_SECRET", settings.jwt_secret or "")
    if settings.database_url:
        monkeypatch.setenv("ZEREN_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("ZEREN_DATABASE_URL", raising=False)
        monkeypatch.setenv("ZEREN_SQLITE_PATH", str(settings.sqlite_path))


def test_zeren_tips_shred_records_then_destroys(desk: TipDesk, settings: Settings, monkeypatch, capsys) -> None:
    cli_env(settings, monkeypatch)
    tip_id = desk.receive()
    desk.verify(tip_id)
    code, out, err = run_zeren(capsys, "tips", "shred", str(tip_id), "--reason", "举报人申请删除个人信息")
    assert (code, err) == (0, "")
    assert out.startswith(f"shredded the identity of tip {tip_id}: data key tip:{tip_id} destroyed, recorded at")
    history = desk.system.store.history(tip_id)
    assert [type(e).__name__ for e in history] == ["TipReceived", "TipVerified", "ReporterIdentityShredded"]
    shredded = history[-1]
    assert isinstance(shredded, t.ReporterIdentityShredded)
    assert shredded.reason == "举报人申请删除个人信息"
    assert shredded.envelope.actor.principal.startswith("cli:")
    code, out, err = run_zeren(capsys, "tips", "shred", str(tip_id), "--reason", "again")
    assert (code, out) == (1, "")
    assert err.startswith(f"zeren: error: the identity of tip {tip_id} was already shredded on ")
    assert len(err.strip().splitlines()) == 1
    code, _, err = run_zeren(capsys, "replay", str(tip_id))
    assert code == 0, err


def test_zeren_tips_shred_completes_an_interrupted_shredding(desk: TipDesk, settings: Settings, monkeypatch,
                                                             capsys) -> None:
    cli_env(settings, monkeypatch)
    tip_id = desk.receive()
    desk.run(tp.ShredReporterIdentity(tip_id=tip_id, reason="x"), Principal("op", "admin", COUNTY))
    code, out, _ = run_zeren(capsys, "tips", "shred", str(tip_id), "--reason", "完成销毁")
    assert (code, out.strip()) == (0, f"shredded the identity of tip {tip_id}: data key tip:{tip_id} destroyed, "
                                      "recorded before, now completed")
    assert desk.events(tip_id).count("ReporterIdentityShredded") == 1


@pytest.mark.parametrize(("argv", "message", "status"), [
    (["tips", "shred", "6f1c3a52-7d0e-4b8e-9a57-2c1f0b6f2a10", "--reason", "x"], "no tip with id", 1),
    (["tips", "shred", "6f1c3a52-7d0e-4b8e-9a57-2c1f0b6f2a10"], "Missing option '--reason'", 2),
    (["tips", "shred", "not-a-uuid", "--reason", "x"], "not a valid UUID", 2),
])
def test_zeren_tips_shred_refuses_in_one_line(system: System, settings: Settings, monkeypatch, capsys,
                                              argv: list[str], message: str, status: int) -> None:
    cli_env(settings, monkeypatch)
    code, _, err = run_zeren(capsys, *argv)
    assert code == status
    assert err.startswith("zeren: error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1
