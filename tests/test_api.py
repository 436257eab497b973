"""The HTTP API: auth, jurisdiction scoping, problem+json, 409, idempotency, read-your-writes, OpenAPI."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from api.demo.identifiers import credit_code, resident_id
from tests.builders import World
from tests.conftest import COUNTY, TOWN_A, TOWN_B

PROBLEM = "application/problem+json"


def enterprise_body(parent, seq: int = 50, **overrides) -> dict:
    profile = {"kind": "enterprise", "name": "测试燃气公司", "credit_code": credit_code(seq), "sector": "城镇燃气",
               "address": "泉港区", "legal_representative": "张三", "staff_count": 12, **overrides}
    return {"profile": profile, "parent_id": str(parent)}


def test_requests_without_a_valid_token_are_401_problems(client: TestClient, system) -> None:
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthenticated"
    bad = client.get("/api/v1/units", headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid-token"


def test_a_wrong_checksum_is_a_specific_problem_and_writes_nothing(client: TestClient, system, token) -> None:
    world = World(system)
    head = system.store.head()
    body = enterprise_body(world.town_a, credit_code="91350100M000100Y44")
    response = client.post("/api/v1/units", json=body, headers=token("registrar", COUNTY))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "urn:zeren:problem:invalid-credit-code"
    assert "wrong checksum" in problem["detail"]
    assert problem["field"] == "profile.credit_code"
    assert problem["basis"] == "GB 32100-2015 §5.3"
    assert system.store.head() == head


def test_malformed_bodies_name_the_fields(client: TestClient, system, token) -> None:
    world = World(system)
    response = client.post("/api/v1/units", json={"profile": {"kind": "enterprise", "name": ""},
                                                  "parent_id": str(world.town_a)},
                           headers=token("registrar", COUNTY))
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid-request"
    fields = {e["field"] for e in problem["errors"]}
    assert "profile.enterprise.credit_code" in fields


def test_actor_comes_from_the_token_not_the_body(client: TestClient, system, token) -> None:
    world = World(system)
    body = {**enterprise_body(world.town_a), "actor": {"principal": "someone-else", "role": "admin"}}
    response = client.post("/api/v1/units", json=body, headers=token("registrar", COUNTY, subject="alice"))
    assert response.status_code == 422, "an actor in the body is not accepted"
    ok = client.post("/api/v1/units", json=enterprise_body(world.town_a), headers=token("registrar", COUNTY,
                                                                                       subject="alice"))
    assert ok.status_code == 201
    event = system.store.read(ok.json()["position"] - 2, 10)[0].event
    assert event.envelope.actor.principal == "alice"
    assert event.envelope.actor.role == "registrar"


def test_a_town_cannot_read_or_write_another_town(client: TestClient, system, token) -> None:
    world = World(system)
    other = world.enterprise_in(world.town_b, 7)
    system.runner.catch_up()
    town_a = token("registrar", TOWN_A)
    head = system.store.head()
    write = client.post(f"/api/v1/units/{other}/risk-colour", json={"colour": "red", "reason": "x"}, headers=town_a)
    assert (write.status_code, write.json()["code"]) == (404, "not-found"), "as a read: nothing tells it exists"
    assert system.store.head() == head
    assert client.get(f"/api/v1/units/{other}", headers=town_a).status_code == 404
    listed = client.get("/api/v1/units?kind=enterprise", headers=town_a).json()
    assert [u["unit_id"] for u in listed] == [str(world.enterprise)]
    assert {u["jurisdiction"] for u in client.get("/api/v1/units", headers=token("viewer", TOWN_B)).json()} == {TOWN_B}


def test_stale_version_is_409_and_writes_nothing(client: TestClient, system, token) -> None:
    world = World(system)
    headers = token("registrar", COUNTY)
    version = system.store.get(world.enterprise).version
    head = system.store.head()
    stale = client.post(f"/api/v1/units/{world.enterprise}/risk-colour",
                        json={"colour": "red", "reason": "x", "expected_version": version - 1}, headers=headers)
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale-version"
    assert system.store.head() == head
    fresh = client.post(f"/api/v1/units/{world.enterprise}/risk-colour",
                        json={"colour": "red", "reason": "x", "expected_version": version}, headers=headers)
    assert fresh.status_code == 200
    assert fresh.json()["version"] == version + 1


def test_idempotency_key_repeats_the_first_answer(client: TestClient, system, token) -> None:
    world = World(system)
    headers = {**token("registrar", COUNTY), "Idempotency-Key": "req-42"}
    first = client.post("/api/v1/units", json=enterprise_body(world.town_a), headers=headers)
    head = system.store.head()
    again = client.post("/api/v1/units", json=enterprise_body(world.town_a), headers=headers)
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["position"] == first.json()["position"]
    assert again.json()["replayed"] is True
    assert system.store.head() == head
    different = client.post("/api/v1/units", json=enterprise_body(world.town_a, seq=51), headers=headers)
    assert different.status_code == 422
    assert different.json()["code"] == "idempotency-key-reused"


def test_a_client_reads_its_own_writes_with_min_position(client: TestClient, system, token) -> None:
    world = World(system)
    headers = token("registrar", COUNTY)
    created = client.post("/api/v1/units", json=enterprise_body(world.town_a), headers=headers).json()
    found = client.get(f"/api/v1/units/{created['id']}?min_position={created['position']}", headers=headers)
    assert found.status_code == 200
    assert found.json()["name"] == "测试燃气公司"
    too_far = client.get(f"/api/v1/units?min_position={created['position'] + 1000}", headers=headers)
    assert too_far.status_code == 422, "a position the log has not written is refused at once (issue #9)"
    assert too_far.json()["code"] == "position-not-written"


def test_people_are_masked_unless_a_role_that_needs_it_asks(client: TestClient, system, token) -> None:
    World(system)
    number = resident_id(date(1980, 5, 17), 9)
    headers = token("registrar", COUNTY)
    created = client.post("/api/v1/people", json={"name": "李四", "id_number": number}, headers=headers).json()
    url = f"/api/v1/people/{created['id']}?min_position={created['position']}"
    assert client.get(url, headers=headers).json()["id_number"] == "3505**********" + number[-4:]
    assert client.get(url + "&reveal=true", headers=headers).json()["id_number"] == number
    viewer = client.get(url + "&reveal=true", headers=token("viewer", COUNTY))
    assert viewer.status_code == 403
    assert number not in viewer.text
    listed = client.get("/api/v1/people", headers=token("viewer", COUNTY)).text
    assert number not in listed


def test_ledger_and_gaps_over_http(client: TestClient, system, token) -> None:
    world = World(system)
    headers = token("registrar", COUNTY)
    post = client.post("/api/v1/posts", json={"unit_id": str(world.enterprise), "definition": {
        "title": "操作工", "kind": "position"}}, headers=headers).json()
    lst = client.post("/api/v1/responsibility-lists", json={"unit_id": str(world.enterprise), "kind": "all_staff",
                                                            "title": "全员清单"}, headers=headers).json()
    duty = client.post(f"/api/v1/responsibility-lists/{lst['id']}/duties", json={"terms": {
        "post_id": post["id"], "line": "entity", "text": "按规程操作", "source_document": "安全生产法 第22条"}},
        headers=headers).json()
    assert duty["created"]["duty_id"]
    rows = client.get(f"/api/v1/ledger/duties?post_id={post['id']}&min_position={duty['position']}",
                      headers=headers).json()
    assert [r["text"] for r in rows] == ["按规程操作"]
    assert rows[0]["person_id"] is None
    gaps = client.get(f"/api/v1/coverage-gaps?min_position={duty['position']}", headers=headers).json()
    assert any(g["gap"] == "vacant_post" and g["post_id"] == post["id"] for g in gaps)


def test_audit_trail_pages_in_log_order(client: TestClient, system, token) -> None:
    World(system)
    headers = token("auditor", COUNTY)
    head = system.store.head()
    first = client.get(f"/api/v1/audit-trail?limit=3&min_position={head}", headers=headers).json()
    assert len(first["items"]) == 3
    positions = [i["position"] for i in first["items"]]
    assert positions == sorted(positions)
    second = client.get(f"/api/v1/audit-trail?limit=3&after={first['next_after']}", headers=headers).json()
    assert second["items"][0]["position"] > positions[-1]
    assert all(i["jurisdiction"].startswith(COUNTY) for i in first["items"] + second["items"])
    assert "350000" not in {i["jurisdiction"] for i in first["items"]}, "the province is outside the county's scope"


def test_replay_shows_state_and_events(client: TestClient, system, token) -> None:
    world = World(system)
    response = client.get(f"/api/v1/aggregates/{world.enterprise}/replay", headers=token("investigator", COUNTY))
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "Unit"
    assert [e["type"] for e in body["events"]] == ["UnitRegistered", "SupervisionAssigned"]
    hidden = client.get(f"/api/v1/aggregates/{world.enterprise}/replay", headers=token("viewer", TOWN_B))
    assert hidden.status_code == 404


def test_openapi_documents_every_route_and_its_problems(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            if path.startswith("/api/v1"):
                assert "401" in operation["responses"], f"{method} {path} does not document 401"
                assert "200" in operation["responses"] or "201" in operation["responses"]


def test_healthz_reports_projection_lag(client: TestClient, system) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert {p["name"] for p in body["projections"]} >= {"directory", "responsibility_ledger", "audit_trail"}


def test_an_enterprise_user_sees_only_its_own_enterprise(client: TestClient, system, token) -> None:
    world = World(system)
    neighbour = world.enterprise_in(world.town_a, 8)
    headers = {**token("registrar", COUNTY)}
    for unit in (world.enterprise, neighbour):
        client.post("/api/v1/posts", json={"unit_id": str(unit), "definition": {"title": "操作工", "kind": "position"}},
                    headers=headers)
    system.runner.catch_up()
    own = token("enterprise", TOWN_A, unit_id=world.enterprise)
    assert [u["unit_id"] for u in client.get("/api/v1/units", headers=own).json()] == [str(world.enterprise)]
    assert {p["unit_id"] for p in client.get("/api/v1/posts", headers=own).json()} == {str(world.enterprise)}
    assert client.get(f"/api/v1/posts?unit_id={neighbour}", headers=own).status_code == 403
    assert client.get(f"/api/v1/units/{neighbour}", headers=own).status_code == 404
    gaps = client.get("/api/v1/coverage-gaps", headers=own).json()
    assert gaps
    assert {g["unit_id"] for g in gaps} == {str(world.enterprise)}
    for path in ("/api/v1/people", "/api/v1/audit-trail", "/api/v1/sector-leads"):
        assert client.get(path, headers=own).status_code == 403, path


def test_a_list_shows_its_duties_and_published_versions(client: TestClient, system, token) -> None:
    world = World(system)
    headers = token("registrar", COUNTY)
    post = client.post("/api/v1/posts", json={"unit_id": str(world.enterprise), "definition": {
        "title": "操作工", "kind": "position"}}, headers=headers).json()
    lst = client.post("/api/v1/responsibility-lists", json={"unit_id": str(world.enterprise), "kind": "all_staff",
                                                            "title": "全员清单"}, headers=headers).json()
    client.post(f"/api/v1/responsibility-lists/{lst['id']}/duties", json={"terms": {
        "post_id": post["id"], "line": "entity", "text": "按规程操作", "source_document": "安全生产法 第22条"}},
        headers=headers)
    published = client.post(f"/api/v1/responsibility-lists/{lst['id']}/publications",
                            json={"document_no": "测试〔2025〕1号"}, headers=headers).json()
    detail = client.get(f"/api/v1/responsibility-lists/{lst['id']}?min_position={published['position']}",
                        headers=headers).json()
    assert [d["text"] for d in detail["duties"]] == ["按规程操作"]
    assert [(p["version"], p["document_no"]) for p in detail["publications"]] == [(1, "测试〔2025〕1号")]
    assert detail["list"]["published_version"] == 1
    assert client.get(f"/api/v1/responsibility-lists/{lst['id']}", headers=token("viewer", TOWN_B)).status_code == 404


def test_the_docs_page_needs_no_cdn(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text
    assert client.get("/api/v1/docs-static/swagger-ui-bundle.js").status_code == 200
