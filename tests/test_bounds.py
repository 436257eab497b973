"""Value bounds (domain/bounds.py): every command and query refuses what a follower could not store or publish.

Issue #9 §1: such values were accepted (201) and then stopped the event feed, the relay and the read models.
Each boundary is tested at n−1, n and n+1.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import orjson
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.bootstrap import System
from api.demo.identifiers import resident_id
from application import hazards as hz
from application import inspections as ins
from application import people as pp
from application import responsibility as rs
from domain import bounds
from domain import responsibility as r
from domain.bounds import EARLIEST, EFFECTIVE_HORIZON, INT64_MAX, LATEST
from domain.errors import Conflict, Rejected
from domain.hazards import HazardGrade, HazardSource
from domain.inspections import InspectionKind
from tests.builders import World
from tests.conftest import REGISTRAR
from tests.test_cli import run

MICRO = timedelta(microseconds=1)
PROBLEM = "application/problem+json"


def register(**fields: object) -> pp.RegisterPerson:
    return pp.RegisterPerson.model_validate({"name": "张三", "id_number": resident_id(date(1980, 1, 1), 1), **fields})


# -- the window of times (not before 1949-10-01; before 2100-01-01) -------------------------------------------------


def test_times_are_accepted_from_the_founding_day_and_refused_before_it() -> None:
    assert register(effective_at=EARLIEST).effective_at == EARLIEST
    assert register(effective_at=EARLIEST + MICRO).effective_at == EARLIEST + MICRO
    with pytest.raises(ValidationError, match="outside the accepted window"):
        register(effective_at=EARLIEST - MICRO)


def test_times_are_refused_from_2100_on() -> None:
    assert register(effective_at=LATEST - MICRO).effective_at == LATEST - MICRO
    for refused in (LATEST, LATEST + MICRO):
        with pytest.raises(ValidationError, match="outside the accepted window"):
            register(effective_at=refused)


def test_days_and_months_keep_the_same_window() -> None:
    assert bounds.day_problem(EARLIEST.date()) is None
    assert bounds.day_problem(EARLIEST.date() - timedelta(days=1)) is not None
    assert bounds.day_problem(LATEST.date() - timedelta(days=1)) is None
    assert bounds.day_problem(LATEST.date()) is not None
    with pytest.raises(ValidationError, match="outside the accepted window"):
        pp.ImposeIndustryBan(person_id=ADMIN_ID, industry="*", starts_on=date(1, 1, 1), reason="r")


ADMIN_ID = UUID("00000000-0000-0000-0000-000000000001")


def test_a_time_must_be_rfc3339_text_with_its_offset() -> None:
    for written in (1_700_000_000, 0.5, "1700000000", "2025-03-01T09:00:00", "2025-03-01"):
        with pytest.raises(ValidationError):
            pp.RegisterPerson.model_validate({"name": "张三", "id_number": resident_id(date(1980, 1, 1), 1),
                                              "effective_at": written})
    ok = pp.RegisterPerson.model_validate({"name": "张三", "id_number": resident_id(date(1980, 1, 1), 1),
                                           "effective_at": "2025-03-01T09:00:00+08:00"})
    assert ok.effective_at is not None
    assert ok.effective_at.utcoffset() == timedelta(hours=8)


def test_the_effective_time_lies_at_most_the_horizon_after_the_recorded_time(system: System, clock) -> None:
    World(system)
    now = clock.now()
    accepted = system.service.execute(register(effective_at=now + EFFECTIVE_HORIZON), REGISTRAR)
    assert accepted.position is not None
    head = system.store.head()
    for late in (now + EFFECTIVE_HORIZON + MICRO, now + EFFECTIVE_HORIZON + timedelta(days=1)):
        with pytest.raises(Rejected) as refused:
            system.service.execute(register(id_number=resident_id(date(1980, 1, 1), 2), effective_at=late), REGISTRAR)
        assert refused.value.code == "effective-time-out-of-window"
    assert system.store.head() == head


# -- text and integers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["张\x00三", "张\x01三", "张\x7f三", "张\x85三", "张\ud800三", "张\ufffe三"])
def test_text_with_a_control_character_surrogate_or_noncharacter_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        register(name=text)


def test_free_text_may_hold_newlines_and_tabs_but_no_other_control_character() -> None:
    assert bounds.text_problem("第一行\n第二行\t完") is None
    assert bounds.text_problem("第一行\r\n第二行") is not None
    assert bounds.text_problem("名称\n", free=False) is not None


SOME = UUID("00000000-0000-0000-0000-000000000002")


def duty(**fields: object) -> r.DutyTerms:
    return r.DutyTerms.model_validate({"post_id": SOME, "line": "territorial", "text": "督促检查",
                                       "source_document": "泉港城管〔2022〕149号 §16", **fields})


@pytest.mark.parametrize("command", [
    lambda text: register(name=text),
    lambda text: register(basis=text),
    lambda text: pp.RevokeCertificate(person_id=SOME, number=text, reason="违章作业"),
    lambda text: ins.OpenInspection(kind=InspectionKind.enforcement, title=text, target_unit_id=SOME,
                                    inspectors=[SOME]),
    lambda text: ins.RecordFinding(inspection_id=SOME, description="未设置警示标志", location=text),
    lambda text: rs.AssignDuty(list_id=SOME, terms=duty(source_document=text)),
    lambda text: rs.AssignDuty(list_id=SOME, terms=duty(scope=("城镇燃气", text))),
], ids=["name", "basis", "certificate-number", "title", "location", "nested-document-number", "nested-list-item"])
@pytest.mark.parametrize("text", ["张\n三", "张\t三", "张三\n"])
def test_one_line_text_refuses_a_newline_or_tab(command, text: str) -> None:
    """Issue #9 §1: "no NUL or other control characters in text (newline and tab allowed in free text)" — a name, a
    number, a title, a document number is one line."""
    assert command("张三") is not None
    with pytest.raises(ValidationError) as refused:
        command(text)
    assert "control character" in str(refused.value)


@pytest.mark.parametrize("command", [
    lambda text: ins.RecordFinding(inspection_id=SOME, description=text),
    lambda text: pp.RevokeCertificate(person_id=SOME, number="T123", reason=text),
    lambda text: rs.AssignDuty(list_id=SOME, terms=duty(text=text)),
    lambda text: hz.ReportHazard(unit_id=SOME, grade=HazardGrade.general, description=text,
                                    source=HazardSource.self_reported),
], ids=["finding", "reason", "nested-duty-text", "hazard-description"])
def test_free_text_keeps_its_newlines_and_tabs(command) -> None:
    assert command("第一行\n\t第二行") is not None
    with pytest.raises(ValidationError):
        command("第一行\r第二行")


def test_a_stored_value_with_a_newline_in_one_line_text_still_loads() -> None:
    """The mark validates nothing in a value object, which stored events carry (docs/DEVELOPING.md): an event stored
    before one-line text was enforced loads as it was."""
    old = duty(source_document="泉港城管\n〔2022〕149号")
    assert old.source_document == "泉港城管\n〔2022〕149号"
    assert {name for name, info in r.DutyTerms.model_fields.items() if bounds.is_free_text(info)} == {"text"}


def test_text_is_capped() -> None:
    assert bounds.text_problem("字" * bounds.MAX_TEXT) is None
    assert bounds.text_problem("字" * (bounds.MAX_TEXT + 1)) is not None


def test_integers_fit_in_signed_64_bits() -> None:
    person = UUID("00000000-0000-0000-0000-000000000002")
    assert pp.RenamePerson(person_id=person, name="李四", expected_version=INT64_MAX).expected_version == INT64_MAX
    for too_big in (INT64_MAX + 1, 2**70):
        with pytest.raises(ValidationError):
            pp.RenamePerson(person_id=person, name="李四", expected_version=too_big)


def test_a_lowercase_x_in_an_identity_number_is_the_same_person(system: System) -> None:
    World(system)
    number = next(resident_id(date(1980, 1, 1), seq) for seq in range(1, 200)
                  if resident_id(date(1980, 1, 1), seq).endswith("X"))
    system.service.execute(register(id_number=number), REGISTRAR)
    head = system.store.head()
    with pytest.raises(Conflict):
        system.service.execute(register(id_number=number.lower()), REGISTRAR)
    with pytest.raises(Rejected):  # full-width or other non-ASCII digits are not a 居民身份证号 (GB 11643 §4)
        system.service.execute(register(id_number="３" + number[1:]), REGISTRAR)
    assert system.store.head() == head


# -- over HTTP: refused with a problem, nothing written ----------------------------------------------------------


POISON_BODIES = [
    {"effective_at": "0001-01-01T00:00:00+08:00"},
    {"effective_at": "9999-12-31T23:59:59-14:00"},
    {"effective_at": 1_700_000_000},
    {"name": "张\u0000三"},
    {"name": "张\n三"},
]


@pytest.mark.parametrize("poison", POISON_BODIES, ids=["year-1", "year-9999", "unix-time", "nul", "newline"])
def test_poison_bodies_are_refused_and_write_nothing(client: TestClient, system: System, token, poison) -> None:
    World(system)
    head = system.store.head()
    body = {"name": "张三", "id_number": resident_id(date(1980, 1, 1), 7), **poison}
    response = client.post("/api/v1/people", json=body, headers=token("registrar", "350000/350500/350505"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] in {"effective_at", "name"}
    assert system.store.head() == head


def test_an_expected_version_beyond_64_bits_is_a_problem(client: TestClient, system: System, token) -> None:
    world = World(system)
    person = world.person(4)
    head = system.store.head()
    for version in (2**63, 2**70):
        response = client.post(f"/api/v1/people/{person}/name", json={"name": "李五", "expected_version": version},
                               headers=token())
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "expected_version"
    assert system.store.head() == head


def test_a_path_value_with_a_control_character_is_a_problem_not_a_failure(client: TestClient, system, token) -> None:
    world = World(system)
    person = world.person(3)
    head = system.store.head()
    response = client.post(f"/api/v1/people/{person}/certificates/T%00/revocation", json={"reason": "撤销"},
                           headers=token())
    assert response.status_code == 422, response.text
    assert system.store.head() == head


@pytest.mark.parametrize("query", [
    f"/api/v1/events?after={2**63}", f"/api/v1/people?offset={10**25}", f"/api/v1/units?limit={2**64}",
    "/api/v1/ledger/duties?as_of=1700000000", "/api/v1/ledger/duties?known_at=0.5",
    "/api/v1/ledger/duties?as_of=0001-01-01T00:00:00%2B08:00", "/api/v1/statistics/enforcement?month=0000-01",
    "/api/v1/statistics/hazards?from=0001-01-01", f"/api/v1/people?min_position={2**63}",
])
def test_queries_out_of_bounds_are_422_problems(client: TestClient, system, token, query: str) -> None:
    response = client.get(query, headers=token())
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM


def test_queries_within_bounds_are_answered(client: TestClient, system, token) -> None:
    for query in (f"/api/v1/events?after={INT64_MAX}", "/api/v1/statistics/enforcement?month=1949-10",
                  "/api/v1/ledger/duties?as_of=2025-03-01T09:00:00Z"):
        assert client.get(query, headers=token()).status_code == 200, query


def test_a_body_over_the_limit_is_413_and_writes_nothing(client: TestClient, system: System, token) -> None:
    World(system)
    head = system.store.head()
    body = {"name": "张三", "id_number": resident_id(date(1980, 1, 1), 9), "basis": "x" * bounds.MAX_BODY_BYTES}
    response = client.post("/api/v1/people", json=body, headers=token())
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "body-too-large"
    chunks = iter([b'{"name": "', b"x" * bounds.MAX_BODY_BYTES, b'"}'])  # no Content-Length: counted as read
    streamed = client.post("/api/v1/people", content=chunks, headers={**token(), "Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert system.store.head() == head


def test_a_body_at_the_limit_is_read(client: TestClient, system: System, token) -> None:
    World(system)
    body = orjson.dumps({"name": "张三", "id_number": resident_id(date(1980, 1, 1), 9)})
    padded = body[:-1] + b" " * (bounds.MAX_BODY_BYTES - len(body)) + b"}"
    assert len(padded) == bounds.MAX_BODY_BYTES
    response = client.post("/api/v1/people", content=padded, headers={**token(), "Content-Type": "application/json"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("query", ["/api/v1/people?q=%00", "/api/v1/units?q=a%0Ab", "/api/v1/people/%01"])
def test_control_characters_in_a_path_or_query_are_422(client: TestClient, system, token, query: str) -> None:
    response = client.get(query, headers=token())
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_the_command_line_keeps_the_same_window(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ZEREN_DATABASE_URL", "ZEREN_SQLITE_PATH", "ZEREN_JWT_SECRET", "ZEREN_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "hazards", "ledger", "--as-of", "1949-09-30")
    assert code == 2
    assert "outside the accepted window" in err
    assert len(err.strip().splitlines()) == 1
    assert run(capsys, "hazards", "ledger", "--as-of", "1949-10-01")[0] == 0
    assert run(capsys, "hazards", "ledger", "--as-of", "2099-12-31T23:59:59+08:00")[0] == 0
    assert run(capsys, "hazards", "ledger", "--as-of", "2100-01-01")[0] == 2


def test_the_api_document_says_which_text_is_one_line(client: TestClient) -> None:
    """What the document admits is what the API accepts (the sweep generates from it): a name is one line, a
    hazard's description free text."""
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    def body(path: str) -> dict:
        ref = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rpartition("/")[2]]["properties"]

    assert body("/api/v1/people")["name"]["pattern"] == bounds.LINE_PATTERN
    assert body("/api/v1/hazards")["description"]["pattern"] == bounds.TEXT_PATTERN
