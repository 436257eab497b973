"""考核 with its veto applied, the promotion bar, 项目一票否决, the per-department veto board, and acts in the 1+N
ledger (docs/rules.md R9).

Sources quoted:
- seed 001 ¶30 (惠济区): "5 起以上的对镇（街道）和行业主管部门“一票否决”；辖区内发生 1 起以上（含 1 起）一般生产安全
  责任事故且造成人员死亡的，对镇（街道）和行业主管部门“一票否决”" — it gives no rating: a vetoed unit is rated 一票否决
  whatever its score, never 优秀 or 合格. The scheme's items, weights and bands are placeholders (no seed or law).
- 《地方党政领导干部安全生产责任制规定》: "对因发生生产安全事故被追究领导责任的地方党政领导干部，在相关规定时限内，
  取消考核评优和评选各类先进资格，不得晋升职务、级别或者重用任职" (article number unverified).
- seed 003 ¶31: "实行重大安全风险“一票否决” … 严把项目审批安全关 … 不达安全标准的不能上马和开工".
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import System
from application import accountability as a
from application import responsibility as rs
from domain import accountability as ac
from domain import assessments as asm
from domain.errors import Rejected
from domain.posts import Post, PostKind
from domain.rules import pack_for
from domain.rules.assessment import Rating, assessment_scheme, rate
from domain.rules.assessment_veto import VetoConsequence
from tests.builders import latest, state_of
from tests.conftest import COUNTY, REGISTRAR
from tests.test_accountability import ADMIN, Office
from tests.test_assessment_veto_policy import OFFICER, huiji_here  # noqa: F401  (the fixture)

RANKS = pack_for(COUNTY)["accountability.promotion.ranks"]
TOWN, OTHER_TOWN = f"{COUNTY}/350505001000", f"{COUNTY}/350505101000"


@pytest.mark.parametrize(("held", "to", "promotion"), [
    (("deputy_leader", TOWN), ("party_secretary", OTHER_TOWN), True),  # a higher rank at the same level
    (("deputy_leader", TOWN), ("deputy_leader", OTHER_TOWN), False),  # the same rank, the same level
    (("party_secretary", TOWN), ("deputy_leader", TOWN), False),  # lower
    (("party_secretary", TOWN), ("party_secretary", COUNTY), True),  # the same rank one level up
    (("party_secretary", TOWN), ("department_head", COUNTY), False),  # a lower rank one level up
    (("deputy_leader", COUNTY), ("government_head", TOWN), False),  # a lower level
    (("deputy_leader", TOWN), ("position", COUNTY), False),  # a post of no rank is never a promotion
])
def test_a_higher_post_is_a_higher_rank_or_level(held: tuple[str, str], to: tuple[str, str], promotion: bool) -> None:
    """不得晋升职务、级别或者重用任职: the 规定 names no ranks; the pack's reading (accountability.promotion.ranks)."""
    assert ac.is_promotion(RANKS, held[0], held[1], to[0], to[1]) is promotion


@pytest.mark.parametrize(("score", "vetoed", "rating"), [
    ("100", False, Rating.excellent), ("90", False, Rating.excellent), ("89.99", False, Rating.passed),
    ("60", False, Rating.passed), ("59.99", False, Rating.failed), ("0", False, Rating.failed),
    ("100", True, Rating.vetoed), ("0", True, Rating.vetoed),  # seed 001 ¶30: "一票否决" whatever the points
])
def test_ratings_at_the_placeholder_bands_and_the_veto(score: str, vetoed: bool, rating: Rating) -> None:
    scheme = assessment_scheme(pack_for(COUNTY))
    assert scheme.placeholder is True, "no seed or law gives the bands"
    assert rate(scheme, Decimal(score), vetoed) == rating


@pytest.fixture
def office(system: System, clock) -> Office:
    return Office(system, clock)


def _bar(office: Office, clock, person: UUID, post: UUID, days: int = 30) -> None:
    slip = office.slip(days=1)
    clock.set(clock.now() + timedelta(days=2))
    office.system.runner.catch_up()
    office.system.worker.tick()
    office.run(a.ImposeAccountability(
        person_id=person, post_id=post, held_at=clock.now(), form=ac.AccountabilityForm.admonition,
        issuer_unit_id=office.world.county, document="泉港纪〔2025〕3号",
        finding=ac.FindingRef(kind=ac.FindingKind.slip_overdue, record_id=slip),
        barred_until=(clock.now() + timedelta(days=days)).date()))


def test_a_barred_leader_is_not_promoted_and_the_refusal_writes_nothing(office: Office, system: System,
                                                                        clock) -> None:
    w = office.world
    _bar(office, clock, office.deputy, office.deputy_post)
    higher = w.post(w.town_b, PostKind.party_secretary, "南埔镇党委书记")
    same = w.post(w.town_b, PostKind.deputy_leader, "南埔镇副镇长")
    appoint = rs.AppointHolder(post_id=higher, person_id=office.deputy)
    assert office.refused(appoint, who=REGISTRAR) == "barred-from-promotion"
    transfer = rs.TransferPerson(person_id=office.deputy, from_post_id=office.deputy_post, to_post_id=higher)
    assert office.refused(transfer, who=REGISTRAR) == "barred-from-promotion"
    with pytest.raises(Rejected) as refused:
        office.run(appoint, REGISTRAR)
    assert "不得晋升职务" in (refused.value.basis or "")
    office.run(rs.AppointHolder(post_id=same, person_id=office.deputy), REGISTRAR)  # not higher: allowed
    clock.set(clock.now() + timedelta(days=31))  # the bar has ended
    office.run(rs.AppointHolder(post_id=higher, person_id=office.deputy), REGISTRAR)
    assert str(office.deputy) in state_of(system, higher, Post).holders


def _acts(world, town: UUID, n: int, seq: int) -> UUID:
    enterprise = world.enterprise_in(town, seq)
    for k in range(n):
        world.run(OFFICER, a.RecordIllegalAct(unit_id=enterprise, description=f"无证经营燃气 {k}",
                                              large_impact=True))
    return enterprise


def _scores(value: str) -> list[a.ItemScore]:
    return [a.ItemScore(code=item.code, score=Decimal(value)) for item in assessment_scheme(pack_for(COUNTY)).items]


def test_a_vetoed_town_and_department_are_rated_vetoed_whatever_the_score(
        huiji_here: None, office: Office, system: System) -> None:  # noqa: F811
    w = office.world
    _acts(w, w.town_a, 5, 300)  # 5 起以上: 一票否决 of the town and the department
    early = office.run(a.RecordAssessment(unit_id=w.department, year=2025, scores=_scores("95")))
    assert state_of(system, early, asm.Assessment).rating == Rating.excellent, "no veto found yet"
    system.runner.catch_up()
    assert system.worker.tick() == 3
    system.runner.catch_up()
    assert system.worker.tick() == 0, "each consequence once, the veto applied once"
    applied = latest(system, early, asm.AssessmentVetoApplied)
    assert (applied.previous_rating, state_of(system, early, asm.Assessment).rating) == (Rating.excellent,
                                                                                        Rating.vetoed)
    town = office.run(a.RecordAssessment(unit_id=w.town_a, year=2025, scores=_scores("100")))
    other = office.run(a.RecordAssessment(unit_id=w.town_b, year=2025, scores=_scores("70")))
    recorded = latest(system, town, asm.AssessmentRecorded)
    assert (recorded.score, recorded.rating, recorded.vetoed, recorded.placeholder) == (
        Decimal("100.00"), Rating.vetoed, True, True)
    assert recorded.veto_finding_ids == (ac.veto_finding_id(w.town_a, 2025, VetoConsequence.assessment_veto),)
    assert "huiji@" in (recorded.envelope.rules_version or "")
    assert state_of(system, other, asm.Assessment).rating == Rating.passed
    system.runner.catch_up()
    rows = {r["unit_name"]: r for r in system.queries.accountability.assessments_of("350000", 2025)}
    assert {name: r["rating"] for name, r in rows.items()} == {
        "山腰街道": "vetoed", "南埔镇": "passed", "泉港区城市管理局": "vetoed"}
    departments = system.queries.accountability.department_vetoes("350000", 2025)
    assert [(d["department_name"], d["vetoed"], {f["consequence"] for f in d["findings"]}) for d in departments] == [
        ("泉港区城市管理局", True, {"admonition_of_deputies", "admonition_of_main_leaders", "assessment_veto"})]


def test_the_veto_policy_finds_each_consequence_once_as_the_year_s_counts_grow(
        huiji_here: None, office: Office, system: System) -> None:  # noqa: F811
    """At 1 act the deputies' admonition is found; at 3 the main leaders' — the first is not found again."""
    w = office.world
    enterprise = _acts(w, w.town_b, 1, 310)
    system.runner.catch_up()
    assert system.worker.tick() == 1
    for k in range(2):
        w.run(OFFICER, a.RecordIllegalAct(unit_id=enterprise, description=f"再次违法 {k}", large_impact=True))
    system.runner.catch_up()
    assert system.worker.tick() == 1, "only 党政主要领导诫勉谈话 is new"
    system.runner.catch_up()
    assert system.worker.tick() == 0


def test_assessment_refusals_write_nothing(office: Office) -> None:
    w = office.world
    assert office.refused(a.RecordAssessment(unit_id=w.enterprise, year=2025, scores=_scores("80"))) == (
        "not-assessable")
    assert office.refused(a.RecordAssessment(unit_id=w.town_a, year=2025, scores=[
        a.ItemScore(code="hazards", score=Decimal(80))])) == "items-mismatch"
    assert office.refused(a.RecordAssessment(unit_id=w.town_a, year=2025, scores=[
        *_scores("80"), a.ItemScore(code="hazards", score=Decimal(70))])) == "item-scored-twice"
    assert office.refused(a.RecordAssessment(unit_id=w.town_a, year=2099, scores=_scores("80"))) == "year-not-begun"


def test_a_project_veto_is_its_own_record(office: Office, system: System) -> None:
    w = office.world
    veto = office.run(a.VetoProject(issuer_unit_id=w.department, kind=asm.ProjectKind.project,
                                    name="液化石油气储配站扩建项目", applicant_unit_id=w.enterprise,
                                    risk="储罐区与居民区安全间距不足, 重大安全风险", document="泉港城管〔2025〕9号"))
    event = latest(system, veto, asm.ProjectVetoed)
    assert "¶31" in (event.envelope.basis or "")
    assert office.refused(a.VetoProject(issuer_unit_id=w.enterprise, kind=asm.ProjectKind.plan, name="规划",
                                        risk="风险", document="文号")) == "not-an-approver"
    system.runner.catch_up()
    rows = system.queries.accountability.project_vetoes_of("350000", 2025)
    assert [(r["name"], r["issuer_name"]) for r in rows] == [("液化石油气储配站扩建项目", "泉港区城市管理局")]
    assert system.queries.accountability.assessments_of("350000", 2025) == [], "never an assessment result"


def test_over_http_scheme_results_project_vetoes_departments_and_the_1_plus_n_ledger(
        client: TestClient, office: Office, system: System, token, clock) -> None:
    w = office.world
    headers = token("admin", COUNTY)
    scheme = client.get("/api/v1/assessments/scheme", headers=token("viewer", COUNTY)).json()
    assert scheme["placeholder"] is True
    assert sum(Decimal(i["weight"]) for i in scheme["items"]) == 100
    created = client.post("/api/v1/assessments", headers=headers, json={
        "unit_id": str(w.town_b), "year": 2025, "scores": [{"code": i.code, "score": "92.5"} for i in _scores("0")]})
    assert created.status_code == 201, created.text
    bad = client.post("/api/v1/assessments", headers=headers, json={
        "unit_id": str(w.town_b), "year": 2025, "scores": [{"code": i.code, "score": "101"} for i in _scores("0")]})
    assert bad.status_code == 422
    vetoed = client.post("/api/v1/project-vetoes", headers=headers, json={
        "issuer_unit_id": str(w.department), "kind": "plan", "name": "燃气专项规划(草案)", "risk": "重大安全风险",
        "document": "泉港城管〔2025〕10号"})
    assert vetoed.status_code == 201, vetoed.text
    position = vetoed.json()["position"]
    results = client.get(f"/api/v1/assessments?year=2025&min_position={position}", headers=token("viewer", COUNTY))
    assert [(r["unit_name"], r["rating_term"], r["score"]) for r in results.json()] == [("南埔镇", "优秀", "92.50")]
    projects = client.get("/api/v1/project-vetoes?year=2025", headers=token("viewer", COUNTY)).json()
    assert [p["name"] for p in projects] == ["燃气专项规划(草案)"]
    elsewhere = token("viewer", TOWN)  # 山腰街道: neither 南埔镇's result nor the county department's veto is its own
    assert client.get("/api/v1/assessments?year=2025", headers=elsewhere).json() == []
    assert client.get("/api/v1/project-vetoes?year=2025", headers=elsewhere).json() == []
    assert client.get("/api/v1/accountability/board/departments?year=2025",
                      headers=token("viewer", COUNTY)).json() == []
    # the 1+N ledger shows the acts that target the enterprise and people as holders of its posts
    head = w.person(70, "周经理")
    main_post = w.post(w.enterprise, PostKind.main_responsible, "总经理")
    office.run(rs.AppointHolder(post_id=main_post, person_id=head, effective_at=clock.now() - timedelta(days=1)),
               REGISTRAR)
    slip = office.run(a.IssueSlip(kind=ac.SlipKind.supervision, issuer_unit_id=w.department,
                                  target_unit_id=w.enterprise, matter="督办: 储罐区隐患",
                                  deadline=clock.now() + timedelta(days=1)), ADMIN)
    office.run(a.IssueNotice(kind=ac.NoticeKind.circular, issuer_unit_id=w.county,
                             target_unit_ids=[w.enterprise, w.town_a], matter="通报批评"))
    clock.set(clock.now() + timedelta(days=2))
    system.runner.catch_up()
    system.worker.tick()
    last = office.run(a.ImposeAccountability(
        person_id=head, post_id=main_post, held_at=clock.now(), form=ac.AccountabilityForm.circular,
        issuer_unit_id=w.county, document="泉港委〔2025〕5号",
        finding=ac.FindingRef(kind=ac.FindingKind.slip_overdue, record_id=slip)))
    system.runner.catch_up()
    ledger = client.get(f"/api/v1/enterprises/{w.enterprise}/ledger", headers=token("viewer", COUNTY)).json()
    assert last
    summary, acts = ledger["summary"], ledger["accountability"]
    assert (summary["slips_open"], summary["slips_late"], summary["notices"], summary["accountability_acts"]) == (
        1, 1, 1, 1)
    assert [s["slip_id"] for s in acts["slips"]] == [str(slip)]
    assert [(x["person_name"], x["post_title"], x["form_term"]) for x in acts["acts"]] == [("周经理", "总经理", "通报")]
    before = client.get(f"/api/v1/enterprises/{w.enterprise}/ledger?as_of="
                        f"{(clock.now() - timedelta(days=3)).isoformat()}".replace("+", "%2B"),
                        headers=token("viewer", COUNTY)).json()
    assert before["accountability"] == {"slips": [], "notices": [], "summons": [], "acts": []}
