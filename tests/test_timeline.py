"""Bitemporal timelines: in-order changes split the open segment; a backdated change re-folds, keeping the past."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from api.bootstrap import System
from projections.timeline import BITEMPORAL_COLUMNS, KNOWN, VALID, Timeline

TIMELINE = Timeline("t_things", "thing_id")
D = [datetime(2025, 3, day, tzinfo=UTC) for day in range(1, 29)]


@pytest.fixture
def tx_factory(system: System):
    with system.db.transaction() as tx:
        tx.execute(system.db.ddl(f"CREATE TABLE t_things (thing_id TEXT NOT NULL, revision INTEGER NOT NULL, "
                                 f"status TEXT, due_on {{DATE}}, tags_json {{JSON}}, {BITEMPORAL_COLUMNS}, "
                                 "PRIMARY KEY (thing_id, revision))"))
        for statement in TIMELINE.ddl():
            tx.execute(system.db.ddl(statement))
    return system.db


def state(db, thing, as_of: datetime, known_at: datetime) -> dict | None:
    with db.read() as tx:
        rows = tx.all(f"SELECT status, due_on, tags_json FROM t_things t WHERE thing_id = :k AND "
                      f"{VALID.format(t='t')} AND {KNOWN.format(t='t')}", {"k": thing, "as_of": as_of,
                                                                          "known_at": known_at})
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def test_in_order_changes_answer_both_questions(tx_factory) -> None:
    db, thing = tx_factory, uuid4()
    with db.transaction() as tx:
        TIMELINE.record(tx, thing, 1, D[1], D[1], {"status": "open", "due_on": date(2025, 3, 20), "tags_json": ["a"]})
        TIMELINE.record(tx, thing, 2, D[5], D[6], {"status": "fixing"})
        TIMELINE.record(tx, thing, 3, D[10], D[10], {"status": "closed"})
    now = D[27]
    assert state(db, thing, D[0], now) is None, "nothing before it existed"
    assert state(db, thing, D[3], now) == {"status": "open", "due_on": date(2025, 3, 20), "tags_json": ["a"]}
    assert state(db, thing, D[5], now)["status"] == "fixing"
    assert state(db, thing, D[12], now)["status"] == "closed"
    assert state(db, thing, D[5] + timedelta(hours=1), D[5] + timedelta(hours=2))["status"] == "open", (
        "the change effective on the 5th was recorded on the 6th: on the 5th the system still showed it open")


def test_a_backdated_change_refolds_and_keeps_what_was_known(tx_factory) -> None:
    db, thing = tx_factory, uuid4()
    with db.transaction() as tx:
        TIMELINE.record(tx, thing, 1, D[1], D[1], {"status": "open", "due_on": date(2025, 3, 20)})
        TIMELINE.record(tx, thing, 2, D[10], D[10], {"status": "closed"})
        # recorded on the 15th: the deadline had been extended on the 5th
        TIMELINE.record(tx, thing, 3, D[5], D[15], {"due_on": date(2025, 4, 30)})
    assert state(db, thing, D[7], D[27]) == {"status": "open", "due_on": date(2025, 4, 30), "tags_json": None}
    assert state(db, thing, D[12], D[27]) == {"status": "closed", "due_on": date(2025, 4, 30), "tags_json": None}
    assert state(db, thing, D[7], D[12])["due_on"] == date(2025, 3, 20), "before the 15th nobody knew"
    assert state(db, thing, D[3], D[27])["due_on"] == date(2025, 3, 20)


def test_changes_at_the_same_moment_merge_in_version_order(tx_factory) -> None:
    db, thing = tx_factory, uuid4()
    with db.transaction() as tx:
        TIMELINE.record(tx, thing, 1, D[1], D[1], {"status": "open"})
        TIMELINE.record(tx, thing, 2, D[1], D[2], {"status": "fixing", "due_on": date(2025, 3, 9)})
    assert state(db, thing, D[1], D[27]) == {"status": "fixing", "due_on": date(2025, 3, 9), "tags_json": None}
    assert state(db, thing, D[1], D[1])["status"] == "open"
    with db.read() as tx:
        live = tx.all("SELECT * FROM t_things WHERE recorded_to IS NULL")
    assert len(live) == 1, "one effective moment makes one segment"
