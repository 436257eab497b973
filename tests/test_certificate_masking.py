"""Certificate numbers leave the store masked like identity numbers (issue 9 §2): a 特种作业操作证 number is "T" + the
holder's 身份证号, so a number shown whole defeated the ID masking. And the 1+N ledger names only the people the
caller may see."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from api.bootstrap import System
from api.demo.identifiers import resident_id
from application import people as pp
from application import responsibility as rs
from domain.identifiers import mask_certificate_number
from domain.people import Certificate, CertificateKind
from domain.posts import PostKind
from tests.builders import World
from tests.conftest import ADMIN, COUNTY, TOWN_A, TOWN_B


def test_masking_keeps_at_most_four_characters_at_each_end_and_never_half() -> None:
    assert mask_certificate_number("T350505198005170012") == "T350***********0012"
    assert mask_certificate_number("AB123456") == "AB****56"
    assert mask_certificate_number("A12") == "***"
    assert mask_certificate_number("") == ""


def test_a_certificate_number_is_masked_wherever_it_leaves_the_store(system: System, client: TestClient,
                                                                    token) -> None:
    world = World(system)
    id_number = resident_id(date(1980, 5, 17), 12)
    person = world.run(ADMIN, pp.RegisterPerson(name="焊工甲", id_number=id_number, jurisdiction=TOWN_A))
    number = "T" + id_number
    world.run(ADMIN, pp.IssueCertificate(person_id=person, certificate=Certificate(
        number=number, kind=CertificateKind.special_operation, operation="焊接与热切割作业", issuer="泉州市应急管理局",
        issued_on=date(2024, 1, 1), expires_on=date(2030, 1, 1))))
    post = world.post(world.enterprise, PostKind.position, "焊工")
    world.run(ADMIN, rs.AppointHolder(post_id=post, person_id=person))
    world.run(ADMIN, pp.RevokeCertificate(person_id=person, number=number, reason="违章作业"))
    system.runner.catch_up()
    admin = token("admin", "350000")
    middle = id_number[4:-4]
    outputs = {
        "person": client.get(f"/api/v1/people/{person}", headers=admin),
        "replay": client.get(f"/api/v1/aggregates/{person}/replay", headers=admin),
        "audit trail": client.get(f"/api/v1/audit-trail?aggregate_id={person}", headers=admin),
        "feed": client.get("/api/v1/events?limit=1000", headers=admin),
        "1+N": client.get(f"/api/v1/enterprises/{world.enterprise}/ledger", headers=admin),
    }
    for name, response in outputs.items():
        assert response.status_code == 200, (name, response.text)
        assert middle not in response.text, f"{name} shows the number whole"
        assert mask_certificate_number(number) in response.text, name
    revealed = client.get(f"/api/v1/people/{person}?reveal=true", headers=token("registrar", COUNTY)).json()
    assert [c["number"] for c in revealed["certificates"]] == [number], "a personal-data role may ask for it whole"


def test_the_enterprise_ledger_names_only_people_the_caller_may_see(system: System, client: TestClient,
                                                                    token) -> None:
    world = World(system)
    outsider = world.run(ADMIN, pp.RegisterPerson(name="庄海燕", id_number=resident_id(date(1979, 8, 1), 77),
                                                  jurisdiction=TOWN_B))
    world.run(ADMIN, pp.IssueCertificate(person_id=outsider, certificate=Certificate(
        number="AQ2024001", kind=CertificateKind.safety_management, issuer="泉州市应急管理局",
        issued_on=date(2024, 1, 1), expires_on=date(2030, 1, 1))))
    post = world.post(world.enterprise, PostKind.main_responsible, "总经理")
    world.run(ADMIN, rs.AppointHolder(post_id=post, person_id=outsider))
    system.runner.catch_up()
    viewer = token("viewer", TOWN_A)
    assert client.get(f"/api/v1/people/{outsider}", headers=viewer).status_code == 404
    ledger = client.get(f"/api/v1/enterprises/{world.enterprise}/ledger", headers=viewer)
    assert ledger.status_code == 200
    assert "庄海燕" not in ledger.text
    [holder] = ledger.json()["people"]
    assert (holder["post_title"], holder["name"], holder["certificates"]) == ("总经理", None, [])
    county = client.get(f"/api/v1/enterprises/{world.enterprise}/ledger", headers=token("viewer", COUNTY)).json()
    assert county["people"][0]["name"] == "庄海燕", "the county sees both towns"
