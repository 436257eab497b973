"""Responsibility lists and the bitemporal ledger (docs/architecture.md §4; seed 002 人员变更动态调整)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from api.bootstrap import System
from application import organisation as o
from application import responsibility as rs
from domain.calendar import CST
from domain.errors import Conflict, Rejected
from domain.posts import PostEstablished, PostKind, RemovalReason
from domain.responsibility import DutyTerms, Line, ListKind
from tests.builders import World
from tests.conftest import REGISTRAR, TOWN_B
from tests.read_models import live_rows, on_table, statements_sent

D = {name: datetime(2025, month, 1, 9, tzinfo=CST) for name, month in
     [("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6), ("jul", 7), ("aug", 8)]}


def at(clock, when: datetime) -> None:
    clock.set(when + timedelta(hours=1))


def test_duty_lines_follow_the_unit_kind(system: System) -> None:
    world = World(system)
    lst = world.duty_list(world.enterprise)
    position = world.post(world.enterprise)
    with pytest.raises(Rejected) as refused:
        world.duty(lst, position, line=Line.territorial)
    assert refused.value.code == "wrong-line"


def test_a_duty_must_belong_to_a_post_of_the_lists_unit(system: System) -> None:
    world = World(system)
    lst = world.duty_list(world.enterprise)
    foreign = world.post(world.town_a, PostKind.deputy_leader, "副主任")
    with pytest.raises(Rejected) as refused:
        world.duty(lst, foreign)
    assert refused.value.code == "post-of-other-unit"


def test_all_staff_lists_belong_to_enterprises_and_work_lists_to_a_year(system: System) -> None:
    world = World(system)
    with pytest.raises(Rejected) as refused:
        world.duty_list(world.town_a, ListKind.all_staff)
    assert refused.value.code == "all-staff-for-enterprises"
    with pytest.raises(Rejected) as refused:
        world.duty_list(world.town_a, ListKind.work_list)
    assert refused.value.code == "year-required"


def test_publishing_makes_numbered_versions_and_refuses_an_unchanged_list(system: System) -> None:
    world = World(system)
    lst = world.duty_list(world.enterprise)
    position = world.post(world.enterprise)
    with pytest.raises(Rejected, match="without duties"):
        system.service.execute(rs.PublishList(list_id=lst, document_no="X〔2025〕1号"), REGISTRAR)
    duty = world.duty(lst, position)
    system.service.execute(rs.PublishList(list_id=lst, document_no="X〔2025〕1号"), REGISTRAR)
    with pytest.raises(Conflict) as refused:
        system.service.execute(rs.PublishList(list_id=lst, document_no="X〔2025〕2号"), REGISTRAR)
    assert refused.value.code == "unchanged-since-publication"
    system.service.execute(rs.ReviseDuty(list_id=lst, duty_id=duty, terms=DutyTerms(
        post_id=position, line=Line.entity, text="新的职责", source_document="X")), REGISTRAR)
    result = system.service.execute(rs.PublishList(list_id=lst, document_no="X〔2025〕2号"), REGISTRAR)
    assert system.store.get(result.id).published_version == 2


def _scenario(system: System, clock) -> dict:
    """Jan: duty assigned, A appointed. Apr: A leaves, B appointed (recorded only in May). Jun: duty revoked."""
    world = World(system)
    a, b = world.person(1, "甲"), world.person(2, "乙")
    at(clock, D["jan"])
    deputy = world.post(world.town_a, PostKind.deputy_leader, "副主任", portfolio=("城镇燃气",))
    lst = world.duty_list(world.town_a)
    duty = world.system.service.execute(rs.AssignDuty(list_id=lst, effective_at=D["jan"], terms=DutyTerms(
        post_id=deputy, line=Line.territorial, scope=("城镇燃气",), text="督促燃气安全",
        source_document="泉港城管〔2022〕149号 §14")), REGISTRAR).created["duty_id"]
    system.service.execute(rs.AppointHolder(post_id=deputy, person_id=a, effective_at=D["jan"]), REGISTRAR)
    at(clock, D["apr"])
    system.service.execute(rs.RemoveHolder(post_id=deputy, person_id=a, reason=RemovalReason.transferred,
                                           effective_at=D["apr"]), REGISTRAR)
    at(clock, D["may"])
    system.service.execute(rs.AppointHolder(post_id=deputy, person_id=b, effective_at=D["apr"]), REGISTRAR)
    at(clock, D["jun"])
    system.service.execute(rs.RevokeDuty(list_id=lst, duty_id=duty, reason="分工调整", effective_at=D["jun"]),
                           REGISTRAR)
    at(clock, D["aug"])
    system.runner.catch_up()
    return {"world": world, "a": a, "b": b, "deputy": deputy, "duty": duty}


def test_who_held_the_duty_on_a_day(system: System, clock) -> None:
    s = _scenario(system, clock)
    now = clock.now()
    feb = system.queries.ledger.duties("350000", as_of=D["feb"], known_at=now, post_id=s["deputy"])
    assert [(r["person_id"], r["duty_id"]) for r in feb] == [(str(s["a"]), str(s["duty"]))]
    may = system.queries.ledger.duties("350000", as_of=D["may"], known_at=now, post_id=s["deputy"])
    assert [r["person_id"] for r in may] == [str(s["b"])], "the next holder inherits the post's duties"


def test_a_duty_revoked_later_is_still_shown_for_an_earlier_as_of(system: System, clock) -> None:
    s = _scenario(system, clock)
    now = clock.now()
    assert system.queries.ledger.duties("350000", as_of=D["may"], known_at=now, post_id=s["deputy"])
    assert system.queries.ledger.duties("350000", as_of=D["jul"], known_at=now, post_id=s["deputy"]) == []


def test_an_appointment_recorded_late_is_absent_for_an_earlier_known_at(system: System, clock) -> None:
    s = _scenario(system, clock)
    as_of = D["apr"] + timedelta(days=10)
    known_in_april = system.queries.ledger.duties("350000", as_of=as_of, known_at=D["apr"] + timedelta(days=20),
                                                  post_id=s["deputy"])
    assert [r["person_id"] for r in known_in_april] == [None], "in April the system showed the post vacant"
    known_now = system.queries.ledger.duties("350000", as_of=as_of, known_at=clock.now(), post_id=s["deputy"])
    assert [r["person_id"] for r in known_now] == [str(s["b"])]


def test_history_gives_each_persons_duty_intervals(system: System, clock) -> None:
    s = _scenario(system, clock)
    rows = system.queries.ledger.history("350000", known_at=clock.now(), post_id=s["deputy"])
    assert [(r["person_id"], r["from"], r["to"]) for r in rows] == [
        (str(s["a"]), D["jan"], D["apr"]),
        (str(s["b"]), D["apr"], D["jun"]),
    ]
    before_revocation = system.queries.ledger.history("350000", known_at=D["may"] + timedelta(days=1),
                                                      post_id=s["deputy"])
    assert [(r["person_id"], r["to"]) for r in before_revocation] == [(str(s["a"]), D["apr"]), (str(s["b"]), None)]


def test_a_revision_splits_the_duty_at_its_effective_time(system: System, clock) -> None:
    world = World(system)
    at(clock, D["jan"])
    position = world.post(world.enterprise)
    lst = world.duty_list(world.enterprise)
    duty = system.service.execute(rs.AssignDuty(list_id=lst, effective_at=D["jan"], terms=DutyTerms(
        post_id=position, line=Line.entity, text="旧", source_document="S")), REGISTRAR).created["duty_id"]
    at(clock, D["mar"])
    system.service.execute(rs.ReviseDuty(list_id=lst, duty_id=duty, effective_at=D["mar"], terms=DutyTerms(
        post_id=position, line=Line.entity, text="新", source_document="S")), REGISTRAR)
    system.runner.catch_up()
    now = clock.now()
    assert [r["text"] for r in system.queries.ledger.duties("350000", as_of=D["feb"], known_at=now,
                                                            post_id=position)] == ["旧"]
    assert [r["text"] for r in system.queries.ledger.duties("350000", as_of=D["apr"], known_at=now,
                                                            post_id=position)] == ["新"]
    assert [r["text"] for r in system.queries.ledger.duties("350000", as_of=D["apr"], known_at=D["feb"],
                                                            post_id=position)] == ["旧"]


def test_ledger_reads_are_scoped_to_the_jurisdiction(system: System, clock) -> None:
    s = _scenario(system, clock)
    town_b = s["world"].system.store.get(s["world"].town_b).jurisdiction
    assert system.queries.ledger.duties(town_b, as_of=D["feb"], known_at=clock.now()) == []
    assert system.queries.ledger.history(town_b, known_at=clock.now(), person_id=s["a"]) == []


def test_a_rebuild_writes_the_posts_once_a_batch_and_gives_the_followers_rows(system: System, clock) -> None:
    """A post's row is kept in the batch from its establishment, written at the batch's end (issue #15): its holders'
    appointments read nothing back, a relocation moves the kept row — a rebuild in one batch, and in batches of
    three, leaves the rows the followers wrote, in a statement or two on the posts, not two per post."""
    world = World(system)
    posts = [world.post(world.enterprise, title=f"岗位{n}") for n in range(6)]
    people = [world.person(40 + n) for n in range(6)]
    for post, person in zip(posts, people, strict=True):
        system.service.execute(rs.AppointHolder(post_id=post, person_id=person, effective_at=D["jan"]), REGISTRAR)
    system.service.execute(o.MoveUnit(unit_id=world.enterprise, parent_id=world.town_b), REGISTRAR)
    system.service.execute(rs.RemoveHolder(post_id=posts[0], person_id=people[0], reason=RemovalReason.transferred,
                                           effective_at=D["feb"]), REGISTRAR)
    system.service.execute(rs.AppointHolder(post_id=posts[0], person_id=people[1], effective_at=D["mar"]),
                           REGISTRAR)
    system.runner.catch_up()
    live = live_rows(system, "responsibility_ledger")
    assert any(TOWN_B in row for row in live["ledger_posts"])
    assert any(TOWN_B in row for row in live["ledger_holdings"])
    with statements_sent(system) as sent:
        system.runner.rebuild("responsibility_ledger")
    statements = on_table(sent, "ledger_posts__shadow")
    assert live_rows(system, "responsibility_ledger") == live
    established = sum(1 for e in system.store.read(0, 10_000) if isinstance(e.event, PostEstablished))
    assert established >= 6
    assert len(statements) < established, statements  # the batch's insert and relocation (and SQLite's swap)
    system.runner.rebuild_batch_size = 3
    system.runner.rebuild("responsibility_ledger")
    assert live_rows(system, "responsibility_ledger") == live
