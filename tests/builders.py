"""Small helpers that register the usual things through the service layer."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import pytest

from api.bootstrap import System
from api.demo.identifiers import credit_code, resident_id
from application import organisation as o
from application import people as pp
from application import responsibility as rs
from application.authorization import Principal
from application.commands import Command
from domain.base import Aggregate, DomainEvent
from domain.posts import PostDefinition, PostKind
from domain.responsibility import DutyTerms, Line, ListKind
from domain.supervision import LeadCandidate
from domain.units import DepartmentProfile, EnterpriseProfile, Level, TerritorialProfile
from tests.conftest import ADMIN, REGISTRAR

E = TypeVar("E", bound=DomainEvent)
S = TypeVar("S", bound=Aggregate)


def state_of(system: System, aggregate_id: UUID, cls: type[S]) -> S:
    """The aggregate's current state, which must be a ``cls``."""
    state = system.store.get(aggregate_id)
    assert isinstance(state, cls), f"{aggregate_id} is {type(state).__name__}, not a {cls.__name__}"
    return state


def latest(system: System, aggregate_id: UUID, cls: type[E]) -> E:
    """The aggregate's latest event, which must be a ``cls``."""
    event = system.store.history(aggregate_id)[-1]
    assert isinstance(event, cls), f"the latest event of {aggregate_id} is a {type(event).__name__}, not {cls.__name__}"
    return event


class World:
    """A small jurisdiction: 福建省 › 泉州市 › 泉港区 › two towns, a department, an enterprise."""

    def __init__(self, system: System):
        self.system = system
        run = self.run
        self.province = run(ADMIN, o.RegisterUnit(profile=TerritorialProfile(name="福建省", level=Level.province,
                                                                             code="350000")))
        self.city = run(ADMIN, o.RegisterUnit(profile=TerritorialProfile(name="泉州市", level=Level.city,
                                                                         code="350500"), parent_id=self.province))
        self.county = run(ADMIN, o.RegisterUnit(profile=TerritorialProfile(name="泉港区", level=Level.county,
                                                                           code="350505"), parent_id=self.city))
        self.town_a = run(REGISTRAR, o.RegisterUnit(profile=TerritorialProfile(
            name="山腰街道", level=Level.town, code="350505001000"), parent_id=self.county))
        self.town_b = run(REGISTRAR, o.RegisterUnit(profile=TerritorialProfile(
            name="南埔镇", level=Level.town, code="350505101000"), parent_id=self.county))
        self.department = run(REGISTRAR, o.RegisterUnit(profile=DepartmentProfile(
            name="泉港区城市管理局", functions=("城镇燃气",)), parent_id=self.county))
        run(REGISTRAR, o.DecideSectorLead(territory_id=self.county, sector="城镇燃气",
                                          candidates=[LeadCandidate(department_id=self.department, competent=True)]))
        self.enterprise = self.enterprise_in(self.town_a, 1)

    def run(self, who: Principal, command: Command) -> UUID:
        return self.system.service.execute(command, who).id

    def enterprise_in(self, parent: UUID, seq: int, sector: str = "城镇燃气") -> UUID:
        return self.run(REGISTRAR, o.RegisterUnit(profile=EnterpriseProfile(
            name=f"测试燃气有限公司{seq}", credit_code=credit_code(seq), sector=sector, address="泉港区测试路1号",
            legal_representative="张三", staff_count=20), parent_id=parent))

    def person(self, seq: int, name: str = "李四") -> UUID:
        return self.run(REGISTRAR, pp.RegisterPerson(name=name, id_number=resident_id(date(1980, 5, 17), seq)))

    def post(self, unit: UUID, kind: PostKind = PostKind.position, title: str = "岗位", **definition: Any) -> UUID:
        return self.run(REGISTRAR, rs.EstablishPost(unit_id=unit, definition=PostDefinition(
            title=title, kind=kind, **definition)))

    def duty_list(self, unit: UUID, kind: ListKind = ListKind.duty_list) -> UUID:
        return self.run(REGISTRAR, rs.OpenResponsibilityList(unit_id=unit, kind=kind, title="责任清单"))

    def duty(self, list_id: UUID, post: UUID, line: Line = Line.entity, text: str = "落实安全生产职责",
             scope: tuple[str, ...] = ()) -> UUID:
        result = self.system.service.execute(rs.AssignDuty(list_id=list_id, terms=DutyTerms(
            post_id=post, line=line, scope=scope, text=text, source_document="泉港城管〔2022〕149号 §16")), REGISTRAR)
        return result.created["duty_id"]


def run_zeren(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the ``zeren`` command line in-process: its exit status, standard output and standard error."""
    from api.cli import main

    try:
        main(list(argv))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
