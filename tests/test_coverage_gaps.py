"""Coverage gaps: each kind found, and gone once fixed."""

from __future__ import annotations

from datetime import date, timedelta

from api.bootstrap import System
from application import people as pp
from application import responsibility as rs
from domain.people import Certificate, CertificateKind
from domain.posts import PostKind
from domain.responsibility import Line, ListKind
from tests.builders import World
from tests.conftest import REGISTRAR


def gaps(system: System, clock, scope: str = "350000", **filters: object) -> list[tuple[str, str]]:
    system.runner.catch_up()
    found = system.queries.gaps.find(scope, as_of=clock.now(), known_at=clock.now())
    return [(g["gap"], g["detail"]) for g in found if all(g.get(k) == str(v) for k, v in filters.items())]


def test_unsupervised_enterprise(system: System, clock) -> None:
    world = World(system)
    newcomer = world.enterprise_in(world.town_a, 2, sector="电动自行车充电")
    assert [g for g, _ in gaps(system, clock, unit_id=newcomer) if g == "unsupervised"] == ["unsupervised"]
    assert "unsupervised" not in [g for g, _ in gaps(system, clock, unit_id=world.enterprise)]


def test_vacant_post_until_someone_holds_it(system: System, clock) -> None:
    world = World(system)
    position = world.post(world.enterprise, title="巡线工")
    assert ("vacant_post", "巡线工 has no holder") in gaps(system, clock, post_id=position)
    system.service.execute(rs.AppointHolder(post_id=position, person_id=world.person(1)), REGISTRAR)
    assert "vacant_post" not in [g for g, _ in gaps(system, clock, post_id=position)]


def test_all_staff_list_missing_then_a_position_left_without_duties(system: System, clock) -> None:
    world = World(system)
    operator = world.post(world.enterprise, title="操作工")
    intern = world.post(world.enterprise, title="实习生")
    assert "no_all_staff_list" in [g for g, _ in gaps(system, clock, unit_id=world.enterprise)]
    lst = world.duty_list(world.enterprise, ListKind.all_staff)
    world.duty(lst, operator)
    found = gaps(system, clock, unit_id=world.enterprise)
    assert "no_all_staff_list" not in [g for g, _ in found]
    assert ("position_without_duties", "the all-staff list gives 实习生 no duties") in found
    assert "position_without_duties" not in [g for g, _ in gaps(system, clock, post_id=operator)]
    world.duty(lst, intern)
    assert "position_without_duties" not in [g for g, _ in gaps(system, clock, post_id=intern)]


def test_territorial_unit_missing_a_first_responsible_post(system: System, clock) -> None:
    world = World(system)
    world.post(world.town_a, PostKind.party_secretary, "党工委书记")
    found = [d for g, d in gaps(system, clock, unit_id=world.town_a) if g == "missing_first_responsible"]
    assert found == ["no government_head post (党政同责)"]


def test_portfolio_without_a_safety_duty(system: System, clock) -> None:
    world = World(system)
    deputy = world.post(world.town_a, PostKind.deputy_leader, "副主任", portfolio=("城镇燃气", "建筑施工"))
    lst = world.duty_list(world.town_a)
    world.duty(lst, deputy, line=Line.territorial, scope=("城镇燃气",))
    found = [d for g, d in gaps(system, clock, post_id=deputy) if g == "portfolio_without_safety_duty"]
    assert found == ["副主任 is in charge of 建筑施工 but has no safety duty for it"]


def test_expired_certificate_of_a_holder(system: System, clock) -> None:
    world = World(system)
    pid = world.person(1)
    system.service.execute(pp.IssueCertificate(person_id=pid, certificate=Certificate(
        number="C1", kind=CertificateKind.safety_management, issuer="泉州市应急管理局", issued_on=date(2023, 1, 1),
        expires_on=clock.now().date() + timedelta(days=10))), REGISTRAR)
    manager = world.post(world.enterprise, PostKind.safety_manager, "安全员",
                         requires=(CertificateKind.safety_management,))
    system.service.execute(rs.AppointHolder(post_id=manager, person_id=pid), REGISTRAR)
    assert "certificate_missing" not in [g for g, _ in gaps(system, clock, post_id=manager)]
    clock.advance(timedelta(days=11))
    assert "certificate_missing" in [g for g, _ in gaps(system, clock, post_id=manager)]


def test_gaps_are_scoped_to_the_jurisdiction(system: System, clock) -> None:
    world = World(system)
    world.post(world.enterprise, title="巡线工")
    town_b = system.store.get(world.town_b).jurisdiction
    system.runner.catch_up()
    everywhere = system.queries.gaps.find("350000", as_of=clock.now(), known_at=clock.now())
    assert any(g["gap"] == "vacant_post" for g in everywhere)
    found = system.queries.gaps.find(town_b, as_of=clock.now(), known_at=clock.now())
    assert found, "town B has gaps of its own (no first-responsible posts)"
    assert {g["jurisdiction"] for g in found} == {town_b}


def test_a_department_or_territory_without_a_duty_list_until_a_duty_is_in_force(system: System, clock) -> None:
    """责任清单 for every department and every 镇/街道 and 村/社区 (seed 000 §3–4): a unit with none is a gap."""
    world = World(system)
    for unit in (world.department, world.town_a):
        assert ("no_duty_list", "no duties in force from a duty list (责任清单)") in gaps(system, clock, unit_id=unit)
    assert "no_duty_list" not in [g for g, _ in gaps(system, clock, unit_id=world.enterprise)]
    lst = world.duty_list(world.department)
    assert "no_duty_list" in [g for g, _ in gaps(system, clock, unit_id=world.department)]  # an empty list is none
    world.duty(lst, world.post(world.department, PostKind.department_head, "局长"), line=Line.supervisory)
    assert "no_duty_list" not in [g for g, _ in gaps(system, clock, unit_id=world.department)]
    assert "no_duty_list" in [g for g, _ in gaps(system, clock, unit_id=world.town_a)]
