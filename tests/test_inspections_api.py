"""Inspections over HTTP: the lifecycle with signatures from tokens, problems, bitemporal reads, scoping by
jurisdiction and audience (inspector / enterprise / other town), draws and plans."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.clock import ManualClock
from tests.conftest import COUNTY, TOWN_B
from tests.inspection_scene import CHECKLIST, Scene

PROBLEM = "application/problem+json"


@pytest.fixture
def scene(system) -> Scene:
    return Scene(system)


class Http:
    """The scene's principals as bearer tokens, and the last log position written (for min_position)."""

    def __init__(self, client: TestClient, scene: Scene, token):
        self.client, self.scene, self.token = client, scene, token
        self.position = 0

    def inspector(self, n: int = 0) -> dict[str, str]:
        return self.token("inspector", COUNTY, unit_id=self.scene.department, person_id=self.scene.inspectors[n])

    def post(self, path: str, body: dict, headers: dict[str, str], status: int = 200) -> dict:
        response = self.client.post(f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code == status, response.text
        if response.status_code < 300:
            self.position = max(self.position, response.json()["position"] or 0)
        return response.json()

    def get(self, path: str, headers: dict[str, str], expect: int = 200, **params: Any) -> Any:
        response = self.client.get(f"/api/v1{path}", params={"min_position": self.position, **params},
                                   headers=headers)
        assert response.status_code == expect, response.text
        return response.json()

    def open(self, **fields) -> str:
        body = {"kind": "enforcement", "title": "城镇燃气安全执法检查", "target_unit_id": str(self.scene.enterprise),
                "inspectors": [str(i) for i in self.scene.inspectors[:2]], "unannounced": True,
                "experts": [{"name": "王工", "speciality": "燃气工程"}],
                "checklist": [c.model_dump() for c in CHECKLIST], **fields}
        return self.post("/inspections", body, self.inspector(0), 201)["id"]


@pytest.fixture
def http(client: TestClient, scene: Scene, token) -> Http:
    return Http(client, scene, token)


def test_an_inspection_over_http(http: Http, clock: ManualClock) -> None:
    scene, who = http.scene, http.inspector(0)
    inspection = http.open()
    opened_at = clock.now()
    http.post(f"/inspections/{inspection}/coverage", {"item_codes": ["G1", "G2"]}, who)
    http.post(f"/inspections/{inspection}/findings", {"item_code": "G2", "description": "报警装置失效",
                                                      "hazard_suspected": True}, who)
    http.post(f"/inspections/{inspection}/spot-tests", {"person_id": str(scene.main_person),
                                                        "post_id": str(scene.main_post), "subject": "岗位职责",
                                                        "score": 72}, who)
    clock.advance(timedelta(hours=2))
    for n in (0, 1):
        http.post(f"/inspections/{inspection}/signatures", {}, http.inspector(n))
    http.post(f"/inspections/{inspection}/completion", {"summary": "责令限期整改"}, who)
    record = http.get(f"/inspections/{inspection}", http.token("viewer", COUNTY))
    assert record["inspection"]["status"] == "completed"
    assert record["inspection"]["kind_term"] == "执法检查"
    assert record["inspection"]["unannounced"] is True
    assert record["inspection"]["expert_assisted"] is True
    assert [(c["code"], c["covered"]) for c in record["checklist"]] == [("G1", True), ("G2", True), ("G3", False)]
    assert record["findings"][0]["hazard_suspected"] is True
    assert record["spot_tests"][0]["passed"] is True
    assert {s["inspector_id"] for s in record["signatures"]} == {str(i) for i in scene.inspectors[:2]}
    earlier = http.get(f"/inspections/{inspection}", http.token("viewer", COUNTY),
                       known_at=(opened_at + timedelta(minutes=1)).isoformat())
    assert earlier["inspection"]["status"] == "open"
    assert earlier["signatures"] == []
    ledger = http.get("/inspection-ledger/departments", http.token("viewer", COUNTY))
    assert [(r["unit_id"], r["by_kind"]["enforcement"], r["unannounced"]) for r in ledger] == [
        (str(scene.department), 1, 1)]
    signatures = http.get("/inspection-ledger/signatures", http.token("auditor", COUNTY),
                          inspector_id=str(scene.inspectors[1]))
    assert [s["inspection_id"] for s in signatures] == [inspection]
    tests = http.get("/inspection-ledger/spot-tests", http.token("investigator", COUNTY))
    assert [(t["person_name"], t["score"]) for t in tests] == [("总经理", 72)]


def test_refusals_are_problems_and_write_nothing(http: Http, system) -> None:
    scene, who = http.scene, http.inspector(0)
    inspection = http.open()
    head = system.store.head()
    for path, body, headers, status, code in (
        (f"/inspections/{inspection}/completion", {}, who, 422, "unsigned-inspection"),
        (f"/inspections/{inspection}/signatures", {}, http.token("admin", "350000"), 403, "person-required"),
        (f"/inspections/{inspection}/signatures", {}, http.inspector(2), 422, "signer-not-an-inspector"),
        (f"/inspections/{inspection}/signatures", {"inspector_id": str(scene.inspectors[2])}, who, 422,
         "invalid-request"),
        (f"/inspections/{inspection}/spot-tests", {"person_id": str(scene.main_person),
                                                   "post_id": str(scene.main_post), "subject": "职责",
                                                   "score": 101}, who, 422, "score-out-of-range"),
        ("/inspections", {"kind": "enforcement", "title": "检查", "target_unit_id": str(scene.enterprise),
                          "inspectors": [str(scene.inspectors[0])], "checklist": [c.model_dump() for c in CHECKLIST]},
         who, 422, "two-inspectors-required"),
        ("/inspections", {"kind": "enforcement", "title": "检查", "target_unit_id": str(scene.other_enterprise),
                          "inspectors": [str(i) for i in scene.inspectors[:2]],
                          "checklist": [c.model_dump() for c in CHECKLIST]}, who, 403, "not-your-target"),
        ("/inspections", {"kind": "self_check", "title": "自查", "target_unit_id": str(scene.enterprise),
                          "inspectors": [str(scene.safety_person)]},
         http.token("enterprise", COUNTY, unit_id=scene.other_enterprise), 403, "other-enterprise"),
        (f"/inspections/{inspection}/findings", {"description": "x"}, http.token("enforcement", TOWN_B), 404,
         "not-found"),
    ):
        response = http.client.post(f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == code
    http.post(f"/inspections/{inspection}/signatures", {}, who)
    again = http.client.post(f"/api/v1/inspections/{inspection}/signatures", json={}, headers=who)
    assert again.status_code == 409
    assert again.json()["code"] == "already-signed"
    assert system.store.head() == head + 1, "only the one good signature was written"


def test_each_audience_reads_its_own(http: Http) -> None:
    scene, who = http.scene, http.inspector(0)
    under_way = http.open(kind="undercover")
    done = http.open()
    for n in (0, 1):
        http.post(f"/inspections/{done}/signatures", {}, http.inspector(n))
    http.post(f"/inspections/{done}/completion", {}, who)
    enterprise = http.token("enterprise", COUNTY, unit_id=scene.enterprise, person_id=scene.safety_person)
    own = http.post("/inspections", {"kind": "self_check", "title": "月度自查", "target_unit_id": str(scene.enterprise),
                                     "inspectors": [str(scene.safety_person)]}, enterprise, 201)["id"]
    seen = {r["inspection_id"] for r in http.get("/inspections", enterprise)}
    assert seen == {done, own}
    http.get(f"/inspections/{under_way}", enterprise, 404)
    assert {r["inspection_id"] for r in http.get("/inspections", enterprise,
                                                 target_unit_id=str(scene.enterprise))} == {done, own}
    http.get("/inspections", enterprise, 403, target_unit_id=str(scene.other_enterprise))
    assert [r["unit_id"] for r in http.get("/inspection-ledger/enterprises", enterprise)] == [str(scene.enterprise)]
    http.get("/random-draws", enterprise, 403)
    http.get("/enforcement-plans", enterprise, 403)
    other = http.token("inspector", COUNTY, unit_id=scene.other_department)
    assert http.get("/inspections", other) == []
    http.get(f"/inspections/{done}", other, 404)
    assert http.get("/inspections", http.token("viewer", TOWN_B)) == []
    assert len(http.get("/inspections", http.token("viewer", COUNTY))) == 3
    assert {r["inspection_id"] for r in http.get("/inspections", who, status="open")} == {under_way, own}


def test_draws_and_plans_over_http(http: Http) -> None:
    scene, who = http.scene, http.inspector(0)
    plan = http.post("/enforcement-plans", {
        "department_id": str(scene.department), "year": 2025, "document_no": "泉港城管〔2025〕3号",
        "terms": {"key_enterprises": [str(scene.enterprise)], "scope": "燃气企业", "focus": ["报警装置"],
                  "content": "执法检查", "planned_count": 6, "planned_undercover": 2}}, who, 201)["id"]
    draw = http.post("/random-draws", {"department_id": str(scene.department), "plan_id": plan,
                                       "inspector_pool": [str(i) for i in scene.inspectors], "targets": 1},
                     who, 201)["id"]
    [view] = http.get("/random-draws", who)
    assert view["draw_id"] == draw
    assert view["target_pool"] == [str(scene.enterprise)], "default pool: what the department supervises"
    assert len(view["seed"]) == 32
    assert view["rules_version"].startswith("cn-base@")
    verified = http.get(f"/random-draws/{draw}/verification", http.token("auditor", COUNTY))
    assert verified["reproduced"] is True
    assert verified["rerun"] == verified["recorded"] == view["result"]
    team = view["result"][0]["inspector_ids"]
    inspection = http.open(inspectors=team, plan_id=plan, draw_id=draw)
    for person in team:
        n = [str(i) for i in scene.inspectors].index(person)
        http.post(f"/inspections/{inspection}/signatures", {}, http.inspector(n))
    http.post(f"/inspections/{inspection}/completion", {}, who)
    [planned] = http.get("/enforcement-plans", who, year=2025)
    assert (planned["planned_count"], planned["done"], planned["key_enterprises_inspected"]) == (
        6, 1, [str(scene.enterprise)])
    http.get(f"/enforcement-plans/{plan}", http.token("inspector", COUNTY, unit_id=scene.other_department), 404)
    http.get(f"/random-draws/{draw}", http.token("viewer", TOWN_B), 404)


def test_openapi_documents_the_inspection_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/inspections", "/api/v1/inspections/{inspection_id}/signatures",
                 "/api/v1/inspections/{inspection_id}/corrections", "/api/v1/random-draws/{draw_id}/verification",
                 "/api/v1/enforcement-plans", "/api/v1/inspection-ledger/departments",
                 "/api/v1/inspection-ledger/spot-tests"):
        assert path in paths, path
    assert "422" in paths["/api/v1/inspections/{inspection_id}/completion"]["post"]["responses"]
    parameters = {p["name"] for p in paths["/api/v1/inspections"]["get"]["parameters"]}
    assert {"as_of", "known_at", "min_position", "kind", "status"} <= parameters
