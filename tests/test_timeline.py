"""Bitemporal timelines: in-order changes split the open segment; a backdated change re-folds, keeping the past."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, Table, select

from api.bootstrap import System
from projections.columns import Json, Key
from projections.timeline import Timeline, bitemporal_columns, changes_table, known, valid

METADATA = MetaData()
THINGS = Table("t_things", METADATA, Column("thing_id", Key, primary_key=True),
               Column("revision", Integer, primary_key=True, autoincrement=False), Column("status", Key),
               Column("due_on", Date), Column("tags_json", Json), Column("visits", Integer), *bitemporal_columns())
TIMELINE = Timeline(THINGS, changes_table("t_things", METADATA), "thing_id", counters=frozenset({"visits"}))
D = [datetime(2025, 3, day, tzinfo=UTC) for day in range(1, 29)]


@pytest.fixture
def tx_factory(system: System):
    with system.db.transaction() as conn:
        METADATA.create_all(conn)
    return system.db


def state(db, thing, as_of: datetime, known_at: datetime) -> dict | None:
    t = THINGS.c
    with db.read() as conn:
        rows = [dict(r) for r in conn.execute(select(t.status, t.due_on, t.tags_json).where(
            t.thing_id == thing, valid(THINGS, as_of), known(THINGS, known_at))).mappings()]
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def test_in_order_changes_answer_both_questions(tx_factory) -> None:
    db, thing = tx_factory, uuid4()
    with db.transaction() as conn:
        TIMELINE.record(conn, thing, 1, D[1], D[1], {"status": "open", "due_on": date(2025, 3, 20), "tags_json": ["a"]})
        TIMELINE.record(conn, thing, 2, D[5], D[6], {"status": "fixing"})
        TIMELINE.record(conn, thing, 3, D[10], D[10], {"status": "closed"})
    now = D[27]
    assert state(db, thing, D[0], now) is None, "nothing before it existed"
    assert state(db, thing, D[3], now) == {"status": "open", "due_on": date(2025, 3, 20), "tags_json": ["a"]}
    assert state(db, thing, D[5], now)["status"] == "fixing"
    assert state(db, thing, D[12], now)["status"] == "closed"
    assert state(db, thing, D[5] + timedelta(hours=1), D[5] + timedelta(hours=2))["status"] == "open", (
        "the change effective on the 5th was recorded on the 6th: on the 5th the system still showed it open")


def test_a_backdated_change_refolds_and_keeps_what_was_known(tx_factory) -> None:
    db, thing = tx_factory, uuid4()
    with db.transaction() as conn:
        TIMELINE.record(conn, thing, 1, D[1], D[1], {"status": "open", "due_on": date(2025, 3, 20)})
        TIMELINE.record(conn, thing, 2, D[10], D[10], {"status": "closed"})
        # recorded on the 15th: the deadline had been extended on the 5th
        TIMELINE.record(conn, thing, 3, D[5], D[15], {"due_on": date(2025, 4, 30)})
    assert state(db, thing, D[7], D[27]) == {"status": "open", "due_on": date(2025, 4, 30), "tags_json": None}
    assert state(db, thing, D[12], D[27]) == {"status": "closed", "due_on": date(2025, 4, 30), "tags_json": None}
    assert state(db, thing, D[7], D[12])["due_on"] == date(2025, 3, 20), "before the 15th nobody knew"
    assert state(db, thing, D[3], D[27])["due_on"] == date(2025, 3, 20)


def test_changes_at_the_same_moment_merge_in_version_order(tx_factory) -> None:
    db, thing = tx_factory, uuid4()
    with db.transaction() as conn:
        TIMELINE.record(conn, thing, 1, D[1], D[1], {"status": "open"})
        TIMELINE.record(conn, thing, 2, D[1], D[2], {"status": "fixing", "due_on": date(2025, 3, 9)})
    assert state(db, thing, D[1], D[27]) == {"status": "fixing", "due_on": date(2025, 3, 9), "tags_json": None}
    assert state(db, thing, D[1], D[1])["status"] == "open"
    with db.read() as conn:
        live = conn.execute(select(THINGS).where(THINGS.c.recorded_to.is_(None))).all()
    assert len(live) == 1, "one effective moment makes one segment"


def visits(db, thing, as_of: datetime, known_at: datetime) -> int:
    t = THINGS.c
    with db.read() as conn:
        return conn.execute(select(t.visits).where(t.thing_id == thing, valid(THINGS, as_of),
                                                   known(THINGS, known_at))).scalar_one()


def test_a_counter_counts_the_events_effective_by_then_however_late_recorded(tx_factory) -> None:
    db, thing = tx_factory, uuid4()
    with db.transaction() as conn:
        TIMELINE.record(conn, thing, 1, D[1], D[1], {"status": "open", "visits": 0})
        TIMELINE.record(conn, thing, 2, D[10], D[10], {"visits": 1})
        TIMELINE.record(conn, thing, 3, D[5], D[12], {"visits": 1})  # a visit on the 5th, recorded on the 12th
    assert visits(db, thing, D[3], D[27]) == 0
    assert visits(db, thing, D[7], D[27]) == 1, "one visit by the 7th (the late one)"
    assert visits(db, thing, D[11], D[27]) == 2
    assert visits(db, thing, D[7], D[11]) == 0, "on the 11th nobody knew of the visit on the 5th"
    assert visits(db, thing, D[11], D[11]) == 1


def test_a_change_said_to_precede_the_record_takes_effect_when_the_record_begins(tx_factory) -> None:
    """Nothing is in force before the record's creating change (version 1): a later change back-dated before it is
    folded in from the record's first moment, after the creation."""
    db, thing = tx_factory, uuid4()
    with db.transaction() as conn:
        TIMELINE.record(conn, thing, 1, D[5], D[5], {"status": "open", "visits": 0})
        TIMELINE.record(conn, thing, 2, D[2], D[6], {"status": "fixing"})
    assert state(db, thing, D[3], D[27]) is None
    assert state(db, thing, D[5], D[27])["status"] == "fixing"
