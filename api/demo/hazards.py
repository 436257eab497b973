"""The demo's hazards: every finding an inspection suspected to be a hazard becomes one, and lives its life.

Sources: seed 000 §16 (即知即改; 限期整改 under 五落实; 停产停业整顿), seed 004 §三 (重大事故隐患台账, 挂牌督办 with a
named supervisor, 闭环管理), seed 002/003 (回头看). Fates, by the order the findings came in:

- general hazards: every fourth (and those of a shop with nobody on record to answer for a plan) is fixed on the
  spot; the others are rectified by a deadline — the inspecting department's order (责令限期整改) for what an
  inspection found, the enterprise's own plan for what it found itself — submitted, accepted on site (for an
  order: the department's re-inspection, 复查) and struck off —
  except the third, left to go overdue (the worker marks it, then it is fixed late), the fifth, whose first
  acceptance fails, and the seventh, which a follow-up review (回头看) reopens;
- major hazards (the first found in 城镇燃气, 工贸 and 危险化学品) cite their sector's determination standard and
  are ordered and listed by the supervising department with a named supervisor, and the enterprise adds its five
  assurances under the order; the 工贸 one stops the dust-producing line (责令暂时停产停业), misses its deadline, is
  escalated by the worker to 泉州市, and resumes only when the department's review agrees (恢复生产经营);
- two tips lead to major hazards: the illegal LPG refilling behind a snack shop (listed, production stopped, the
  shop banned, struck off) and the chemical plant's hot work without permits reported by a whistleblower (listed,
  its deadline extended once, missed all the same, escalated by the worker to 泉州市, still open at the end);
- the hazards found in the last four months are still being rectified when the history ends (some overdue): the
  ledger ends with work in progress.

The policy worker runs every Monday morning as the history walks on, so overdue marks, escalations and monthly
oversight flags are recorded by the system when they fell due, not all at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

from api.demo.inspections import HOLDERS, SECTORS, Inspections, SuspectedHazard
from api.demo.scene import COUNTY, END, Demo, on
from application import hazards as h
from application.authorization import Principal
from application.policies import Worker
from domain import hazards as hz
from domain.calendar import local_day
from domain.inspections import Inspection

MAJOR_CRITERIA = {
    "城镇燃气": hz.Criterion(standard="《城镇燃气经营安全重大隐患判定标准》(建城规〔2023〕4号)",
                             item="第六条第(三)项 (燃气泄漏报警装置失效)"),
    "工贸": hz.Criterion(standard="《工贸企业重大事故隐患判定标准》(应急管理部令第10号)",
                         item="第十三条第(五)项 (未按规定及时清理积尘)"),
    "危险化学品": hz.Criterion(
        standard="《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准(试行)》(安监总管三〔2017〕121号)",
        item="第十七项 (特殊作业未执行作业许可审批)"),
}
DEPARTMENT_OF = {"危险化学品": "yingji", "工贸": "yingji"}
"""The department that supervises a sector in the demo (城管 for the rest); its inspector accepts, it lists."""
INSPECTOR = {"chengguan": "c1", "yingji": "y1"}
SUPERVISOR = {"chengguan": "p11", "yingji": "p12"}
"""Who follows a department's listings (督办责任人): 城管's deputy head, 应急's head."""
PLAN = {"general": ("整改到位并建立日常检查记录", 3_000, 20),
        "major": ("制定专项整改方案, 更换或修复设施, 整改期间落实监护措施", 120_000, 45)}
"""Measures, funds (yuan) and days to the deadline, by grade."""
IN_PROGRESS_FROM = datetime.fromisoformat("2026-07-01T00:00:00+08:00")
"""General hazards found from then on are still being rectified when the history ends."""


class Hazards:
    def __init__(self, d: Demo, inspections: Inspections):
        self.d = d
        self.strand = inspections
        self.count = 0
        self.planned = 0
        self.majors: set[str] = set()
        self.overdue_majors: list[Callable[[UUID, str, datetime], None]] = []
        """Told of a major hazard that will miss its deadline: the hazard, its enterprise, its deadline."""

    # --- who ------------------------------------------------------------------------------------------------
    def _department(self, target: str) -> str:
        return DEPARTMENT_OF.get(SECTORS[target], "chengguan")

    def official(self, target: str) -> Principal:
        return self.strand.who(INSPECTOR[self._department(target)])

    def _main(self, target: str, day: str) -> str:
        """The main responsible person on ``day`` (or the last one appointed before it, between two holders)."""
        mains = [(since or "", person) for post, person, since, until in HOLDERS[target] if post.endswith("_main")]
        return max((entry for entry in mains if entry[0] <= day), default=mains[0])[1]

    def enterprise(self, target: str, day: str) -> Principal:
        return Principal(f"demo:enterprise:{target}", "enterprise", COUNTY, unit_id=self.d.ids[target],
                         person_id=self.d.ids[self._main(target, day)])

    def reporter(self, found: SuspectedHazard) -> Principal:
        if self._own(found):
            return self.enterprise(found.target, local_day(found.completed_at).isoformat())
        who = self.strand.who(found.team[0])
        if who.role == "inspector" and who.unit_id != self.d.ids[self._department(found.target)]:
            return self.official(found.target)  # a cross inspection's team: the supervising department records it
        return who

    @staticmethod
    def _own(found: SuspectedHazard) -> bool:
        """The enterprise checked itself (a self-check, or its own leader's check): it self-reports (自查自报)."""
        return found.unit == found.target

    # --- the life of a hazard ----------------------------------------------------------------------------------
    def at(self, when: datetime, step: Callable[[], object]) -> None:
        """Schedule ``step`` for ``when``; what would happen after the history's end does not happen."""
        if when <= END:
            self.d.later(when, step)

    def found(self, found: SuspectedHazard) -> None:
        n, self.count = self.count, self.count + 1
        sector = SECTORS[found.target]
        major = sector in MAJOR_CRITERIA and sector not in self.majors and not self._own(found)
        if major:
            self.majors.add(sector)
        reported = found.completed_at + timedelta(hours=1)
        self.at(reported, lambda: self.report(found, n, major, reported))

    def report(self, found: SuspectedHazard, n: int, major: bool, when: datetime) -> None:
        d, sector = self.d, SECTORS[found.target]
        grade = hz.HazardGrade.major if major else hz.HazardGrade.general
        inspection = d.service.log.get(found.inspection_id)
        assert isinstance(inspection, Inspection)
        hazard = d.do(self.reporter(found), h.ReportHazard(
            unit_id=d.ids[found.target], grade=grade, criterion=MAJOR_CRITERIA[sector] if major else None,
            description=found.description, source=hz.source_of(inspection),
            inspection_id=found.inspection_id, finding_no=found.finding_no), when=when, lag=timedelta(hours=1))
        if major:
            department = self._department(found.target)
            self.at(when + timedelta(days=1), lambda: d.do(self.official(found.target), h.ListHazard(
                hazard_id=hazard, authority_id=d.ids[department], supervisor_id=d.ids[SUPERVISOR[department]],
                reported_to_id=d.ids["committee_office"]), when=when + timedelta(days=1)))
            self.at(when + timedelta(days=1, hours=2), lambda: self.plan(hazard, found.target, "major",
                                                                         when + timedelta(days=1, hours=2),
                                                                         late=sector == "工贸", ordered=True))
        elif (n % 4 == 0 or found.target not in HOLDERS) and not self._own(found):
            d.do(self.strand.who(found.team[0]), h.RectifyOnTheSpot(
                hazard_id=hazard, measures="当场责令整改并复核到位"), when=when + timedelta(minutes=30))
        else:
            k, self.planned = self.planned, self.planned + 1
            self.at(when + timedelta(days=1), lambda: self.plan(
                hazard, found.target, "general", when + timedelta(days=1), late=k == 2, rejected=k == 4,
                reopened=k == 6, submit=when < IN_PROGRESS_FROM, ordered=not self._own(found)))

    def plan(self, hazard: UUID, target: str, grade: str, when: datetime, *, late: bool = False,
             rejected: bool = False, reopened: bool = False, submit: bool = True, ordered: bool = False) -> UUID:
        """The rectification: the department's order for what it found (责令限期整改; for a major hazard the enterprise
        adds its five assurances under it), the enterprise's own plan for what it found itself."""
        d = self.d
        measures, funds, days = PLAN[grade]
        deadline = local_day(when) + timedelta(days=days)
        suspension = None
        mode = hz.RectificationMode.deadline
        if grade == "major" and SECTORS[target] == "工贸":
            mode = hz.RectificationMode.suspension
            suspension = hz.Suspension(scope="粉碎、包装工段停产整顿", reason="积尘超标, 整改期间无法保证安全")
        plan = hz.FiveAssurances(
            responsible_person_id=d.ids[self._main(target, local_day(when).isoformat())], measures=measures,
            funds=hz.Funds(amount_yuan=funds, source="企业安全生产费用"), deadline=deadline,
            contingency_plan="整改期间设置警示标识, 专人值守, 发现异常立即停用并报告")
        if ordered:
            d.do(self.official(target), h.OrderRectification(
                hazard_id=hazard, mode=mode, deadline=deadline, requirements=measures, suspension=suspension),
                 when=when)
            if grade == "major":
                self.at(when + timedelta(hours=3), lambda: d.do(
                    self.enterprise(target, local_day(when).isoformat()),
                    h.PlanRectification(hazard_id=hazard, mode=mode, plan=plan), when=when + timedelta(hours=3)))
        else:
            d.do(self.enterprise(target, local_day(when).isoformat()), h.PlanRectification(
                hazard_id=hazard, mode=mode, suspension=suspension, plan=plan), when=when)
        due = datetime.combine(deadline, when.timetz())
        submitted = due + (timedelta(days=12) if late else -timedelta(days=3))
        if late and grade == "major":
            for hook in self.overdue_majors:
                hook(hazard, target, due)
        if submit:
            self.at(submitted, lambda: self.submit(hazard, target, submitted, rejected=rejected, reopened=reopened))
        return hazard

    def submit(self, hazard: UUID, target: str, when: datetime, *, rejected: bool, reopened: bool) -> None:
        d = self.d
        d.do(self.enterprise(target, local_day(when).isoformat()), h.SubmitRectification(
            hazard_id=hazard, report="已按整改方案完成整改, 附整改前后照片", evidence=("整改前照片", "整改后照片")),
            when=when)
        accepted = when + timedelta(days=2)
        if rejected:
            self.at(accepted, lambda: d.do(self.official(target), h.InspectAcceptance(
                hazard_id=hazard, passed=False, findings="现场复核: 整改不彻底, 仍存在问题"), when=accepted))
            again = accepted + timedelta(days=4)
            self.at(again, lambda: self.submit(hazard, target, again, rejected=False, reopened=reopened))
            return
        self.at(accepted, lambda: self.accept(hazard, target, accepted, reopened=reopened))

    def accept(self, hazard: UUID, target: str, when: datetime, *, reopened: bool) -> None:
        """Accepted on site (for an order: the department's re-inspection, 复查); suspended work resumes by the
        department's review (经审查同意, 恢复生产经营) before the hazard is struck off."""
        d, official = self.d, self.official(target)
        d.do(official, h.InspectAcceptance(hazard_id=hazard, passed=True, findings="现场验收: 整改到位"), when=when)
        state = d.service.log.get(hazard)
        assert isinstance(state, hz.Hazard)
        if state.suspension is not None:
            d.do(official, h.ResumeProduction(hazard_id=hazard, findings="经现场审查: 积尘已清理, 除尘系统改造完成, "
                                                                      "同意粉碎、包装工段恢复生产"),
                 when=when + timedelta(minutes=30))
        d.do(official, h.CloseOutHazard(hazard_id=hazard), when=when + timedelta(hours=1))
        if reopened:
            review = when + timedelta(days=40)
            self.at(review, lambda: d.do(official, h.ReviewHazard(
                hazard_id=hazard, findings="回头看: 问题反弹, 重新纳入整改", reopen=True), when=review))
            self.at(review + timedelta(days=1), lambda: self.plan(hazard, target, "general",
                                                                  review + timedelta(days=1),
                                                                  ordered=state.authority_decides))


    # --- hazards the tips led to (the tips themselves are in api.demo.quangang) -------------------------------
    def tips(self) -> None:
        d = self.d
        self.at(on("2026-04-10"), self._hot_work)
        self.at(on("2026-04-21"), lambda: self._list("hazard_lpg", "chengguan", on("2026-04-21")))
        self.at(on("2026-04-21", 11), lambda: d.do(self.official("lpg_station"), h.OrderRectification(
            hazard_id=d.ids["hazard_lpg"], mode=hz.RectificationMode.deadline, deadline=date(2026, 5, 20),
            requirements="立即停止储存、充装, 钢瓶就地封存; 非法充装点依法取缔, 钢瓶和充装设备清运"),
            when=on("2026-04-21", 11)))
        self.at(on("2026-05-13"), lambda: d.do(self.official("lpg_station"), h.SubmitRectification(
            hazard_id=d.ids["hazard_lpg"], report="非法充装点已依法取缔, 钢瓶23只及充装设备已清运",
            evidence=("取缔决定书", "清运记录")), when=on("2026-05-13")))
        self.at(on("2026-05-14"), lambda: self.accept(d.ids["hazard_lpg"], "lpg_station", on("2026-05-14"),
                                                      reopened=False))

    def _list(self, key: str, department: str, when: datetime) -> None:
        self.d.do(self.strand.who(INSPECTOR[department]), h.ListHazard(
            hazard_id=self.d.ids[key], authority_id=self.d.ids[department],
            supervisor_id=self.d.ids[SUPERVISOR[department]], reported_to_id=self.d.ids["committee_office"]),
            when=when)

    def _hot_work(self) -> None:
        """The whistleblower's tip at the chemical plant: a major hazard, extended once, missed, escalated."""
        d, when = self.d, on("2026-04-10")
        d.do(self.official("chem"), h.ReportHazard(
            unit_id=d.ids["chem"], grade=hz.HazardGrade.major, criterion=MAJOR_CRITERIA["危险化学品"],
            description="2号储罐区检修动火未办理作业票证, 可燃气体报警仪人为停用", location="2号储罐区",
            source=hz.HazardSource.tip, tip_id=d.ids["tip_chem"]), when=when, name="hazard_hot_work")
        self.at(when + timedelta(hours=3), lambda: self._list("hazard_hot_work", "yingji", when + timedelta(hours=3)))
        self.at(when + timedelta(days=1), lambda: self.plan(d.ids["hazard_hot_work"], "chem", "major",
                                                            when + timedelta(days=1), submit=False, ordered=True))
        self.at(on("2026-05-20"), lambda: d.do(self.official("chem"), h.ExtendDeadline(
            hazard_id=d.ids["hazard_hot_work"], deadline=date(2026, 6, 30),
            reason="防爆型报警仪需定制, 供货周期延长; 企业已书面申请"), when=on("2026-05-20")))


def weekly_worker(d: Demo, worker: Worker, first: datetime) -> None:
    """The policy worker's Monday-morning pass, every week of the history."""
    when = first
    while when <= END:
        d.later(when, partial(_tick, d, worker, when))
        when += timedelta(days=7)


def _tick(d: Demo, worker: Worker, when: datetime) -> None:
    d.clock.set(max(d.clock.now(), when))
    worker.tick()


def schedule(d: Demo, inspections: Inspections, worker: Worker) -> Hazards:
    hazards = Hazards(d, inspections)
    inspections.suspected.append(hazards.found)
    hazards.tips()
    weekly_worker(d, worker, datetime.fromisoformat("2025-01-06T07:00:00+08:00"))
    return hazards
