"""People (identity sealed), certificates, industry bans, posts and holders.

Sources: 安全生产法 第5、27、30、94条; 党政同责 (《地方党政领导干部安全生产责任制规定》第3条);
seed 002 (人员变更动态调整).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from api.bootstrap import System
from api.demo.identifiers import resident_id
from application import organisation as o
from application import people as pp
from application import responsibility as rs
from application.authorization import Principal
from application.clock import ManualClock
from domain.calendar import CST
from domain.errors import Conflict, Rejected
from domain.people import Certificate, CertificateKind, Person
from domain.posts import Post, PostKind, RemovalReason
from tests.builders import World
from tests.conftest import REGISTRAR, TOWN_B

ENFORCEMENT = Principal("e", "enforcement", REGISTRAR.jurisdiction)


def person(system: System, person_id) -> Person:
    state = system.store.get(person_id)
    assert isinstance(state, Person)
    return state


def post(system: System, post_id) -> Post:
    state = system.store.get(post_id)
    assert isinstance(state, Post)
    return state


def test_identity_number_is_stored_sealed_masked_and_digested(system: System) -> None:
    world = World(system)
    number = resident_id(date(1980, 5, 17), 1)
    person_id = world.person(1)
    state = person(system, person_id)
    assert state.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert number not in state.id_number_sealed
    assert system.vault.open(state.id_number_sealed) == number
    stored = b"".join(entry.state for entry in system.store.read(0, 10_000))
    assert number.encode() not in stored
    assert "id_number_sealed" not in system.store.read(system.store.head() - 1, 1)[0].event.public_data()


def test_a_person_is_registered_once(system: System) -> None:
    world = World(system)
    world.person(1)
    with pytest.raises(Conflict) as refused:
        world.person(1, name="别名")
    assert refused.value.code == "already-registered"


def test_certificate_validity_is_inclusive_of_its_expiry_day(system: System) -> None:
    cert = Certificate(number="C1", kind=CertificateKind.safety_management, issuer="泉州市应急管理局",
                       issued_on=date(2024, 1, 1), expires_on=date(2026, 1, 1))
    assert not cert.valid_on(date(2023, 12, 31))
    assert cert.valid_on(date(2024, 1, 1))
    assert cert.valid_on(date(2026, 1, 1))
    assert not cert.valid_on(date(2026, 1, 2))


def test_special_operation_certificates_name_their_operation(system: System) -> None:
    world = World(system)
    pid = world.person(1)
    with pytest.raises(Rejected) as refused:
        system.service.execute(pp.IssueCertificate(person_id=pid, certificate=Certificate(
            number="T1", kind=CertificateKind.special_operation, issuer="省厅", issued_on=date(2024, 1, 1),
            expires_on=date(2030, 1, 1))), REGISTRAR)
    assert refused.value.code == "operation-required"


def _appointment_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=CST)


@pytest.mark.parametrize(("expires_on", "allowed"), [
    (date(2025, 3, 9), False), (date(2025, 3, 10), True), (date(2025, 3, 11), True),
])
def test_a_post_requiring_a_certificate_needs_one_valid_on_the_day(system: System, expires_on: date,
                                                                   allowed: bool) -> None:
    world = World(system)
    pid = world.person(1)
    system.service.execute(pp.IssueCertificate(person_id=pid, certificate=Certificate(
        number="闽安考1", kind=CertificateKind.safety_management, issuer="泉州市应急管理局",
        issued_on=date(2023, 1, 1), expires_on=expires_on)), REGISTRAR)
    manager = world.post(world.enterprise, PostKind.safety_manager, "安全管理员",
                         requires=(CertificateKind.safety_management,))
    command = rs.AppointHolder(post_id=manager, person_id=pid, effective_at=_appointment_day(date(2025, 3, 10)))
    if allowed:
        system.service.execute(command, REGISTRAR)
        assert str(pid) in post(system, manager).holders
    else:
        with pytest.raises(Rejected) as refused:
            system.service.execute(command, REGISTRAR)
        assert refused.value.code == "certificate-required"


@pytest.mark.parametrize(("day", "allowed"), [
    (date(2029, 3, 9), False), (date(2029, 3, 10), True),
])
def test_an_industry_ban_keeps_a_person_from_heading_a_unit_of_that_industry(system: System, clock: ManualClock,
                                                                              day: date, allowed: bool) -> None:
    """A 5-year ban from 2024-03-10 ends on 2029-03-09 (安全生产法 第94条)."""
    world = World(system)
    pid = world.person(1)
    system.service.execute(pp.ImposeIndustryBan(person_id=pid, industry="城镇燃气", starts_on=date(2024, 3, 10),
                                                years=5, reason="刑事处罚"), ENFORCEMENT)
    head = world.post(world.enterprise, PostKind.main_responsible, "总经理")
    clock.set(datetime(2029, 1, 1, tzinfo=CST))  # an appointment is recorded at most a year ahead (domain.bounds)
    command = rs.AppointHolder(post_id=head, person_id=pid, effective_at=_appointment_day(day))
    if allowed:
        system.service.execute(command, REGISTRAR)
    else:
        with pytest.raises(Rejected) as refused:
            system.service.execute(command, REGISTRAR)
        assert refused.value.code == "industry-ban"
        assert refused.value.basis == "安全生产法 第94条"


def test_a_lifetime_ban_never_ends_but_can_be_lifted(system: System) -> None:
    world = World(system)
    pid = world.person(1)
    enforcement = ENFORCEMENT
    system.service.execute(pp.ImposeIndustryBan(person_id=pid, industry="*", starts_on=date(2020, 1, 1), years=None,
                                                reason="重大责任事故"), enforcement)
    ban = person(system, pid).bans[0]
    assert ban.until is None
    assert person(system, pid).banned_from("城镇燃气", date(2080, 1, 1)) is not None
    system.service.execute(pp.LiftIndustryBan(person_id=pid, ban_id=ban.ban_id, reason="再审撤销"), enforcement)
    assert person(system, pid).banned_from("城镇燃气", date(2080, 1, 1)) is None


def test_party_secretary_and_government_head_are_both_first_responsible(system: System) -> None:
    world = World(system)
    secretary = world.post(world.town_a, PostKind.party_secretary, "党工委书记")
    head = world.post(world.town_a, PostKind.government_head, "办事处主任")
    deputy = world.post(world.town_a, PostKind.deputy_leader, "副主任", portfolio=("城镇燃气",))
    assert post(system, secretary).first_responsible
    assert post(system, head).first_responsible
    assert not post(system, deputy).first_responsible
    established = [e.event for e in system.store.read(0, 10_000) if type(e.event).__name__ == "PostEstablished"]
    assert "党政领导干部安全生产责任制规定" in (established[0].envelope.basis or "")


def test_an_enterprises_main_responsible_person_is_first_responsible(system: System) -> None:
    world = World(system)
    main = world.post(world.enterprise, PostKind.main_responsible, "总经理")
    assert post(system, main).first_responsible
    assert post(system, main).definition.capacity == 1


def test_post_kinds_belong_to_unit_kinds(system: System) -> None:
    world = World(system)
    with pytest.raises(Rejected) as refused:
        world.post(world.enterprise, PostKind.government_head, "镇长")
    assert refused.value.code == "post-kind-not-allowed"


def test_a_single_holder_post_is_replaced_not_doubled(system: System) -> None:
    world = World(system)
    first, second = world.person(1), world.person(2)
    main = world.post(world.enterprise, PostKind.main_responsible, "总经理")
    system.service.execute(rs.AppointHolder(post_id=main, person_id=first), REGISTRAR)
    with pytest.raises(Conflict) as refused:
        system.service.execute(rs.AppointHolder(post_id=main, person_id=second), REGISTRAR)
    assert refused.value.code == "post-occupied"
    system.service.execute(rs.AppointHolder(post_id=main, person_id=second, replaces=first), REGISTRAR)
    assert list(post(system, main).holders) == [str(second)]


def test_removal_cannot_precede_the_appointment(system: System, clock) -> None:
    world = World(system)
    pid = world.person(1)
    position = world.post(world.enterprise)
    system.service.execute(rs.AppointHolder(post_id=position, person_id=pid), REGISTRAR)
    with pytest.raises(Rejected) as refused:
        system.service.execute(rs.RemoveHolder(post_id=position, person_id=pid, reason=RemovalReason.left,
                                               effective_at=clock.now() - timedelta(days=1)), REGISTRAR)
    assert refused.value.code == "removal-before-appointment"


def test_a_transfer_leaves_one_post_and_takes_the_other_atomically(system: System) -> None:
    world = World(system)
    pid, other = world.person(1), world.person(2)
    head_a = world.post(world.town_a, PostKind.government_head, "山腰街道办事处主任")
    head_b = world.post(world.town_b, PostKind.government_head, "南埔镇镇长")
    system.service.execute(rs.AppointHolder(post_id=head_a, person_id=pid), REGISTRAR)
    system.service.execute(rs.AppointHolder(post_id=head_b, person_id=other), REGISTRAR)
    head = system.store.head()
    with pytest.raises(Conflict):
        system.service.execute(rs.TransferPerson(person_id=pid, from_post_id=head_a, to_post_id=head_b), REGISTRAR)
    assert system.store.head() == head, "the failed half writes nothing: the removal is not saved either"
    assert str(pid) in post(system, head_a).holders
    system.service.execute(rs.RemoveHolder(post_id=head_b, person_id=other, reason=RemovalReason.retired), REGISTRAR)
    result = system.service.execute(rs.TransferPerson(person_id=pid, from_post_id=head_a, to_post_id=head_b), REGISTRAR)
    assert [e.type for e in result.events] == ["HolderRemoved", "HolderAppointed"]
    assert str(pid) not in post(system, head_a).holders
    assert str(pid) in post(system, head_b).holders


def test_abolishing_a_held_post_is_refused(system: System) -> None:
    world = World(system)
    pid = world.person(1)
    position = world.post(world.enterprise)
    system.service.execute(rs.AppointHolder(post_id=position, person_id=pid), REGISTRAR)
    with pytest.raises(Rejected, match="still has holders"):
        system.service.execute(rs.AbolishPost(post_id=position, reason="机构调整"), REGISTRAR)
    system.service.execute(rs.RemoveHolder(post_id=position, person_id=pid, reason=RemovalReason.left), REGISTRAR)
    system.service.execute(rs.AbolishPost(post_id=position, reason="机构调整"), REGISTRAR)
    assert post(system, position).abolished


def test_moving_a_unit_carries_its_posts_and_lists_to_the_new_jurisdiction(system: System) -> None:
    world = World(system)
    position = world.post(world.enterprise)
    duty_list = world.duty_list(world.enterprise)
    system.runner.catch_up()
    result = system.service.execute(o.MoveUnit(unit_id=world.enterprise, parent_id=world.town_b), REGISTRAR)
    assert {e.type for e in result.events} == {"UnitMoved", "PostRelocated", "ResponsibilityListRelocated"}
    assert post(system, position).jurisdiction == TOWN_B
    assert system.store.get(duty_list).jurisdiction == TOWN_B
