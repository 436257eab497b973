"""Orders on the spot (现场处理措施): the authority orders, re-inspects and strikes off what it found, and suspended
work resumes only by its review — on SQLite and PostgreSQL.

Sources (docs/rules.md R8): 安全生产法 第65条第一款第(二)项 "对检查中发现的安全生产违法行为，当场予以纠正或者要求限期
改正"; 第(三)项 "对检查中发现的事故隐患，应当责令立即排除；重大事故隐患排除前或者排除过程中无法保证安全的，应当责令从
危险区域内撤出作业人员，责令暂时停产停业或者停止使用相关设施、设备；重大事故隐患排除后，经审查同意，方可恢复生产经营
和使用".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import select

from api.bootstrap import System
from application import hazards as h
from application import organisation as o
from application.authorization import Forbidden
from domain import document_numbers as dn
from domain import hazards as hz
from domain.calendar import CST
from domain.errors import Conflict
from domain.rules import pack_for
from domain.rules.orders import reinspection_due
from domain.units import RiskColour
from infrastructure.persistence import OrjsonTranscoder, PydanticMapper
from tests.builders import latest
from tests.conftest import REGISTRAR
from tests.test_hazards import FULL_PLAN, Desk, refused

SUSPENSION = hz.Suspension(scope="储罐区停止充装", reason="整改期间无法保证安全")


@pytest.fixture
def desk(system: System) -> Desk:
    return Desk(system)


def found_by_patrol(desk: Desk, grade: hz.HazardGrade = hz.HazardGrade.general) -> UUID:
    return desk.report(grade, source=hz.HazardSource.grid_patrol)


def order(desk: Desk, hazard: UUID, days: int = 10, **fields) -> date:
    deadline = desk.today() + timedelta(days=days)
    desk.run(h.OrderRectification(**{"hazard_id": hazard, "mode": hz.RectificationMode.deadline,
                                     "deadline": deadline, "requirements": "更换腐蚀管段", **fields}))
    return deadline


def plan(desk: Desk, hazard: UUID, deadline: date, mode=hz.RectificationMode.deadline) -> h.PlanRectification:
    return h.PlanRectification(hazard_id=hazard, mode=mode, plan=hz.FiveAssurances(
        responsible_person_id=desk.responsible, deadline=deadline, **FULL_PLAN))


def test_an_enterprise_never_sets_the_deadline_of_a_hazard_an_authority_found(desk: Desk) -> None:
    """第65条第一款: the order and its deadline are the authority's; the enterprise's refusals write nothing."""
    hazard = found_by_patrol(desk)
    assert refused(desk, plan(desk, hazard, desk.today() + timedelta(days=30)),
                   desk.enterprise_user).code == "ordered-by-authority"
    assert refused(desk, plan(desk, hazard, desk.today() + timedelta(days=30))).code == "ordered-by-authority", (
        "an official orders it too, rather than writing a plan")
    assert refused(desk, h.OrderRectification(hazard_id=hazard, mode=hz.RectificationMode.deadline,
                                              deadline=desk.today() + timedelta(days=5), requirements="x"),
                   desk.enterprise_user, error=Forbidden).code == "role-not-allowed"
    deadline = order(desk, hazard)
    state = desk.hazard(hazard)
    assert (state.status, state.deadline, state.order.deadline, state.order.issued_by, state.order.authority_id) == (
        hz.HazardStatus.rectifying, deadline, deadline, desk.inspector_person, desk.world.department)
    assert latest(desk.system, hazard, hz.RectificationOrdered).envelope.basis == hz.ORDER_BASIS[
        hz.RectificationMode.deadline]
    # the enterprise adds its five assurances within the order's deadline (n+1 refused, n accepted)
    assert refused(desk, plan(desk, hazard, deadline + timedelta(days=1)),
                   desk.enterprise_user).code == "beyond-the-orders-deadline"
    desk.run(plan(desk, hazard, deadline - timedelta(days=2)), desk.enterprise_user)
    state = desk.hazard(hazard)
    assert (state.deadline, state.plan.deadline, state.status) == (
        deadline, deadline - timedelta(days=2), hz.HazardStatus.rectifying), "the deadline stays the authority's"
    assert refused(desk, plan(desk, hazard, deadline), desk.enterprise_user, error=Conflict).code == "already-planned"


def test_acceptance_is_the_authoritys_re_inspection_and_only_it_strikes_off(desk: Desk) -> None:
    hazard = found_by_patrol(desk)
    order(desk, hazard)
    desk.run(h.SubmitRectification(hazard_id=hazard, report="已更换"), desk.enterprise_user)
    with_person = desk.enterprise_user.__class__("ent", "enterprise", desk.enterprise_user.jurisdiction,
                                                 unit_id=desk.world.enterprise, person_id=desk.responsible)
    assert refused(desk, h.InspectAcceptance(hazard_id=hazard, passed=True, findings="自验合格"),
                   with_person).code == "reinspection-by-authority"
    desk.run(h.InspectAcceptance(hazard_id=hazard, passed=False, findings="复查: 仍有腐蚀"))
    assert desk.hazard(hazard).status == hz.HazardStatus.rectifying
    desk.run(h.SubmitRectification(hazard_id=hazard, report="已全部更换"), desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=hazard, passed=True, findings="复查: 整改到位"))
    reinspected = latest(desk.system, hazard, hz.RectificationReinspected)
    assert (reinspected.passed, reinspected.verifier_id, reinspected.authority_id) == (
        True, desk.inspector_person, desk.world.department)
    assert refused(desk, h.CloseOutHazard(hazard_id=hazard), desk.enterprise_user).code == "close-out-by-authority"
    desk.run(h.CloseOutHazard(hazard_id=hazard))
    assert desk.hazard(hazard).status == hz.HazardStatus.closed


def test_what_the_enterprise_found_itself_it_still_plans_and_accepts(desk: Desk) -> None:
    hazard = desk.report()  # self_reported
    deadline = desk.today() + timedelta(days=7)
    desk.run(plan(desk, hazard, deadline), desk.enterprise_user)
    desk.run(h.SubmitRectification(hazard_id=hazard, report="已整改"), desk.enterprise_user)
    signer = desk.enterprise_user.__class__("ent", "enterprise", desk.enterprise_user.jurisdiction,
                                            unit_id=desk.world.enterprise, person_id=desk.responsible)
    desk.run(h.InspectAcceptance(hazard_id=hazard, passed=True, findings="自验合格"), signer)
    desk.run(h.CloseOutHazard(hazard_id=hazard), signer)
    assert desk.hazard(hazard).status == hz.HazardStatus.closed
    assert type(desk.system.store.history(hazard)[-2]) is hz.RectificationAccepted


def test_suspended_work_resumes_only_by_the_authoritys_review(desk: Desk) -> None:
    """第65条第一款第(三)项: 重大事故隐患排除后，经审查同意，方可恢复生产经营和使用 — its own event, before
    the close-out."""
    general = found_by_patrol(desk)
    assert refused(desk, h.OrderRectification(
        hazard_id=general, mode=hz.RectificationMode.suspension, deadline=desk.today() + timedelta(days=9),
        requirements="停产整改", suspension=SUSPENSION)).code == "suspension-for-major"
    hazard = found_by_patrol(desk, hz.HazardGrade.major)
    order(desk, hazard, mode=hz.RectificationMode.suspension, suspension=SUSPENSION)
    assert desk.hazard(hazard).suspension == SUSPENSION
    assert refused(desk, h.ResumeProduction(hazard_id=hazard, findings="x"), error=Conflict).code == "not-eliminated"
    desk.run(h.SubmitRectification(hazard_id=hazard, report="已整改"), desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=hazard, passed=True, findings="复查: 整改到位"))
    assert refused(desk, h.CloseOutHazard(hazard_id=hazard), error=Conflict).code == "still-suspended"
    assert refused(desk, h.ResumeProduction(hazard_id=hazard, findings="自行恢复"), desk.enterprise_user,
                   error=Forbidden).code == "role-not-allowed"
    desk.run(h.ResumeProduction(hazard_id=hazard, findings="经审查同意恢复生产"))
    resumed = latest(desk.system, hazard, hz.ProductionResumed)
    assert (resumed.reviewer_id, resumed.envelope.basis) == (desk.inspector_person, hz.RESUMPTION_BASIS)
    assert desk.hazard(hazard).suspension is None
    assert refused(desk, h.ResumeProduction(hazard_id=hazard, findings="x"), error=Conflict).code == "not-suspended"
    desk.run(h.CloseOutHazard(hazard_id=hazard))
    closed = latest(desk.system, hazard, hz.HazardClosedOut)
    assert closed.suspension_lifted is False


def test_a_close_out_stored_before_the_rule_still_loads_and_still_ended_the_suspension(desk: Desk) -> None:
    """HazardClosedOut v1 (no ``suspension_lifted``): upcast to v2 with the suspension ended, as it was then."""
    hazard = desk.report(hz.HazardGrade.major)
    desk.run(plan(desk, hazard, desk.today() + timedelta(days=5), hz.RectificationMode.suspension)
             .model_copy(update={"suspension": SUSPENSION}))
    desk.run(h.SubmitRectification(hazard_id=hazard, report="已整改"), desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=hazard, passed=True, findings="验收合格"))
    desk.run(h.ResumeProduction(hazard_id=hazard, findings="同意恢复"))
    desk.run(h.CloseOutHazard(hazard_id=hazard))
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    stored = mapper.to_stored_event(latest(desk.system, hazard, hz.HazardClosedOut))
    old_state = orjson.loads(stored.state)
    assert old_state.pop("class_version") == 2
    del old_state["suspension_lifted"]
    old = mapper.to_domain_event(StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                                             orjson.dumps(old_state)))
    assert isinstance(old, hz.HazardClosedOut)
    assert old.suspension_lifted is True
    suspended = desk.hazard(hazard).model_copy(update={"suspension": SUSPENSION, "status": hz.HazardStatus.accepted})
    assert old.apply(suspended).suspension is None, "a v1 close-out ended the suspension with it"
    assert desk.hazard(hazard).suspension is None


def test_the_orders_read_model_by_enterprise_department_and_suspension(desk: Desk, clock) -> None:
    system = desk.system
    ordered = found_by_patrol(desk)
    deadline = order(desk, ordered)
    major = found_by_patrol(desk, hz.HazardGrade.major)
    order(desk, major, mode=hz.RectificationMode.suspension, suspension=SUSPENSION)
    stopped_at = clock.now()
    desk.run(h.SubmitRectification(hazard_id=major, report="已整改"), desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=major, passed=True, findings="复查合格"))
    clock.advance(timedelta(days=1))
    desk.run(h.ResumeProduction(hazard_id=major, findings="同意恢复"))
    resumed_at = clock.now()
    system.runner.catch_up()
    q = system.queries.orders
    rows = sorted(q.orders("350000", unit_id=desk.world.enterprise), key=lambda r: r["mode"])
    assert [(r["hazard_id"], r["mode"], r["status"]) for r in rows] == [
        (str(ordered), "deadline", "rectifying"), (str(major), "suspension", "accepted")]
    assert rows[0]["deadline_on"] == deadline
    assert rows[0]["reinspection_due_on"] == reinspection_due(pack_for(rows[0]["jurisdiction"]), deadline)
    assert rows[1]["complied_at"] is not None
    assert rows[1]["reinspection_due_on"] is None, "re-inspected: nothing awaited"
    assert q.order("350000", UUID(rows[0]["order_id"]))["document_no"] == rows[0]["document_no"]
    assert q.order("350000", UUID(rows[0]["order_id"]), role="enterprise",
                   unit_of_role=desk.world.enterprise_in(desk.world.town_a, 3)) is None
    assert [r["hazard_id"] for r in q.orders("350000", open_only=True)] == [str(ordered)]
    assert len(q.orders("350000", authority_id=desk.world.department)) == 2
    assert q.orders("350000", role="enterprise", unit_of_role=desk.world.enterprise_in(desk.world.town_a, 2)) == []
    in_force = q.suspensions("350000", as_of=resumed_at - timedelta(hours=1), in_force=True)
    assert [(r["hazard_id"], r["resumed_at"]) for r in in_force] == [(str(major), None)]
    assert q.suspensions("350000", as_of=resumed_at, in_force=True) == []
    [done] = q.suspensions("350000")
    assert (done["lifted_by"], done["suspended_at"] <= stopped_at) == ("review", True)


def test_a_rebuild_in_small_batches_gives_the_orders_and_statistics_the_followers_gave(desk: Desk, clock) -> None:
    """A rebuild reads at once what a batch's hazards need (their current orders; their statistics rows and their
    units' colours: ``Projection.prepare``): in batches of three events, with hazards and gradings spanning them,
    its rows are those the followers wrote event by event."""
    system = desk.system
    enterprise = desk.world.enterprise
    system.service.execute(o.GradeRiskColour(unit_id=enterprise, colour=RiskColour.red, reason="复核"), REGISTRAR)
    ordered = found_by_patrol(desk)
    order(desk, ordered)
    major = found_by_patrol(desk, hz.HazardGrade.major)
    order(desk, major, mode=hz.RectificationMode.suspension, suspension=SUSPENSION)
    system.service.execute(o.GradeRiskColour(unit_id=enterprise, colour=RiskColour.yellow, reason="复核"), REGISTRAR)
    desk.run(h.SubmitRectification(hazard_id=major, report="已整改"), desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=major, passed=True, findings="复查合格"))
    clock.advance(timedelta(days=1))
    desk.run(h.ResumeProduction(hazard_id=major, findings="同意恢复"))
    desk.run(h.CloseOutHazard(hazard_id=major))  # counted ("fixed") batches after the hazard was found
    system.runner.catch_up()
    tables = [t for name in ("orders", "hazard_statistics") for t in system.runner.projections[name].live_tables]

    def rows() -> dict[str, list[str]]:
        with system.db.read() as conn:
            return {t.name: sorted(map(repr, conn.execute(select(t)).all())) for t in tables}

    live = rows()
    assert live["orders"]
    assert live["stat_unit_colours"]
    assert any("'fixed'" in fact for fact in live["stat_hazard_facts"])
    system.runner.rebuild_batch_size = 3
    system.runner.rebuild("orders")
    system.runner.rebuild("hazard_statistics")
    assert rows() == live


# 复查 due (docs/cases.md; local practice ``orders.reinspection.working_days`` = 3 — no text at hand states a figure):
# the working days after the deadline, or after a submission that came first. 2025-10-01…08 are holidays
# (国办发明电〔2024〕12号), 2025-10-11 (a Saturday) a make-up working day.
@pytest.mark.parametrize(("deadline", "submitted", "due"), [
    (date(2025, 6, 9), None, date(2025, 6, 12)),  # Monday → Thursday: three working days after
    (date(2025, 6, 12), None, date(2025, 6, 17)),  # Thursday → across the weekend
    (date(2025, 6, 12), date(2025, 6, 10), date(2025, 6, 13)),  # submitted two days before the deadline
    (date(2025, 6, 12), date(2025, 6, 12), date(2025, 6, 17)),  # submitted on the deadline: as the deadline
    (date(2025, 6, 12), date(2025, 6, 20), date(2025, 6, 17)),  # submitted late: the deadline bounds it
    (date(2025, 9, 30), None, date(2025, 10, 11)),  # across the national holiday to the make-up Saturday
])
def test_the_reinspection_falls_due_working_days_after_the_deadline(deadline: date, submitted: date | None,
                                                                    due: date) -> None:
    pack = pack_for("350000/350500/350505")
    assert pack["orders.reinspection.working_days"] == 3
    assert "local practice" in pack["orders.reinspection.basis"]
    assert reinspection_due(pack, deadline, submitted) == due


def test_orders_are_numbered_per_department_series_and_year_from_the_event_store(desk: Desk, clock) -> None:
    """文书编号: 1, 2, … per department, series and year, decided in the command path from the register's events
    (not from a read model, which lags); a refused order takes no number; a new year starts again at 1."""
    first, second = found_by_patrol(desk), found_by_patrol(desk)
    order(desk, first)
    assert refused(desk, h.OrderRectification(hazard_id=first, mode=hz.RectificationMode.deadline,
                                              deadline=desk.today() + timedelta(days=5), requirements="x"),
                   error=Conflict).code == "already-in-rectification"
    order(desk, second)
    major = found_by_patrol(desk, hz.HazardGrade.major)
    order(desk, major, mode=hz.RectificationMode.suspension, suspension=SUSPENSION)
    year = desk.today().year
    numbers = [desk.hazard(x).order.document_no for x in (first, second, major)]
    assert numbers == [f"泉港区城市管理局责改〔{year}〕1号", f"泉港区城市管理局责改〔{year}〕2号",
                       f"泉港区城市管理局现决〔{year}〕1号"], "the refusal took no number; each series counts alone"
    register = desk.system.store.get(dn.register_id(desk.world.department, "rectification_order", year))
    assert isinstance(register, dn.DocumentRegister)
    assert (register.last, register.version) == (2, 2)
    numbered = latest(desk.system, register.id, dn.DocumentNumbered)
    assert (numbered.document_of, numbered.number, numbered.envelope.basis) == (
        second, 2, pack_for(register.jurisdiction)["documents.basis"])
    clock.set(datetime(year + 1, 1, 2, 9, 0, tzinfo=CST))
    next_year = found_by_patrol(desk)
    order(desk, next_year)
    assert desk.hazard(next_year).order.document_no == f"泉港区城市管理局责改〔{year + 1}〕1号"
    desk.system.runner.catch_up()
    rows = desk.system.queries.orders.orders("350000", authority_id=desk.world.department)
    assert len({r["document_no"] for r in rows}) == len(rows) == 4, "never given twice"
