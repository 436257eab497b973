"""The hazard ledger (隐患台账): bitemporal answers, days overdue, the major-hazard view, the listing board, scoping."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from api.bootstrap import System
from application import hazards as h
from domain import hazards as hz
from domain.base import in_effect_order, project
from domain.calendar import end_of_day
from projections.deadlines import DEADLINES
from projections.hazard_ledger import LEDGER
from tests.builders import latest
from tests.conftest import COUNTY, TOWN_A, TOWN_B
from tests.test_hazards import Desk


def test_the_ledger_answers_for_any_day_as_known_then(system: System, clock) -> None:
    desk = Desk(system)
    t_found = clock.now()
    hazard_id = desk.report(hz.HazardGrade.major)
    clock.advance(timedelta(days=1))
    deadline = desk.today() + timedelta(days=10)
    desk.plan(hazard_id, deadline)
    clock.set(end_of_day(deadline) + timedelta(days=3))
    system.runner.catch_up()
    system.worker.tick()
    clock.advance(timedelta(days=2))
    # recorded now, effective two days ago: the rectification had been submitted then
    desk.system.service.execute(h.SubmitRectification(hazard_id=hazard_id, report="已整改",
                                                      effective_at=clock.now() - timedelta(days=2)),
                                desk.enterprise_user)
    system.runner.catch_up()
    now = clock.now()
    q = system.queries.hazards

    def at(as_of, known_at=now):
        rows = q.ledger("350000", as_of=as_of, known_at=known_at)
        return rows[0] if rows else None

    assert at(t_found - timedelta(seconds=1)) is None, "before it was found it is not in the ledger"
    assert at(t_found)["status"] == "reported"
    planned = at(end_of_day(deadline) - timedelta(hours=1))
    assert (planned["status"], planned["deadline_on"], planned["days_overdue"]) == ("rectifying", deadline, 0)
    overdue = at(end_of_day(deadline) + timedelta(days=2, hours=1))
    assert (overdue["status"], overdue["days_overdue"]) == ("overdue", 3)
    assert overdue["listing_level"] is None, "the worker escalated it only when it ran, three days after"
    assert at(end_of_day(deadline) + timedelta(days=3, hours=1))["listing_level"] == "city", "one level up"
    assert at(now)["status"] == "submitted"
    shown_then = at(now - timedelta(days=1), known_at=now - timedelta(days=1))
    assert shown_then["status"] == "overdue", "the day before the late record, the ledger showed it overdue"
    assert at(now - timedelta(days=1))["status"] == "submitted", "…and now we know it had been submitted"



def test_a_page_is_the_rows_in_force_then_as_known_then_whichever_index_finds_them(system: System, clock) -> None:
    """The page takes the rows in force as known now and the rows whose interval is closed apart (each found by an
    index of its own, #15): its pages are those of one filter over every row, for days past, records known earlier,
    other orders and offsets."""
    desk = Desk(system)
    moments, ids = [clock.now()], []
    for _ in range(4):
        ids.append(desk.report(hz.HazardGrade.general))
        clock.advance(timedelta(days=1))
        moments.append(clock.now())
    desk.plan(ids[0], desk.today() + timedelta(days=10))
    desk.plan(ids[2], desk.today() + timedelta(days=5))
    clock.advance(timedelta(days=1))
    moments.append(clock.now())
    system.service.execute(h.SubmitRectification(hazard_id=ids[2], report="已整改",
                                                 effective_at=clock.now() - timedelta(hours=12)), desk.enterprise_user)
    system.runner.catch_up()
    clock.advance(timedelta(hours=1))
    moments += [moments[-1] - timedelta(hours=13), clock.now()]
    with system.db.read() as conn:
        rows = [dict(r) for r in conn.execute(select(LEDGER)).mappings()]
    assert any(r["valid_to"] for r in rows), "rows in force until a later change"
    assert any(r["recorded_to"] and not r["valid_to"] for r in rows), "rows known until a back-dated record"
    orders = {None: lambda r: (r["found_at"], r["hazard_id"]),
              "-deadline_on": lambda r: (r["deadline_on"] is None, -(r["deadline_on"] or desk.today()).toordinal(),
                                         r["hazard_id"])}

    def expected(as_of, known_at, sort, open_only):
        return sorted((r for r in rows if r["valid_from"] <= as_of and (r["valid_to"] or as_of) >= as_of
                       and r["valid_to"] != as_of and r["recorded_from"] <= known_at
                       and (r["recorded_to"] or known_at) >= known_at and r["recorded_to"] != known_at
                       and not (open_only and r["status"] == "closed")), key=orders[sort])

    shown = 0
    for as_of in moments:
        for known_at in moments:
            for sort in orders:
                for open_only in (False, True):
                    want = [(r["hazard_id"], r["revision"]) for r in expected(as_of, known_at, sort, open_only)]
                    for offset in (0, 1, 3):
                        page = system.queries.hazards.ledger("350000", as_of=as_of, known_at=known_at, sort=sort,
                                                             open_only=open_only, limit=2, offset=offset)
                        assert [(r["hazard_id"], r["revision"]) for r in page] == want[offset:offset + 2]
                        shown += len(page)
    assert shown > 0

def test_rebuilding_the_ledger_gives_the_same_rows(system: System, clock) -> None:
    desk = Desk(system)
    for grade in (hz.HazardGrade.general, hz.HazardGrade.major):
        hazard_id = desk.report(grade)
        desk.plan(hazard_id, desk.today() + timedelta(days=2))
    system.runner.catch_up()
    clock.advance(timedelta(days=5))
    system.worker.tick()
    system.runner.catch_up()

    def dump() -> list[str]:
        with system.db.read() as conn:
            return sorted(repr(sorted(r.items())) for t in ("hazard_ledger", "hazard_deadlines")
                          for r in conn.execute(text(f"SELECT * FROM {t}")).mappings())

    live = dump()
    system.runner.rebuild("hazard_ledger")
    system.runner.rebuild("deadlines")
    assert dump() == live


def test_a_rebuild_after_a_backdated_event_gives_the_rows_a_fresh_build_gives(system: System, clock) -> None:
    """A back-dated event re-folds the hazard's timeline; counters (escalations, reopenings) come from events, so the
    live ledger and one rebuilt from the log agree row for row, and the counts are right on every day."""
    desk = Desk(system)
    hazard_id = desk.report(hz.HazardGrade.major)
    deadline = desk.today() + timedelta(days=2)
    desk.plan(hazard_id, deadline)
    system.runner.catch_up()
    clock.set(end_of_day(deadline) + timedelta(days=1))
    system.worker.tick()  # overdue, and escalated one level up
    system.runner.catch_up()
    escalated_at = clock.now()
    clock.advance(timedelta(days=3))
    desk.system.service.execute(h.SubmitRectification(hazard_id=hazard_id, report="已整改",
                                                  effective_at=clock.now() - timedelta(days=2)),
                            desk.enterprise_user)  # recorded now, effective two days ago: a re-fold
    desk.run(h.InspectAcceptance(hazard_id=hazard_id, passed=True, findings="合格"))
    desk.run(h.CloseOutHazard(hazard_id=hazard_id))
    desk.run(h.ReviewHazard(hazard_id=hazard_id, findings="复查发现反弹", reopen=True))
    system.runner.catch_up()
    now = clock.now()
    [row] = system.queries.hazards.ledger("350000", as_of=now, known_at=now)
    assert (row["status"], row["escalations"], row["reopened"]) == ("reported", 1, 1)
    [before] = system.queries.hazards.ledger("350000", as_of=escalated_at - timedelta(days=2), known_at=now)
    assert (before["escalations"], before["reopened"]) == (0, 0)

    def dump() -> dict[str, list[str]]:
        with system.db.read() as conn:
            return {t: sorted(repr(sorted(r.items())) for r in conn.execute(text(f"SELECT * FROM {t}")).mappings())
                    for t in system.runner.tables() if t.startswith(("hazard_ledger", "hazard_deadline"))}

    live = dump()
    assert set(live) >= {"hazard_ledger", "hazard_ledger_changes", "hazard_ledger_states", "hazard_deadlines"}
    system.runner.rebuild("hazard_ledger")
    system.runner.rebuild("deadlines")
    assert dump() == live


def test_one_status_machine_an_overdue_hazard_rejected_after_submission_stays_overdue(system: System,
                                                                                   clock) -> None:
    """A general hazard goes overdue, its fix is submitted and rejected: the domain says ``overdue`` (it already was),
    and so do the ledger and the worker's deadlines — the worker has nothing to fire again (it used to re-issue
    MarkHazardOverdue on every tick because ``hazard_deadlines`` said ``pending``)."""
    desk = Desk(system)
    hazard_id = desk.report(hz.HazardGrade.general)
    deadline = desk.today() + timedelta(days=2)
    desk.plan(hazard_id, deadline)
    system.runner.catch_up()
    clock.set(end_of_day(deadline) + timedelta(hours=1))
    assert system.worker.tick() == 1
    desk.run(h.SubmitRectification(hazard_id=hazard_id, report="已整改"), who=desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=hazard_id, passed=False, findings="未整改到位"))
    system.runner.catch_up()
    now = clock.now()
    assert desk.hazard(hazard_id).status == hz.HazardStatus.overdue
    [row] = system.queries.hazards.ledger("350000", as_of=now, known_at=now)
    assert row["status"] == "overdue"
    with system.db.read() as conn:
        deadlines = conn.execute(select(DEADLINES.c.status).where(DEADLINES.c.hazard_id == hazard_id)).scalar()
    assert deadlines == "overdue"
    assert system.worker.deadlines.due(now) == []
    head = system.store.head()
    clock.advance(timedelta(days=1))
    assert system.worker.tick() == 0
    assert system.store.head() == head, "nothing was issued again"


def overdue_then_found_closed(system: System, clock) -> tuple:
    """The demo's case, small: the worker marks a hazard overdue on the morning after its deadline; then the fix is
    recorded late — submitted, accepted and struck off, all effective before the deadline ended."""
    desk = Desk(system)
    hazard_id = desk.report(hz.HazardGrade.general)
    deadline = desk.today() + timedelta(days=2)
    desk.plan(hazard_id, deadline)
    system.runner.catch_up()
    due = end_of_day(deadline)
    clock.set(due + timedelta(hours=8))
    assert system.worker.tick() == 1  # HazardBecameOverdue, effective when the deadline day ended
    system.runner.catch_up()
    marked = clock.now()
    clock.advance(timedelta(hours=2))
    desk.run(h.SubmitRectification(hazard_id=hazard_id, report="已整改", effective_at=due - timedelta(days=2)),
             who=desk.enterprise_user)
    desk.run(h.InspectAcceptance(hazard_id=hazard_id, passed=True, findings="合格",
                                 effective_at=due - timedelta(days=1)))
    desk.run(h.CloseOutHazard(hazard_id=hazard_id, effective_at=due - timedelta(hours=6)))
    system.runner.catch_up()
    return desk, hazard_id, due, marked


def test_a_hazard_closed_before_it_was_marked_overdue_is_closed_not_overdue(system: System, clock) -> None:
    """The ledger re-folds the back-dated events with the domain's own ``apply`` in the order they took effect:
    marking overdue does nothing to a hazard struck off the day before, so it reads closed on every later day —
    while what the ledger showed before the late records (overdue) stays known."""
    desk, hazard_id, due, marked = overdue_then_found_closed(system, clock)
    q, now = system.queries.hazards, clock.now()
    assert desk.hazard(hazard_id).status == hz.HazardStatus.closed
    for as_of in (due + timedelta(hours=1), now, now + timedelta(days=30)):
        [row] = q.ledger("350000", as_of=as_of, known_at=now)
        assert (row["status"], row["overdue_at"], row["days_overdue"]) == ("closed", None, 0), as_of
        assert row["closed_at"] == due - timedelta(hours=6)
    [shown] = q.ledger("350000", as_of=marked, known_at=marked)
    assert shown["status"] == "overdue", "what the ledger showed before the late records is kept"
    assert q.ledger("350000", as_of=now, known_at=now, open_only=True) == []


def test_the_ledger_status_is_the_domain_fold_in_effect_order_on_every_day(system: System, clock) -> None:
    """On the day each event took effect, the ledger's status is the domain's: the hazard's events effective by then,
    in the order they took effect, folded with ``event.apply`` (``domain.base.project``); today it is the
    aggregate's own status."""
    desk, hazard_id, _, _ = overdue_then_found_closed(system, clock)
    now = clock.now()
    history = system.store.history(hazard_id)
    for moment in sorted({e.effective_at for e in history}):
        domain = project(None, [e for e in in_effect_order(history) if e.effective_at <= moment])
        [row] = system.queries.hazards.ledger("350000", as_of=moment, known_at=now)
        assert (row["status"], row["deadline_on"], row["overdue_at"], row["closed_at"]) == (
            domain.status, domain.deadline, domain.overdue_since, domain.closed_at), moment
    [today] = system.queries.hazards.ledger("350000", as_of=now, known_at=now)
    assert today["status"] == desk.hazard(hazard_id).status


def test_a_rebuild_after_the_late_close_out_gives_the_live_rows(system: System, clock) -> None:
    overdue_then_found_closed(system, clock)

    def dump() -> dict[str, list[str]]:
        with system.db.read() as conn:
            return {t: sorted(repr(sorted(r.items())) for r in conn.execute(text(f"SELECT * FROM {t}")).mappings())
                    for t in system.runner.tables() if t.startswith("hazard_ledger")}

    live = dump()
    system.runner.rebuild("hazard_ledger")
    assert dump() == live


def test_the_board_shows_open_listings_per_authority_with_their_age(system: System, clock) -> None:
    desk = Desk(system)
    listed = desk.report(hz.HazardGrade.major)
    desk.run(h.ListHazard(hazard_id=listed, authority_id=desk.world.department, supervisor_id=desk.inspector_person))
    desk.report(hz.HazardGrade.major)  # not listed: not on the board
    clock.advance(timedelta(days=12))
    system.runner.catch_up()
    boards = system.queries.hazards.board("350000", as_of=clock.now(), known_at=clock.now())
    assert [(b["authority_id"], b["open"], b["oldest_days"]) for b in boards] == [(str(desk.world.department), 1, 12)]
    assert boards[0]["authority_name"] == "泉港区城市管理局"
    unlisted = system.queries.hazards.ledger("350000", as_of=clock.now(), known_at=clock.now(), grade="major",
                                             listed=False)
    assert len(unlisted) == 1


def test_the_ledger_over_http_is_scoped_by_jurisdiction_and_audience(client: TestClient, system: System,
                                                                     token) -> None:
    desk = Desk(system)
    ours = desk.report(hz.HazardGrade.major)
    elsewhere = desk.world.enterprise_in(desk.world.town_b, 8)
    system.service.execute(h.ReportHazard(unit_id=elsewhere, grade=hz.HazardGrade.general, description="南埔隐患",
                                          source=hz.HazardSource.self_reported), desk.inspector)
    position = system.store.head()

    def ids(headers, path="/api/v1/hazards") -> set[str]:
        response = client.get(f"{path}?min_position={position}", headers=headers)
        assert response.status_code == 200, response.text
        return {r["hazard_id"] for r in response.json()}

    assert len(ids(token("viewer", COUNTY))) == 2
    assert ids(token("viewer", TOWN_A)) == {str(ours)}
    assert len(ids(token("viewer", TOWN_B))) == 1
    assert ids(token("enterprise", COUNTY, unit_id=desk.world.enterprise)) == {str(ours)}
    assert ids(token("inspector", COUNTY, unit_id=desk.world.county)) == set(), "not its department's targets"
    assert len(ids(token("inspector", COUNTY, unit_id=desk.world.department))) == 2
    assert ids(token("viewer", COUNTY), "/api/v1/hazards/major") == {str(ours)}
    one = client.get(f"/api/v1/hazards/{ours}", headers=token("viewer", COUNTY)).json()
    assert (one["grade"], one["status_term"], one["criterion"]["item"]) == ("major", "待整改", "第六条第(二)项")
    hidden = client.get(f"/api/v1/hazards/{ours}", headers=token("viewer", TOWN_B))
    assert (hidden.status_code, hidden.headers["content-type"]) == (404, "application/problem+json")
    other_enterprise = client.get(f"/api/v1/hazards?unit_id={elsewhere}",
                                  headers=token("enterprise", COUNTY, unit_id=desk.world.enterprise))
    assert other_enterprise.status_code == 403


def test_commands_over_http_take_the_signer_from_the_token(client: TestClient, system: System, token) -> None:
    desk = Desk(system)
    hazard_id = desk.report()
    headers = token("inspector", COUNTY, unit_id=desk.world.department, person_id=desk.inspector_person)
    response = client.post(f"/api/v1/hazards/{hazard_id}/on-the-spot-fix", json={"measures": "当场更换"},
                           headers=headers)
    assert response.status_code == 200, response.text
    closed = latest(system, hazard_id, hz.HazardClosedOut)
    assert closed.closed_by == desk.inspector_person
    incomplete = client.post("/api/v1/hazards", headers=headers, json={
        "unit_id": str(desk.world.enterprise), "grade": "major", "description": "x", "source": "self_reported"})
    assert (incomplete.status_code, incomplete.json()["code"]) == (422, "criterion-required")
    board = client.get("/api/v1/listed-supervision", headers=token("viewer", COUNTY))
    assert board.status_code == 200


def test_statistics_count_per_period_and_breakdown_as_known(client: TestClient, system: System, clock,
                                                            token) -> None:
    from application import organisation as o
    from domain.units import RiskColour
    from tests.conftest import REGISTRAR

    desk = Desk(system)
    system.service.execute(o.GradeRiskColour(unit_id=desk.world.enterprise, colour=RiskColour.orange, reason="评定"),
                           REGISTRAR)
    first_day = desk.today()
    fixed = desk.report()
    desk.run(h.RectifyOnTheSpot(hazard_id=fixed, measures="当场整改"))
    late = desk.report(hz.HazardGrade.major)
    desk.plan(late, first_day + timedelta(days=1))
    clock.advance(timedelta(days=3))
    desk.report()
    system.runner.catch_up()
    system.worker.tick()
    system.runner.catch_up()
    q = system.queries.statistics
    by_day = q.hazards("350000", period="day", breakdown="none", start=first_day, end=desk.today(),
                       known_at=clock.now())
    counts = {(r["period"], r["metric"]): r["count"] for r in by_day}
    assert counts == {(str(first_day), "found"): 2, (str(first_day), "fixed"): 1,
                      (str(first_day + timedelta(days=2)), "overdue"): 1, (str(desk.today()), "found"): 1,
                      (str(desk.today()), "escalated"): 1}
    by_grade = q.hazards("350000", period="month", breakdown="grade", start=first_day, end=desk.today(),
                         known_at=clock.now())
    assert {(r["metric"], r["breakdown"]): r["count"] for r in by_grade} == {
        ("found", "general"): 2, ("found", "major"): 1, ("fixed", "general"): 1, ("overdue", "major"): 1,
        ("escalated", "major"): 1}
    by_colour = q.hazards("350000", period="week", breakdown="colour", start=first_day, end=desk.today(),
                          known_at=clock.now())
    assert {r["breakdown"] for r in by_colour} == {"orange"}
    before = q.hazards("350000", period="month", breakdown="none", start=first_day, end=desk.today(),
                       known_at=clock.now() - timedelta(days=2))
    assert {r["metric"]: r["count"] for r in before} == {"found": 2, "fixed": 1}, "as the dashboard showed it then"
    assert q.hazards(TOWN_B, period="month", breakdown="none", start=first_day, end=desk.today(),
                     known_at=clock.now()) == []
    response = client.get(f"/api/v1/statistics/hazards?period=day&by=grade&from={first_day}",
                          headers=token("viewer", COUNTY))
    assert response.status_code == 200, response.text
    assert sum(r["count"] for r in response.json() if r["metric"] == "found") == 3
    bad = client.get(f"/api/v1/statistics/hazards?from={desk.today()}&to={first_day}",
                     headers=token("viewer", COUNTY))
    assert (bad.status_code, bad.json()["code"]) == (422, "empty-range")
