"""A small scene for inspection tests: two departments with their enterprises, inspectors, and the people tested."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.bootstrap import System
from application import inspections as ai
from application import organisation as o
from application import responsibility as rs
from application.authorization import Principal
from application.commands import Command
from application.service import CommandResult
from domain.inspections import ChecklistItem, Expert, InspectionKind
from domain.posts import PostKind
from domain.supervision import LeadCandidate
from domain.units import DepartmentProfile
from tests.builders import World
from tests.conftest import COUNTY, REGISTRAR

CHECKLIST = [
    ChecklistItem(code="G1", text="燃气经营许可证在有效期内", basis="城镇燃气管理条例 第15条"),
    ChecklistItem(code="G2", text="可燃气体报警装置完好", basis="GB 50028"),
    ChecklistItem(code="G3", text="主要负责人和安全管理人员考核合格", basis="安全生产法 第27条"),
]
EXPERT = Expert(name="王工", speciality="燃气工程", organisation="福建省燃气协会")
ENFORCEMENT = Principal("test:enforcement", "enforcement", COUNTY)


class Scene:
    """World (泉港区, 城市管理局 supervising a gas company in 山腰街道) plus 应急管理局 supervising a chemical plant in
    南埔镇; three 城管 inspectors and one 应急 inspector; the gas company's main responsible person and safety
    manager, holding their posts."""

    def __init__(self, system: System):
        self.system = system
        self.world = world = World(system)
        self.department, self.enterprise = world.department, world.enterprise
        self.other_department = world.run(REGISTRAR, o.RegisterUnit(profile=DepartmentProfile(
            name="泉港区应急管理局", functions=("危险化学品",)), parent_id=world.county))
        world.run(REGISTRAR, o.DecideSectorLead(territory_id=world.county, sector="危险化学品", candidates=[
            LeadCandidate(department_id=self.other_department, competent=True)]))
        self.other_enterprise = world.enterprise_in(world.town_b, 2, sector="危险化学品")
        self.inspectors = [world.person(10 + n, name=f"检查员{n}") for n in range(1, 4)]
        self.other_inspector = world.person(20, name="应急检查员")
        self.main_person, self.safety_person, self.stranger = (world.person(31, "总经理"), world.person(32, "安全员"),
                                                               world.person(33, "路人"))
        self.main_post = world.post(self.enterprise, PostKind.main_responsible, "总经理")
        self.safety_post = world.post(self.enterprise, PostKind.safety_manager, "安全部经理")
        self.other_post = world.post(self.other_enterprise, PostKind.main_responsible, "厂长")
        for post, person in ((self.main_post, self.main_person), (self.safety_post, self.safety_person)):
            world.run(REGISTRAR, rs.AppointHolder(post_id=post, person_id=person))

    def inspector(self, n: int = 0) -> Principal:
        """城管 inspector ``n`` (0-based), whose token names the department and the person."""
        return Principal(f"test:inspector{n}", "inspector", COUNTY, unit_id=self.department,
                         person_id=self.inspectors[n])

    @property
    def other_inspector_principal(self) -> Principal:
        return Principal("test:other-inspector", "inspector", COUNTY, unit_id=self.other_department,
                         person_id=self.other_inspector)

    @property
    def enterprise_user(self) -> Principal:
        return Principal("test:enterprise", "enterprise", COUNTY, unit_id=self.enterprise,
                         person_id=self.safety_person)

    def run(self, who: Principal, command: Command) -> CommandResult:
        return self.system.service.execute(command, who)

    def open(self, who: Principal | None = None, **fields: Any) -> UUID:
        """An unannounced enforcement inspection of the gas company by inspectors 0 and 1 with an expert."""
        values: dict[str, Any] = {
            "kind": InspectionKind.enforcement, "title": "城镇燃气安全执法检查", "target_unit_id": self.enterprise,
            "inspectors": self.inspectors[:2], "experts": [EXPERT], "unannounced": True, "checklist": CHECKLIST,
            **fields,
        }
        return self.run(who or self.inspector(0), ai.OpenInspection(**values)).id

    def signed_by_all(self, inspection: UUID, inspectors: list[int] | None = None) -> None:
        for n in inspectors if inspectors is not None else [0, 1]:
            self.run(self.inspector(n), ai.SignInspection(inspection_id=inspection))

    def completed(self, **fields: Any) -> UUID:
        """An inspection with two covered items, two findings and a spot test, signed and completed."""
        inspection = self.open(**fields)
        who = self.inspector(0)
        self.run(who, ai.CoverChecklistItems(inspection_id=inspection, item_codes=["G1", "G2"]))
        self.run(who, ai.RecordFinding(inspection_id=inspection, item_code="G2", description="报警装置失效",
                                       hazard_suspected=True, location="调压站"))
        self.run(who, ai.RecordFinding(inspection_id=inspection, description="台账记录不全"))
        self.run(who, ai.RecordSpotTest(inspection_id=inspection, person_id=self.main_person,
                                        post_id=self.main_post, subject="岗位安全职责", score=58, pass_mark=60))
        team = fields.get("inspectors", self.inspectors[:2])
        self.signed_by_all(inspection, [self.inspectors.index(person) for person in team])
        self.run(who, ai.CompleteInspection(inspection_id=inspection, summary="责令限期整改",
                                            target_acknowledged_by="张三"))
        return inspection


