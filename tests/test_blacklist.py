"""The blacklist (严重失信主体名单, 应急管理部令第11号; docs/rules.md R10): the grounds as pure functions (table-driven,
quoting the order), the policy that proposes once, the department's decision for the term, joint discipline, early
removal, the public list — on SQLite and PostgreSQL.

Quoted (应急管理部令第11号, 列入条件): "(一)发生特别重大、重大生产安全事故的生产经营单位及其主要负责人 …
(二)12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人"; 第四条第二款: "按照'谁处罚、谁决定、
谁负责'的原则，由作出行政处罚决定的应急管理部门负责严重失信主体名单管理工作". Term: 3 years (docs/rules.md R10);
early removal after 12 months: local practice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from api.bootstrap import System
from application import blacklist as b
from application import cases as c
from application import organisation as o
from application.authorization import Forbidden, Principal
from domain import blacklist as bl
from domain import cases as cs
from domain.errors import Conflict, Rejected
from domain.rules import pack_for
from domain.rules.accidents import AccidentGrade, Figures
from domain.rules.blacklist import (
    GROUND_TEXT,
    AccidentFact,
    Ground,
    accident_grounds,
    decision_grounds,
    early_removal_from,
    expires_on,
    months_later,
)
from domain.rules.penalties import fine_range
from domain.units import DepartmentProfile
from tests.builders import latest
from tests.conftest import COUNTY, REGISTRAR
from tests.test_accidents import Scene

PACK = pack_for("350000")
A, B, C, D = (UUID(int=n) for n in range(1, 5))


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00:00+08:00")


def fact(accident_id: UUID, day: str, grade: AccidentGrade) -> AccidentFact:
    return AccidentFact(accident_id=accident_id, occurred_at=at(day), grade=grade)


@pytest.mark.parametrize(("accidents", "expected"), [
    # (一) "发生特别重大、重大生产安全事故": each is a ground by itself; 较大 and 一般 are not
    ([fact(A, "2025-03-01", AccidentGrade.major)], [(Ground.major_accident, (A,))]),
    ([fact(A, "2025-03-01", AccidentGrade.extraordinary)], [(Ground.major_accident, (A,))]),
    ([fact(A, "2025-03-01", AccidentGrade.serious)], []),  # n-1: one 较大 accident is not "2起以上"
    ([fact(A, "2025-03-01", AccidentGrade.general), fact(B, "2025-04-01", AccidentGrade.general)], []),
    # (二) "12个月内累计发生2起以上较大生产安全事故": n = 2 within 12 months
    ([fact(A, "2025-03-01", AccidentGrade.serious), fact(B, "2026-02-28", AccidentGrade.serious)],
     [(Ground.serious_accidents, (A, B))]),  # the last day within 12 months
    ([fact(A, "2025-03-01", AccidentGrade.serious), fact(B, "2026-03-01", AccidentGrade.serious)], []),  # 12 months on
    ([fact(A, "2025-03-01", AccidentGrade.serious), fact(B, "2026-03-02", AccidentGrade.serious)], []),  # n+1 day
    # n+1 accidents: the third within the window counts towards no second ground until a fresh pair is there
    ([fact(A, "2025-03-01", AccidentGrade.serious), fact(B, "2025-05-01", AccidentGrade.serious),
      fact(C, "2025-07-01", AccidentGrade.serious)], [(Ground.serious_accidents, (A, B))]),
    ([fact(A, "2025-03-01", AccidentGrade.serious), fact(B, "2025-05-01", AccidentGrade.serious),
      fact(C, "2025-07-01", AccidentGrade.serious), fact(D, "2025-09-01", AccidentGrade.serious)],
     [(Ground.serious_accidents, (A, B)), (Ground.serious_accidents, (C, D))]),
])
def test_the_accident_grounds(accidents: list[AccidentFact], expected: list[tuple[Ground, tuple[UUID, ...]]]) -> None:
    assert [(m.ground, m.accident_ids) for m in accident_grounds(PACK, accidents)] == expected


def test_the_grounds_quote_the_order() -> None:
    assert GROUND_TEXT[Ground.serious_accidents] == (
        "12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人")
    assert GROUND_TEXT[Ground.major_accident].startswith("发生特别重大、重大生产安全事故的生产经营单位及其主要负责人")
    assert "谁处罚、谁决定、谁负责" in PACK["blacklist.basis"]


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 3, 1), 36, date(2028, 3, 1)),
    (date(2024, 2, 29), 36, date(2027, 2, 28)),  # no 29 February: the month's last day
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2025, 12, 15), 12, date(2026, 12, 15)),
])
def test_months_later(day: date, months: int, expected: date) -> None:
    assert months_later(day, months) == expected


def test_the_term_is_three_years_and_early_removal_waits_twelve_months() -> None:
    assert PACK["blacklist.term_years"] == 3
    assert expires_on(PACK, date(2025, 6, 1)) == date(2028, 6, 1)
    assert early_removal_from(PACK, date(2025, 6, 1)) == date(2026, 6, 1)
    assert PACK["blacklist.early_removal.basis"].startswith("local practice")


# --- the store --------------------------------------------------------------------------------------------------


SERIOUS = Figures(deaths=3)  # 较大: 3–9 deaths (493号令 第3条)


class Desk(Scene):
    def __init__(self, system: System):
        super().__init__(system)
        self.decider = Principal("insp", "inspector", COUNTY, unit_id=self.world.department,
                                 person_id=self.world.person(31, "王决定"))

    def accident_on(self, day: str, figures: Figures = SERIOUS) -> UUID:
        occurred = at(day)
        return self.record(occurred_at=occurred, unit_head_informed_at=occurred + timedelta(minutes=5),
                           known_at=occurred + timedelta(minutes=30), figures=figures)

    def proposals(self) -> list[UUID]:
        self.system.runner.catch_up()
        self.system.worker.tick()
        self.system.runner.catch_up()
        return [UUID(r["listing_id"]) for r in self.system.queries.blacklist.entries("350000")]


@pytest.fixture
def desk(system: System) -> Desk:
    return Desk(system)


def test_the_policy_proposes_a_ground_once_and_the_department_decides(desk: Desk, clock) -> None:
    first = desk.accident_on("2025-03-01")
    assert desk.proposals() == [], "one 较大 accident is no ground"
    second = desk.accident_on("2025-09-01")
    [listing] = desk.proposals()
    assert desk.proposals() == [listing], "the policy fires once"
    proposed = latest(desk.system, listing, bl.ListingProposed)
    assert (proposed.ground, set(proposed.accident_ids), proposed.envelope.actor.role) == (
        Ground.serious_accidents, {first, second}, "system")
    assert proposed.envelope.rules_version
    assert GROUND_TEXT[Ground.serious_accidents] in str(proposed.envelope.basis)
    again = b.ProposeListing(unit_id=desk.world.enterprise, ground=Ground.serious_accidents,
                             accident_ids=[first, second])
    assert desk.refused(again, Principal("admin", "admin", COUNTY), error=Conflict).code == "already-proposed"
    assert desk.refused(b.ProposeListing(unit_id=desk.world.enterprise, ground=Ground.major_accident,
                                         accident_ids=[first]), Principal("admin", "admin", COUNTY),
                        error=Rejected).code == "ground-not-met"
    assert desk.refused(b.DecideListing(listing_id=listing, listed=True, reason="x",
                                        decision_no="泉应急失信〔2025〕1号"),
                        Principal("ent", "enterprise", COUNTY, unit_id=desk.world.enterprise),
                        error=Forbidden).code == "role-not-allowed"
    assert desk.refused(b.DecideListing(listing_id=listing, listed=True, reason="两起较大事故"),
                        desk.decider, error=Rejected).code == "decision-no-required"
    desk.run(b.DecideListing(listing_id=listing, listed=True, reason="12个月内两起较大事故",
                             decision_no="泉应急失信〔2025〕1号"), desk.decider)
    decided = latest(desk.system, listing, bl.ListingDecided)
    listed_on, ends = decided.listed_on, decided.expires_on
    assert listed_on is not None
    assert ends is not None
    assert (decided.department_id, decided.expires_on) == (desk.world.department, expires_on(PACK, listed_on))
    assert desk.refused(b.DecideListing(listing_id=listing, listed=False, reason="x"), desk.decider,
                        error=Conflict).code == "already-decided"
    desk.system.runner.catch_up()
    q = desk.system.queries.blacklist
    [public] = q.public("350000", listed_on)
    assert set(public) == {"unit_id", "unit_name", "ground", "ground_text", "department_name", "decision_no",
                           "listed_on", "expires_on"}, "no person, no evidence on the public list"
    assert q.public("350000", listed_on - timedelta(days=1)) == []
    assert q.public("350000", ends - timedelta(days=1)) != []
    assert q.public("350000", ends) == [], "the term ends: 3 years"
    [expired] = q.entries("350000", day=ends)
    assert expired["state"] == "expired"


def test_joint_discipline_and_early_removal_after_twelve_months(desk: Desk, clock) -> None:
    accident = desk.accident_on("2025-03-01", Figures(deaths=10))  # 重大: 10–29 deaths
    [listing] = desk.proposals()
    desk.run(b.DecideListing(listing_id=listing, listed=True, reason="重大事故", decision_no="泉应急失信〔2025〕2号"),
             desk.decider)
    listed_on = latest(desk.system, listing, bl.ListingDecided).listed_on
    assert listed_on is not None
    desk.run(b.NotifyJointDiscipline(listing_id=listing, recipients=["区发改局", "人行泉港支行"],
                                     measures="限制新增项目审批、融资授信"), desk.decider)
    assert latest(desk.system, listing, bl.JointDisciplineNotified).notice.recipients == ("区发改局", "人行泉港支行")
    first = early_removal_from(PACK, listed_on)
    early = datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    clock.set(early + timedelta(hours=12))
    assert desk.refused(b.RemoveListingEarly(listing_id=listing, applied_on=first - timedelta(days=30),
                                             reason="已整改并公开承诺"), desk.decider).code == "too-early"
    clock.set(datetime.combine(first, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12))
    desk.run(b.RemoveListingEarly(listing_id=listing, applied_on=first - timedelta(days=30), reason="信用修复"),
             desk.decider)
    desk.system.runner.catch_up()
    q = desk.system.queries.blacklist
    assert q.public("350000", first + timedelta(days=1)) == []
    [row] = q.entries("350000", day=first - timedelta(days=2))
    assert (row["state"], row["accident_ids"]) == ("listed", [str(accident)])
    assert q.entries("350000", day=first + timedelta(days=1))[0]["state"] == "removed"
    assert desk.refused(b.NotifyJointDiscipline(listing_id=listing, recipients=["x"], measures="y"),
                        desk.decider).code == "not-in-force"


def test_other_grounds_name_their_evidence(desk: Desk) -> None:
    admin = Principal("admin", "admin", COUNTY)
    accident = desk.accident_on("2025-03-01", Figures(deaths=1))
    assert desk.refused(b.ProposeListing(unit_id=desk.world.enterprise, ground=Ground.concealed_accident),
                        admin).code == "evidence-required"
    assert desk.refused(b.ProposeListing(unit_id=desk.world.enterprise, ground=Ground.concealed_accident,
                                         evidence=[b.EvidenceRef(aggregate_id=uuid4())]), admin).code == "not-found"
    listing = desk.run(b.ProposeListing(unit_id=desk.world.enterprise, ground=Ground.concealed_accident,
                                        evidence=[b.EvidenceRef(aggregate_id=accident, note="调查认定瞒报")]), admin).id
    assert latest(desk.system, listing, bl.ListingProposed).evidence[0].kind == "Accident"


# --- grounds a penalty decision meets (应急管理部令第11号: "发生生产安全事故，情节特别严重、影响特别恶劣，依照《中华
# 人民共和国安全生产法》第一百一十四条的规定被处以罚款数额2倍以上5倍以下罚款的生产经营单位及其主要负责人") -----------

MULTIPLIED = "安全生产法 第114条第二款(一般事故)"


@pytest.mark.parametrize(("article", "fined", "grounds"), [
    (MULTIPLIED, True, (Ground.multiplied_fine,)),
    (MULTIPLIED, False, ()),  # 不予处罚: not 受到行政处罚 (第三条)
    ("安全生产法 第114条第二款(特别重大事故)", True, (Ground.multiplied_fine,)),
    ("安全生产法 第102条", True, ()),
])
def test_the_grounds_a_decision_meets(article: str, fined: bool, grounds: tuple[Ground, ...]) -> None:
    assert decision_grounds(PACK, article, fined) == grounds


@pytest.mark.parametrize(("grade", "low", "high"), [
    ("一般事故", 600_000, 5_000_000), ("较大事故", 2_000_000, 10_000_000), ("重大事故", 4_000_000, 50_000_000),
    ("特别重大事故", 20_000_000, 100_000_000)])
def test_article_114_paragraph_2_is_two_to_five_times_the_first(grade: str, low: int, high: int) -> None:
    """第114条第二款: "可以按照前款罚款数额的二倍以上五倍以下…处以罚款"; 前款: 一般 30万–100万, 较大 100万–200万,
    重大 200万–1000万, 特别重大 1000万–2000万."""
    bounds = fine_range(PACK, f"安全生产法 第114条第二款({grade})", "unit")
    assert bounds is not None
    assert (bounds.minimum_yuan, bounds.maximum_yuan) == (low, high)


def decided_under_article_114(desk: Desk, clock, officer: Principal) -> UUID:
    """An 一般 accident at the enterprise; 城管局 decides a fine of 2–5 × under 第114条第二款 (the proposal)."""
    accident = desk.accident_on("2025-03-01", Figures(deaths=1))
    case = desk.run(c.OpenCase(unit_id=desk.world.enterprise, department_id=desk.world.department,
                               article=MULTIPLIED, violation="发生一般事故, 情节特别严重、影响特别恶劣",
                               violated_at=at("2025-03-01"), source_kind=cs.SourceKind.accident,
                               source_id=accident), officer).id
    desk.run(c.ServePenaltyNotice(case_id=case), officer)
    clock.advance(timedelta(days=10))  # the hearing window (5 working days) passes unused
    desk.run(c.CompleteLegalReview(case_id=case, opinion="同意"), officer)
    state = desk.system.store.get(case)
    assert isinstance(state, cs.PenaltyCase)
    desk.run(c.DecideCase(case_id=case, decision_no="泉港城管罚〔2025〕9号",
                          unit_yuan=state.proposal.unit.amount_yuan), officer)
    return case


def test_a_decision_that_meets_a_ground_is_proposed_once_and_the_penalising_department_decides(
        desk: Desk, clock) -> None:
    officer = Principal("test:enforcement", "enforcement", COUNTY)
    assert desk.proposals() == []
    case = decided_under_article_114(desk, clock, officer)
    [listing] = desk.proposals()
    assert desk.proposals() == [listing], "the policy fires once, however often the worker runs"
    assert desk.system.worker.tick() == 0
    proposed = latest(desk.system, listing, bl.ListingProposed)
    assert (proposed.ground, proposed.accident_ids, proposed.envelope.actor.role) == (
        Ground.multiplied_fine, (), "system")
    [evidence] = proposed.evidence
    assert (evidence.aggregate_id, evidence.kind) == (case, "PenaltyCase")
    assert "泉港城管罚〔2025〕9号" in (evidence.note or "")
    assert GROUND_TEXT[Ground.multiplied_fine] in str(proposed.envelope.basis)
    assert desk.refused(b.ProposeListing(unit_id=desk.world.enterprise, ground=Ground.multiplied_fine,
                                         case_id=case), officer, error=Conflict).code == "already-proposed"
    other = desk.world.run(REGISTRAR, o.RegisterUnit(profile=DepartmentProfile(
        name="泉港区应急管理局", functions=("危险化学品",)), parent_id=desk.world.county))
    assert desk.refused(b.DecideListing(listing_id=listing, listed=True, reason="情节严重", decision_no="x",
                                        department_id=other), officer).code == "not-the-penalising-department"
    desk.run(b.DecideListing(listing_id=listing, listed=True, reason="情节特别严重、影响特别恶劣",
                             decision_no="泉港城管失信〔2025〕2号"), desk.decider)
    assert desk.system.store.get(listing).status == bl.ListingStatus.listed


def test_a_decision_that_meets_no_ground_proposes_nothing(desk: Desk, clock) -> None:
    officer = Principal("test:enforcement", "enforcement", COUNTY)
    accident = desk.accident_on("2025-03-01", Figures(deaths=1))
    case = desk.run(c.OpenCase(unit_id=desk.world.enterprise, department_id=desk.world.department,
                               article="安全生产法 第102条", violation="未采取措施消除事故隐患",
                               violated_at=at("2025-03-01"), source_kind=cs.SourceKind.accident,
                               source_id=accident), officer).id
    assert desk.refused(b.ProposeListing(unit_id=desk.world.enterprise, ground=Ground.multiplied_fine,
                                         case_id=case), officer).code == "ground-not-met", "not decided yet"
    assert desk.proposals() == []
