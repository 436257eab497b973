"""Certificate numbers leave the store masked like identity numbers (issue 9 §2): a 特种作业操作证 number is "T" + the
holder's 身份证号, so a number shown whole defeated the ID masking. And the 1+N ledger names only the people the
caller may see."""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from api.demo.identifiers import resident_id
from application import people as pp
from application import responsibility as rs
from application.clock import ManualClock
from domain.identifiers import mask_certificate_number
from domain.people import Certificate, CertificateKind
from domain.posts import PostKind
from infrastructure.audit.bundle import BundleInvalid, verify
from tests.audit_support import everything_in, lines_of, rewrite
from tests.builders import World
from tests.conftest import ADMIN, COUNTY, T0, TOWN_A, TOWN_B
from tests.test_dossier import Case
from tests.test_event_feed import read_sse
from tests.tipdesk import TipDesk


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
    with client.stream("GET", "/api/v1/events/live", headers=admin) as live:  # SSE: the feed's envelopes, live
        sse = orjson.dumps(read_sse(live.iter_lines(), len(system.store.read(0, 1000)))).decode()
    certificate = {"number": number, "kind": "special_operation", "operation": "焊接与热切割作业",
                   "issuer": "泉州市应急管理局", "issued_on": "2024-01-01", "expires_on": "2030-01-01"}
    refusals = {  # a refusal names the number masked too
        "refused again": (409, client.post(f"/api/v1/people/{person}/certificates", json={"certificate": certificate},
                                           headers=admin)),
        "revoked again": (409, client.post(f"/api/v1/people/{person}/certificates/revocation",
                                           json={"number": number, "reason": "重复"}, headers=admin)),
        "unknown": (404, client.post(f"/api/v1/people/{person}/certificates/revocation",
                                     json={"number": f"T{id_number[:-4]}9999", "reason": "无此证"}, headers=admin)),
    }
    texts = {name: response.text for name, response in outputs.items()} | {"SSE": sse} | {
        name: response.text for name, (_, response) in refusals.items()}
    for name, response in outputs.items():
        assert response.status_code == 200, (name, response.text)
    for name, (status, response) in refusals.items():
        assert response.status_code == status, (name, response.text)
    for name, text in texts.items():
        assert middle not in text, f"{name} shows the number whole"
        assert mask_certificate_number(number) in text or name == "unknown", name
    paths = [path for path in client.get("/api/v1/openapi.json").json()["paths"] if path.startswith("/api/v1/people")]
    assert not [path for path in paths if "{number}" in path], "no URL carries a certificate number (access logs)"
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


def test_audit_bundles_over_http_withhold_what_their_caller_may_not_read_whole(system: System, client: TestClient,
                                                                              token, tmp_path) -> None:
    """A bundle carries stored bytes, which hold a certificate number whole and a tip's public data: an export over
    HTTP leaves those event types out, names them in ``selection.withheld`` and still verifies (docs/audit.md §6)."""
    desk = TipDesk(system)
    world = desk.world
    id_number = resident_id(date(1981, 3, 9), 31)
    person = world.run(ADMIN, pp.RegisterPerson(name="电工乙", id_number=id_number, jurisdiction=TOWN_A))
    world.run(ADMIN, pp.IssueCertificate(person_id=person, certificate=Certificate(
        number="T" + id_number, kind=CertificateKind.special_operation, operation="低压电工作业",
        issuer="泉州市应急管理局", issued_on=date(2024, 1, 1), expires_on=date(2030, 1, 1))))
    tip = desk.receive()
    system.audit.sealer.seal_now()
    keys = system.audit.keys()
    kinds = {}
    for role in ("auditor", "admin"):
        response = client.get("/api/v1/audit/export", headers=token(role, "350000"))
        assert response.status_code == 200, response.text
        path = tmp_path / f"{role}.zip"
        path.write_bytes(response.content)
        verified = verify(path, keys)
        assert verified.coverage == "subset"
        manifest = orjson.loads(b"".join(lines_of(path, "manifest.json")))
        assert "CertificateIssued" in manifest["selection"]["withheld"]
        assert manifest["excluded"] >= 1
        assert id_number[4:-4] not in everything_in(path).decode(errors="replace")
        kinds[role] = {orjson.loads(line)["type"] for line in lines_of(path)}
        assert "CertificateIssued" not in kinds[role]
    assert "TipReceived" not in kinds["auditor"], "an auditor reads tips only outlined"
    assert "TipReceived" in kinds["admin"], "the tip ledger's roles read tips whole"
    assert str(tip) in {str(orjson.loads(line)["aggregate_id"]) for line in lines_of(tmp_path / "admin.zip")}


def test_a_bundle_showing_a_withheld_type_fails_verification(system: System, client: TestClient, token,
                                                             tmp_path) -> None:
    """The verifier holds the manifest to its word: no event of a withheld type may appear."""
    world = World(system)
    world.run(ADMIN, pp.RegisterPerson(name="电工丙", id_number=resident_id(date(1982, 4, 1), 5), jurisdiction=TOWN_A))
    system.audit.sealer.seal_now()
    path = tmp_path / "auditor.zip"
    path.write_bytes(client.get("/api/v1/audit/export", headers=token("auditor", "350000")).content)
    verify(path, system.audit.keys())

    def withhold_persons(data: bytes) -> bytes:
        manifest = orjson.loads(data)
        manifest["selection"]["withheld"] = sorted({*manifest["selection"]["withheld"], "PersonRegistered"})
        return orjson.dumps(manifest)

    forged = rewrite(path, tmp_path / "forged.zip", "manifest.json", withhold_persons)
    with pytest.raises(BundleInvalid, match="selection does not admit it"):
        verify(forged, system.audit.keys())


def test_the_dossier_shows_a_holders_certificate_number_masked(system: System, clock: ManualClock) -> None:
    """The dossier lists each holder's certificates (issue 11, entity line): numbers leave it masked."""
    case = Case(system, clock)
    number = "T" + resident_id(date(1975, 2, 3), 8)
    case.scene.run(ADMIN, pp.IssueCertificate(
        person_id=case.scene.main_person, effective_at=T0, certificate=Certificate(
            number=number, kind=CertificateKind.special_operation, operation="燃气设施运行维护",
            issuer="泉州市应急管理局", issued_on=date(2024, 1, 1), expires_on=date(2030, 1, 1))))
    system.audit.sealer.seal_now()
    text = orjson.dumps(case.build()).decode()
    assert mask_certificate_number(number) in text
    assert number[5:-4] not in text
