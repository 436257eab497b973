"""Units, the tree, closure, risk colours, 三管三必须 supervision assignment (seed 000 §4, §7, §9)."""

from __future__ import annotations

import pytest

from api.bootstrap import System
from api.demo.identifiers import credit_code
from application import organisation as o
from application.authorization import Forbidden, Principal
from domain.errors import Conflict, NotFound, Rejected
from domain.supervision import CLAUSE_CLOSEST, LeadCandidate
from domain.units import (
    Closure,
    DepartmentProfile,
    EnterpriseProfile,
    IntermediaryProfile,
    Level,
    RiskColour,
    ServiceKind,
    TerritorialProfile,
    Unit,
)
from tests.builders import World
from tests.conftest import ADMIN, COUNTY, REGISTRAR, TOWN_A, TOWN_B


def unit(system: System, unit_id) -> Unit:
    state = system.store.get(unit_id)
    assert isinstance(state, Unit)
    return state


def test_territorial_tree_gives_jurisdiction_paths(system: System) -> None:
    world = World(system)
    assert unit(system, world.county).jurisdiction == COUNTY
    assert unit(system, world.town_a).jurisdiction == TOWN_A
    assert unit(system, world.enterprise).jurisdiction == TOWN_A
    assert unit(system, world.department).jurisdiction == COUNTY


def test_a_village_code_must_lie_under_its_town(system: System) -> None:
    world = World(system)
    with pytest.raises(Rejected, match="under its parent"):
        system.service.execute(o.RegisterUnit(profile=TerritorialProfile(name="错村", level=Level.village,
                                                                         code="350505101201"), parent_id=world.town_a),
                               REGISTRAR)


def test_levels_must_step_down_one_at_a_time(system: System) -> None:
    world = World(system)
    with pytest.raises(Rejected) as refused:
        system.service.execute(o.RegisterUnit(profile=TerritorialProfile(name="某村", level=Level.village,
                                                                         code="350505001299"), parent_id=world.county),
                               REGISTRAR)
    assert refused.value.code == "wrong-level"


def test_an_enterprise_needs_a_territorial_parent(system: System) -> None:
    world = World(system)
    profile = EnterpriseProfile(name="某公司", credit_code=credit_code(9), sector="城镇燃气", address="x",
                                legal_representative="张三", staff_count=1)
    with pytest.raises(Rejected) as refused:
        system.service.execute(o.RegisterUnit(profile=profile, parent_id=world.department), REGISTRAR)
    assert refused.value.code == "wrong-parent"
    with pytest.raises(Rejected) as refused:
        system.service.execute(o.RegisterUnit(profile=profile), ADMIN)
    assert refused.value.code == "parent-required"


def test_a_credit_code_is_registered_once(system: System) -> None:
    world = World(system)
    with pytest.raises(Conflict) as refused:
        world.enterprise_in(world.town_b, 1)
    assert refused.value.code == "already-registered"


def test_a_wrong_credit_code_checksum_is_refused_and_nothing_written(system: System) -> None:
    world = World(system)
    head = system.store.head()
    code = credit_code(5)[:-1] + ("0" if credit_code(5)[-1] != "0" else "1")
    with pytest.raises(Rejected, match="wrong checksum"):
        system.service.execute(o.RegisterUnit(profile=EnterpriseProfile(
            name="某公司", credit_code=code, sector="城镇燃气", address="x", legal_representative="张三",
            staff_count=1), parent_id=world.town_a), REGISTRAR)
    assert system.store.head() == head


def test_enterprise_gets_the_department_that_leads_its_sector(system: System) -> None:
    world = World(system)
    state = unit(system, world.enterprise)
    assert state.supervision is not None
    assert state.supervision.department_id == world.department
    assert "谁主管谁牵头" in state.supervision.clause


def test_enterprise_of_an_unknown_sector_is_left_unsupervised(system: System) -> None:
    world = World(system)
    newcomer = world.enterprise_in(world.town_a, 2, sector="电动自行车充电")
    assert unit(system, newcomer).supervision is None


def test_deciding_a_new_sector_lead_assigns_waiting_enterprises(system: System) -> None:
    world = World(system)
    newcomer = world.enterprise_in(world.town_a, 2, sector="电动自行车充电")
    system.runner.catch_up()
    other = system.service.execute(o.RegisterUnit(profile=DepartmentProfile(name="泉港区应急管理局"),
                                                  parent_id=world.county), REGISTRAR).id
    system.service.execute(o.DecideSectorLead(territory_id=world.county, sector="电动自行车充电", candidates=[
        LeadCandidate(department_id=world.department, proximity=1), LeadCandidate(department_id=other, proximity=2),
    ]), REGISTRAR)
    supervision = unit(system, newcomer).supervision
    assert supervision is not None
    assert supervision.department_id == world.department
    assert CLAUSE_CLOSEST in supervision.clause


def test_sector_lead_candidates_must_be_the_territorys_departments(system: System) -> None:
    world = World(system)
    with pytest.raises(Rejected) as refused:
        system.service.execute(o.DecideSectorLead(territory_id=world.county, sector="燃气", candidates=[
            LeadCandidate(department_id=world.town_a, competent=True)]), REGISTRAR)
    assert refused.value.code == "not-a-department"


def test_amending_keeps_the_credit_code(system: System) -> None:
    world = World(system)
    profile = unit(system, world.enterprise).profile
    assert isinstance(profile, EnterpriseProfile)
    system.service.execute(o.AmendUnit(unit_id=world.enterprise, profile=profile.model_copy(
        update={"legal_representative": "王五", "staff_count": 30})), REGISTRAR)
    amended = unit(system, world.enterprise).profile
    assert amended.legal_representative == "王五"
    with pytest.raises(Rejected) as refused:
        system.service.execute(o.AmendUnit(unit_id=world.enterprise, profile=profile.model_copy(
            update={"credit_code": credit_code(77)})), REGISTRAR)
    assert refused.value.code == "code-unchanged"


def test_amending_nothing_writes_nothing(system: System) -> None:
    world = World(system)
    head = system.store.head()
    result = system.service.execute(o.AmendUnit(unit_id=world.enterprise, profile=unit(system,
                                                                                       world.enterprise).profile),
                                    REGISTRAR)
    assert result.events == []
    assert system.store.head() == head


def test_moving_an_enterprise_changes_its_jurisdiction(system: System) -> None:
    world = World(system)
    system.service.execute(o.MoveUnit(unit_id=world.enterprise, parent_id=world.town_b), REGISTRAR)
    assert unit(system, world.enterprise).jurisdiction == TOWN_B
    with pytest.raises(Conflict):
        system.service.execute(o.MoveUnit(unit_id=world.enterprise, parent_id=world.town_b), REGISTRAR)


def test_territorial_units_do_not_move(system: System) -> None:
    world = World(system)
    with pytest.raises(Rejected) as refused:
        system.service.execute(o.MoveUnit(unit_id=world.town_a, parent_id=world.town_b), REGISTRAR)
    assert refused.value.code == "territorial-unit-fixed"


def test_a_closed_unit_accepts_no_more_changes(system: System) -> None:
    world = World(system)
    system.service.execute(o.CloseUnit(unit_id=world.enterprise, closure=Closure.banned, reason="非法经营,依法取缔"),
                           REGISTRAR)
    assert unit(system, world.enterprise).closure == Closure.banned
    with pytest.raises(Conflict) as refused:
        system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="x"),
                               REGISTRAR)
    assert refused.value.code == "unit-closed"


def test_risk_colour_only_for_enterprises_and_only_when_it_changes(system: System) -> None:
    world = World(system)
    first = system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.orange, reason="评定"),
                                   REGISTRAR)
    same = system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.orange, reason="评定"),
                                  REGISTRAR)
    assert first.events
    assert not same.events
    with pytest.raises(Rejected) as refused:
        system.service.execute(o.GradeRiskColour(unit_id=world.town_a, colour=RiskColour.red, reason="x"), REGISTRAR)
    assert refused.value.code == "not-an-enterprise"


def test_intermediaries_register_with_their_services(system: System) -> None:
    world = World(system)
    result = system.service.execute(o.RegisterUnit(profile=IntermediaryProfile(
        name="某安全评价公司", credit_code=credit_code(300), services=(ServiceKind.safety_assessment,)),
        parent_id=world.county), REGISTRAR)
    assert unit(system, result.id).kind == "intermediary"


def test_a_town_registrar_cannot_write_in_another_town(system: System) -> None:
    world = World(system)
    town_a_registrar = Principal("a", "registrar", TOWN_A)
    system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="x"),
                           town_a_registrar)
    other = world.enterprise_in(world.town_b, 3)
    head = system.store.head()
    with pytest.raises(NotFound) as refused:
        system.service.execute(o.GradeRiskColour(unit_id=other, colour=RiskColour.red, reason="x"), town_a_registrar)
    assert refused.value.code == "not-found"
    with pytest.raises(NotFound):
        system.service.execute(o.MoveUnit(unit_id=world.enterprise, parent_id=world.town_b), town_a_registrar)
    assert system.store.head() == head


def test_roles_without_the_right_are_refused(system: System) -> None:
    world = World(system)
    with pytest.raises(Forbidden) as refused:
        system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="x"),
                               Principal("v", "viewer", COUNTY))
    assert refused.value.code == "role-not-allowed"


def test_unknown_units_are_not_found(system: System) -> None:
    World(system)
    from uuid import uuid4

    with pytest.raises(NotFound):
        system.service.execute(o.GradeRiskColour(unit_id=uuid4(), colour=RiskColour.red, reason="x"), REGISTRAR)
