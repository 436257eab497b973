"""Investigations: the level by grade or escalated, the period (60 + 60 once, appraisal not counted), findings that
name the duty held at the time and events as evidence, report, approval, 四不放过 and the evaluation — on SQLite
and PostgreSQL (docs/rules.md R4; 493号令 第19–33条; 安全生产法 第86条)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from api.bootstrap import System
from application import investigations as inv
from application import responsibility as rs
from application.authorization import Forbidden, Principal
from domain import accidents as ac
from domain import investigations as iv
from domain.errors import Conflict, NotFound, Rejected
from domain.rules.accidents import Figures, GovernmentLevel
from tests.conftest import ADMIN, REGISTRAR
from tests.test_accidents import OCCURRED, Scene


def TEAM(leader: UUID, unit: UUID) -> tuple[iv.TeamMember, ...]:
    return (iv.TeamMember(person_id=leader, unit_id=unit, role=iv.TeamRole.leader),)


class Bench(Scene):
    """An accident at the enterprise, a duty list with the duty of its safety manager, and a team."""

    def __init__(self, system: System):
        super().__init__(system)
        self.manager = self.world.person(31, "王安全")
        self.post = self.world.post(self.world.enterprise, title="安全管理员")
        self.list_id = self.world.duty_list(self.world.enterprise)
        self.duty_id = self.world.duty(self.list_id, self.post, text="每日巡查灌装车间")
        self.leader = self.world.person(32, "赵组长")
        self.accident_id = self.record(figures=Figures(deaths=1))
        self.report(self.accident_id, figures=Figures(deaths=1))

    def open(self, escalated: bool = False, accident_id: UUID | None = None) -> UUID:
        """Escalated investigations are the city's: its investigator opens them."""
        who = Principal("inv@city", "investigator", "350000/350500") if escalated else self.investigator
        return self.run(inv.OpenInvestigation(accident_id=accident_id or self.accident_id, escalated=escalated,
                                              team=TEAM(self.leader, self.world.county)), who).id

    def state(self, investigation_id: UUID) -> iv.Investigation:
        state = self.system.store.get(investigation_id)
        assert isinstance(state, iv.Investigation)
        return state

    def find(self, investigation_id: UUID, **fields) -> None:
        defaults = {"line": iv.InvestigationLine.entity, "unit_id": self.world.enterprise,
                    "person_id": self.manager,
                    "duty": inv.DutyReference(list_id=self.list_id, duty_id=self.duty_id),
                    "evidence": (iv.EventRef(aggregate_id=self.accident_id, version=1),),
                    "description": "未按规定巡查", "disposition": iv.Disposition.penalty_case}
        self.run(inv.FindResponsibility(investigation_id=investigation_id, **{**defaults, **fields}),
                 self.investigator)


@pytest.fixture
def bench(system: System) -> Bench:
    return Bench(system)


def test_the_level_follows_the_grade_or_the_level_above(bench: Bench) -> None:
    investigation_id = bench.open()
    state = bench.state(investigation_id)
    assert (state.level, state.escalated, state.government_id) == (GovernmentLevel.county, False, bench.world.county)
    assert state.report_due == state.occurred_on + timedelta(days=60)
    other = bench.record()
    assert bench.refused(inv.OpenInvestigation(accident_id=other, escalated=True,
                                               team=TEAM(bench.leader, bench.world.county)),
                         error=Forbidden).code == "outside-jurisdiction"  # the city investigates, not the county
    escalated = bench.state(bench.open(escalated=True, accident_id=other))
    assert (escalated.level, escalated.government_id) == (GovernmentLevel.city, bench.world.city)
    assert bench.refused(inv.OpenInvestigation(accident_id=other, team=TEAM(bench.leader, bench.world.county)),
                         error=Conflict).code == "already-investigated"


def test_the_period_is_extended_once_by_at_most_sixty_days_and_appraisal_is_not_counted(bench: Bench) -> None:
    investigation_id = bench.open()
    start = bench.state(investigation_id).occurred_on
    bench.run(inv.RecordTechnicalAppraisal(investigation_id=investigation_id, started_on=start + timedelta(days=10),
                                           ended_on=start + timedelta(days=19), subject="钢瓶阀门失效鉴定"),
              bench.investigator)
    assert bench.state(investigation_id).report_due == start + timedelta(days=70)
    for days, code in ((61, "extension-too-long"),):  # 最长不超过60日: 60 is allowed, 61 is not
        assert bench.refused(inv.ExtendInvestigation(investigation_id=investigation_id, days=days, reason="x"),
                             error=Rejected).code == code
    bench.run(inv.ExtendInvestigation(investigation_id=investigation_id, days=60, reason="鉴定复杂"),
              bench.investigator)
    assert bench.state(investigation_id).report_due == start + timedelta(days=130)
    assert bench.refused(inv.ExtendInvestigation(investigation_id=investigation_id, days=1, reason="x"),
                         error=Conflict).code == "already-extended"


def test_a_finding_names_the_duty_held_at_the_time_and_events_as_evidence(bench: Bench) -> None:
    investigation_id = bench.open()
    bench.find(investigation_id)
    (finding,) = bench.state(investigation_id).findings
    assert finding.duty is not None
    assert finding.duty.duty_id == bench.duty_id
    assert finding.duty.list_version == bench.system.store.get(bench.list_id).version
    bench.run(rs.RevokeDuty(list_id=bench.list_id, duty_id=bench.duty_id, reason="岗位撤销",
                            effective_at=OCCURRED + timedelta(days=3)), REGISTRAR)
    bench.find(investigation_id, line=iv.InvestigationLine.supervisory)  # still held at the time of the accident
    assert bench.refused(inv.FindResponsibility(
        investigation_id=investigation_id, line=iv.InvestigationLine.entity, unit_id=bench.world.enterprise,
        duty=inv.DutyReference(list_id=bench.list_id, duty_id=bench.accident_id), description="x",
        disposition=iv.Disposition.penalty_case), error=Rejected).code == "duty-not-held"
    assert bench.refused(inv.FindResponsibility(
        investigation_id=investigation_id, line=iv.InvestigationLine.entity, unit_id=bench.world.enterprise,
        evidence=(iv.EventRef(aggregate_id=bench.accident_id, version=99),), description="x",
        duty=inv.DutyReference(list_id=bench.list_id, duty_id=bench.duty_id),
        disposition=iv.Disposition.penalty_case), error=NotFound).code == "evidence-not-found"
    assert bench.refused(inv.FindResponsibility(
        investigation_id=investigation_id, line=iv.InvestigationLine.entity, unit_id=bench.world.enterprise,
        description="x", disposition=iv.Disposition.accountability), error=Rejected).code == "duty-required"


def test_report_approval_four_conditions_and_evaluation_close_it(bench: Bench) -> None:
    investigation_id = bench.open()
    assert bench.refused(inv.SubmitInvestigationReport(investigation_id=investigation_id, cause="x", summary="x"),
                         error=Rejected).code == "no-findings"
    bench.find(investigation_id)
    bench.run(inv.SubmitInvestigationReport(investigation_id=investigation_id, cause="阀门老化泄漏",
                                            summary="一般生产安全责任事故"), bench.investigator)
    state = bench.state(investigation_id)
    assert state.submitted_on is not None
    assert state.approval_due == state.submitted_on + timedelta(days=15)  # 第32条
    evidence = (iv.EventRef(aggregate_id=bench.accident_id, version=1),)
    bench.run(inv.ApproveInvestigationReport(investigation_id=investigation_id, document_no="泉港政文〔2025〕3号"),
              ADMIN)
    approved = bench.state(investigation_id)
    assert approved.evaluation_due == date(approved.approved_on.year + 1, approved.approved_on.month,
                                           approved.approved_on.day)
    for condition in list(iv.ClosingCondition)[:3]:
        bench.run(inv.MeetClosingCondition(investigation_id=investigation_id, condition=condition,
                                           evidence=evidence, note="见记录"), bench.investigator)
    assert bench.refused(inv.MeetClosingCondition(investigation_id=investigation_id,
                                                  condition=iv.ClosingCondition.cause_found, evidence=evidence,
                                                  note="x"), error=Conflict).code == "condition-met"
    bench.run(inv.EvaluateMeasures(investigation_id=investigation_id, result="整改措施已落实",
                                   publication="泉港区人民政府网站"), bench.investigator)
    assert bench.state(investigation_id).status == iv.InvestigationStatus.approved  # one condition still open
    bench.run(inv.MeetClosingCondition(investigation_id=investigation_id,
                                       condition=iv.ClosingCondition.people_educated, evidence=evidence,
                                       note="警示教育会"), bench.investigator)
    assert bench.state(investigation_id).status == iv.InvestigationStatus.closed


def test_a_suspected_concealment_is_what_an_escalated_investigation_answers(bench: Bench) -> None:
    accident_id = bench.record(known_from=ac.KnownFrom.police)
    bench.tick()  # the accident policy proposes the escalation
    proposed = bench.accident(accident_id).escalation_proposed
    assert proposed is not None
    state = bench.state(bench.open(escalated=True, accident_id=accident_id))
    assert state.level == proposed
