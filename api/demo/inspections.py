"""The demo's inspections: January 2025 to October 2026 in 泉港区, woven into the demo history by date.

- 城市管理局 and 应急管理局 adopt their annual enforcement plans (年度执法计划, seed 003 §27) for 2025 and 2026; the
  2025 plan of 城管 is revised when 电动自行车充电 (新业态) joins its key enterprises.
- Every quarter each draws targets and inspectors at random (双随机, seed 000 §25) from what it supervises; the drawn
  teams inspect one target a month, two inspectors each, with a checklist of the sector (执法检查表, §24), experts
  on some (执法+专家, §25), unannounced on others (四不两直, seed 001 §8), and a spot test of a responsible person
  (逢查必考, seed 002 §22). Nobody inspects in February 2025 for 城管 (春节) or August 2025 for 应急: months a
  zero-enforcement flag finds (零执法, seed 000 §25).
- Undercover visits (暗访) and special campaigns (专项执法, seed 002 §12), one cross inspection organised by the
  safety committee's office (交叉检查, seed 000 §28), the enterprises' half-yearly self-checks (企业自查), the gas
  company's main leader leading a check each month of the campaign (seed 004 (一)1(4)), grid patrols (网格巡查).
- The head of the safety committee leads an inspection every month except April and October 2025; the head of the
  gas committee only three times (专委会主任每月至少1次, seed 002 §3): gaps a leader's-inspection flag finds.
- Some findings look like hazards (``hazard_suspected``); one spot-test score typed wrong is corrected after the
  record was signed (a new fact, never an edit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

from api.demo.identifiers import credit_code, resident_id
from api.demo.scene import COUNTY, NANPU, REGISTRAR, SHANYAO, Demo, on
from application import inspections as ai
from application import organisation as o
from application import people as pp
from application import responsibility as rs
from application.authorization import Principal
from domain.enforcement_plans import PlanTerms
from domain.inspections import ChecklistItem, Expert, InspectionKind, SpotTestFix
from domain.posts import PostDefinition, PostKind
from domain.random_draws import RandomDraw
from domain.units import EnterpriseProfile

LAW = "安全生产法"
CHECKLISTS: dict[str, tuple[ChecklistItem, ...]] = {
    "城镇燃气": (
        ChecklistItem(code="G1", text="燃气经营许可证在有效期内、经营范围相符", basis="城镇燃气管理条例 第15条"),
        ChecklistItem(code="G2", text="用气场所可燃气体报警装置安装并正常使用", basis=f"{LAW} 第36条"),
        ChecklistItem(code="G3", text="主要负责人和安全管理人员考核合格", basis=f"{LAW} 第27条"),
        ChecklistItem(code="G4", text="事故隐患排查治理制度落实、隐患台账完整", basis=f"{LAW} 第41条"),
        ChecklistItem(code="G5", text="生产安全事故应急救援预案及演练", basis=f"{LAW} 第81条"),
    ),
    "餐饮用气": (
        ChecklistItem(code="R1", text="可燃气体报警装置安装并正常使用", basis=f"{LAW} 第36条"),
        ChecklistItem(code="R2", text="燃气管道、软管完好，无私接乱改", basis="泉港城管〔2022〕149号 §14"),
        ChecklistItem(code="R3", text="疏散通道、安全出口畅通", basis=f"{LAW} 第42条"),
    ),
    "市政设施": (
        ChecklistItem(code="M1", text="井下及有限空间作业审批、现场专人监护", basis="泉港城管〔2022〕149号 §15"),
        ChecklistItem(code="M2", text="供排水、污水处理设施巡查维护记录", basis="泉港城管〔2022〕149号 §15"),
        ChecklistItem(code="M3", text="全员安全生产责任制明确岗位、范围和考核", basis=f"{LAW} 第22条"),
        ChecklistItem(code="M4", text="从业人员安全生产教育和培训", basis=f"{LAW} 第28条"),
    ),
    "城市公园": (
        ChecklistItem(code="P1", text="大型游乐设施、健身设备定期检查", basis="泉港城管〔2022〕149号 §15"),
        ChecklistItem(code="P2", text="人员密集区域巡查频次", basis="泉港城管〔2022〕149号 §15"),
        ChecklistItem(code="P3", text="应急救援预案及演练", basis=f"{LAW} 第81条"),
    ),
    "电动自行车充电": (
        ChecklistItem(code="E1", text="充电设施与建筑物的防火间距、消防设施", basis=f"{LAW} 第36条"),
        ChecklistItem(code="E2", text="充电区域疏散通道畅通", basis=f"{LAW} 第42条"),
        ChecklistItem(code="E3", text="全员安全生产责任制", basis=f"{LAW} 第22条"),
    ),
    "危险化学品": (
        ChecklistItem(code="H1", text="重大危险源安全包保责任落实", basis="泉港城管〔2022〕149号 §11"),
        ChecklistItem(code="H2", text="动火等危险作业审批与现场安全管理", basis=f"{LAW} 第43条"),
        ChecklistItem(code="H3", text="特种作业人员持证上岗", basis=f"{LAW} 第30条"),
        ChecklistItem(code="H4", text="事故隐患排查治理制度落实", basis=f"{LAW} 第41条"),
        ChecklistItem(code="H5", text="应急救援预案及演练", basis=f"{LAW} 第81条"),
    ),
    "工贸": (
        ChecklistItem(code="T1", text="粉尘防爆：除尘系统、定期清扫制度",
                      basis="工贸企业粉尘防爆安全规定 (应急管理部令第6号)"),
        ChecklistItem(code="T2", text="动火、临时用电等危险作业专人现场管理", basis=f"{LAW} 第43条"),
        ChecklistItem(code="T3", text="全员安全生产责任制", basis=f"{LAW} 第22条"),
        ChecklistItem(code="T4", text="事故隐患排查治理制度落实", basis=f"{LAW} 第41条"),
    ),
}
FINDINGS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    # sector → (checklist item, what was found, looks like a hazard)
    "城镇燃气": (("G2", "调压站可燃气体报警探头失效，未及时维修", True),
                 ("G4", "隐患排查台账未记录整改责任人和期限", False),
                 ("G5", "年度应急演练记录缺失", False),
                 ("G1", "瓶装液化气配送车辆未随车携带经营许可副本", False)),
    "餐饮用气": (("R1", "后厨未安装可燃气体报警装置", True),
                 ("R2", "燃气软管老化开裂、使用三通私接", True),
                 ("R3", "后门疏散通道堆放杂物", False)),
    "市政设施": (("M1", "污水井下作业未办理有限空间作业审批", True),
                 ("M2", "加药间设施巡查记录不连续", False),
                 ("M4", "新入职人员未经三级安全教育上岗", False)),
    "城市公园": (("P1", "儿童游乐设施防护栏松动", True),
                 ("P2", "节假日人员密集区域巡查频次不足", False)),
    "电动自行车充电": (("E1", "充电棚与住宅楼间距不足且未设防火分隔", True),
                       ("E2", "充电区域电动车堵塞疏散通道", False)),
    "危险化学品": (("H2", "检修动火作业票证审批人不在现场", True),
                   ("H1", "重大危险源包保责任人未按期开展检查", False),
                   ("H5", "应急预案未根据工艺变更修订", False)),
    "工贸": (("T1", "布袋除尘器未定期清灰，积尘超标", True),
             ("T2", "临时用电线路私拉乱接", True),
             ("T3", "一线岗位安全生产责任清单未公示", False)),
}
GAS_EXPERT = Expert(name="陈海峰", speciality="城镇燃气工程", organisation="泉州市燃气行业协会")
CHEM_EXPERT = Expert(name="刘建新", speciality="化工工艺安全", organisation="福建省安全生产专家库")
DUST_EXPERT = Expert(name="吴志刚", speciality="粉尘防爆", organisation="福建省安全生产专家库")
SUBJECTS = ("岗位安全生产职责", "本单位主要安全风险及管控措施", "事故应急处置程序")
SCORES = (88, 76, 92, 58, 81, 69, 95, 73, 84, 55, 90, 79)


@dataclass(frozen=True)
class SuspectedHazard:
    """A finding recorded as ``hazard_suspected``, for the hazards strand to take up (api.demo.hazards)."""

    inspection_id: UUID
    finding_no: int
    description: str
    kind: InspectionKind
    target: str
    unit: str
    """The inspecting unit's key (the target itself when the enterprise checked itself)."""
    team: tuple[str, ...]
    completed_at: datetime


@dataclass(frozen=True)
class Someone:
    key: str
    name: str
    role: str
    unit: str
    """The unit the token names: an inspector's department, an enterprise user's enterprise."""
    scope: str = COUNTY


PEOPLE = (
    Someone("c1", "林志远", "inspector", "chengguan"), Someone("c2", "陈思敏", "inspector", "chengguan"),
    Someone("c3", "黄建平", "inspector", "chengguan"), Someone("c4", "郑晓华", "inspector", "chengguan"),
    Someone("y1", "王立军", "inspector", "yingji"), Someone("y2", "蔡雅琴", "inspector", "yingji"),
    Someone("y3", "许文涛", "inspector", "yingji"), Someone("y4", "刘海鹰", "inspector", "yingji"),
    Someone("o1", "柯永明", "enforcement", "committee_office"),
    Someone("g1", "庄丽华", "enforcement", "zhongcuo", SHANYAO),
    Someone("m1", "洪德福", "enterprise", "xinda"), Someone("m2", "苏明亮", "enterprise", "haifeng"),
)
"""The people this strand registers (inspectors, the committee office's staff, a grid member, two managers)."""
EXISTING = {
    "p01": ("enforcement", "committee"), "p02": ("enforcement", "gas_committee"),
    "p13": ("enterprise", "gas_co"), "p34": ("enterprise", "gas_co"), "p20": ("enterprise", "chem"),
}
"""People of the main history who sign here: the committee heads, the gas company's and the plant's managers."""
HOLDERS: dict[str, tuple[tuple[str, str, str | None, str | None], ...]] = {
    # enterprise → (post, holder, from, until): whom a spot test may pick, and when
    "gas_co": (("gas_main", "p13", None, None), ("gas_operator", "p15", None, None),
               ("gas_safety", "p34", "2025-03-02", None)),
    "lpg_station": (("lpg_main", "p18", None, "2025-12-04"), ("lpg_main", "p33", "2025-12-06", None)),
    "restaurant_a": (("restaurant_a_main", "p24", None, None), ("restaurant_a_cook", "p25", None, None)),
    "water": (("water_main", "p26", None, None),), "sewage": (("sewage_main", "p27", None, None),),
    "park": (("park_main", "p28", None, None),), "ebike": (("ebike_main", "p29", None, None),),
    "chem": (("chem_main", "p19", None, None), ("chem_safety", "p20", None, None),
             ("chem_welder", "p21", None, None)),
    "xinda": (("xinda_main", "m1", None, None),), "haifeng": (("haifeng_main", "m2", None, None),),
}
SECTORS = {"gas_co": "城镇燃气", "lpg_station": "城镇燃气", "restaurant_a": "餐饮用气", "restaurant_b": "餐饮用气",
           "restaurant_c": "餐饮用气", "water": "市政设施", "sewage": "市政设施", "park": "城市公园",
           "ebike": "电动自行车充电", "chem": "危险化学品", "xinda": "工贸", "haifeng": "工贸"}
QUARTERS = {
    # department → [(draw day, seed, targets, inspection days)]
    "chengguan": [("2025-01-06", "泉港城管-双随机-2025Q1", 3, ("2025-01-21", "2025-03-25", "2025-03-27")),
                  ("2025-04-01", "泉港城管-双随机-2025Q2", 3, ("2025-04-15", "2025-05-27", "2025-06-17")),
                  ("2025-07-01", "泉港城管-双随机-2025Q3", 3, ("2025-07-15", "2025-08-19", "2025-09-23")),
                  ("2025-10-08", "泉港城管-双随机-2025Q4", 3, ("2025-10-21", "2025-11-25", "2025-12-16")),
                  ("2026-01-05", "泉港城管-双随机-2026Q1", 3, ("2026-01-20", "2026-02-24", "2026-03-17")),
                  ("2026-04-01", "泉港城管-双随机-2026Q2", 3, ("2026-04-21", "2026-05-19", "2026-06-16")),
                  ("2026-07-01", "泉港城管-双随机-2026Q3", 3, ("2026-07-14", "2026-08-18", "2026-09-15")),
                  ("2026-10-08", "泉港城管-双随机-2026Q4", 1, ("2026-10-20",))],
    "yingji": [("2025-01-07", "泉港应急-双随机-2025Q1", 3, ("2025-01-23", "2025-02-20", "2025-03-26")),
               ("2025-04-02", "泉港应急-双随机-2025Q2", 3, ("2025-04-24", "2025-05-22", "2025-06-19")),
               ("2025-07-02", "泉港应急-双随机-2025Q3", 3, ("2025-07-17", "2025-09-04", "2025-09-24")),
               ("2025-10-09", "泉港应急-双随机-2025Q4", 3, ("2025-10-23", "2025-11-20", "2025-12-18")),
               ("2026-01-06", "泉港应急-双随机-2026Q1", 3, ("2026-01-22", "2026-02-26", "2026-03-19")),
               ("2026-04-02", "泉港应急-双随机-2026Q2", 3, ("2026-04-23", "2026-05-21", "2026-06-18")),
               ("2026-07-02", "泉港应急-双随机-2026Q3", 3, ("2026-07-16", "2026-08-20", "2026-09-17")),
               ("2026-10-09", "泉港应急-双随机-2026Q4", 1, ("2026-10-22",))],
}
COMMITTEE_HEAD_MONTHS = ("2025-01-16", "2025-02-13", "2025-03-24", "2025-05-15", "2025-06-12", "2025-07-10",
                         "2025-08-14", "2025-09-11", "2025-11-13", "2025-12-11", "2026-01-15", "2026-02-12",
                         "2026-03-12", "2026-04-16", "2026-05-14", "2026-06-11", "2026-07-16", "2026-08-13",
                         "2026-09-10", "2026-10-15")
"""The 安委会主任's monthly inspections: none in April and October 2025."""
COMMITTEE_HEAD_TARGETS = ("gas_co", "chem", "water", "lpg_station", "sewage", "haifeng", "park", "restaurant_c",
                          "xinda", "ebike", "gas_co", "chem", "restaurant_a", "lpg_station", "water", "haifeng",
                          "sewage", "gas_co", "chem", "park")


class Inspections:
    """Registers this strand's people and posts, then puts the year of inspections on the demo's agenda."""

    def __init__(self, d: Demo):
        self.d = d
        self.keys: dict[UUID, str] = {}
        self.scores = iter(SCORES * 20)
        self.finding = 0
        self.suspected: list[Callable[[SuspectedHazard], None]] = []
        """Told of every completed inspection's suspected hazards (the hazards strand listens)."""

    # --- who ------------------------------------------------------------------------------------------------
    def who(self, key: str) -> Principal:
        """The token a person acts with: role, unit and the person who signs."""
        found = next((p for p in PEOPLE if p.key == key), None)
        role, unit, scope = (found.role, found.unit, found.scope) if found else (*EXISTING[key], COUNTY)
        return Principal(f"demo:{role}:{key}", role, scope, unit_id=self.d.ids[unit], person_id=self.d.ids[key])

    def setup(self) -> None:
        d, when = self.d, on("2024-12-20")
        for seq, (key, name, village, legal) in enumerate(
                (("xinda", "泉港区鑫达五金制品有限公司", "shangtian", "洪德福"),
                 ("haifeng", "福建泉港海丰粉体科技有限公司", "nanpu_v", "苏明亮")), start=301):
            d.do(REGISTRAR, o.RegisterUnit(profile=EnterpriseProfile(
                name=name, credit_code=credit_code(seq), sector="工贸", address=f"泉州市泉港区{name[3:7]}路{seq}号",
                grid=f"{village}-网格1", legal_representative=legal, staff_count=40 + seq % 50),
                parent_id=d.ids[village]), when=when, name=key)
        for index, someone in enumerate(PEOPLE):
            d.do(REGISTRAR, pp.RegisterPerson(
                name=someone.name, id_number=resident_id(date(1975 + index, 3 + index % 9, 5 + index), 300 + index),
                jurisdiction=NANPU if someone.role == "enterprise" else someone.scope),  # where they act
                when=when, name=someone.key)
        posts = (
            ("chengguan_inspectors", "chengguan", ("c1", "c2", "c3", "c4"), PostDefinition(
                title="城管执法中队执法队员", kind=PostKind.position)),
            ("yingji_inspectors", "yingji", ("y1", "y2", "y3", "y4"), PostDefinition(
                title="应急管理综合行政执法大队执法队员", kind=PostKind.position)),
            ("committee_office_staff", "committee_office", ("o1",), PostDefinition(
                title="区安委办专职工作人员", kind=PostKind.position)),
            ("gas_committee_head", "gas_committee", ("p02",), PostDefinition(
                title="区城镇燃气安全专业委员会主任", kind=PostKind.committee_head)),
            ("zhongcuo_grid", "zhongcuo", ("g1",), PostDefinition(title="钟厝社区专职网格员", kind=PostKind.position)),
            ("xinda_main", "xinda", ("m1",), PostDefinition(title="总经理", kind=PostKind.main_responsible)),
            ("haifeng_main", "haifeng", ("m2",), PostDefinition(title="总经理", kind=PostKind.main_responsible)),
        )
        for key, unit, holders, definition in posts:
            d.do(REGISTRAR, rs.EstablishPost(unit_id=d.ids[unit], definition=definition), when=when, name=key)
            for holder in holders:
                d.do(REGISTRAR, rs.AppointHolder(post_id=d.ids[key], person_id=d.ids[holder],
                                                 document="泉港委〔2024〕任"), when=when)
        d.do(REGISTRAR, rs.AssignGrids(post_id=d.ids["zhongcuo_grid"], grids=tuple(
            f"zhongcuo-网格{n}" for n in (1, 2, 3))), when=when)  # 网格员 (seed 001 ¶13, seed 002 ¶16)
        self.keys = {d.ids[key]: key for key in (*(p.key for p in PEOPLE), *EXISTING)}

    # --- plans and draws ------------------------------------------------------------------------------------
    def plans(self) -> None:
        d = self.d
        cg = ("城镇燃气经营企业、餐饮等用气场所、供排水和污水处理设施、城市公园",
              ("燃气泄漏报警装置", "瓶装液化气充装配送", "有限空间作业", "户外广告设施"),
              "燃气经营许可、安全管理制度、隐患排查治理、应急预案、全员安全生产责任制")
        yj = ("危险化学品生产经营企业、工贸企业", ("重大危险源包保", "动火等特殊作业", "粉尘涉爆"),
              "重大危险源管控、特殊作业票证、粉尘防爆、隐患排查治理")
        def adopt(year: int, adopted: datetime) -> None:
            keys: tuple[str, ...] = (
                ("gas_co", "lpg_station", "water", "sewage") if year == 2025 else ("gas_co", "lpg_station", "ebike"))
            d.do(self.who("c1"), ai.AdoptEnforcementPlan(
                department_id=d.ids["chengguan"], year=year, document_no=f"泉港城管〔{year}〕5号", terms=PlanTerms(
                    key_enterprises=tuple(d.ids[k] for k in keys), scope=cg[0], focus=cg[1], content=cg[2],
                    planned_count=16, planned_undercover=2, planned_campaign=1)),
                when=adopted, name=f"plan:chengguan:{year}")
            keys = ("chem", "haifeng") if year == 2025 else ("chem", "haifeng", "xinda")
            d.do(self.who("y1"), ai.AdoptEnforcementPlan(
                department_id=d.ids["yingji"], year=year, document_no=f"泉港应急〔{year}〕3号", terms=PlanTerms(
                    key_enterprises=tuple(d.ids[k] for k in keys), scope=yj[0], focus=yj[1], content=yj[2],
                    planned_count=14, planned_undercover=1, planned_campaign=1)),
                when=adopted, name=f"plan:yingji:{year}")

        for year, adopted in ((2025, on("2025-01-03")), (2026, on("2025-12-29"))):
            d.later(adopted, partial(adopt, year, adopted))
        d.later(on("2025-07-01", 10), lambda: d.do(self.who("c1"), ai.ReviseEnforcementPlan(
            plan_id=d.ids["plan:chengguan:2025"], reason="电动自行车充电(新业态)由我局牵头监管,列入重点检查企业",
            document_no="泉港城管〔2025〕41号", terms=PlanTerms(
                key_enterprises=tuple(d.ids[k] for k in ("gas_co", "lpg_station", "water", "sewage", "ebike")),
                scope=cg[0] + "、电动自行车充电场所", focus=(*cg[1], "电动自行车充电"), content=cg[2],
                planned_count=18, planned_undercover=2, planned_campaign=1)), when=on("2025-07-01", 10)))

    def draws(self) -> None:
        team = {"chengguan": ("c1", "c2", "c3", "c4"), "yingji": ("y1", "y2", "y3", "y4")}
        for department, quarters in QUARTERS.items():
            for day, seed, targets, days in quarters:
                self.d.later(on(day), partial(self._draw, department, team[department], day, seed, targets, days))

    def _draw(self, department: str, pool: tuple[str, ...], day: str, seed: str, targets: int,
              days: tuple[str, ...]) -> None:
        d = self.d
        year = day[:4]
        draw_id = d.do(self.who(pool[0]), ai.MakeRandomDraw(
            department_id=d.ids[department], plan_id=d.ids[f"plan:{department}:{year}"], seed=seed,
            inspector_pool=[d.ids[k] for k in pool], targets=targets), when=on(day), name=f"draw:{seed}")
        drawn = d.service.log.get(draw_id)
        assert isinstance(drawn, RandomDraw)
        units = {d.ids[k]: k for k in SECTORS}
        for n, (assignment, when) in enumerate(zip(drawn.result, days, strict=True)):
            target, team = units[assignment.target_id], [self.keys[i] for i in assignment.inspector_ids]
            d.later(on(when), partial(self.enforcement, when, department, target, team, draw_id=draw_id, n=n))

    # --- inspections ----------------------------------------------------------------------------------------
    def enforcement(self, day: str, department: str, target: str, team: list[str], *, draw_id: UUID | None = None,
                    n: int = 0, kind: InspectionKind = InspectionKind.enforcement, title: str | None = None,
                    experts: tuple[Expert, ...] | None = None) -> datetime:
        """An enforcement-kind inspection by two (or more) inspectors of ``department``, under its plan."""
        sector = SECTORS[target]
        if experts is None:
            experts = {"城镇燃气": (GAS_EXPERT,), "危险化学品": (CHEM_EXPERT,), "工贸": (DUST_EXPERT,)}.get(
                sector, ()) if n % 2 == 0 else ()
        unannounced = kind == InspectionKind.undercover or n % 2 == 1
        return self.inspection(
            on(day, 9), kind=kind, title=title or f"{sector}安全生产执法检查", target=target, unit=department,
            team=team, checklist=CHECKLISTS[sector], experts=experts, unannounced=unannounced,
            plan=f"plan:{department}:{day[:4]}", draw_id=draw_id, findings=self._findings(sector, 1 if n < 2 else 0),
            tests=() if kind == InspectionKind.undercover else (next(self.scores),))

    def _findings(self, sector: str, count: int) -> tuple[tuple[str, str, bool], ...]:
        found = FINDINGS[sector]
        picked = tuple(found[(self.finding + i) % len(found)] for i in range(count))
        self.finding += count
        return picked

    def _tested(self, target: str, when: datetime) -> tuple[str, str] | None:
        """A person holding a spot-tested post of ``target`` on ``when`` (the first such, rotating by month)."""
        day = when.date().isoformat()
        holders = [(post, person) for post, person, since, until in HOLDERS.get(target, ())
                   if (since is None or since <= day) and (until is None or day <= until)]
        return holders[when.month % len(holders)] if holders else None

    def inspection(self, when: datetime, *, kind: InspectionKind, title: str, target: str, unit: str,
                   team: list[str], opener: str | None = None, checklist: tuple[ChecklistItem, ...] = (),
                   experts: tuple[Expert, ...] = (), unannounced: bool = False, led_by: str | None = None,
                   plan: str | None = None, draw_id: UUID | None = None,
                   findings: tuple[tuple[str, str, bool], ...] = (), tests: tuple[int, ...] = (),
                   hours: int = 3, name: str | None = None) -> datetime:
        """Open, cover, find, test, sign (each inspector with their own token), complete; returns completion time."""
        d, who = self.d, self.who(opener or team[0])
        inspection = d.do(who, ai.OpenInspection(
            kind=kind, title=title, target_unit_id=d.ids[target], inspecting_unit_id=d.ids[unit],
            inspectors=[d.ids[k] for k in team], experts=list(experts), unannounced=unannounced,
            checklist=list(checklist), led_by=d.ids[led_by] if led_by else None,
            plan_id=d.ids[plan] if plan else None, draw_id=draw_id), when=when, name=name)
        step = when
        if checklist:
            step += timedelta(minutes=40)
            codes = [c.code for c in checklist]
            covered = codes[:-1] if unannounced and len(codes) > 2 else codes  # a surprise visit skips paperwork
            d.do(who, ai.CoverChecklistItems(inspection_id=inspection, item_codes=covered), when=step)
        for item, description, hazard in findings:
            step += timedelta(minutes=20)
            d.do(who, ai.RecordFinding(inspection_id=inspection, description=description, hazard_suspected=hazard,
                                       item_code=item if any(c.code == item for c in checklist) else None),
                 when=step)
        for score in tests:
            tested = self._tested(target, when)
            if tested is None:
                break
            step += timedelta(minutes=20)
            post, person = tested
            d.do(who, ai.RecordSpotTest(inspection_id=inspection, person_id=d.ids[person], post_id=d.ids[post],
                                        subject=SUBJECTS[when.month % len(SUBJECTS)], score=score), when=step)
        done = when + timedelta(hours=hours)
        for n, key in enumerate(team):
            d.do(self.who(key), ai.SignInspection(inspection_id=inspection),
                 when=done - timedelta(minutes=10 * (len(team) - n)))
        d.do(who, ai.CompleteInspection(inspection_id=inspection, summary="责令对发现的问题限期整改" if findings else
                                        "未发现问题", target_acknowledged_by=None if unannounced else "企业负责人"),
             when=done)
        for number, (_, description, hazard) in enumerate(findings, start=1):
            if hazard:
                found = SuspectedHazard(inspection, number, description, kind, target, unit, tuple(team), done)
                for listener in self.suspected:
                    listener(found)
        return done

    def year(self) -> None:
        """The inspections that are not drawn: undercover visits, campaigns, the cross inspection, leaders'
        inspections, self-checks and grid patrols."""
        later = self.d.later
        for day, department, target, team in (("2025-05-14", "chengguan", "lpg_station", ["c3", "c4"]),
                                              ("2025-06-10", "yingji", "chem", ["y3", "y4"]),
                                              ("2025-11-12", "chengguan", "restaurant_b", ["c1", "c2"])):
            later(on(day), partial(self.enforcement, day, department, target, team, kind=InspectionKind.undercover,
                                   title="安全生产暗访检查(四不两直)", experts=()))
        later(on("2025-05-20"), self._gas_campaign)
        later(on("2025-09-16"), lambda: self.enforcement(
            "2025-09-16", "yingji", "haifeng", ["y1", "y2"], kind=InspectionKind.campaign,
            title="工贸行业粉尘涉爆专项执法检查", experts=(DUST_EXPERT,)))
        later(on("2025-11-18"), lambda: self.inspection(
            on("2025-11-18", 9), kind=InspectionKind.cross, title="区安委办组织部门交叉检查(市政设施)",
            target="water", unit="committee_office", team=["y1", "c2"], opener="o1",
            checklist=CHECKLISTS["市政设施"], findings=self._findings("市政设施", 2), tests=(81,)))
        for day, target in zip(COMMITTEE_HEAD_MONTHS, COMMITTEE_HEAD_TARGETS, strict=True):
            later(on(day), partial(
                self.inspection, on(day, 14), kind=InspectionKind.leader, title="区安委会主任带队安全生产检查",
                target=target,
                unit="committee", team=["p01", "o1"], led_by="p01",
                findings=self._findings(SECTORS[target], 1) if day.endswith(("-16", "-15", "-11")) else ()))
        for day, target in (("2025-05-08", "gas_co"), ("2025-06-05", "lpg_station"), ("2025-09-10", "gas_co")):
            later(on(day), partial(
                self.inspection, on(day, 14), kind=InspectionKind.leader, title="燃气专委会主任带队检查", target=target,
                unit="gas_committee", team=["p02", "c1"], led_by="p02", findings=self._findings("城镇燃气", 1)))
        for day in ("2025-05-06", "2025-06-03", "2025-07-08"):
            later(on(day), partial(
                self.inspection, on(day, 15), kind=InspectionKind.leader,
                title="主要负责人带队重大事故隐患排查(专项行动期间每月)",
                target="gas_co", unit="gas_co", team=["p13", "p34"], led_by="p13",
                checklist=CHECKLISTS["城镇燃气"][:3], findings=self._findings("城镇燃气", 1)))
        for n, day in enumerate(("2025-06-27", "2025-12-26", "2026-06-26")):
            for target, person, sector in (("gas_co", "p34", "城镇燃气"), ("chem", "p20", "危险化学品")):
                later(on(day), partial(
                    self.inspection, on(day, 10 if target == "gas_co" else 15), kind=InspectionKind.self_check,
                    title="季度隐患排查自查", target=target, unit=target, team=[person],
                    findings=self._findings(sector, 1) if n % 2 == 0 else (), hours=2))
        for day, target in (("2025-04-15", "restaurant_a"), ("2025-08-20", "gas_co"), ("2026-02-10", "ebike")):
            later(on(day), partial(
                self.inspection, on(day, 16), kind=InspectionKind.grid_patrol, title="网格员日常巡查", target=target,
                unit="zhongcuo", team=["g1"], findings=self._findings(SECTORS[target], 1), hours=1))

    def _gas_campaign(self) -> None:
        """城镇燃气安全专项整治 (seed 000 §14) with an expert; a spot-test score typed wrong (58 for 85) is corrected
        a week later, after the record was signed."""
        done = self.inspection(
            on("2025-05-20", 9), kind=InspectionKind.campaign, title="城镇燃气安全专项整治检查", target="gas_co",
            unit="chengguan", team=["c1", "c2"], checklist=CHECKLISTS["城镇燃气"], experts=(GAS_EXPERT,),
            plan="plan:chengguan:2025", findings=self._findings("城镇燃气", 2), tests=(58,), hours=4,
            name="inspection:gas-campaign")
        inspection = self.d.ids["inspection:gas-campaign"]
        self.d.later(on("2025-05-26"), lambda: self.d.do(self.who("c1"), ai.CorrectInspection(
            inspection_id=inspection, spot_tests=[SpotTestFix(test_no=1, score=85)],
            reason="成绩录入错误(58应为85),经核对考试原始答卷更正"), when=done, lag=timedelta(days=6)))


def schedule(d: Demo) -> Inspections:
    """Register this strand's people, posts and plans now; put the rest on the agenda by date."""
    strand = Inspections(d)
    strand.setup()
    strand.plans()
    strand.draws()
    strand.year()
    return strand
