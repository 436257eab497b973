"""The demo history: deterministic, realistic, and it answers an investigator's questions."""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pytest

from api.bootstrap import System, bootstrap
from application import demo
from application.clock import ManualClock, SeededIds
from infrastructure.settings import Settings


def load(settings: Settings) -> System:
    clock = ManualClock(demo.START)
    system = bootstrap(settings, clock=clock, ids=SeededIds(demo.SEED))
    system.app.listeners.append(lambda _: system.runner.catch_up())
    demo.load(system.app, clock)
    system.runner.catch_up()
    return system


def fingerprint(system: System) -> list[tuple]:
    return [(e.position, type(e.event).__name__, e.event.originator_id, e.event.originator_version, e.event.timestamp,
             e.event.envelope.effective_at, repr(e.event.public_data()))
            for e in system.store.read(0, 100_000)]


def test_the_demo_is_the_same_on_every_machine(tmp_path: Path) -> None:
    """Same events, ids and times everywhere; person ids follow the deployment's keyed digest, so same key."""
    key = base64.b64encode(b"k" * 32).decode()
    first = load(Settings(sqlite_path=tmp_path / "a.db", data_dir=tmp_path / "a", master_key=key))
    second = load(Settings(sqlite_path=tmp_path / "b.db", data_dir=tmp_path / "b", master_key=key))
    try:
        assert fingerprint(first) == fingerprint(second)
    finally:
        first.close()
        second.close()


@pytest.fixture
def demo_system(settings: Settings) -> System:
    system = load(settings)
    yield system
    system.close()


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text + "T12:00:00+08:00")


def test_who_was_district_head_before_and_after_the_change(demo_system: System) -> None:
    rows = demo_system.ledger.duties("350000", as_of=cst("2025-05-01"), known_at=cst("2026-11-01"))
    heads = {r["person_name"] for r in rows if r["post_title"] == "区长"}
    later = demo_system.ledger.duties("350000", as_of=cst("2025-07-01"), known_at=cst("2026-11-01"))
    assert len(heads) == 1
    assert {r["person_name"] for r in later if r["post_title"] == "区长"} != heads


def test_the_late_recorded_safety_manager(demo_system: System) -> None:
    """Appointed 2025-03-01, recorded three weeks later: the ledger known on 03-10 shows the post vacant."""
    as_of = cst("2025-03-05")
    known_then = demo_system.ledger.duties("350000", as_of=as_of, known_at=cst("2025-03-10"))
    known_now = demo_system.ledger.duties("350000", as_of=as_of, known_at=cst("2026-11-01"))
    then = [r for r in known_then if r["post_title"] == "安全部经理"]
    now = [r for r in known_now if r["post_title"] == "安全部经理"]
    assert then
    assert all(r["person_id"] is None for r in then)
    assert now
    assert all(r["person_id"] is not None for r in now)


def test_the_demo_leaves_gaps_to_find(demo_system: System) -> None:
    gaps = {g["gap"] for g in demo_system.gaps.find("350000", as_of=cst("2026-10-31"), known_at=cst("2026-11-01"))}
    assert {"vacant_post", "no_all_staff_list", "position_without_duties", "portfolio_without_safety_duty"} <= gaps


def test_the_demo_tips_a_reward_an_unfounded_web_tip_and_a_whistleblower(demo_system: System) -> None:
    """R11 in the demo: the 12345 call about the LPG refilling point led to a hazard and 15 % of the fine."""
    tips = {row["channel"]: row for row in demo_system.tips.ledger("350000")}
    lpg, web, chem = tips["hotline_12345"], tips["web"], tips["internal_whistleblower"]
    assert (lpg["status"], lpg["reward_yuan"], lpg["reward_grounds"], lpg["feedback_count"]) == (
        "reward_paid", "7500.00", "major_hazard", 1)
    [outcome] = lpg["outcomes"]
    hazard = demo_system.store.get(UUID(outcome["target_id"]))
    assert (hazard.source, str(hazard.tip_id)) == ("tip", lpg["tip_id"])
    assert (web["anonymous"], web["verdict"], web["feedback_count"]) == (1, "unsubstantiated", 1)
    assert (chem["verdict"], chem["disclosures"], chem["feedback_count"]) == ("substantiated", 1, 1)
    [disclosure] = [e for e in demo_system.store.history(UUID(chem["tip_id"])) if type(e).__name__ ==
                    "ReporterIdentityDisclosed"]
    assert "打击报复" in disclosure.reason, "the reason is recorded with the look"
