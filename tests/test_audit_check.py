"""The live check on SQLite and PostgreSQL: rows changed, deleted or inserted behind the application's back (the
immutability triggers disabled first) are named; crypto-shredding a data key keeps every seal and proof valid."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import psycopg
import pytest
from sqlalchemy import delete, insert, select, update

from api.bootstrap import System
from application import organisation as o
from domain.units import RiskColour
from infrastructure.audit.bundle import verify
from infrastructure.audit.export import Selection
from infrastructure.audit.log import StoredEvent
from infrastructure.audit.merkle import Frontier
from infrastructure.audit.sealer import SealRefused
from infrastructure.audit.tree import LEAVES, NODES, StoredTree
from infrastructure.persistence import EVENTS_TABLE
from infrastructure.settings import Settings
from infrastructure.vault import Shredded
from tests.audit_support import SealedHistory, lines_of
from tests.builders import World
from tests.conftest import PG_URL, REGISTRAR


def tamper(settings: Settings, backend: str, statement: str, *params: object) -> None:
    """Run SQL against the events table as an intruder with database access would: triggers off. ``{id}`` is the
    notification-id column, ``?`` a parameter."""
    if backend == "sqlite":
        conn = sqlite3.connect(settings.sqlite_path)
        conn.execute(f"DROP TRIGGER IF EXISTS {EVENTS_TABLE}_no_update")
        conn.execute(f"DROP TRIGGER IF EXISTS {EVENTS_TABLE}_no_delete")
        conn.execute(statement.format(id="rowid", table=EVENTS_TABLE), params)
        conn.commit()
        conn.close()
        return
    schema = settings.postgres["schema"]
    with psycopg.connect(PG_URL, autocommit=True, options=f"-c search_path={schema}") as pg:
        pg.execute(f"ALTER TABLE {EVENTS_TABLE} DISABLE TRIGGER USER")
        pg.execute(statement.format(id="notification_id", table=EVENTS_TABLE).replace("?", "%s"), params)


@pytest.fixture
def history(system: System) -> SealedHistory:
    return SealedHistory(system)


def test_an_untouched_store_checks_green_and_unsealed_events_are_no_problem(history: SealedHistory) -> None:
    system = history.system
    report = system.audit.check()
    assert report.ok, report.summary()
    head = system.store.head()
    assert (report.tree_size, report.events_checked, report.heads_checked) == (head, head, 3)
    assert report.nodes_checked == head - bin(head).count("1")
    history.grade(RiskColour.red, RiskColour.yellow)
    later = system.audit.check()
    assert later.ok
    assert later.log_head > later.sealed_position == head
    assert later.summary().startswith(f"ok: {head} stored events match their seals (leaves 0–{head - 1})")


def test_check_names_a_directly_altered_row(history: SealedHistory, settings: Settings, backend: str) -> None:
    stored = history.system.audit.log.at(5)
    tamper(settings, backend, "UPDATE {table} SET state = ? WHERE {id} = ?", stored.state.replace(b"test:", b"tost:"),
           5)
    report = history.system.audit.check()
    assert not report.ok
    assert (report.problem.kind, report.problem.position, report.problem.leaf_index) == ("altered", 5, 4)
    assert report.summary() == ("altered: the stored event at position 5 (leaf 4) no longer hashes to its sealed "
                                "leaf: its stored bytes were changed")


def test_check_names_a_deleted_row(history: SealedHistory, settings: Settings, backend: str) -> None:
    tamper(settings, backend, "DELETE FROM {table} WHERE {id} = ?", 7)
    report = history.system.audit.check()
    assert (report.problem.kind, report.problem.position, report.problem.leaf_index) == ("missing", 7, 6)
    assert report.summary() == "missing: sealed leaf 6 (position 7) has no event in the store: it was deleted"


def test_check_names_an_inserted_row(system: System, settings: Settings, backend: str) -> None:
    """A row removed before sealing and put back after: the sealed sequence skips its position."""
    World(system)
    row = system.audit.log.at(4)
    tamper(settings, backend, "DELETE FROM {table} WHERE {id} = ?", 4)
    system.audit.sealer.seal_now()
    assert system.audit.check().ok
    tamper(settings, backend, "INSERT INTO {table} ({id}, originator_id, originator_version, topic, state) "
           "VALUES (?, ?, ?, ?, ?)", 4, str(row.aggregate_id) if backend == "sqlite" else row.aggregate_id,
           row.aggregate_version, row.topic, row.state)
    report = system.audit.check()
    assert (report.problem.kind, report.problem.position) == ("inserted", 4)
    assert "the event at position 4 is in the store but not in the sealed sequence" in report.summary()


def test_a_row_re_sealed_by_an_intruder_is_caught_by_the_signed_heads(history: SealedHistory,
                                                                        settings: Settings, backend: str) -> None:
    """The intruder changes a row, then its leaf (caught by the stored nodes), then the nodes too: the signed heads
    still pin the original leaves."""
    system = history.system
    tamper(settings, backend, "UPDATE {table} SET state = ? WHERE {id} = ?",
           system.audit.log.at(2).state.replace(b"test:", b"tost:"), 2)
    with system.db.transaction() as conn:
        conn.execute(update(LEAVES).where(LEAVES.c.position == 2).values(leaf_hash=system.audit.log.at(2).leaf_hash()))
    report = system.audit.check()
    assert (report.problem.kind, report.problem.leaf_index) == ("tree", 1)
    assert report.summary() == "tree: the stored node at level 1, index 0 does not match the sealed leaves below it"
    with system.db.transaction() as conn:
        frontier, nodes = Frontier(), []
        for leaf_hash in conn.execute(select(LEAVES.c.leaf_hash).order_by(LEAVES.c.leaf_index)).scalars():
            nodes += [{"level": lv, "node_index": i, "hash": h} for lv, i, h in frontier.append(bytes(leaf_hash))]
        conn.execute(delete(NODES))
        conn.execute(insert(NODES), nodes)
    report = system.audit.check()
    assert (report.problem.kind, report.problem.tree_size) == ("head", 9)
    assert report.summary() == ("head: the signed head of tree size 9 has another root than the tree recomputed from "
                                "the sealed leaves: a leaf below it was changed")


def test_shredding_a_persons_data_key_keeps_verify_and_check_green(history: SealedHistory, tmp_path: Path) -> None:
    system = history.system
    before = history.export(tmp_path / "before.zip")
    person = system.store.get(history.person)
    key_id = f"person:{history.person}"
    assert person.id_number_sealed.startswith(f"zk1:{key_id}:")
    assert system.vault.shred(key_id)
    with pytest.raises(Shredded):
        system.vault.open(person.id_number_sealed)
    report = system.audit.check()
    assert report.ok, report.summary()
    after = history.export(tmp_path / "after.zip")
    assert verify(after, history.keys()).coverage == "full"
    assert lines_of(after) == lines_of(before), "the sealed history is exactly as it was"
    town = history.export(tmp_path / "town.zip", Selection(aggregate_id=history.person))
    assert verify(town, history.keys()).events == 1


def stored_at(system: System, position: int) -> StoredEvent:
    event = system.audit.log.at(position)
    assert event is not None
    return event


def forge(settings: Settings, backend: str, position: int, template: StoredEvent, version: int,
          recorded_at: datetime | None = None) -> None:
    """A forged row written straight into the events table: ``template``'s event as ``version`` of its record,
    at ``position`` (any id the intruder likes), recorded at ``recorded_at`` if given."""
    state = orjson.loads(template.state)
    state["originator_version"] = version
    if recorded_at is not None:
        state["timestamp"] = recorded_at.isoformat()
    tamper(settings, backend, "INSERT INTO {table} ({id}, originator_id, originator_version, topic, state) "
           "VALUES (?, ?, ?, ?, ?)", position,
           template.aggregate_id.hex if backend == "sqlite" else template.aggregate_id, version, template.topic,
           orjson.dumps(state))


def test_rows_forged_below_the_first_position_are_caught_though_nothing_seals_them(
        history: SealedHistory, settings: Settings, backend: str) -> None:
    """Three rows at ids −2…0 carry the next versions of a record: replay applies them (the record changed), the
    sealer never reads below its position — and the check, which reads every row whatever its id, names them."""
    system = history.system
    unit = history.world.enterprise
    last = system.store.get(unit).version
    template = next(e for e in system.audit.log.scan(None, None) if e.aggregate_id == unit
                    and e.aggregate_version == last)
    for offset, position in enumerate((-2, -1, 0), 1):
        forge(settings, backend, position, template, last + offset)
    assert len(system.store.history(unit)) == last + 3, "replay reads the forged rows"
    system.audit.sealer.seal_now()
    report = system.audit.check()
    assert not report.ok
    assert (report.problem.kind, report.problem.position) == ("inserted", -2)
    assert report.summary() == ("inserted: the event at position -2 has a position the event store never hands out "
                                "(positions start at 1): it was written straight into the events table")


def test_the_sealer_refuses_rows_below_the_first_position(system: System, settings: Settings,
                                                          backend: str) -> None:
    World(system)
    template = stored_at(system, 3)
    forge(settings, backend, 0, template, template.aggregate_version + 50)
    with pytest.raises(SealRefused) as refused:
        system.audit.sealer.seal_now()
    assert (refused.value.kind, refused.value.position) == ("inserted", 0)
    assert system.audit.sealer.refused is refused.value
    stop = threading.Event()
    following = threading.Thread(target=system.audit.sealer.run, args=(stop, 0.05))
    following.start()
    try:
        deadline = time.monotonic() + 30
        while "audit_sealer" not in system.runner.health.failures() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        following.join()
    failure = system.runner.health.failures()["audit_sealer"]
    assert failure.position == 0, "the following sealer shows degraded at the refused row (/healthz)"
    assert failure.error.startswith("Disorder: the event at position 0 has a position the event store never hands")
    with system.db.read() as conn:
        assert StoredTree.size(conn) == 0
    with system.db.read() as conn:
        assert StoredTree.size(conn) == 0, "nothing is sealed after a refusal at the first row"


def test_back_dated_events_appended_at_the_tail_are_refused_and_reported(history: SealedHistory,
                                                                        settings: Settings, backend: str) -> None:
    """Forged events recorded 18 months before the log's latest recorded time: the sealer refuses them (nothing is
    sealed from there on), and the check names the first."""
    system = history.system
    sealed = history.head.tree_size
    head = system.store.head()
    template = stored_at(system, head)
    latest = template.recorded_at()
    assert latest is not None
    recorded = latest - timedelta(days=548)
    for offset in (1, 2):
        forge(settings, backend, head + offset, template, template.aggregate_version + offset, recorded)
    with pytest.raises(SealRefused) as refused:
        system.audit.sealer.seal_now()
    assert (refused.value.kind, refused.value.position) == ("time", head + 1)
    assert "beyond the clock-skew tolerance of 300 s, it was back-dated; run `zeren audit check`" in str(refused.value)
    with system.db.read() as conn:
        assert StoredTree.size(conn) == sealed
    report = system.audit.check()
    assert (report.problem.kind, report.problem.position) == ("time", head + 1)


def test_the_clock_skew_tolerance_boundary(system: System, clock) -> None:
    """ZEREN_AUDIT_CLOCK_SKEW_SECONDS (local practice, default 300 s): an event recorded exactly the tolerance
    before the latest recorded time is sealed; one a millisecond earlier is refused."""
    world = World(system)
    latest = clock.now()
    clock.set(latest - timedelta(seconds=299))
    world_grade(system, world)
    clock.set(latest - timedelta(seconds=300))
    world_grade(system, world)
    system.audit.sealer.seal_now()
    assert system.audit.check().ok
    clock.set(latest - timedelta(seconds=300, milliseconds=1))
    world_grade(system, world)
    with pytest.raises(SealRefused) as refused:
        system.audit.sealer.seal_now()
    assert (refused.value.kind, refused.value.position) == ("time", system.store.head())
    assert system.audit.check().problem.kind == "time"


def world_grade(system: System, world: World) -> None:
    colour = system.store.get(world.enterprise).risk_colour
    other = next(c for c in RiskColour if c != colour)
    system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=other, reason="复核"), REGISTRAR)


def test_a_gap_in_a_records_versions_is_reported(history: SealedHistory, settings: Settings, backend: str) -> None:
    system = history.system
    head = system.store.head()
    template = stored_at(system, head)
    forge(settings, backend, head + 1, template, template.aggregate_version + 2)
    report = system.audit.check()
    assert (report.problem.kind, report.problem.position) == ("version", head + 1)
    assert f"is version {template.aggregate_version + 2} of record {template.aggregate_id}, which had version " \
           f"{template.aggregate_version} before it" in report.summary()
