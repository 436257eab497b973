"""The enterprise "1+N" ledger (seed 002 §19): master record plus hazards, inspections, people, certificates, duties."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from api.bootstrap import System
from application import hazards as h
from application import people as pp
from domain import hazards as hz
from domain.people import Certificate, CertificateKind
from tests.conftest import COUNTY, REGISTRAR, TOWN_B
from tests.inspection_scene import Scene


def test_one_enterprise_with_its_ledgers_at_one_moment(client: TestClient, system: System, clock, token) -> None:
    scene = Scene(system)
    before = clock.now()
    clock.advance(timedelta(days=1))
    inspection = scene.completed()
    hazard = system.service.execute(h.ReportHazard(unit_id=scene.enterprise, grade=hz.HazardGrade.general,
                                                   description="报警装置失效", source=hz.HazardSource.inspection,
                                                   inspection_id=inspection, finding_no=1), scene.inspector(0)).id
    system.service.execute(h.OrderRectification(hazard_id=hazard, mode=hz.RectificationMode.deadline,
                                                deadline=clock.now().date() + timedelta(days=10),
                                                requirements="更换报警装置"), scene.inspector(0))
    system.service.execute(pp.IssueCertificate(person_id=scene.safety_person, certificate=Certificate(
        number="QZ-AQ-001", kind=CertificateKind.safety_management, issuer="泉州市应急管理局",
        issued_on=date(2021, 1, 1), expires_on=date(2024, 12, 31))), REGISTRAR)
    duty_list = scene.world.duty_list(scene.enterprise)
    scene.world.duty(duty_list, scene.main_post, text="全面负责本单位安全生产工作")
    position = system.store.head()
    response = client.get(f"/api/v1/enterprises/{scene.enterprise}/ledger?min_position={position}",
                          headers=token("viewer", COUNTY))
    assert response.status_code == 200, response.text
    ledger = response.json()
    assert ledger["unit"]["unit_id"] == str(scene.enterprise)
    assert [x["description"] for x in ledger["hazards"]] == ["报警装置失效"]
    assert [x["inspection_id"] for x in ledger["inspections"]] == [str(inspection)]
    assert {(p["name"], p["post_title"]) for p in ledger["people"]} == {("总经理", "总经理"), ("安全员", "安全部经理")}
    (safety,) = [p for p in ledger["people"] if p["name"] == "安全员"]
    assert [(c["number"], c["valid"]) for c in safety["certificates"]] == [("QZ*****01", False)]  # masked
    assert [(d["text"], d["person_name"]) for d in ledger["duties"]] == [("全面负责本单位安全生产工作", "总经理")]
    assert ledger["summary"] == {**ledger["summary"], "hazards_open": 1, "inspections": 1, "duties": 1,
                                 "certificates_invalid": 1, "posts_vacant": 0, "orders": 1, "orders_open": 1,
                                 "suspended": False, "blacklisted": False}
    assert [(o["hazard_id"], o["requirements"]) for o in ledger["orders"]] == [(str(hazard), "更换报警装置")]

    earlier = client.get(f"/api/v1/enterprises/{scene.enterprise}/ledger", params={"as_of": before.isoformat()},
                         headers=token("viewer", COUNTY)).json()
    assert (earlier["hazards"], earlier["inspections"], earlier["duties"], earlier["orders"]) == ([], [], [], []), (
        "a day before, none yet")

    own = client.get(f"/api/v1/enterprises/{scene.enterprise}/ledger",
                     headers=token("enterprise", COUNTY, unit_id=scene.enterprise))
    assert own.status_code == 200
    other = client.get(f"/api/v1/enterprises/{scene.other_enterprise}/ledger",
                       headers=token("enterprise", COUNTY, unit_id=scene.enterprise))
    assert other.status_code == 403
    elsewhere = client.get(f"/api/v1/enterprises/{scene.enterprise}/ledger", headers=token("viewer", TOWN_B))
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not-found")
    not_an_enterprise = client.get(f"/api/v1/enterprises/{scene.department}/ledger", headers=token("viewer", COUNTY))
    assert not_an_enterprise.status_code == 404
