"""Every ledger on a past day as known then (issue #14: "an as_of / known_at picker that turns any ledger into its
state on a past day as known then"): the case ledger, the slips, the blacklist, the tips, the enterprises, the
assessment results, the project vetoes and the outsourcing relations keep bitemporal history
(``projections.timeline``), so ``as_of`` shows the older state and ``known_at`` before a fact was recorded does not
show it, though it took effect earlier. On SQLite and PostgreSQL, through the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.bootstrap import System
from application import accountability as a
from application import blacklist as b
from application import cases as c
from application import organisation as o
from application import outsourcing as o_
from domain import accountability as ac
from domain import assessments as asm
from domain.rules import pack_for
from domain.rules.assessment import assessment_scheme
from domain.tips import Tip
from domain.units import RiskColour
from projections import tips
from tests.builders import World, state_of
from tests.conftest import ADMIN, COUNTY, REGISTRAR, TOWN_A, TOWN_B
from tests.test_accountability import Office
from tests.test_blacklist import Desk
from tests.test_cases import Bench
from tests.test_outsourcing import ADMIN as OUTSOURCING_ADMIN
from tests.test_outsourcing import Site, review
from tests.tipdesk import TipDesk


def read(client: TestClient, token, path: str, role: str = "admin", /, **at: Any) -> list[dict[str, Any]]:
    params = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in at.items()}
    answer = client.get(f"/api/v1{path}", params=params, headers=token(role))
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()
    return rows


def test_the_case_ledger_on_a_past_day_as_known_then(system: System, client: TestClient, token) -> None:
    bench = Bench(system)
    opened = bench.clock.now()
    opened_case = bench.open(bench.hazard())
    case_id = str(opened_case)
    bench.clock.advance(timedelta(days=2))
    bench.run(c.ServePenaltyNotice(case_id=opened_case, effective_at=opened + timedelta(days=1)))  # recorded a day late
    recorded = bench.clock.now()
    system.runner.catch_up()

    def case(**at: datetime) -> dict[str, Any]:
        [row] = [r for r in read(client, token, "/cases", **at) if r["case_id"] == case_id]
        return row

    assert case()["status"] == "notified"
    assert case(as_of=opened + timedelta(hours=12))["status"] == "opened", "the older state at as_of"
    assert case(as_of=opened + timedelta(hours=36))["status"] == "notified"
    before = case(as_of=opened + timedelta(hours=36), known_at=recorded - timedelta(hours=1))
    assert (before["status"], before["notified_on"]) == ("opened", None), "the notice was not known yet"
    assert read(client, token, "/cases", as_of=opened - timedelta(days=1)) == [], "not opened yet"
    assert read(client, token, "/cases", known_at=opened - timedelta(minutes=1)) == [], "not recorded yet"
    assert read(client, token, "/cases", sort="-status", limit="1")[0]["case_id"] == case_id


def test_the_slips_on_a_past_day_as_known_then(system: System, client: TestClient, token, clock) -> None:
    office = Office(system, clock)
    issued = clock.now()
    slip = office.slip()
    answered, missing = str(slip), str(office.slip())
    clock.advance(timedelta(days=5))
    office.run(a.AnswerSlip(slip_id=slip, report="已整治完毕"))
    clock.advance(timedelta(days=7))  # the deadline (10 days) passed 2 days ago: the policy flags it now
    system.runner.catch_up()
    assert system.worker.tick() == 1
    flagged = clock.now()
    system.runner.catch_up()

    def slips(**at: datetime) -> dict[str, dict[str, Any]]:
        return {r["slip_id"]: r for r in read(client, token, "/accountability/slips", **at)}

    now = slips()
    assert (now[answered]["open"], now[missing]["late_flagged"]) == (False, True)
    earlier = slips(as_of=issued + timedelta(days=3))
    assert (earlier[answered]["open"], earlier[answered]["answered_at"]) == (True, None), "the older state"
    assert not earlier[missing]["late"]
    after_deadline = issued + timedelta(days=11)
    assert slips(as_of=after_deadline)[missing]["late_flagged"], "flagged from the deadline on, as known now"
    then = slips(as_of=after_deadline, known_at=flagged - timedelta(hours=1))[missing]
    assert (then["late"], then["late_flagged"]) == (True, False), "late, but the flag was not recorded yet"
    assert set(slips(as_of=issued - timedelta(days=1))) == set()
    assert [r["slip_id"] for r in read(client, token, "/accountability/slips", open="true")] == [missing]


def test_the_blacklist_on_a_past_day_as_known_then(system: System, client: TestClient, token, clock) -> None:
    desk = Desk(system)
    desk.accident_on("2025-03-01")
    desk.accident_on("2025-09-01")
    [listing] = desk.proposals()
    proposed = clock.now()
    clock.advance(timedelta(days=3))
    desk.run(b.DecideListing(listing_id=listing, listed=True, reason="12个月内两起较大事故",
                             decision_no="泉应急失信〔2025〕3号", effective_at=proposed + timedelta(days=1)),
             desk.decider)  # decided on the day after the proposal, recorded two days later
    recorded = clock.now()
    system.runner.catch_up()

    def state(**at: datetime) -> tuple[str, str]:
        [row] = read(client, token, "/blacklist", **at)
        return row["state"], row["status"]

    assert state() == ("listed", "listed")
    assert state(as_of=proposed) == ("proposed", "proposed"), "the older state at as_of"
    later = proposed + timedelta(days=2)
    assert state(as_of=later)[1] == "listed"
    assert state(as_of=later, known_at=recorded - timedelta(hours=1)) == ("proposed", "proposed"), \
        "the decision was not known yet"
    assert read(client, token, "/blacklist", known_at=proposed - timedelta(minutes=1)) == []


def test_the_tip_ledger_on_a_past_day_as_known_then_keeps_nothing_sealed(system: System, client: TestClient,
                                                                          token, clock) -> None:
    desk = TipDesk(system)
    received = clock.now()
    tip_id = str(desk.receive())
    clock.advance(timedelta(days=3))
    desk.verify(UUID(tip_id), effective_at=received + timedelta(days=1))  # verified the next day, recorded later
    recorded = clock.now()
    system.runner.catch_up()

    def tip(**at: datetime) -> dict[str, Any]:
        [row] = read(client, token, "/tips", "tip_officer", **at)
        return row

    assert tip()["status"] == "substantiated"
    assert tip(as_of=received + timedelta(hours=1))["status"] == "received", "the older state at as_of"
    then = tip(as_of=received + timedelta(days=2), known_at=recorded - timedelta(hours=1))
    assert (then["status"], then["verdict"], then["finding"]) == ("received", None, None), "not known yet"
    assert tip(as_of=received + timedelta(days=2))["finding"] == "现场核查属实"
    assert read(client, token, "/tips", "tip_officer", known_at=received - timedelta(minutes=1)) == []
    with system.db.read() as conn:  # the history keeps the event and the state, but nothing sealed
        kept = [str(v) for table in (tips.HISTORY_CHANGES, tips.HISTORY_STATES, tips.HISTORY)
                for row in conn.execute(select(table)) for v in row]
    sealed = state_of(system, UUID(tip_id), Tip)
    assert sealed.reporter_sealed is not None
    assert not any(sealed.original_sealed in v or sealed.reporter_sealed in v for v in kept)


def test_the_enterprises_on_a_past_day_as_known_then(system: System, client: TestClient, token, clock) -> None:
    world = World(system)
    registered = clock.now()
    world.run(REGISTRAR, o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.yellow, reason="年度评定"))
    clock.advance(timedelta(days=3))
    world.run(REGISTRAR, o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="复核",
                                           effective_at=registered + timedelta(days=1)))  # recorded two days late
    recorded = clock.now()
    system.runner.catch_up()

    def colour(**at: datetime) -> str | None:
        rows = read(client, token, "/units", kind="enterprise", **at)
        [row] = [r for r in rows if r["unit_id"] == str(world.enterprise)]
        return row["risk_colour"]

    assert colour() == "red"
    assert colour(as_of=registered + timedelta(hours=1)) == "yellow", "the older state at as_of"
    later = registered + timedelta(days=2)
    assert colour(as_of=later) == "red"
    assert colour(as_of=later, known_at=recorded - timedelta(hours=1)) == "yellow", "the regrading not known yet"
    assert read(client, token, "/units", kind="enterprise", as_of=registered - timedelta(days=1)) == []
    assert read(client, token, "/units", kind="enterprise", colour="red", as_of=registered + timedelta(hours=1)) == []


def _scores(value: str) -> list[a.ItemScore]:
    return [a.ItemScore(code=i.code, score=Decimal(value)) for i in assessment_scheme(pack_for(COUNTY)).items]


def test_the_assessment_results_on_a_past_day_as_known_then(system: System, client: TestClient, token,
                                                            clock) -> None:
    office = Office(system, clock)
    recorded = clock.now()
    office.run(a.RecordAssessment(unit_id=office.world.town_a, year=2024, scores=_scores("95")))
    clock.advance(timedelta(days=3))
    office.run(a.RecordAssessment(unit_id=office.world.town_a, year=2024, scores=_scores("70"),
                                  effective_at=recorded + timedelta(days=1)))  # rescored, recorded two days late
    corrected = clock.now()
    system.runner.catch_up()

    def rating(**at: Any) -> str:
        [row] = read(client, token, "/assessments", year="2024", **at)
        return str(row["rating"])

    assert rating() == "passed"
    assert rating(as_of=recorded + timedelta(hours=1)) == "excellent", "the older state at as_of"
    later = recorded + timedelta(days=2)
    assert rating(as_of=later) == "passed"
    assert rating(as_of=later, known_at=corrected - timedelta(hours=1)) == "excellent", "the rescoring not known yet"
    assert read(client, token, "/assessments", year="2024", known_at=recorded - timedelta(minutes=1)) == []
    assert read(client, token, "/assessments", year="2024", limit="1", offset="1") == []


def test_the_project_vetoes_on_a_past_day_as_known_then(system: System, client: TestClient, token, clock) -> None:
    office = Office(system, clock)
    start = clock.now()
    clock.advance(timedelta(days=3))
    office.run(a.VetoProject(issuer_unit_id=office.world.department, kind=asm.ProjectKind.project,
                             name="液化石油气储配站扩建项目", risk="储罐区与居民区安全间距不足",
                             document="泉港城管〔2025〕9号",
                             effective_at=start + timedelta(days=1)))  # refused the next day, recorded two days later
    recorded = clock.now()
    system.runner.catch_up()

    def names(**at: Any) -> list[str]:
        return [r["name"] for r in read(client, token, "/project-vetoes", year="2025", **at)]

    assert names() == ["液化石油气储配站扩建项目"]
    assert names(as_of=start + timedelta(hours=12)) == [], "not refused yet at as_of"
    assert names(as_of=start + timedelta(days=2)) == ["液化石油气储配站扩建项目"]
    assert names(as_of=start + timedelta(days=2), known_at=recorded - timedelta(hours=1)) == [], "not known yet"


def test_the_outsourcing_relations_on_a_past_day_as_known_then(system: System, client: TestClient, token,
                                                               clock) -> None:
    """A relation's validity is its own dates: an end recorded late (ended_on a past day) is absent as known before
    it was recorded; a review is absent before the day it was held and as known before it was recorded."""
    site = Site(system, clock)
    recorded = clock.now()
    works = str(site.record())
    clock.advance(timedelta(days=2))
    system.service.execute(review(UUID(works), site.today + timedelta(days=2)), OUTSOURCING_ADMIN)
    reviewed = clock.now()
    clock.advance(timedelta(days=8))
    system.service.execute(o_.EndOutsourcing(outsourcing_id=UUID(works), ended_on=site.today + timedelta(days=5),
                                             reason="工程提前完工"), OUTSOURCING_ADMIN)  # recorded five days late
    ended = clock.now()
    system.runner.catch_up()

    def relation(**at: Any) -> dict[str, Any] | None:
        rows = [r for r in read(client, token, "/outsourcing", in_force="true", **at) if r["outsourcing_id"] == works]
        return rows[0] if rows else None

    day6 = recorded + timedelta(days=6)
    assert relation(as_of=day6) is None, "ended on day 5, as known now"
    then = relation(as_of=day6, known_at=ended - timedelta(hours=1))
    assert then is not None
    assert (then["ended_on"], then["concerns"]) == (None, []), "the end was not known yet"
    first_day = relation(as_of=recorded + timedelta(hours=1))
    assert first_day is not None
    assert first_day["concerns"] == ["never_reviewed"], "the older state at as_of"
    unreviewed = relation(as_of=day6, known_at=reviewed - timedelta(minutes=1))
    assert unreviewed is not None
    assert (unreviewed["reviews"], unreviewed["concerns"]) == ([], ["never_reviewed"]), "the review not recorded yet"
    [row] = [r for r in read(client, token, "/outsourcing") if r["outsourcing_id"] == works]
    assert (row["ended_on"], len(row["reviews"])) == (str(site.today + timedelta(days=5)), 1)
    assert read(client, token, "/outsourcing", as_of=recorded - timedelta(days=1)) == [], "not recorded yet"
    assert read(client, token, "/outsourcing", known_at=recorded - timedelta(minutes=1)) == []


def test_a_past_day_is_read_within_the_callers_jurisdiction_only(system: System, client: TestClient, token,
                                                                 clock) -> None:
    """The history read (``as_of`` / ``known_at``) is scoped as the current one: a town's official sees its own
    slips and cases on a past day, another town's sees none of them."""
    bench = Bench(system)
    bench.open(bench.hazard())
    bench.world.run(ADMIN, a.IssueSlip(kind=ac.SlipKind.assignment, issuer_unit_id=bench.world.county,
                                       target_unit_id=bench.world.town_a, matter="燃气安全隐患突出问题, 限期整治并反馈",
                                       deadline=clock.now() + timedelta(days=10)))
    clock.advance(timedelta(days=1))
    system.runner.catch_up()
    at = {"as_of": clock.now(), "known_at": clock.now()}
    for path, key in (("/accountability/slips", "slip_id"), ("/cases", "case_id")):
        everything = read(client, token, path, "admin", **at)
        assert everything, path
        for town in (TOWN_A, TOWN_B):
            mine = {r[key] for r in everything if (r["jurisdiction"] + "/").startswith(town + "/")}
            params = {k: v.isoformat() for k, v in at.items()}
            answer = client.get(f"/api/v1{path}", params=params, headers=token("admin", town))
            assert answer.status_code == 200, answer.text
            assert {r[key] for r in answer.json()} == mine, (path, town)
        assert any((r["jurisdiction"] + "/").startswith(t + "/") for r in everything for t in (TOWN_A, TOWN_B))
