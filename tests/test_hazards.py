"""Hazards: every lifecycle transition and every refusal, on SQLite and PostgreSQL.

Sources: docs/rules.md R8; seed 000 ¶16; seed 004.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import System
from application import hazards as h
from application.authorization import Forbidden, Principal
from domain import hazards as hz
from domain import oversight as ov
from domain.calendar import end_of_day
from domain.errors import Conflict, NotFound, Rejected
from tests.builders import World, latest, state_of
from tests.conftest import COUNTY, REGISTRAR, TOWN_B

GAS_STANDARD = "《城镇燃气经营安全重大隐患判定标准》(建城规〔2023〕4号)"
CRITERION = hz.Criterion(standard=GAS_STANDARD, item="第六条第(二)项")
FULL_PLAN: dict[str, Any] = {
    "measures": "更换腐蚀管段, 加装泄漏报警", "funds": hz.Funds(amount_yuan=86_000, source="企业安全生产费用"),
    "contingency_plan": "整改期间停用该管段, 每日两次巡检"}


class Desk:
    """A county inspector of the supervising department (with a person to sign as) and an enterprise user."""

    def __init__(self, system: System):
        self.system = system
        self.world = World(system)
        self.inspector_person = self.world.person(11, "林检查")
        self.responsible = self.world.person(12, "陈整改")
        self.inspector = Principal("insp", "inspector", COUNTY, unit_id=self.world.department,
                                   person_id=self.inspector_person)
        self.enterprise_user = Principal("ent", "enterprise", COUNTY, unit_id=self.world.enterprise)

    def run(self, command, who: Principal | None = None):
        return self.system.service.execute(command, who or self.inspector)

    def report(self, grade: hz.HazardGrade = hz.HazardGrade.general, **fields) -> UUID:
        defaults = {"unit_id": self.world.enterprise, "grade": grade, "description": "燃气管道腐蚀",
                    "source": hz.HazardSource.self_reported,
                    "criterion": CRITERION if grade == hz.HazardGrade.major else None}
        return self.run(h.ReportHazard(**{**defaults, **fields})).id

    def plan(self, hazard: UUID, deadline: date, **overrides) -> None:
        plan = hz.FiveAssurances(responsible_person_id=self.responsible, deadline=deadline,
                                 **{**FULL_PLAN, **overrides})
        self.run(h.PlanRectification(hazard_id=hazard, mode=hz.RectificationMode.deadline, plan=plan))

    def hazard(self, hazard_id: UUID) -> hz.Hazard:
        return state_of(self.system, hazard_id, hz.Hazard)

    def today(self) -> date:
        return self.system.service.clock.now().date()


@pytest.fixture
def desk(system: System) -> Desk:
    return Desk(system)


def refused(desk: Desk, command, who: Principal | None = None, error: type = Rejected):
    head = desk.system.store.head()
    with pytest.raises(error) as caught:
        desk.run(command, who)
    assert desk.system.store.head() == head, "a refused command writes nothing"
    return caught.value


# --- reporting -------------------------------------------------------------------------------------------------


def test_a_reported_hazard_records_who_found_it_how(desk: Desk) -> None:
    hazard_id = desk.report(source=hz.HazardSource.grid_patrol, location="厨房燃气表后")
    state = desk.hazard(hazard_id)
    assert (state.status, state.grade, state.source, state.sector) == (
        hz.HazardStatus.reported, hz.HazardGrade.general, hz.HazardSource.grid_patrol, "城镇燃气")
    event = desk.system.store.history(hazard_id)[0]
    assert isinstance(event, hz.HazardReported)
    assert event.found_by == desk.inspector_person
    assert event.envelope.actor.principal == "insp"
    assert event.envelope.jurisdiction == desk.hazard(hazard_id).jurisdiction


def test_a_major_hazard_cites_its_sectors_determination_standard(desk: Desk) -> None:
    missing = refused(desk, h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.major,
                                           description="x", source=hz.HazardSource.self_reported))
    assert missing.code == "criterion-required"
    assert GAS_STANDARD in missing.detail
    wrong = refused(desk, h.ReportHazard(
        unit_id=desk.world.enterprise, grade=hz.HazardGrade.major, description="x",
        source=hz.HazardSource.self_reported,
        criterion=hz.Criterion(standard="《工贸企业重大事故隐患判定标准》(应急管理部令第10号)", item="第三条")))
    assert (wrong.code, wrong.field) == ("wrong-criterion", "criterion.standard")
    hazard_id = desk.report(hz.HazardGrade.major)
    event = desk.system.store.history(hazard_id)[0]
    assert event.envelope.rules_version.startswith("cn-base@"), "the pack that judged the criterion is recorded"


def test_a_sector_without_a_national_standard_cites_the_general_definition(desk: Desk) -> None:
    from application import organisation as o
    from domain.units import DepartmentProfile

    department = desk.world.run(REGISTRAR, o.RegisterUnit(profile=DepartmentProfile(name="泉港区市场监督管理局"),
                                                          parent_id=desk.world.county))
    diner = desk.world.enterprise_in(desk.world.town_a, 9, sector="餐饮用气")
    desk.world.run(REGISTRAR, o.AssignSupervision(unit_id=diner, department_id=department))
    wrong = refused(desk, h.ReportHazard(unit_id=diner, grade=hz.HazardGrade.major, description="x",
                                         source=hz.HazardSource.self_reported, criterion=CRITERION),
                    who=Principal("admin", "admin", "350000"))
    assert "原安监总局令第16号" in wrong.detail


def test_who_may_report_where(desk: Desk, system: System) -> None:
    other_department = Principal("x", "inspector", COUNTY, unit_id=desk.world.county, person_id=desk.inspector_person)
    assert refused(desk, h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general,
                                        description="x", source=hz.HazardSource.grid_patrol),
                   who=other_department, error=Forbidden).code == "not-your-target"
    other_town = Principal("y", "enforcement", TOWN_B)
    assert refused(desk, h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general,
                                        description="x", source=hz.HazardSource.grid_patrol),
                   who=other_town, error=NotFound).code == "not-found"
    assert refused(desk, h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general,
                                        description="x", source=hz.HazardSource.inspection),
                   who=desk.enterprise_user).code == "enterprise-self-reports"
    assert refused(desk, h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general,
                                        description="x", source=hz.HazardSource.inspection)).code == (
        "inspection-required")
    assert refused(desk, h.ReportHazard(unit_id=desk.world.department, grade=hz.HazardGrade.general,
                                        description="x", source=hz.HazardSource.grid_patrol)).code == (
        "not-a-production-unit")
    assert refused(desk, h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general,
                                        description="x", source=hz.HazardSource.grid_patrol),
                   who=Principal("v", "viewer", COUNTY), error=Forbidden).code == "role-not-allowed"
    own = desk.run(h.ReportHazard(unit_id=desk.world.enterprise, grade=hz.HazardGrade.general, description="x",
                                  source=hz.HazardSource.self_reported), who=desk.enterprise_user)
    assert desk.hazard(own.id).source == hz.HazardSource.self_reported


# --- rectification ---------------------------------------------------------------------------------------------


def test_a_general_hazard_fixed_on_the_spot_is_struck_off_by_the_witness(desk: Desk) -> None:
    hazard_id = desk.report()
    desk.run(h.RectifyOnTheSpot(hazard_id=hazard_id, measures="当场更换过期软管"))
    events = desk.system.store.history(hazard_id)
    assert [type(e).__name__ for e in events] == ["HazardReported", "RectifiedOnTheSpot", "HazardClosedOut"]
    assert latest(desk.system, hazard_id, hz.HazardClosedOut).closed_by == desk.inspector_person
    assert desk.hazard(hazard_id).status == hz.HazardStatus.closed


def test_a_major_hazard_cannot_be_fixed_on_the_spot_and_nobody_signs_anonymously(desk: Desk) -> None:
    major = desk.report(hz.HazardGrade.major)
    assert refused(desk, h.RectifyOnTheSpot(hazard_id=major, measures="x")).code == "major-not-immediate"
    anonymous = Principal("insp", "inspector", COUNTY, unit_id=desk.world.department)
    general = desk.report()
    assert refused(desk, h.RectifyOnTheSpot(hazard_id=general, measures="x"), who=anonymous,
                   error=Forbidden).code == "person-required"


def test_a_rectification_needs_all_five_assurances(desk: Desk) -> None:
    hazard_id = desk.report()
    incomplete = hz.FiveAssurances(responsible_person_id=desk.responsible, measures="更换管段",
                                   deadline=desk.today() + timedelta(days=10))
    problem = refused(desk, h.PlanRectification(hazard_id=hazard_id, mode=hz.RectificationMode.deadline,
                                                plan=incomplete))
    assert problem.code == "five-assurances-incomplete"
    assert problem.detail.endswith("missing: 资金、预案")
    blank = refused(desk, h.PlanRectification(hazard_id=hazard_id, mode=hz.RectificationMode.deadline,
                                              plan=incomplete.model_copy(update={
                                                  "funds": FULL_PLAN["funds"], "contingency_plan": "  "})))
    assert blank.detail.endswith("missing: 预案")
    past = refused(desk, h.PlanRectification(hazard_id=hazard_id, mode=hz.RectificationMode.deadline,
                                             plan=hz.FiveAssurances(responsible_person_id=desk.responsible,
                                                                    deadline=desk.today() - timedelta(days=1),
                                                                    **FULL_PLAN)))
    assert past.code == "deadline-in-the-past"
    desk.plan(hazard_id, desk.today() + timedelta(days=10))
    state = desk.hazard(hazard_id)
    assert state.plan is not None
    assert (state.status, state.deadline, state.plan.funds.amount_yuan) == (
        hz.HazardStatus.rectifying, desk.today() + timedelta(days=10), 86_000)
    again = refused(desk, h.PlanRectification(hazard_id=hazard_id, mode=hz.RectificationMode.deadline,
                                              plan=state.plan), error=Conflict)
    assert again.code == "already-in-rectification"


def test_suspension_is_for_major_hazards_and_says_what_stops(desk: Desk) -> None:
    plan = hz.FiveAssurances(responsible_person_id=desk.responsible, deadline=desk.today() + timedelta(days=30),
                             **FULL_PLAN)
    general = desk.report()
    assert refused(desk, h.PlanRectification(hazard_id=general, mode=hz.RectificationMode.suspension, plan=plan,
                                             suspension=hz.Suspension(scope="全部", reason="x"))).code == (
        "suspension-for-major")
    major = desk.report(hz.HazardGrade.major)
    assert refused(desk, h.PlanRectification(hazard_id=major, mode=hz.RectificationMode.suspension,
                                             plan=plan)).code == "suspension-required"
    desk.run(h.PlanRectification(hazard_id=major, mode=hz.RectificationMode.suspension, plan=plan,
                                 suspension=hz.Suspension(scope="储罐区停止充装", reason="无法保证整改期间安全")))
    assert desk.hazard(major).suspension.scope == "储罐区停止充装"
    assert type(desk.system.store.history(major)[-1]) is hz.ProductionSuspended
    assert refused(desk, h.RegradeHazard(hazard_id=major, grade=hz.HazardGrade.general, reason="x")).code == (
        "suspended-hazard")


def test_an_extension_is_decided_before_the_deadline_and_names_who_granted_it(desk: Desk, clock) -> None:
    hazard_id = desk.report()
    deadline = desk.today() + timedelta(days=5)
    desk.plan(hazard_id, deadline)
    assert refused(desk, h.ExtendDeadline(hazard_id=hazard_id, deadline=deadline, reason="x")).code == "not-later"
    desk.run(h.ExtendDeadline(hazard_id=hazard_id, deadline=deadline + timedelta(days=10), reason="备件到货延迟"))
    event = latest(desk.system, hazard_id, hz.DeadlineExtended)
    assert (event.previous, event.deadline, event.granted_by) == (
        deadline, deadline + timedelta(days=10), desk.inspector_person)
    clock.set(end_of_day(deadline + timedelta(days=10)) + timedelta(minutes=1))
    assert refused(desk, h.ExtendDeadline(hazard_id=hazard_id, deadline=deadline + timedelta(days=30),
                                          reason="x")).code == "deadline-passed"


def test_acceptance_follows_submission_and_a_failed_one_sends_it_back(desk: Desk) -> None:
    hazard_id = desk.report()
    desk.plan(hazard_id, desk.today() + timedelta(days=5))
    early = refused(desk, h.InspectAcceptance(hazard_id=hazard_id, passed=True, findings="x"), error=Conflict)
    assert early.code == "not-submitted"
    assert refused(desk, h.CloseOutHazard(hazard_id=hazard_id), error=Conflict).code == "not-accepted"
    desk.run(h.SubmitRectification(hazard_id=hazard_id, report="已更换", evidence=("照片1",)),
             who=desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=hazard_id, passed=False, findings="报警器未联动"))
    assert desk.hazard(hazard_id).status == hz.HazardStatus.rectifying
    desk.run(h.SubmitRectification(hazard_id=hazard_id, report="已联动调试"), who=desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=hazard_id, passed=True, findings="现场验收合格"))
    accepted = latest(desk.system, hazard_id, hz.RectificationAccepted)
    assert accepted.verifier_id == desk.inspector_person
    desk.run(h.CloseOutHazard(hazard_id=hazard_id))
    assert desk.hazard(hazard_id).status == hz.HazardStatus.closed
    assert refused(desk, h.SubmitRectification(hazard_id=hazard_id, report="x"), error=Conflict).code == (
        "not-in-rectification")


def test_an_enterprise_accepts_only_its_general_hazards(desk: Desk) -> None:
    signing_user = Principal("ent", "enterprise", COUNTY, unit_id=desk.world.enterprise, person_id=desk.responsible)
    major = desk.report(hz.HazardGrade.major)
    desk.plan(major, desk.today() + timedelta(days=5))
    desk.run(h.SubmitRectification(hazard_id=major, report="已整改"), who=signing_user)
    assert refused(desk, h.InspectAcceptance(hazard_id=major, passed=True, findings="x"), who=signing_user,
                   error=Forbidden).code == "role-not-allowed"
    general = desk.report()
    desk.plan(general, desk.today() + timedelta(days=5))
    desk.run(h.SubmitRectification(hazard_id=general, report="已整改"), who=signing_user)
    desk.run(h.InspectAcceptance(hazard_id=general, passed=True, findings="自行验收合格"), who=signing_user)
    assert desk.hazard(general).status == hz.HazardStatus.accepted


def test_a_follow_up_review_may_reopen_a_struck_off_hazard(desk: Desk) -> None:
    hazard_id = desk.report()
    assert refused(desk, h.ReviewHazard(hazard_id=hazard_id, findings="x", reopen=True), error=Conflict).code == (
        "not-closed")
    desk.run(h.RectifyOnTheSpot(hazard_id=hazard_id, measures="当场整改"))
    desk.run(h.ReviewHazard(hazard_id=hazard_id, findings="回头看: 问题反弹", reopen=True))
    state = desk.hazard(hazard_id)
    assert (state.status, state.reopened, state.deadline) == (hz.HazardStatus.reported, 1, None)
    desk.plan(hazard_id, desk.today() + timedelta(days=3))
    assert desk.hazard(hazard_id).status == hz.HazardStatus.rectifying


# --- listed supervision ---------------------------------------------------------------------------------------


def test_a_major_hazard_is_listed_by_a_named_authority_and_supervisor(desk: Desk) -> None:
    general = desk.report()
    listing = h.ListHazard(hazard_id=general, authority_id=desk.world.department,
                           supervisor_id=desk.inspector_person, reported_to_id=desk.world.county)
    assert refused(desk, listing).code == "listing-for-major"
    major = desk.report(hz.HazardGrade.major)
    desk.run(listing.model_copy(update={"hazard_id": major}))
    state = desk.hazard(major)
    assert (state.listing.authority_id, state.listing.level, state.listing.supervisor_id,
            state.listing.reported_to_id) == (desk.world.department, "county", desk.inspector_person,
                                              desk.world.county)
    assert refused(desk, listing.model_copy(update={"hazard_id": major}), error=Conflict).code == "already-listed"
    enterprise_as_authority = h.ListHazard(hazard_id=major, authority_id=desk.world.enterprise,
                                           supervisor_id=desk.inspector_person)
    assert refused(desk, enterprise_as_authority, error=Conflict).code == "already-listed"


# --- the worker -----------------------------------------------------------------------------------------------


def overdue_major(desk: Desk) -> tuple[UUID, date]:
    major = desk.report(hz.HazardGrade.major)
    desk.run(h.ListHazard(hazard_id=major, authority_id=desk.world.department, supervisor_id=desk.inspector_person))
    deadline = desk.today() + timedelta(days=7)
    desk.plan(major, deadline)
    return major, deadline


def test_a_deadline_passing_makes_the_hazard_overdue_and_escalates_it_once(desk: Desk, system: System,
                                                                          clock) -> None:
    major, deadline = overdue_major(desk)
    general = desk.report()
    desk.plan(general, deadline)
    system.runner.catch_up()
    clock.set(end_of_day(deadline) - timedelta(seconds=1))
    assert system.worker.tick() == 0, "nothing is due before the deadline day has ended"
    clock.set(end_of_day(deadline) + timedelta(hours=2))
    assert system.worker.tick() == 3, "two hazards overdue, one major escalated"
    system.runner.catch_up()
    assert system.worker.tick() == 1, "the escalated listing names no supervisor: flagged (seed 004 §三(二)3(1))"
    system.runner.catch_up()
    assert system.worker.tick() == 0, "once"
    flag = latest(system, ov.flag_id(ov.FlagKind.listing_unsupervised, major, desk.hazard(major).listing.since
                                     .isoformat()), ov.ListingUnsupervised)
    assert (flag.hazard_id, flag.authority_id, flag.envelope.actor.role) == (major, desk.world.city, "system")
    assert "明确跟踪督办的具体责任人" in (flag.envelope.basis or "")
    history = system.store.history(major)
    overdue = [e for e in history if isinstance(e, hz.HazardBecameOverdue)]
    escalated = [e for e in history if isinstance(e, hz.ListedSupervisionEscalated)]
    assert len(overdue) == len(escalated) == 1
    assert overdue[0].effective_at == end_of_day(deadline), "it became overdue when the deadline day ended"
    assert overdue[0].envelope.actor.role == "system"
    assert overdue[0].envelope.rules_version.startswith("cn-base@")
    assert (escalated[0].listing.authority_id, escalated[0].listing.level) == (desk.world.city, "city")
    assert escalated[0].previous.authority_id == desk.world.department
    assert escalated[0].envelope.causation_id == overdue[0].id
    assert escalated[0].envelope.basis.startswith("local practice"), "no seed says 'one level up' (001 ¶5: 分级督办)"
    assert not escalated[0].envelope.rules_version.startswith("cn-base@2024.2+"), "a pack version after the fix"
    assert desk.hazard(general).status == hz.HazardStatus.overdue
    assert desk.hazard(general).listing is None, "a general hazard is not escalated"


def test_two_workers_at_once_write_each_policy_event_once(desk: Desk, system: System, settings, clock) -> None:
    import threading

    from api.bootstrap import bootstrap
    from application.clock import RandomIds

    major, deadline = overdue_major(desk)
    system.runner.catch_up()
    clock.set(end_of_day(deadline) + timedelta(hours=1))
    other = bootstrap(settings, clock=clock, ids=RandomIds())
    try:
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def work(worker) -> None:
            try:
                barrier.wait()
                worker.tick()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(w,)) for w in (system.worker, other.worker)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        system.runner.catch_up()
        system.worker.tick()
        other.worker.tick()
    finally:
        other.close()
    kinds = [type(e).__name__ for e in system.store.history(major)]
    assert kinds.count("HazardBecameOverdue") == 1
    assert kinds.count("ListedSupervisionEscalated") == 1


def test_a_submitted_rectification_is_not_overdue_and_a_rejected_late_one_is(desk: Desk, system: System,
                                                                          clock) -> None:
    hazard_id = desk.report()
    deadline = desk.today() + timedelta(days=2)
    desk.plan(hazard_id, deadline)
    desk.run(h.SubmitRectification(hazard_id=hazard_id, report="已整改"), who=desk.enterprise_user)
    system.runner.catch_up()
    clock.set(end_of_day(deadline) + timedelta(days=1))
    assert system.worker.tick() == 0, "submitted before its deadline: not overdue while it waits for acceptance"
    desk.run(h.InspectAcceptance(hazard_id=hazard_id, passed=False, findings="未整改到位"))
    system.runner.catch_up()
    assert system.worker.tick() == 1
    assert desk.hazard(hazard_id).status == hz.HazardStatus.overdue


def test_policy_commands_are_the_systems_alone(desk: Desk) -> None:
    hazard_id = desk.report()
    assert refused(desk, h.MarkHazardOverdue(hazard_id=hazard_id, deadline=desk.today()),
                   who=Principal("a", "admin", "350000"), error=Forbidden).code == "role-not-allowed"


def test_a_hazard_found_by_an_inspection_names_that_inspection_of_that_unit(system: System) -> None:
    from tests.inspection_scene import Scene

    scene = Scene(system)
    inspection = scene.completed()
    inspector = scene.inspector(0)
    report = h.ReportHazard(unit_id=scene.enterprise, grade=hz.HazardGrade.general, description="报警装置失效",
                            source=hz.HazardSource.inspection, inspection_id=inspection, finding_no=1)
    hazard_id = system.service.execute(report, inspector).id
    state = system.store.get(hazard_id)
    assert (state.inspection_id, state.finding_no, state.source) == (inspection, 1, hz.HazardSource.inspection)

    def refused_code(command, error=Rejected) -> str:
        head = system.store.head()
        with pytest.raises(error) as caught:
            system.service.execute(command, Principal("admin", "admin", "350000", person_id=scene.inspectors[0]))
        assert system.store.head() == head
        return caught.value.code

    assert refused_code(report.model_copy(update={"finding_no": 9})) == "finding-not-found"
    assert refused_code(report.model_copy(update={"source": hz.HazardSource.grid_patrol})) == "source-mismatch"
    assert refused_code(report.model_copy(update={"unit_id": scene.other_enterprise})) == (
        "inspection-of-another-unit")
    assert refused_code(report.model_copy(update={"inspection_id": scene.enterprise}), NotFound) == "not-found"
    assert refused_code(report.model_copy(update={"inspection_id": None, "source": hz.HazardSource.self_reported})
                        ) == "finding-without-inspection"


def test_an_extension_is_granted_up_to_the_last_instant_of_the_deadline_day(desk: Desk, clock) -> None:
    """Boundary of 限期整改: the deadline day ends at midnight Beijing time; from then on it is too late."""
    hazard_id = desk.report()
    deadline = desk.today() + timedelta(days=3)
    desk.plan(hazard_id, deadline)
    clock.set(end_of_day(deadline) - timedelta(microseconds=1))
    desk.run(h.ExtendDeadline(hazard_id=hazard_id, deadline=deadline + timedelta(days=1), reason="备件延迟"))
    clock.set(end_of_day(deadline + timedelta(days=1)))
    assert refused(desk, h.ExtendDeadline(hazard_id=hazard_id, deadline=deadline + timedelta(days=9),
                                          reason="x")).code == "deadline-passed"
