"""Safety trainings (安全教育培训记录), on SQLite and PostgreSQL.

Sources: 安全生产法 第28条 (生产经营单位应当建立安全生产教育和培训档案, 如实记录安全生产教育和培训的时间、内容、
参加人员以及考核结果等情况); seed 001 ¶18 (三级安全教育, 未经安全培训合格一律不得上岗) and ¶24 (在职人员每年至少
接受一次安全知识培训); seed 000 ¶19 (dispatched and flexible workers too).
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from application import people as pp
from application.authorization import Forbidden, Principal
from domain import people as p
from domain.errors import DomainError, NotFound, Rejected
from tests.builders import World, latest, state_of
from tests.conftest import COUNTY, REGISTRAR

TODAY = date(2025, 1, 6)
"""The test clock's day in China Standard Time (conftest.T0 is 2025-01-06 09:00 +08:00)."""


def training(completed_on: date = TODAY, *, passed: bool = True, course: str = "公司级安全教育: 安全生产法律法规",
             hours: int = 24, kind: p.TrainingKind = p.TrainingKind.induction) -> p.Training:
    return p.Training(kind=kind, course=course, hours=hours, completed_on=completed_on, passed=passed)


def record(system: System, person_id: UUID, item: p.Training, who: Principal = REGISTRAR) -> int:
    result = system.service.execute(pp.RecordTraining(person_id=person_id, training=item), who)
    assert result.position is not None
    return result.position


def refused(system: System, command: pp.RecordTraining, error: type[DomainError], code: str,
            who: Principal = REGISTRAR) -> DomainError:
    head = system.store.head()
    with pytest.raises(error) as caught:
        system.service.execute(command, who)
    assert caught.value.code == code
    assert system.store.head() == head, "a refused command writes nothing"
    return caught.value


def test_a_training_is_recorded_as_the_law_asks(system: System) -> None:
    person_id = World(system).person(1)
    record(system, person_id, training(TODAY - timedelta(days=3)))
    event = latest(system, person_id, p.TrainingRecorded)
    assert event.training == training(TODAY - timedelta(days=3))
    assert event.envelope.basis == p.TRAINING_BASIS
    assert event.envelope.actor.principal == REGISTRAR.subject
    assert state_of(system, person_id, p.Person).last_trained_on == TODAY - timedelta(days=3)


def test_only_a_passed_and_later_training_moves_the_last_training_day(system: System) -> None:
    person_id = World(system).person(1)
    record(system, person_id, training(TODAY - timedelta(days=10)))
    record(system, person_id, training(TODAY - timedelta(days=2), passed=False))
    assert state_of(system, person_id, p.Person).last_trained_on == TODAY - timedelta(days=10), "failed: no change"
    record(system, person_id, training(TODAY - timedelta(days=20), kind=p.TrainingKind.refresher))
    assert state_of(system, person_id, p.Person).last_trained_on == TODAY - timedelta(days=10), "older: no change"
    record(system, person_id, training(TODAY - timedelta(days=1), kind=p.TrainingKind.refresher))
    assert state_of(system, person_id, p.Person).last_trained_on == TODAY - timedelta(days=1)


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, True), (1, False)])
def test_a_training_is_recorded_once_it_has_taken_place(system: System, offset: int, accepted: bool) -> None:
    """如实记录 (安全生产法 第28条): yesterday and today are records; tomorrow is not a fact yet."""
    person_id = World(system).person(1)
    day = TODAY + timedelta(days=offset)
    command = pp.RecordTraining(person_id=person_id, training=training(day))
    if accepted:
        record(system, person_id, command.training)
        assert state_of(system, person_id, p.Person).last_trained_on == day
    else:
        problem = refused(system, command, Rejected, "training-not-held-yet")
        assert (problem.field, problem.basis) == ("training.completed_on", p.TRAINING_BASIS)


@pytest.mark.parametrize(("item", "code", "field"), [
    (training(course="   "), "course-required", "training.course"),
    (training(hours=0), "hours-required", "training.hours"),
    (training(hours=-8), "hours-required", "training.hours"),
])
def test_a_training_without_content_or_hours_is_refused(system: System, item: p.Training, code: str,
                                                       field: str) -> None:
    person_id = World(system).person(1)
    assert refused(system, pp.RecordTraining(person_id=person_id, training=item), Rejected, code).field == field


def test_who_may_record_a_training_and_for_whom(system: System) -> None:
    person_id = World(system).person(1)
    refused(system, pp.RecordTraining(person_id=person_id, training=training()), Forbidden, "role-not-allowed",
            who=Principal("test:inspector", "inspector", COUNTY))
    refused(system, pp.RecordTraining(person_id=uuid4(), training=training()), NotFound, "not-found")


def test_the_people_list_shows_the_last_training_day(system: System, client: TestClient, token) -> None:
    person_id = World(system).person(1)
    headers = token("registrar", COUNTY)
    body = {"training": {"kind": "refresher", "course": "年度安全知识培训", "hours": 8,
                         "completed_on": str(TODAY), "passed": True}}
    answer = client.post(f"/api/v1/people/{person_id}/trainings", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    listed = client.get(f"/api/v1/people?min_position={answer.json()['position']}", headers=headers)
    assert listed.status_code == 200, listed.text
    assert [row["last_trained_on"] for row in listed.json() if row["person_id"] == str(person_id)] == [str(TODAY)]
    one = client.get(f"/api/v1/people/{person_id}", headers=headers)
    assert one.json()["last_trained_on"] == str(TODAY)
    early = client.post(f"/api/v1/people/{person_id}/trainings", headers=headers,
                        json={"training": {**body["training"], "completed_on": str(TODAY + timedelta(days=1))}})
    assert (early.status_code, early.json()["code"]) == (422, "training-not-held-yet")
