"""The event store: one log, envelopes, immutability, idempotency, optimistic concurrency, upcasting."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import ClassVar
from uuid import uuid4

import orjson
import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from api.bootstrap import System, bootstrap
from application import organisation as o
from application import people as pp
from domain import inspections as ins
from domain.base import Actor, Aggregate, CommandContext, DomainEvent, created, first_event
from domain.errors import Conflict, Rejected
from domain.units import Closure, RiskColour, Unit
from infrastructure.persistence import OrjsonTranscoder, PydanticMapper
from tests.builders import World, state_of
from tests.conftest import PG_URL, REGISTRAR


def test_every_event_carries_the_envelope(system: System) -> None:
    world = World(system)
    entries = system.store.read(0, 1000)
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    for entry in entries:
        env = entry.event.envelope
        assert env.actor.principal.startswith("test:")
        assert env.jurisdiction.startswith("350000")
        assert env.correlation_id
        assert env.causation_id
        assert entry.event.timestamp is not None
        assert env.effective_at is not None
    supervision = [e.event for e in entries if type(e.event).__name__ == "SupervisionAssigned"]
    assert supervision
    assert supervision[0].envelope.rules_version.startswith("cn-base@")
    assert world.enterprise == supervision[0].originator_id


def test_effective_time_defaults_to_now_and_can_be_earlier(system: System, clock) -> None:
    world = World(system)
    earlier = clock.now() - timedelta(days=40)
    system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="复核",
                                             effective_at=earlier), REGISTRAR)
    last = system.store.read(system.store.head() - 1, 1)[0].event
    assert last.envelope.effective_at == earlier
    assert last.timestamp == clock.now()


def test_command_answer_carries_the_position_it_wrote(system: System) -> None:
    world = World(system)
    result = system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="x"),
                                    REGISTRAR)
    assert result.position == system.store.head()
    assert result.version == system.store.get(world.enterprise).version


def test_a_key_committed_between_the_lookup_and_the_decision_is_replayed(system: System, monkeypatch) -> None:
    """Two workers given one Idempotency-Key at once: the second looked the key up before the first committed, then
    decided on the state the first left, where nothing is left to change (the unit is already that colour). Its
    answer is the first one's, replayed, not a second answer of its own that wrote nothing."""
    world = World(system)
    command = o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="复核")
    first = system.service.execute(command, REGISTRAR, idempotency_key="once")
    head = system.store.head()
    lookups: list[str] = []
    stored = system.service.log.find_receipt

    def before_the_commit_once(scope: str, key: str):  # the first lookup ran before the first worker committed
        lookups.append(key)
        return None if len(lookups) == 1 else stored(scope, key)

    monkeypatch.setattr(system.service.log, "find_receipt", before_the_commit_once)
    second = system.service.execute(command, REGISTRAR, idempotency_key="once")
    assert (first.replayed, second.replayed, len(lookups)) == (False, True, 2)
    assert second.model_dump(exclude={"replayed"}) == first.model_dump(exclude={"replayed"})
    assert system.store.head() == head


def test_stale_expected_version_is_refused_and_writes_nothing(system: System) -> None:
    world = World(system)
    version = system.store.get(world.enterprise).version
    head = system.store.head()
    with pytest.raises(Conflict) as refused:
        system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="x",
                                                 expected_version=version - 1), REGISTRAR)
    assert refused.value.code == "stale-version"
    assert system.store.head() == head
    ok = system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="x",
                                                  expected_version=version), REGISTRAR)
    assert ok.version == version + 1


def test_concurrent_writers_of_one_aggregate_one_wins(system: System) -> None:
    """Two commands decided on the same version: the second save conflicts and nothing of it is stored."""
    world = World(system)
    unit = state_of(system, world.enterprise, Unit)
    from domain import units as u

    ctx = CommandContext(actor=Actor(principal="a", role="admin"), recorded_at=unit.modified_on,
                         effective_at=unit.modified_on, correlation_id=uuid4())
    first = u.grade_risk_colour(ctx, unit, RiskColour.red, "a")
    second = u.grade_risk_colour(ctx, unit, RiskColour.blue, "b")
    assert first is not None, "it changes the colour"
    assert second is not None, "it changes the colour"
    system.store.save([], [first], None)
    head = system.store.head()
    from eventsourcing.persistence import IntegrityError

    with pytest.raises(IntegrityError):
        system.store.save([], [second], None)
    assert system.store.head() == head
    assert system.store.get(world.enterprise).risk_colour == RiskColour.red


def test_idempotency_key_returns_first_result_and_writes_nothing(system: System) -> None:
    world = World(system)
    command = o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="复核")
    first = system.service.execute(command, REGISTRAR, idempotency_key="k-1")
    head = system.store.head()
    again = system.service.execute(command, REGISTRAR, idempotency_key="k-1")
    assert again.replayed
    assert again.id == first.id
    assert again.version == first.version
    assert again.position == first.position
    assert system.store.head() == head
    with pytest.raises(Rejected) as reused:
        system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.blue, reason="x"),
                               REGISTRAR, idempotency_key="k-1")
    assert reused.value.code == "idempotency-key-reused"
    assert system.store.head() == head


def test_rejected_command_writes_nothing(system: System) -> None:
    World(system)
    head = system.store.head()
    with pytest.raises(Rejected):
        system.service.execute(pp.RegisterPerson(name="王五", id_number="350505198005170000"), REGISTRAR)
    assert system.store.head() == head


def test_stored_events_cannot_be_updated_or_deleted(system: System, backend: str, settings) -> None:
    World(system)
    if backend == "sqlite":
        conn = sqlite3.connect(settings.sqlite_path)
        for statement in ("UPDATE zeren_events SET topic = 'x'", "DELETE FROM zeren_events"):
            with pytest.raises(sqlite3.IntegrityError, match="immutable"):
                conn.execute(statement)
        conn.close()
    else:
        schema = settings.postgres["schema"]
        with psycopg.connect(PG_URL, autocommit=True) as pg:
            for statement in ("UPDATE {}.zeren_events SET topic = 'x'", "DELETE FROM {}.zeren_events",
                              "TRUNCATE {}.zeren_events"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="immutable"):
                    pg.execute(statement.format(f'"{schema}"'))
    assert system.store.head() > 0
    assert len(system.store.read(0, 1000)) == system.store.head()


def test_schema_is_created_on_first_start_and_reused(settings, clock) -> None:
    from api.bootstrap import bootstrap

    first = bootstrap(settings, clock=clock)
    World(first)
    head = first.store.head()
    first.close()
    second = bootstrap(settings, clock=clock)
    assert second.store.head() == head
    second.close()


class Thing(Aggregate):
    label: str


class ThingNamed(DomainEvent):
    """测试事件 (a test-only event whose schema changed from v1 ``name`` to v2 ``label``)."""

    term = "测试"
    class_version: ClassVar[int] = 2
    label: str

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["label"] = state.pop("name")

    def apply(self, _: None) -> Thing:
        return created(Thing, self, label=self.label)


def test_old_stored_events_still_load_through_the_upcaster(clock) -> None:
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    ctx = CommandContext(actor=Actor(principal="a", role="admin"), recorded_at=clock.now(),
                         effective_at=clock.now(), correlation_id=uuid4())
    event = first_event(ThingNamed, ctx, id=uuid4(), jurisdiction="350000", label="v2")
    stored = mapper.to_stored_event(event)
    assert orjson.loads(stored.state)["class_version"] == 2
    old_state = orjson.loads(stored.state)
    del old_state["class_version"]
    old_state["name"] = old_state.pop("label")
    old = StoredEvent(stored.originator_id, 1, stored.topic, orjson.dumps(old_state))
    loaded = mapper.to_domain_event(old)
    assert loaded.label == "v2"
    assert mapper.to_domain_event(stored) == event


def test_snapshots_keep_long_lived_aggregates_fast(system: System) -> None:
    world = World(system)
    for i in range(55):
        colour = (RiskColour.red, RiskColour.blue)[i % 2]
        system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=colour, reason=f"r{i}"), REGISTRAR)
    snapshots = list(system.store.backend.snapshots.get(world.enterprise))
    assert snapshots, "a snapshot is taken every 50 events"
    unit = system.store.get(world.enterprise)
    assert isinstance(unit, Unit)
    assert unit.version == 57
    assert unit.risk_colour == RiskColour.red


def test_a_command_decides_again_when_another_process_changed_what_it_read(system: System, settings) -> None:
    """Commands trust this process's cached states (no read per command); the save checks, under the table lock,
    every version the command decided on — the records it changed and the ones it only read — so a change made by
    another process in between is never overlooked: the command is decided again on the stored state."""
    world = World(system)
    other = World.__new__(World)
    other.system = bootstrap(settings)
    try:
        second = world.enterprise_in(world.town_a, 2)
        system.service.execute(o.AssignSupervision(unit_id=world.enterprise, department_id=world.department),
                               REGISTRAR)  # this process now holds the department in its cache
        system.service.execute(o.GradeRiskColour(unit_id=second, colour=RiskColour.red, reason="x"), REGISTRAR)
        # Another process closes the department (read only by the next command) and grades the enterprise.
        other.run(REGISTRAR, o.CloseUnit(unit_id=world.department, closure=Closure.closed, reason="机构改革"))
        other.run(REGISTRAR, o.GradeRiskColour(unit_id=second, colour=RiskColour.blue, reason="y"))
        head = system.store.head()
        with pytest.raises(Rejected) as refused:
            system.service.execute(o.AssignSupervision(unit_id=second, department_id=world.department,
                                                       sector="危险化学品"), REGISTRAR)
        assert refused.value.code == "department-closed"
        assert system.store.head() == head
        result = system.service.execute(o.GradeRiskColour(unit_id=second, colour=RiskColour.yellow, reason="z"),
                                        REGISTRAR)
        assert result.version == other.system.store.get(second).version
        assert system.store.get(second).risk_colour == RiskColour.yellow
    finally:
        other.system.close()


def test_an_event_at_its_current_version_decodes_from_its_bytes_as_from_a_dict(clock) -> None:
    """The one decode path (``PydanticMapper.to_domain_event``) validates current-version events straight from the
    stored JSON: nested models, tuples, enums, optional and aware times come back equal to the event stored, and
    equal to the dict path the upcasters use."""
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    ctx = CommandContext(actor=Actor(principal="a", role="inspector"), recorded_at=clock.now(),
                         effective_at=clock.now(), correlation_id=uuid4())
    event = first_event(
        ins.InspectionOpened, ctx, id=uuid4(), jurisdiction="350505", kind=ins.InspectionKind.enforcement,
        title="检查", inspecting_unit_id=uuid4(), target_unit_id=uuid4(), inspectors=(uuid4(), uuid4()),
        experts=(ins.Expert(name="专家", speciality="化工"),), unannounced=True,
        checklist=(ins.ChecklistItem(code="A1", text="消防通道", basis=None),), plan_id=None, draw_id=uuid4(),
        led_by=None)
    stored = mapper.to_stored_event(event)
    assert b"class_version" not in stored.state
    decoded = mapper.to_domain_event(stored)
    assert decoded == event
    assert decoded == ins.InspectionOpened.model_validate(orjson.loads(stored.state))
