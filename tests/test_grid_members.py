"""Grid members (网格员): a post of a 镇/街道 or 村/社区 made a grid member's over the 网格 it covers (seed 001 ¶13:
镇（街道）、村（社区）、生产经营单位三级安全生产网格化责任体系; seed 002 ¶16: 网格员"巡查""宣传""报告"), refused
elsewhere; shown as such on the dossier's territorial line — which of them cover U's 网格 at T, a grid with none a
gap — and the enterprise's own people's acts of accountability on the entity line; on SQLite and PostgreSQL
(issue 11; docs/dossier.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import System
from api.demo.identifiers import credit_code
from api.dossier_report import render
from application import accidents as a
from application import accountability as acc
from application import investigations as inv
from application import organisation as o
from application import responsibility as rs
from application.authorization import Principal
from application.clock import ManualClock
from domain import accidents as ac
from domain import accountability as ac_acc
from domain import investigations as iv
from domain.errors import Conflict, DomainError, Rejected
from domain.posts import PostKind
from domain.rules.accidents import Figures
from domain.units import EnterpriseProfile
from infrastructure import dossier
from tests.builders import World
from tests.conftest import COUNTY, REGISTRAR

ADMIN = Principal("admin", "admin", COUNTY)
INVESTIGATOR = Principal("inv", "investigator", COUNTY)


class Grid:
    """山腰街道 with a grid member over 网格1 and 网格2, and an enterprise registered in 网格2."""

    def __init__(self, system: System, clock: ManualClock):
        self.system, self.clock = system, clock
        self.world = w = World(system)
        self.member = w.person(60, "庄网格")
        self.post = w.post(w.town_a, PostKind.position, "专职网格员")
        w.run(REGISTRAR, rs.AppointHolder(post_id=self.post, person_id=self.member))
        self.unit = w.run(REGISTRAR, o.RegisterUnit(profile=EnterpriseProfile(
            name="网格内化工有限公司", credit_code=credit_code(77), sector="城镇燃气", address="泉港区测试路2号",
            grid="山腰街道第2网格", legal_representative="张三", staff_count=20), parent_id=w.town_a))
        self.main = w.post(self.unit, PostKind.main_responsible, "总经理")
        self.manager = w.person(61, "陈总")
        w.run(REGISTRAR, rs.AppointHolder(post_id=self.main, person_id=self.manager))

    def assign(self, *grids: str) -> None:
        self.world.run(REGISTRAR, rs.AssignGrids(post_id=self.post, grids=grids))

    def refused(self, command: Any, error: type[DomainError] = Rejected) -> str:
        head = self.system.store.head()
        with pytest.raises(error) as caught:
            self.system.service.execute(command, REGISTRAR)
        assert self.system.store.head() == head, "a refused command writes nothing"
        return caught.value.code

    def accident(self) -> UUID:
        occurred = self.clock.now() - timedelta(minutes=30)
        return self.world.run(INVESTIGATOR, a.RecordAccident(
            unit_id=self.unit, kind=ac.AccidentKind.work, occurred_at=occurred, place="罐区",
            description="泄漏", unit_head_informed_at=occurred + timedelta(minutes=5),
            known_from=ac.KnownFrom.unit_report, known_at=occurred + timedelta(minutes=20), figures=Figures(deaths=1)))

    def build(self, accident: UUID) -> dict[str, Any]:
        self.system.audit.sealer.seal_now()
        return self.system.dossiers.build(accident, scope=COUNTY, known_at=self.clock.now())


def territorial(saved: dict[str, Any]) -> dict[str, Any]:
    return next(x for x in saved["content"]["lines"] if x["line"] == "territorial")["facts"]


def test_a_grid_member_belongs_to_a_territory_and_is_not_its_leader(system: System, clock: ManualClock) -> None:
    grid = Grid(system, clock)
    w = grid.world
    secretary = w.post(w.town_a, PostKind.party_secretary, "党工委书记")
    assert grid.refused(rs.AssignGrids(post_id=secretary, grids=("网格1",))) == "grid-post-kind"
    staff = w.post(grid.unit, PostKind.position, "操作工")
    assert grid.refused(rs.AssignGrids(post_id=staff, grids=("网格1",))) == "grid-outside-territory"
    grid.assign("山腰街道第1网格", " 山腰街道第2网格 ", "山腰街道第1网格")
    assert grid.refused(rs.AssignGrids(post_id=grid.post, grids=("山腰街道第1网格", "山腰街道第2网格")),
                        Conflict) == "grids-unchanged", "blanks trimmed, repeats dropped: nothing new"


def test_the_territorial_line_shows_the_grid_members_of_the_units_grid(system: System, clock: ManualClock) -> None:
    grid = Grid(system, clock)
    clock.advance(timedelta(hours=1))
    before = grid.accident()
    clock.advance(timedelta(days=1))
    grid.assign("山腰街道第1网格", "山腰街道第2网格")
    clock.advance(timedelta(days=1))
    after = grid.accident()
    clock.advance(timedelta(hours=1))

    saved = grid.build(before)
    facts = territorial(saved)
    assert (facts["grid"], facts["grid_members_of_unit"]) == ("山腰街道第2网格", [])
    assert [g["gap"] for g in saved["content"]["gaps"] if g["gap"] == "no_grid_member"] == ["no_grid_member"]
    assert "verified" in dossier.verify(saved, system.audit.keys())

    saved = grid.build(after)
    facts = territorial(saved)
    (member,) = facts["grid_members_of_unit"]
    assert (member["name"], member["title"], member["covers_unit"]) == ("山腰街道", "专职网格员", True)
    assert [h["name"] for h in member["holders"]] == ["庄网格"]
    (town,) = [t for t in facts["territories"] if t["name"] == "山腰街道"]
    assert [m["grids"] for m in town["grid_members"]] == [["山腰街道第1网格", "山腰街道第2网格"]]
    assert "no_grid_member" not in {g["gap"] for g in saved["content"]["gaps"]}
    assert "verified" in dossier.verify(saved, system.audit.keys())
    assert "庄网格" in render(saved)


def test_the_entity_line_shows_the_enterprises_own_peoples_acts(system: System, clock: ManualClock) -> None:
    """处分 of the enterprise's 主要负责人 on the investigation's finding is on the entity line, as known at K."""
    grid = Grid(system, clock)
    w = grid.world
    list_id = w.duty_list(grid.unit)
    duty = w.duty(list_id, grid.main, text="组织开展隐患排查治理")
    clock.advance(timedelta(hours=1))
    accident = grid.accident()
    clock.advance(timedelta(days=1))
    investigation = w.run(INVESTIGATOR, inv.OpenInvestigation(accident_id=accident, team=(
        iv.TeamMember(person_id=w.person(62, "赵组长"), unit_id=w.county, role=iv.TeamRole.leader),)))
    w.run(INVESTIGATOR, inv.FindResponsibility(
        investigation_id=investigation, line=iv.InvestigationLine.entity, unit_id=grid.unit,
        person_id=grid.manager, duty=inv.DutyReference(list_id=list_id, duty_id=duty),
        evidence=(iv.EventRef(aggregate_id=accident, version=1),), description="未组织隐患排查",
        disposition=iv.Disposition.accountability))
    known_before = clock.advance(timedelta(hours=1))
    clock.advance(timedelta(hours=1))
    w.run(ADMIN, acc.ImposeAccountability(
        person_id=grid.manager, post_id=grid.main, held_at=clock.now() - timedelta(days=1),
        form=ac_acc.AccountabilityForm.sanction, issuer_unit_id=w.county, document="泉港纪〔2025〕9号",
        finding=ac_acc.FindingRef(kind=ac_acc.FindingKind.investigation, record_id=investigation, finding_no=1)))
    clock.advance(timedelta(hours=1))

    def acts(saved: dict[str, Any]) -> list[dict[str, Any]]:
        entity = next(x for x in saved["content"]["lines"] if x["line"] == "entity")["facts"]
        (main,) = [p for p in entity["posts"] if p["kind"] == "main_responsible"]
        (holder,) = main["holders"]
        assert holder["name"] == "陈总"
        return list(holder["accountability"])

    saved = grid.build(accident)
    (act,) = acts(saved)
    assert (act["term"], act["document"], act["after_as_of"]) == ("处分", "泉港纪〔2025〕9号", True)
    assert "verified" in dossier.verify(saved, system.audit.keys())
    assert "泉港纪〔2025〕9号" in render(saved)
    assert acts(system.dossiers.build(accident, scope=COUNTY, known_at=known_before)) == []
