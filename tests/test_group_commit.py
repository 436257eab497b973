"""Group commit (issue #15, ``infrastructure.group_commit``): concurrent commands of one process share a transaction
on PostgreSQL, and each is still decided on its own — one that conflicts inside a group is refused alone and decided
again while the others commit; a group that fails writes nothing and its saves are written alone, so the failing one
writes nothing and the others commit; idempotency keys still replay. Not timed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL

from api.bootstrap import System
from application import organisation as o
from application.ports import Receipt
from domain.units import RiskColour, RiskColourGraded
from infrastructure import group_commit
from infrastructure.group_commit import Refused, Save, admit, preconditions
from tests.builders import World
from tests.conftest import REGISTRAR

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


def event(aggregate: UUID, version: int, topic: str = "bench:Counted") -> StoredEvent:
    return StoredEvent(originator_id=aggregate, originator_version=version, topic=topic, state=b"{}")


def test_each_save_of_a_group_is_decided_as_if_committed_alone_in_queue_order(backend: str) -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    stored: dict[UUID | str, int] = {a: 3, c: 1}
    key = Receipt("s", "k", "f", b"{}")
    saves = [
        Save([event(a, 4)], {c: 1}, key),          # admitted: a continues from 3, c is still at 1
        Save([event(a, 4)], {}, None),             # refused: the first took version 4 of a
        Save([event(b, 1), event(b, 2)], {a: 4}, None),  # admitted: reads a as the first left it
        Save([event(c, 2)], {a: 3}, None),         # refused: read a at 3, the first changed it
        Save([event(c, 2)], {}, Receipt("s", "k", "f2", b"{}")),  # refused: the key was used first in the group
        Save([event(c, 2)], {}, Receipt("s", "old", "f", b"{}")),  # refused: the key is stored already
        Save([event(c, 2)], {b: 2}, None),         # admitted
    ]
    decided = admit(saves, stored, {("s", "old")})
    assert [d is None for d in decided] == [True, False, True, False, False, False, True]
    assert all(isinstance(d, Refused) for d in decided if d is not None)


def test_a_group_whose_saves_all_hold_together_needs_each_record_at_the_version_its_first_save_decided_on(
        backend: str) -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    together = [
        Save([event(a, 4)], {c: 1}, Receipt("s", "k", "f", b"{}")),
        Save([event(b, 1), event(b, 2)], {a: 4}, None),  # reads a as the first leaves it
        Save([event(a, 5)], {}, Receipt("s", "k2", "f", b"{}")),  # continues a from the first
        Save([event(c, 2)], {b: 2}, None),  # changes c, which the first read at 1
    ]
    assert preconditions(together) == {a: 3, b: 0, c: 1}
    assert admit(together, {a: 3, c: 1}, set()) == [None] * 4  # where they hold, each is admitted
    assert preconditions([Save([event(a, 4)], {}, None), Save([event(a, 4)], {}, None)]) is None  # one state twice
    assert preconditions([Save([event(a, 4)], {}, None), Save([event(c, 2)], {a: 3}, None)]) is None  # read a at 3
    assert preconditions([Save([event(a, 4)], {a: 2}, None)]) is None  # read at 2, changed from 3
    key = Receipt("s", "k", "f", b"{}")
    assert preconditions([Save([event(a, 4)], {}, key), Save([event(b, 1)], {}, key)]) is None  # one key twice


def test_a_group_that_holds_is_written_by_one_statement_and_one_changed_meanwhile_is_decided_save_by_save(
        system: System, grouped: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three saves that hold together go in by one statement of the append function, without the group's decision
    under the lock; when a record one of them read was changed meanwhile (here by a save outside the group, in
    another transaction), that statement writes nothing and the group is decided save by save: only that save is
    refused, the other two commit."""
    recorder = system.store.recorder
    decided: list[int] = []
    decide = recorder._decide_group

    def counted(group: list[Save]) -> Any:
        decided.append(len(group))
        return decide(group)

    monkeypatch.setattr(recorder, "_decide_group", counted)
    ids = [uuid4() for _ in range(4)]
    grouped(3)
    results = in_threads(*((lambda i=i: recorder.insert_events([event(ids[i], 1)])) for i in range(3)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert grouped.groups == [3]
    assert decided == []
    head = system.store.head()
    recorder._insert_alone(Save([event(ids[3], 1)], {}, None))  # another writer changes ids[3] first
    grouped(3)
    results = in_threads(
        lambda: recorder.insert_events([event(ids[0], 2)]),
        lambda: recorder.insert_events([event(ids[1], 2)], read={ids[3]: 0}),  # decided on ids[3] before that
        lambda: recorder.insert_events([event(ids[2], 2)]),
    )
    assert isinstance(results[1], Refused)
    assert not [r for i, r in enumerate(results) if i != 1 and isinstance(r, Exception)], results
    assert grouped.groups[-1] == 3
    assert decided == [3]
    stored = {(n.originator_id, n.originator_version) for n in recorder.select_notifications(head + 1, 10)}
    assert stored == {(ids[0], 2), (ids[2], 2), (ids[3], 1)}


@pytest.fixture
def grouped(system: System, monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """``grouped(n)``: the next group's leader waits (up to 30 s, not a timing: it goes on as soon as they queued) for
    ``n`` saves, so that ``n`` commands saved from threads share one transaction."""
    monkeypatch.setattr(group_commit, "GATHER_SECONDS", 30.0)
    groups: list[int] = []
    failed: list[Exception] = []
    recorder = system.store.recorder
    together = recorder.group._together

    def counted(group: list[Save]) -> Any:
        groups.append(len(group))
        monkeypatch.setattr(group_commit, "GATHER_SECONDS", 0.0)  # a command decided again goes at once
        try:
            return together(group)
        except Exception as exc:
            failed.append(exc)
            raise

    monkeypatch.setattr(recorder.group, "_together", counted)

    def expect(n: int) -> None:
        monkeypatch.setattr(group_commit, "GATHER_SECONDS", 30.0)
        recorder.group._writers = n

    expect.groups = groups  # type: ignore[attr-defined]
    expect.failed = failed  # type: ignore[attr-defined]
    return expect


def in_threads(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread, all released at once; each result or the exception it raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_command_that_conflicts_inside_a_group_is_decided_again_alone_and_the_others_commit(
        system: System, grouped: Any) -> None:
    world = World(system)
    units = [world.enterprise_in(world.town_a, 700 + i) for i in range(3)]
    before = system.store.get(units[0]).version
    head = system.store.head()
    grouped(4)  # two commands on the same unit, decided on the same cached state, in one group with two others
    results = in_threads(
        lambda: system.service.execute(o.GradeRiskColour(unit_id=units[0], colour=RiskColour.red, reason="a"),
                                       REGISTRAR),
        lambda: system.service.execute(o.GradeRiskColour(unit_id=units[0], colour=RiskColour.blue, reason="b"),
                                       REGISTRAR),
        lambda: system.service.execute(o.GradeRiskColour(unit_id=units[1], colour=RiskColour.red, reason="c"),
                                       REGISTRAR),
        lambda: system.service.execute(o.GradeRiskColour(unit_id=units[2], colour=RiskColour.red, reason="d"),
                                       REGISTRAR),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert grouped.groups[0] == 4, grouped.groups
    assert grouped.failed == []  # refused inside the group, not by a failed transaction
    entries = system.store.read(head, 100)
    assert len(entries) == 4  # every command once; the one refused in the group was decided again and saved
    assert sorted(r.position for r in results) == [e.position for e in entries]
    graded = [e.event for e in entries if isinstance(e.event, RiskColourGraded) and e.event.originator_id == units[0]]
    assert [e.originator_version for e in graded] == [before + 1, before + 2]
    assert graded[1].previous == graded[0].colour  # decided again on the state the first left
    assert system.store.get(units[0]).risk_colour == graded[1].colour


def test_a_group_that_fails_writes_nothing_and_each_save_goes_alone(system: System, grouped: Any) -> None:
    """A save the server cannot store (a NUL byte in a topic) fails the group's transaction: nothing of the group is
    written, then every save is written alone — the failing one raises and writes nothing, the others commit at
    the positions they are answered with."""
    recorder = system.store.recorder
    head = system.store.head()
    ids = [uuid4() for _ in range(3)]
    grouped(3)
    results = in_threads(
        lambda: recorder.insert_events([event(ids[0], 1, "zeren:Good")]),
        lambda: recorder.insert_events([event(ids[1], 1, "zeren:Bad\x00")]),
        lambda: recorder.insert_events([event(ids[2], 1, "zeren:Good")], receipt=Receipt("s", "k", "f", b"{}")),
    )
    assert grouped.groups == [3]
    assert len(grouped.failed) == 1
    assert isinstance(results[1], Exception)
    stored = {n.originator_id: n.id for n in recorder.select_notifications(head + 1, 10)}
    assert stored == {ids[0]: results[0][0], ids[2]: results[2][0]}  # nothing of the failed save
    assert recorder.find_receipt("s", "k").last_position == results[2][0]


def test_a_group_that_fails_after_its_insert_commits_nothing_of_it(system: System, grouped: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception after the group's events and receipts went in (here: a division by zero over the rows the
    append function returned, in the same statement) rolls the whole transaction back; the saves written alone
    afterwards are the only ones stored, each once."""
    recorder = system.store.recorder
    head = system.store.head()
    ids = [uuid4() for _ in range(3)]
    failing = SQL("SELECT * FROM ({0}) AS appended WHERE 1 / (log_position - log_position) = 0").format(
        SQL(recorder.append_statement.decode())).as_bytes()
    append = recorder._append

    def failing_for_a_group(saves: list[Save], expected: Any) -> Any:
        statement = recorder.append_statement
        recorder.append_statement = failing if len(saves) > 1 else statement
        try:
            return append(saves, expected)
        finally:
            recorder.append_statement = statement

    monkeypatch.setattr(recorder, "_append", failing_for_a_group)
    grouped(3)
    results = in_threads(*(
        (lambda i=i: recorder.insert_events([event(ids[i], 1), event(ids[i], 2)],
                                            receipt=Receipt("s", f"k{i}", "f", b"{}")))
        for i in range(3)))
    assert grouped.groups == [3]
    assert len(grouped.failed) == 1
    assert not [r for r in results if isinstance(r, Exception)], results
    stored = [(n.id, n.originator_id, n.originator_version) for n in recorder.select_notifications(head + 1, 10)]
    assert sorted(stored) == sorted((p, ids[i], v + 1) for i in range(3) for v, p in enumerate(results[i]))
    assert [recorder.find_receipt("s", f"k{i}").last_position for i in range(3)] == [r[-1] for r in results]


def test_one_idempotency_key_in_one_group_writes_once_and_replays(system: System, grouped: Any) -> None:
    world = World(system)
    head = system.store.head()
    command = o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.orange, reason="once")
    grouped(3)
    results = in_threads(*(
        (lambda: system.service.execute(command, REGISTRAR, idempotency_key="grade-once")) for _ in range(3)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert grouped.groups[0] == 3
    assert grouped.failed == []
    assert system.store.head() == head + 1, "the key wrote once"
    assert sorted(r.replayed for r in results) == [False, True, True]
    assert {(r.id, r.version, r.position) for r in results} == {(results[0].id, results[0].version, head + 1)}
