"""Acts of accountability: slips and their report-back, letters and circulars, summons and their commitments, and
accountability of a person as holder of a post at a time (docs/rules.md R9).

Sources: seed 000 ¶6 (建立安全生产重大风险和突出问题交办单制度); seed 002 §(一)3 (警示通报、约谈提醒); seed 004 §五(三)
(约谈、问责); 《地方党政领导干部安全生产责任制规定》(通报、诫勉、停职检查、调整职务、责令辞职、降职、免职、处分;
第二十三条 尽职免责).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from application import accountability as a
from application import responsibility as rs
from application.authorization import Forbidden, Principal
from domain import accountability as ac
from domain.base import SYSTEM, CommandContext
from domain.calendar import CST
from domain.errors import Conflict, DomainError, NotFound, Rejected
from domain.posts import PostKind, RemovalReason
from tests.builders import World, latest, state_of
from tests.conftest import COUNTY, REGISTRAR

ADMIN = Principal("acc", "admin", "350000")
T = datetime(2025, 1, 6, 9, 0, tzinfo=CST)


class Office:
    """The county (泉港区) issuing to 山腰街道, whose party secretary is 王书记 and deputy 陈副主任."""

    def __init__(self, system: System, clock):
        self.system, self.clock = system, clock
        self.world = world = World(system)
        self.secretary, self.deputy = world.person(50, "王书记"), world.person(51, "陈副主任")
        self.secretary_post = world.post(world.town_a, PostKind.party_secretary, "党工委书记")
        self.deputy_post = world.post(world.town_a, PostKind.deputy_leader, "副主任(分管安全生产)",
                                      portfolio=("安全生产",))
        for post, person in ((self.secretary_post, self.secretary), (self.deputy_post, self.deputy)):
            world.run(REGISTRAR, rs.AppointHolder(post_id=post, person_id=person, effective_at=T - timedelta(days=30)))

    def run(self, command, who: Principal = ADMIN) -> UUID:
        return self.system.service.execute(command, who).id

    def refused(self, command, error: type[DomainError] = Rejected, who: Principal = ADMIN) -> str:
        head = self.system.store.head()
        with pytest.raises(error) as caught:
            self.run(command, who)
        assert self.system.store.head() == head, "a refused command writes nothing"
        return caught.value.code

    def slip(self, days: int = 10) -> UUID:
        return self.run(a.IssueSlip(kind=ac.SlipKind.assignment, issuer_unit_id=self.world.county,
                                    target_unit_id=self.world.town_a, matter="燃气安全隐患突出问题, 限期整治并反馈",
                                    deadline=self.clock.now() + timedelta(days=days)))


@pytest.fixture
def office(system: System, clock) -> Office:
    return Office(system, clock)


def test_a_slip_answered_late_is_flagged_once_and_one_unanswered_too(office: Office, system: System, clock) -> None:
    late, missing, on_time = office.slip(), office.slip(), office.slip()
    office.run(a.AnswerSlip(slip_id=on_time, report="已整治完毕"))
    clock.set(clock.now() + timedelta(days=12))
    office.run(a.AnswerSlip(slip_id=late, report="已整治, 逾期反馈"))
    assert latest(system, late, ac.SlipAnswered).late
    system.runner.catch_up()
    assert system.worker.tick() == 2, "the late one and the missing one"
    system.runner.catch_up()
    assert system.worker.tick() == 0, "once"
    flagged = {slip: latest(system, slip, ac.SlipReplyLate) for slip in (late, missing)}
    assert (flagged[late].answered, flagged[missing].answered) == (True, False)
    assert flagged[missing].effective_at == state_of(system, missing, ac.Slip).deadline, "late from the deadline"
    assert "¶6" in (flagged[missing].envelope.basis or "")
    assert not state_of(system, on_time, ac.Slip).late_flagged
    board = system.queries.accountability.board("350000", 2025, now=clock.now())
    assert {(s["slip_id"], s["open"], s["late"]) for s in board["slips"]} == {
        (str(late), False, True), (str(missing), True, True), (str(on_time), False, False)}


def test_slip_refusals_write_nothing(office: Office) -> None:
    w = office.world
    past = a.IssueSlip(kind=ac.SlipKind.supervision, issuer_unit_id=w.county, target_unit_id=w.town_a,
                       matter="督办", deadline=office.clock.now() - timedelta(days=1))
    assert office.refused(past) == "deadline-passed"
    assert office.refused(past.model_copy(update={"issuer_unit_id": w.enterprise,
                                                  "deadline": office.clock.now() + timedelta(days=3)})) == (
        "not-an-issuer")
    assert office.refused(a.FlagLateSlip(slip_id=office.slip()), error=Forbidden) == "role-not-allowed"


def test_an_act_names_the_post_held_then_even_after_the_person_left_it(office: Office, system: System,
                                                                        clock) -> None:
    """The act names the post the person held at T, read from the post's events; after they left it (and took
    another post) the act still names that one."""
    w = office.world
    clock.set(T + timedelta(days=20))
    office.run(rs.RemoveHolder(post_id=office.deputy_post, person_id=office.deputy,
                               reason=RemovalReason.transferred), REGISTRAR)
    other_post = w.post(w.town_b, PostKind.deputy_leader, "南埔镇副镇长")
    office.run(rs.AppointHolder(post_id=other_post, person_id=office.deputy), REGISTRAR)
    slip = office.slip(days=1)
    clock.set(clock.now() + timedelta(days=2))
    system.runner.catch_up()
    system.worker.tick()
    finding = ac.FindingRef(kind=ac.FindingKind.slip_overdue, record_id=slip)
    act = a.ImposeAccountability(person_id=office.deputy, post_id=office.deputy_post, held_at=T,
                                 form=ac.AccountabilityForm.admonition, finding=finding, issuer_unit_id=w.county,
                                 document="泉港纪〔2025〕1号", barred_until=date(2026, 1, 1))
    office.run(act)
    imposed = latest(system, ac.record_id(office.deputy), ac.AccountabilityImposed).act
    assert (imposed.held.post_id, imposed.held.post_title, imposed.held.unit_id) == (
        office.deputy_post, "副主任(分管安全生产)", w.town_a)
    assert imposed.held.held_to is not None, "the holding ended after T"
    appointment = system.store.history(office.deputy_post)[1]
    assert imposed.held.appointment_id == appointment.id, "the ledger row: the appointment that began the holding"
    system.runner.catch_up()
    record = system.queries.accountability.person_record("350000", office.deputy)
    assert [(r["form"], r["post_title"], r["unit_name"]) for r in record] == [
        ("admonition", "副主任(分管安全生产)", "山腰街道")]
    assert office.refused(act.model_copy(update={"held_at": clock.now()})) == "not-holder-at-time"


def test_an_act_rests_on_a_finding_of_its_kind(office: Office) -> None:
    w = office.world
    unflagged = office.slip()
    act = a.ImposeAccountability(person_id=office.secretary, post_id=office.secretary_post, held_at=office.clock.now(),
                                 form=ac.AccountabilityForm.circular, issuer_unit_id=w.county,
                                 document="通报〔2025〕1号",
                                 finding=ac.FindingRef(kind=ac.FindingKind.slip_overdue, record_id=unflagged))
    assert office.refused(act) == "slip-not-overdue"
    wrong_kind = act.model_copy(update={"finding": ac.FindingRef(kind=ac.FindingKind.investigation,
                                                                 record_id=unflagged)})
    assert office.refused(wrong_kind, error=NotFound) == "not-found"


def test_a_bar_on_commendation_holds_for_the_period_the_decision_set(office: Office, system: System,
                                                                     clock) -> None:
    w = office.world
    slip = office.slip(days=1)
    clock.set(clock.now() + timedelta(days=2))
    system.runner.catch_up()
    system.worker.tick()
    office.run(a.ImposeAccountability(
        person_id=office.secretary, post_id=office.secretary_post, held_at=clock.now(),
        form=ac.AccountabilityForm.circular, issuer_unit_id=w.county, document="泉港委〔2025〕2号",
        finding=ac.FindingRef(kind=ac.FindingKind.slip_overdue, record_id=slip),
        barred_until=(clock.now() + timedelta(days=30)).date()))
    commend = a.Commend(person_id=office.secretary, issuer_unit_id=w.county, title="安全生产先进个人")
    assert office.refused(commend) == "barred-from-commendation"
    clock.set(clock.now() + timedelta(days=31))
    office.run(commend)
    assert [c.title for c in state_of(system, ac.record_id(office.secretary), ac.PersonalRecord).commendations] == [
        "安全生产先进个人"]


def test_a_summons_of_a_towns_leaders_records_who_as_holders_and_their_commitments(office: Office,
                                                                                   system: System) -> None:
    w = office.world
    summons = office.run(a.HoldSummons(
        issuer_unit_id=w.county, target_unit_id=w.town_a, record="约谈山腰街道党政主要负责人: 辖区企业屡查屡犯",
        summoned=[a.Summoned(person_id=office.secretary, post_id=office.secretary_post),
                  a.Summoned(person_id=office.deputy, post_id=office.deputy_post)],
        commitments=[a.Promise(text="一个月内完成辖区燃气企业全覆盖检查", due=date(2025, 2, 10))]))
    held = state_of(system, summons, ac.Summons)
    assert [(s.post_title, s.person_id) for s in held.summoned] == [("党工委书记", office.secretary),
                                                                     ("副主任(分管安全生产)", office.deputy)]
    office.run(a.FollowUpCommitment(summons_id=summons, no=1, kept=True, note="已完成全覆盖检查"))
    assert state_of(system, summons, ac.Summons).commitments[0].kept is True
    assert office.refused(a.FollowUpCommitment(summons_id=summons, no=1, kept=False, note="x"),
                          error=Conflict) == "already-followed-up"
    other = w.post(w.town_b, PostKind.government_head, "南埔镇镇长")
    office.run(rs.AppointHolder(post_id=other, person_id=w.person(52, "李镇长")), REGISTRAR)
    assert office.refused(a.HoldSummons(
        issuer_unit_id=w.county, target_unit_id=w.town_a, record="约谈",
        summoned=[a.Summoned(person_id=office.secretary, post_id=other)])) == "not-holder-at-time"


def test_letters_go_to_one_unit_and_circulars_may_name_several(office: Office, system: System) -> None:
    w = office.world
    circular = office.run(a.IssueNotice(kind=ac.NoticeKind.circular, issuer_unit_id=w.county,
                                        target_unit_ids=[w.town_a, w.town_b], matter="通报批评: 隐患整改不力"))
    assert state_of(system, circular, ac.Notice).target_unit_ids == (w.town_a, w.town_b)
    assert office.refused(a.IssueNotice(kind=ac.NoticeKind.warning_letter, issuer_unit_id=w.county,
                                        target_unit_ids=[w.town_a, w.town_b], matter="警示")) == "one-addressee"


@pytest.mark.parametrize(("kind", "allowed"), [(ac.FindingKind.investigation, True),
                                               (ac.FindingKind.slip_overdue, False),
                                               (ac.FindingKind.assessment_veto, False)])
def test_duties_performed_rests_only_on_an_investigation(kind: ac.FindingKind, allowed: bool) -> None:
    """第二十三条: 经查实已经全面履行了…职责 — only an investigation establishes it."""
    ctx = CommandContext(actor=SYSTEM, recorded_at=T, effective_at=T, correlation_id=UUID(int=9))
    held = ac.HeldPost(person_id=UUID(int=1), post_id=UUID(int=2), post_title="镇长", post_kind="government_head",
                       unit_id=UUID(int=3), appointment_id=UUID(int=4), held_from=T, held_to=None, at=T)
    finding = ac.FindingRef(kind=kind, record_id=UUID(int=5), finding_no=1)
    if allowed:
        assert ac.exonerate(ctx, None, "350000", held, finding).exoneration.finding == finding
    else:
        with pytest.raises(Rejected, match="investigation"):
            ac.exonerate(ctx, None, "350000", held, finding)


def test_the_record_and_the_board_over_http_are_scoped(client: TestClient, office: Office, system: System,
                                                      token) -> None:
    w = office.world
    headers = token("admin", COUNTY)
    created = client.post("/api/v1/slips", headers=headers, json={
        "kind": "supervision", "issuer_unit_id": str(w.county), "target_unit_id": str(w.town_b),
        "matter": "督办: 危化品仓库隐患", "deadline": (office.clock.now() + timedelta(days=5)).isoformat()})
    assert created.status_code == 201, created.text
    slip = created.json()["id"]
    answered = client.post(f"/api/v1/slips/{slip}/report-back", headers=token("registrar", COUNTY),
                           json={"report": "已整改"})
    assert answered.status_code == 200, answered.text
    summons = client.post("/api/v1/summons", headers=headers, json={
        "issuer_unit_id": str(w.county), "target_unit_id": str(w.town_a), "record": "约谈",
        "summoned": [{"person_id": str(office.secretary), "post_id": str(office.secretary_post)}]})
    assert summons.status_code == 201, summons.text
    position = summons.json()["position"]
    board = client.get(f"/api/v1/accountability/board?year=2025&min_position={position}",
                       headers=token("viewer", COUNTY)).json()
    assert (board["slips_open"], board["slips_late"], len(board["summons"])) == (0, 0, 1)
    assert board["summons"][0]["summoned"][0]["post_title"] == "党工委书记"
    town_b = client.get("/api/v1/accountability/board?year=2025", headers=token("viewer", f"{COUNTY}/350505101000"))
    assert [s["slip_id"] for s in town_b.json()["slips"]] == [slip]
    assert town_b.json()["summons"] == [], "山腰街道's summons is outside 南埔镇"
    refused = client.post(f"/api/v1/people/{office.secretary}/accountability", headers=token("viewer", COUNTY),
                          json={})
    assert refused.status_code in (403, 422)
    record = client.get(f"/api/v1/people/{office.secretary}/accountability-record", headers=token("viewer", COUNTY))
    assert record.status_code == 200
    assert record.json() == []
