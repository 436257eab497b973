"""The embedded store under concurrent requests answers as PostgreSQL does (issue 9 §3): writes are serialised,
409 only for a real conflict, and a repeated Idempotency-Key gets the first answer. Real threads, a real server."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import orjson
import pytest
import uvicorn

from api.app import create_app
from api.bootstrap import System
from api.demo.identifiers import resident_id

PARALLEL = 10


@pytest.fixture
def served(system: System) -> Iterator[str]:
    """The API on a loopback port, projections following in-process as under ``zeren serve``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(system, follow=True), host="127.0.0.1", port=port,
                                           log_level="warning", workers=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/api/v1"
    server.should_exit = True
    thread.join(timeout=20)


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=orjson.dumps(body), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, orjson.loads(error.read())


def in_parallel(url: str, bodies: list[dict[str, Any]], headers: list[dict[str, str]]) -> list[tuple[int, dict]]:
    start = threading.Barrier(len(bodies))

    def one(i: int) -> tuple[int, dict[str, Any]]:
        start.wait()
        return _post(url, bodies[i], headers[i])

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, range(len(bodies))))


def person(seq: int) -> dict[str, str]:
    return {"name": f"并发{seq}", "id_number": resident_id(date(1990, 1, 1), 700 + seq)}


def test_parallel_registrations_all_succeed(system: System, served: str, token) -> None:
    head = system.store.head()
    answers = in_parallel(f"{served}/people", [person(n) for n in range(PARALLEL)], [token()] * PARALLEL)
    assert [status for status, _ in answers] == [201] * PARALLEL, answers
    assert len({body["id"] for _, body in answers}) == PARALLEL
    assert system.store.head() == head + PARALLEL


def test_one_idempotency_key_repeated_in_parallel_gets_the_first_answer(system: System, served: str, token) -> None:
    head = system.store.head()
    headers = {**token(), "Idempotency-Key": "register-once"}
    answers = in_parallel(f"{served}/people", [person(1)] * PARALLEL, [headers] * PARALLEL)
    assert [status for status, _ in answers] == [201] * PARALLEL, answers
    assert len({body["id"] for _, body in answers}) == 1
    assert sorted(body["replayed"] for _, body in answers) == [False] + [True] * (PARALLEL - 1)
    assert system.store.head() == head + 1, "the key wrote once"


def test_a_real_conflict_is_the_only_409(system: System, served: str, token) -> None:
    head = system.store.head()
    answers = in_parallel(f"{served}/people", [person(2)] * PARALLEL, [token()] * PARALLEL)
    assert sorted(status for status, _ in answers) == [201] + [409] * (PARALLEL - 1), answers
    assert {body["code"] for status, body in answers if status == 409} == {"already-registered"}
    assert system.store.head() == head + 1


def test_a_command_that_keeps_losing_the_race_is_a_409_after_deciding_again(system: System, monkeypatch) -> None:
    """A save that lost a race (another command stored the same record version first) is decided again from the
    store; only when that keeps happening is it answered 409 concurrent-change."""
    from eventsourcing.persistence import IntegrityError

    from application import people as pp
    from application.service import ATTEMPTS
    from domain.errors import Conflict
    from tests.conftest import ADMIN

    saves = []

    def lost(*_: object) -> int:
        saves.append(1)
        raise IntegrityError("another writer stored this version first")

    monkeypatch.setattr(system.service.log, "save", lost)
    with pytest.raises(Conflict) as refused:
        system.service.execute(pp.RegisterPerson(name="并发3", id_number=person(3)["id_number"]), ADMIN)
    assert (refused.value.code, len(saves)) == ("concurrent-change", ATTEMPTS)
