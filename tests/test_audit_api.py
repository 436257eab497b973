"""The audit seal over HTTP: auditor and admin only, proofs that verify, a streamed export scoped by the caller's
jurisdiction, the live check, OpenAPI; the in-process sealer of ``zeren serve``."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.bootstrap import System
from infrastructure.audit import merkle
from infrastructure.audit.bundle import verify
from infrastructure.audit.tree import LEAVES
from tests.audit_support import SealedHistory, lines_of
from tests.conftest import COUNTY, TOWN_A, TOWN_B
from tests.test_api import PROBLEM, enterprise_body

ENDPOINTS = ["/audit/heads/latest", "/audit/heads", "/audit/public-key", "/audit/proofs/inclusion?position=1",
             "/audit/proofs/consistency?first=1", "/audit/export", "/audit/check"]


@pytest.fixture
def history(system: System) -> SealedHistory:
    return SealedHistory(system)


def get(client: TestClient, path: str, headers: dict[str, str]):
    return client.get(f"/api/v1{path}", headers=headers)


def test_only_auditors_and_admins_read_the_seal(history: SealedHistory, client: TestClient, token) -> None:
    unit_roles = {"enterprise": history.world.enterprise, "inspector": history.world.department}
    for role in ("viewer", "registrar", "investigator", "enforcement", "stream", "tip_officer", *unit_roles):
        for path in ENDPOINTS:
            response = get(client, path, token(role, COUNTY, unit_id=unit_roles.get(role)))
            assert response.status_code == 403, (role, path)
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["code"] == "role-not-allowed"
    for role in ("auditor", "admin"):
        for path in ENDPOINTS:
            assert get(client, path, token(role, "350000")).status_code == 200, (role, path)
    assert get(client, ENDPOINTS[0], {}).status_code == 401


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_heads_are_served_to_auditors_and_admins(history: SealedHistory, client: TestClient, token,
                                                 role: str) -> None:
    latest = get(client, "/audit/heads/latest", token(role, COUNTY))
    assert latest.status_code == 200
    assert latest.json()["tree_size"] >= history.head.tree_size
    page = get(client, "/audit/heads?limit=2", token(role, COUNTY)).json()
    assert [h["tree_size"] for h in page["items"]] == [9, 12]
    assert page["next_after"] == 12
    rest = get(client, "/audit/heads?after=12", token(role, COUNTY)).json()
    assert rest["items"][0]["tree_size"] == history.head.tree_size
    key = get(client, "/audit/public-key", token(role, COUNTY)).json()
    assert key["key_id"] == latest.json()["key_id"] == history.system.audit.signer.key_id.hex()


def test_an_inclusion_proof_verifies_and_stays_in_the_callers_jurisdiction(history: SealedHistory,
                                                                           client: TestClient, token) -> None:
    events = history.system.audit.log.read(0, 100)
    in_town = next(e for e in events if e.jurisdiction.startswith(TOWN_A))
    proof = get(client, f"/audit/proofs/inclusion?position={in_town.position}&tree_size=12",
                token("auditor", TOWN_A)).json()
    assert (proof["tree_size"], proof["leaf_hash"]) == (12, in_town.leaf_hash().hex())
    heads = {h.tree_size: h for h in history.system.audit.heads()}
    assert proof["root_hash"] == heads[12].root_hash.hex()
    merkle.verify_inclusion(proof["leaf_index"], 12, in_town.leaf_hash(),
                            [bytes.fromhex(h) for h in proof["inclusion_path"]], heads[12].root_hash)
    outside = next(e for e in events if not e.jurisdiction.startswith(TOWN_A))
    response = get(client, f"/audit/proofs/inclusion?position={outside.position}", token("auditor", TOWN_A))
    assert response.status_code == 404
    assert response.json()["code"] == "not-found"
    last = events[-1].position
    too_small = get(client, f"/audit/proofs/inclusion?position={last}&tree_size=9", token("auditor", COUNTY))
    assert (too_small.status_code, too_small.json()["code"]) == (422, "not-in-tree")
    too_big = get(client, f"/audit/proofs/inclusion?position={last}&tree_size={last + 50}", token("auditor", COUNTY))
    assert (too_big.status_code, too_big.json()["code"]) == (422, "tree-size-out-of-range")


def test_a_consistency_proof_verifies_between_two_signed_heads(history: SealedHistory, client: TestClient,
                                                              token) -> None:
    heads = history.system.audit.heads()
    proof = get(client, f"/audit/proofs/consistency?first=9&second={heads[-1].tree_size}",
                token("auditor", COUNTY)).json()
    assert (proof["first_root"], proof["second_root"]) == (heads[0].root_hash.hex(), heads[-1].root_hash.hex())
    merkle.verify_consistency(9, heads[-1].tree_size, heads[0].root_hash, heads[-1].root_hash,
                              [bytes.fromhex(h) for h in proof["consistency_path"]])
    wrong = get(client, "/audit/proofs/consistency?first=9&second=5", token("auditor", COUNTY))
    assert (wrong.status_code, wrong.json()["field"]) == (422, "first")


def test_the_export_streams_a_bundle_of_the_callers_jurisdiction(history: SealedHistory, client: TestClient,
                                                                 token, tmp_path: Path) -> None:
    with client.stream("GET", "/api/v1/audit/export", headers=token("auditor", TOWN_A)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        assert response.headers["content-disposition"].startswith('attachment; filename="zeren-audit-')
        path = tmp_path / "town.zip"
        path.write_bytes(b"".join(response.iter_bytes()))
    result = verify(path, history.keys())
    assert result.coverage == "subset"
    events = [orjson.loads(line) for line in lines_of(path)]
    assert events
    assert all(e["jurisdiction"].startswith(TOWN_A) for e in events)
    refused = get(client, f"/audit/export?jurisdiction={TOWN_B}", token("auditor", TOWN_A))
    assert (refused.status_code, refused.json()["code"]) == (403, "outside-jurisdiction")
    admin = get(client, "/audit/export", token("admin", "350000"))
    (tmp_path / "all.zip").write_bytes(admin.content)
    assert verify(tmp_path / "all.zip", history.keys()).coverage == "full"


def test_the_check_reports_over_http(history: SealedHistory, client: TestClient, token) -> None:
    report = get(client, "/audit/check", token("auditor", COUNTY)).json()
    assert report["ok"] is True
    assert report["problem"] is None
    assert report["summary"].startswith("ok: ")
    with history.system.db.transaction() as conn:
        conn.execute(update(LEAVES).where(LEAVES.c.leaf_index == 3).values(leaf_hash=bytes(32)))
    report = get(client, "/audit/check", token("auditor", COUNTY)).json()
    assert report["ok"] is False
    assert report["problem"] == {"kind": "altered", "position": 4, "leaf_index": 3, "tree_size": None,
                                 "detail": report["summary"].removeprefix("altered: ")}


def test_nothing_sealed_is_a_problem_not_an_error(client: TestClient, system: System, token) -> None:
    response = get(client, "/audit/heads/latest", token("auditor", COUNTY))
    assert (response.status_code, response.json()["code"]) == (404, "nothing-sealed")
    export = get(client, "/audit/export", token("auditor", COUNTY))
    assert (export.status_code, export.json()["code"]) == (409, "nothing-sealed")


def test_the_audit_endpoints_are_documented(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ENDPOINTS:
        operation = paths[f"/api/v1{path.split('?')[0]}"]["get"]
        assert operation["tags"] == ["audit"]
        assert operation["summary"]
        assert {"401", "403"} <= set(operation["responses"])
        assert PROBLEM in operation["responses"]["403"]["content"]
    assert "application/zip" in paths["/api/v1/audit/export"]["get"]["responses"]["200"]["content"]


def test_serve_runs_the_sealer_in_process(client: TestClient, system: System, token) -> None:
    world_admin = token("admin", "350000")
    response = client.post("/api/v1/units", headers=world_admin, json={
        "profile": {"kind": "territorial", "name": "福建省", "level": "province", "code": "350000"}})
    assert response.status_code == 201
    province = response.json()["id"]
    position = client.post("/api/v1/units", headers=world_admin, json=enterprise_body(province)).json()["position"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with system.db.read() as conn:
            if system.audit.tree.leaf_at(conn, position):
                break
        time.sleep(0.05)
    with system.db.read() as conn:
        assert system.audit.tree.leaf_at(conn, position)["leaf_index"] == position - 1
        assert system.audit.tree.latest_head(conn) is not None
