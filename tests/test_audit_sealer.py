"""The sealer: every stored event sealed once, in log order, in batches; heads every N events and M minutes;
exactly once across a crash and with two sealers at once; holes in positions; never rebuilt."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError
from sqlalchemy import text

from api.bootstrap import System
from application import organisation as o
from domain.base import Actor, CommandContext
from domain.units import RiskColour, Unit
from infrastructure.audit import merkle, sealer
from infrastructure.audit.order import Disorder, LogOrder
from infrastructure.audit.sealer import Sealer
from infrastructure.audit.tree import StoredTree
from infrastructure.database import Database
from infrastructure.following import Tracking
from tests.builders import World, state_of
from tests.conftest import REGISTRAR


def grade(system: System, world: World, times: int) -> None:
    """``times`` events: the enterprise's risk colour changes each time."""
    colours = list(RiskColour)
    for _ in range(times):
        current = system.store.get(world.enterprise).risk_colour
        colour = colours[(colours.index(current) + 1) % 4 if current else 0]
        system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=colour, reason="复核"), REGISTRAR)


def make_sealer(system: System, db: Database | None = None, *, every: int = 4, minutes: float = 5,
                batch: int = 3) -> Sealer:
    return Sealer(db or system.db, system.audit.log, lambda: system.audit.signer, system.service.clock,
                  every_events=every, every_minutes=minutes, clock_skew_seconds=300,
                  cosigning=system.audit.cosigning, batch_size=batch)


def rows(system: System, sql: str) -> list[dict[str, Any]]:
    with system.db.read() as conn:
        return [dict(r) for r in conn.execute(text(sql)).mappings()]


def sealed_sizes(system: System) -> list[int]:
    return [r["tree_size"] for r in rows(system, "SELECT tree_size FROM audit_heads ORDER BY tree_size")]


def assert_sealed_exactly(system: System) -> None:
    """Leaves are the stored events in log order, once each, and heads and nodes agree with them."""
    events = system.audit.log.read(0, 10_000)
    leaves = rows(system, "SELECT leaf_index, position, leaf_hash FROM audit_leaves ORDER BY leaf_index")
    assert [r["leaf_index"] for r in leaves] == list(range(len(events)))
    assert [r["position"] for r in leaves] == [e.position for e in events]
    assert [bytes(r["leaf_hash"]) for r in leaves] == [e.leaf_hash() for e in events]
    hashes = [bytes(r["leaf_hash"]) for r in leaves]
    nodes = rows(system, "SELECT level, node_index FROM audit_nodes")
    assert len(nodes) == len(hashes) - bin(len(hashes)).count("1")
    for head in rows(system, "SELECT tree_size, root_hash FROM audit_heads"):
        assert bytes(head["root_hash"]) == merkle.root(hashes[:head["tree_size"]])
    with system.db.read() as conn:
        assert Tracking.position(conn, sealer.NAME) == events[-1].position
    assert system.audit.check().ok


def test_every_stored_event_is_sealed_once_in_log_order_in_batches(system: System) -> None:
    world = World(system)
    grade(system, world, 7)
    seal = make_sealer(system, every=1000, batch=3)
    steps = []
    while count := seal.step():
        steps.append(count)
    assert steps == [3] * (len(steps) - 1) + [steps[-1]]
    assert sum(steps) == system.store.head()
    assert_sealed_exactly(system)
    grade(system, world, 2)
    assert seal.catch_up() == 2
    assert_sealed_exactly(system)


def test_heads_every_n_events_and_every_m_minutes(system: System, clock) -> None:
    world = World(system)
    grade(system, world, 1)
    seal = make_sealer(system, every=4, minutes=5, batch=3)
    assert seal.catch_up() == 10
    assert sealed_sizes(system) == [3, 4, 8], "the very first batch gets a head; then one every 4 leaves"
    clock.advance(timedelta(minutes=4, seconds=59))
    seal.step()
    assert sealed_sizes(system) == [3, 4, 8], "leaves 8–9 wait: the last head is not 5 minutes old"
    clock.advance(timedelta(seconds=1))
    assert seal.step() == 0
    assert sealed_sizes(system) == [3, 4, 8, 10], "5 minutes after the last head, the waiting leaves get one"
    clock.advance(timedelta(minutes=30))
    seal.step()
    assert sealed_sizes(system) == [3, 4, 8, 10], "no head without new leaves"
    grade(system, world, 1)
    seal.step()
    assert sealed_sizes(system) == [3, 4, 8, 10, 11], "the last head is old: a new leaf is sealed at once"
    heads = {h.tree_size: h for h in system.audit.heads(limit=10)}
    assert heads[11].signed_at == clock.now().replace(microsecond=0)
    assert_sealed_exactly(system)


def test_a_crash_mid_batch_seals_nothing_and_the_retry_seals_exactly_once(system: System,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(system)
    grade(system, world, 3)
    seal = make_sealer(system, every=4, batch=8)
    original = Tracking.advance

    def crash(*_: Any) -> None:
        raise RuntimeError("the process dies at the batch's last write")

    monkeypatch.setattr(Tracking, "advance", staticmethod(crash))
    with pytest.raises(RuntimeError):
        seal.step()
    assert rows(system, "SELECT * FROM audit_leaves") == []
    assert rows(system, "SELECT * FROM audit_nodes") == []
    assert rows(system, "SELECT * FROM audit_heads") == [], "the head at 4 leaves, signed mid-batch, went too"
    assert rows(system, "SELECT * FROM audit_checkpoint_signatures") == []
    with system.db.read() as conn:
        assert Tracking.position(conn, sealer.NAME) == 0
    monkeypatch.setattr(Tracking, "advance", staticmethod(original))
    assert seal.catch_up() == system.store.head()
    assert sealed_sizes(system) == [4, 8, 12]
    assert_sealed_exactly(system)


def test_a_sealer_keeps_the_edge_it_committed_and_reads_it_when_another_sealed_since(
        system: System, monkeypatch: pytest.MonkeyPatch) -> None:
    """The right edge of the tree after a sealer's step is kept for its next step (no query per subtree); when
    another sealer sealed in between, the tree has grown and the edge is read again."""
    world = World(system)
    grade(system, world, 9)
    first, second = make_sealer(system, batch=3), make_sealer(system, batch=3)
    reads: list[int] = []
    original = StoredTree.frontier

    def counted(tree: StoredTree, conn: Any, size: int) -> merkle.Frontier:
        reads.append(size)
        return original(tree, conn, size)

    monkeypatch.setattr(StoredTree, "frontier", counted)
    first.step()
    first.step()
    second.step()
    first.step()
    assert reads == [0, 6, 9], "the first sealer read the edge only before its first step and after the second's"
    first.catch_up()
    assert_sealed_exactly(system)


def test_two_sealers_at_once_never_seal_twice(system: System, settings) -> None:
    world = World(system)
    grade(system, world, 25)
    second_db = Database(settings)
    sealers = [make_sealer(system, batch=2), make_sealer(system, second_db, batch=2)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(s: Sealer) -> None:
        try:
            start.wait()
            s.catch_up()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in sealers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    second_db.close()
    assert errors == []
    assert_sealed_exactly(system)
    assert sealed_sizes(system) == [2, 4, 8, 12, 16, 20, 24, 28, 32]


def test_holes_in_positions_leave_no_holes_in_leaves(system: System, backend: str) -> None:
    """A save that loses a race consumes a PostgreSQL sequence value: positions skip it, leaf indices never do."""
    world = World(system)
    unit = state_of(system, world.enterprise, Unit)
    from domain import units as u

    ctx = CommandContext(actor=Actor(principal="a", role="admin"), recorded_at=unit.modified_on,
                         effective_at=unit.modified_on, correlation_id=world.enterprise)
    first = u.grade_risk_colour(ctx, unit, RiskColour.red, "a")
    second = u.grade_risk_colour(ctx, unit, RiskColour.blue, "b")
    assert first is not None, "it changes the colour"
    assert second is not None, "it changes the colour"
    system.store.save([], [first], None)
    with pytest.raises(IntegrityError):
        system.store.save([], [second], None)
    grade(system, world, 2)
    positions = [e.position for e in system.audit.log.read(0, 1000)]
    if backend == "postgres":
        assert positions != list(range(1, len(positions) + 1)), "the lost race left a hole"
    make_sealer(system).catch_up()
    assert_sealed_exactly(system)


def test_the_sealer_is_no_projection_and_a_rebuild_leaves_the_seals_alone(system: System) -> None:
    world = World(system)
    make_sealer(system).catch_up()
    before = rows(system, "SELECT * FROM audit_leaves ORDER BY leaf_index")
    assert sealer.NAME not in system.runner.projections
    system.runner.rebuild()
    grade(system, world, 1)
    assert rows(system, "SELECT * FROM audit_leaves ORDER BY leaf_index") == before


def test_a_batch_of_rows_is_admitted_as_one_by_one() -> None:
    """:meth:`LogOrder.admit_rows` (the sealer's batch, checked at once) admits as many rows as
    :meth:`LogOrder.admit_stored` of each in turn, refuses the same row in the same words and leaves the same latest
    recorded time: times in order, back within the tolerance, back-dated beyond it, unreadable, at position 0."""
    def row(position: int, state: bytes) -> tuple[int, bytes, int, str, bytes]:
        return position, bytes(16), 1, "t:T", state

    def at(second: int) -> bytes:
        return b'{"timestamp":"2026-12-07T10:%02d:%02d+08:00","data":{"timestamp":"1999-01-01T00:00:00+00:00"}}' % (
            second // 60, second % 60)

    fine = [row(1, at(10)), row(2, at(5)), row(3, at(40)), row(5, at(12)), row(6, at(41))]
    batches = [fine, fine[1:], [], [*fine, row(7, at(10))], [*fine[:3], row(4, b'{"data":{}}'), *fine[3:]],
               [*fine[:2], row(3, b"[1]")], [*fine[:2], row(3, b'{"timestamp":1}')], [row(0, at(1)), *fine],
               [*fine[:1], row(2, b'{"timestamp":"2026-12-07T10:00:09+08:00"}')], [row(1, b"not json")]]
    for latest in (None, datetime.fromisoformat("2026-12-07T10:00:30+08:00")):
        for batch in batches:
            at_once, one_by_one = LogOrder(timedelta(seconds=30), latest), LogOrder(timedelta(seconds=30), latest)
            count, disorder = at_once.admit_rows(batch)
            expected, refused = len(batch), None
            for n, (position, _, _, _, state) in enumerate(batch):
                try:
                    one_by_one.admit_stored(position, state)
                except Disorder as exc:
                    expected, refused = n, exc
                    break
            assert count == expected
            assert (disorder and (disorder.kind, disorder.position, disorder.detail)) == (
                refused and (refused.kind, refused.position, refused.detail))
            assert at_once.latest == one_by_one.latest
    assert LogOrder(timedelta(seconds=30)).admit_rows([*fine, row(7, at(10))])[0] == 5, "the back-dated row"


def sealed_tables(system: System) -> list[list[dict[str, Any]]]:
    return [rows(system, f"SELECT * FROM {table} ORDER BY 1, 2") for table in
            ("audit_leaves", "audit_nodes", "audit_heads", "audit_checkpoint_signatures")]


def unseal(system: System) -> None:
    with system.db.transaction() as conn:
        for table in ("audit_checkpoint_signatures", "audit_heads", "audit_nodes", "audit_leaves"):
            conn.execute(text(f"DELETE FROM {table}"))
        Tracking.start(conn, sealer.NAME)


def test_a_batch_sealed_chunk_by_chunk_is_sealed_as_at_once_and_refused_at_the_same_row(
        system: System, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch is checked, hashed and written a chunk at a time (``sealer.CHUNK``): the same leaves, subtrees, heads
    and checkpoint signatures, byte for byte, as a batch in one chunk — and a back-dated event in a later chunk is
    refused there, with every event before it sealed."""
    world = World(system)
    grade(system, world, 12)
    latest = clock.now()
    clock.set(latest - timedelta(days=1))
    grade(system, world, 1)  # back-dated beyond the tolerance: refused
    clock.set(latest)
    refused_at = system.store.head()
    grade(system, world, 2)
    outcomes = []
    for chunk in (1000, 2, 3):
        monkeypatch.setattr(sealer, "CHUNK", chunk)
        unseal(system)
        with pytest.raises(sealer.SealRefused) as refused:
            make_sealer(system, every=4, batch=30).seal_now()  # one batch, the refusal in a later chunk
        assert (refused.value.kind, refused.value.position) == ("time", refused_at)
        outcomes.append(sealed_tables(system))
    assert outcomes[1] == outcomes[0]
    assert outcomes[2] == outcomes[0]
    leaves = outcomes[0][0]
    assert [r["position"] for r in leaves] == list(range(1, refused_at)), "every event before the refused one"
    assert [r["tree_size"] for r in outcomes[0][2]] == [4, 8, 12, 16, 20, 21]
