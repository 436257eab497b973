"""A command's route answers every request as FastAPI's own handling of it does (``api.commands``): the ordinary
requests it answers the short way, and every other, which it leaves to FastAPI."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.deps import system as system_dependency
from application.authorization import Principal
from application.commands import Command
from application.service import CommandResult, EventRef
from domain.errors import NotFound

UNIT = UUID("3f2c8d6e-1b7a-4c59-9e0d-5a4b3c2d1e0f")
CORRELATION = "0b9e8f7a-6d5c-4b3a-8f1e-0d9c8b7a6f5e"
GRADE = {"colour": "red", "reason": "复查发现隐患"}
REGISTER = {"profile": {"kind": "territorial", "name": "山腰街道", "level": "town", "code": "350505001000"},
            "parent_id": str(UNIT)}


class Service:
    """Stands in for ``Zeren.execute``: the role checked as it does, every call kept, one fixed answer (or a
    refusal for the unit it is told is missing)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Command, Principal, str | None, UUID | None]] = []

    def execute(self, command: Command, principal: Principal, *, idempotency_key: str | None = None,
                correlation_id: UUID | None = None) -> CommandResult:
        principal.require_role(type(command).roles, type(command).action)
        self.calls.append((command, principal, idempotency_key, correlation_id))
        if getattr(command, "reason", None) == "missing":
            raise NotFound("not-found", "no unit 3f2c8d6e in your jurisdiction")
        return CommandResult(id=UNIT, version=3, position=42, created={"unit": UNIT},
                             events=[EventRef(type="RiskColourGraded", aggregate_id=UNIT, version=3)])


def requests(token: Any) -> list[tuple[str, dict[str, Any]]]:
    """(path, httpx arguments): ordinary commands and every way a request can stray from one."""
    admin = token("admin")
    grade = f"/api/v1/units/{UNIT}/risk-colour"
    raw = {**admin, "content-type": "application/json"}
    typed = {**admin, "content-type": "application/json; charset=utf-8"}
    return [
        (grade, {"json": GRADE, "headers": admin}),
        ("/api/v1/units", {"json": REGISTER, "headers": admin}),
        (grade, {"json": {**GRADE, "effective_at": "2024-05-01T08:00:00+08:00", "basis": "泉港城管〔2022〕149号"},
                 "headers": admin}),
        (grade, {"json": GRADE, "headers": {**admin, "Idempotency-Key": "k" * 200}}),
        (grade, {"json": GRADE, "headers": {**admin, "Idempotency-Key": "k" * 201}}),
        (grade, {"json": GRADE, "headers": {**admin, "Idempotency-Key": ""}}),
        (grade, {"json": GRADE, "headers": [*admin.items(), ("Idempotency-Key", "a"), ("Idempotency-Key", "b")]}),
        (grade, {"json": GRADE, "headers": {**admin, "X-Correlation-ID": CORRELATION}}),
        (grade, {"json": GRADE, "headers": {**admin, "X-Correlation-ID": CORRELATION.upper()}}),
        (grade, {"json": GRADE, "headers": {**admin, "X-Correlation-ID": CORRELATION.replace("-", "")}}),
        (grade, {"json": GRADE, "headers": {**admin, "X-Correlation-ID": "{" + CORRELATION + "}"}}),
        (grade, {"json": GRADE, "headers": {**admin, "X-Correlation-ID": "urn:uuid:" + CORRELATION}}),
        (grade, {"json": GRADE, "headers": {**admin, "X-Correlation-ID": ""}}),
        (grade, {"json": GRADE, "headers": {**admin, "X-Correlation-ID": "not-a-uuid"}}),
        (grade, {"json": GRADE}),
        (grade, {"json": GRADE, "headers": {"Authorization": "Bearer not-a-jwt"}}),
        (grade, {"json": GRADE, "headers": {"Authorization": "Basic YWRtaW46YWRtaW4="}}),
        (grade, {"json": GRADE, "headers": token("viewer")}),
        (grade, {"json": {"colour": "red", "reason": "missing"}, "headers": admin}),
        (grade, {"content": json.dumps(GRADE), "headers": {**admin, "content-type": "text/plain"}}),
        (grade, {"content": json.dumps(GRADE), "headers": admin}),
        (grade, {"content": json.dumps(GRADE), "headers": typed}),
        (grade, {"content": json.dumps(GRADE), "headers": {**admin, "content-type": "application/merge-patch+json"}}),
        (grade, {"content": '{"colour": "red", "reason": ', "headers": raw}),
        (grade, {"content": "", "headers": raw}),
        (grade, {"content": "null", "headers": raw}),
        (grade, {"content": "[]", "headers": raw}),
        (grade, {"content": '{"colour": "red", "reason": NaN}', "headers": raw}),
        (grade, {"content": b'{"colour": "red", "reason": "\xff"}', "headers": raw}),
        (grade, {"json": {**GRADE, "unit_id": str(uuid4())}, "headers": admin}),
        (grade, {"json": {**GRADE, "actor": "someone-else"}, "headers": admin}),
        (grade, {"json": {"colour": "purple", "reason": "x"}, "headers": admin}),
        (grade, {"json": {"colour": "red"}, "headers": admin}),
        (grade, {"json": {"colour": "red", "reason": "two\nlines"}, "headers": admin}),
        (grade, {"json": {**GRADE, "effective_at": 1714521600}, "headers": admin}),
        (grade + "?colour=blue", {"json": GRADE, "headers": admin}),
        ("/api/v1/units/not-a-uuid/risk-colour", {"json": GRADE, "headers": admin}),
        (f"/api/v1/units/{str(UNIT).upper()}/risk-colour", {"json": GRADE, "headers": admin}),
        (f"/api/v1/units/{UNIT.hex}/risk-colour", {"json": GRADE, "headers": admin}),
    ]


def test_a_command_route_answers_as_fastapis_own_handling(client: TestClient, system, token,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request twice: as served, then with a dependency overridden (by itself), which leaves every request to
    FastAPI's handling: the same status, headers and bytes, and the same call of the service."""
    service = Service()
    monkeypatch.setattr(system.service, "execute", service.execute)
    answers = []
    for path, arguments in requests(token):
        for overridden in (False, True):
            client.app.dependency_overrides = (  # type: ignore[attr-defined]
                {system_dependency: system_dependency} if overridden else {})
            service.calls.clear()
            response = client.post(path, **arguments)
            answers.append((response.status_code, response.headers.multi_items(), response.content,
                            list(service.calls)))
        short, fastapis = answers[-2:]
        assert short == fastapis, (path, arguments)
    statuses = [status for status, *_ in answers[::2]]
    assert {200, 201, 401, 403, 404, 422} <= set(statuses)
    assert sum(status < 300 for status in statuses) >= 8, "ordinary requests and the ways they may vary"


@pytest.mark.parametrize(("path", "body", "created"), [(f"/api/v1/units/{UNIT}/risk-colour", GRADE, False),
                                                       ("/api/v1/units", REGISTER, True)])
def test_a_command_answers_the_bytes_fastapi_writes_for_its_result(client: TestClient, system, token,
                                                                  monkeypatch: pytest.MonkeyPatch, path: str,
                                                                  body: dict, created: bool) -> None:
    """The endpoint writes its answer itself: the bytes and headers FastAPI writes for a ``CommandResult``."""
    monkeypatch.setattr(system.service, "execute", Service().execute)
    result = Service().execute(Command(), Principal("x", "admin", "350000"))
    plain = FastAPI()

    @plain.post("/", response_model=CommandResult, status_code=201 if created else 200)
    def answer() -> CommandResult:
        return result

    expected = TestClient(plain).post("/")
    response = client.post(path, json=body, headers=token("admin"))
    assert (response.status_code, response.headers.multi_items(), response.content) == (
        expected.status_code, expected.headers.multi_items(), expected.content)
