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
from application.authorization import Forbidden, Principal
from domain import blacklist as bl
from domain.errors import Conflict, Rejected
from domain.rules import pack_for
from domain.rules.accidents import AccidentGrade, Figures
from domain.rules.blacklist import (
    GROUND_TEXT,
    AccidentFact,
    Ground,
    accident_grounds,
    early_removal_from,
    expires_on,
    months_later,
)
from tests.builders import latest
from tests.conftest import COUNTY
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
