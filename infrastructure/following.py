"""Following the log: batched, tracked, exactly-once for read models (docs/architecture.md §1, §10).

Every follower (projection, policy, relay, sealer) has a row in ``follower_tracking`` with the last log position it
processed. A projection applies a batch of events and moves its position in ONE transaction, so a crash never
loses or doubles an event; the row is locked for the batch (``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), so two runners of the same projection cannot both apply it. Batching matters: the library's one commit
per event manages ≈2,000 events/s here, a batch of hundreds ten times that (docs/architecture.md §10).

A rebuild fills shadow tables (``projections.projection.SHADOW``) while readers keep reading the live ones, and
swaps them in, in one transaction, once it has caught up: readers see the old model or the new, never an empty one.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable
from sqlalchemy.sql.expression import Insert, literal_column

from application.following import FollowerFailed, follow
from application.ports import EventLog, LogEntry
from infrastructure.database import Database
from infrastructure.durable import DURABLE
from infrastructure.follower_health import FollowerHealth
from infrastructure.memory import bulk
from infrastructure.notifications import Notifications
from projections.columns import BigInt, Key, Timestamp
from projections.projection import SHADOW, Projection
from projections.storable import storable

log = logging.getLogger(__name__)


class Elsewhere(Protocol):
    """Another process that rebuilds read models beside this one (``infrastructure.rebuild_process``)."""

    def halves(self, projections: Sequence[Projection]) -> tuple[list[Projection], list[Projection]]:
        """Two groups of read models to rebuild side by side: this process's, the other's."""
        ...

    def rebuild(self, projections: Sequence[Projection]) -> Callable[[], int]:
        """Start rebuilding these read models there; the function that waits for it and returns the entries it
        applied, summed over them (or raises the error that stopped it)."""
        ...


TRACKING = Table(
    "follower_tracking", DURABLE,
    Column("name", Key, primary_key=True),
    Column("position", BigInt, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)


_POSITIONS = select(TRACKING.c.name, TRACKING.c.position).order_by(TRACKING.c.name)
"""Every follower's position: a few dozen rows, cheaper to read whole than to name (SQLAlchemy expands ``IN``)."""


_NAMED = TRACKING.c.name == bindparam("follower")
_POSITION = select(TRACKING.c.position).where(_NAMED)
_LOCKED_POSITION = _POSITION.with_for_update()
_VERSION = select(TRACKING.c.version).where(_NAMED)
_START = insert(TRACKING)
_FORGET = delete(TRACKING).where(_NAMED)
_ADVANCE = update(TRACKING).where(_NAMED).values(position=bindparam("reached"), updated_at=bindparam("at"))
"""One follower's row read, made, removed, moved: built once, so that each use (a rebuild makes ~90) neither builds a
statement nor derives its cache key anew (docs/performance.md, issue #10)."""


def _named(names: tuple[str, ...]) -> ColumnElement[bool]:
    """``name IN (…)`` of these followers, each name a bound value of its own: SQLAlchemy expands a list given to
    ``in_`` anew at every execution (its SQL rendered again), which made the lock and the advance of a round's 19
    rows two of its costliest statements (issue #15); a statement built once per set of followers is compiled once."""
    return TRACKING.c.name.in_([bindparam(f"follower_{i}", name) for i, name in enumerate(names)])


@functools.lru_cache(maxsize=64)
def _locking(names: tuple[str, ...]) -> Select[Any]:
    """The statement that reads and locks these followers' rows (built once per set of followers)."""
    return _POSITIONS.where(_named(names)).with_for_update()


@functools.lru_cache(maxsize=64)
def _advancing(names: tuple[str, ...]) -> Update:
    """Several followers moved to one position in one statement (a round moves every projection to its last entry),
    built once per set of followers."""
    return update(TRACKING).where(_named(names)).values(position=bindparam("reached"), updated_at=bindparam("at"))


_PIPELINE: ContextVar[Any] = ContextVar("follower_round_pipeline", default=None)
"""The psycopg pipeline of the round being applied on this thread (:func:`pipelined`), if any."""


@contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """PostgreSQL: the block's statements go out in psycopg's pipeline mode — a write is sent without waiting for
    its answer, and the writes of every projection of a round travel with the next statement whose rows are read
    (:func:`_answered`) or with the end of the block, instead of a round trip each (issue #15: a round of one
    command was ~26 round trips, each a wait for a busy server). An error of a write surfaces at that later
    statement or at the block's end: the caller must treat any error of the block as the round's (the round
    without savepoints is rolled back and run again statement by statement). SQLite: nothing changes."""
    if conn.dialect.name != "postgresql":
        yield
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.pipeline() as pipeline:
        token = _PIPELINE.set(pipeline)
        try:
            yield
        finally:
            _PIPELINE.reset(token)


UNFLUSHED = "SET LOCAL synchronous_commit TO off"
"""A round's transaction commits without waiting for its WAL to reach the disk (:func:`unflushed`)."""


def unflushed(conn: Connection) -> None:
    """PostgreSQL: the round's ``COMMIT`` answers once its WAL is written, not flushed to disk (``synchronous_commit``
    off for this transaction alone). A round's rows are derived from the log, and its writes and its followers'
    positions commit together: a crash of the server may lose the last rounds committed before it (at most
    three times ``wal_writer_delay``, 0.6 s by default) whole, never in part — their positions go back with their
    rows, and the followers apply those events again from the log, whose commands commit synchronously. What a round
    commits is visible to readers at once, as before. Under write load a round's commit no longer queues for the
    WAL flush behind the commands' own (issue #15: follower latency while clients write). SQLite: nothing."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(UNFLUSHED)


def _answered(_conn: Connection, _cursor: Any, statement: str, _parameters: Any, context: ExecutionContext,
              _executemany: bool) -> None:
    """In a pipelined round, a statement whose rows are read is answered at once (the pipeline synced, the writes
    queued before it with it): SQLAlchemy reads the result's description as soon as the statement is sent."""
    pipeline = _PIPELINE.get()
    if pipeline is not None and _returns_rows(statement, context):
        pipeline.sync()


def _returns_rows(statement: str, context: Any) -> bool:
    """Whether the statement's rows (or ``RETURNING``) are read: everything but a plain ``INSERT``/``UPDATE``/
    ``DELETE`` and the round's ``SET`` (:data:`UNFLUSHED`)."""
    compiled = context.compiled
    if compiled is None:  # SQL written out (projections.bulk's INSERT, :data:`UNFLUSHED`)
        return (statement.lstrip()[:6].upper() not in ("INSERT", "UPDATE", "DELETE") or "RETURNING" in statement
                ) and statement != UNFLUSHED
    if context.isinsert or context.isupdate or context.isdelete:
        return bool(compiled.effective_returning)
    return True


def _answering(engine: Engine) -> None:
    """Listen for statements that need their answer (:func:`_answered`) on ``engine``, once."""
    if not event.contains(engine, "after_cursor_execute", _answered):
        event.listen(engine, "after_cursor_execute", _answered)


CLAIM_SECONDS = 120
"""A rebuild whose shadow position has not moved for this long is taken to have died: another process may claim it."""


class Tracking:
    """The ``follower_tracking`` rows: how far each follower (projection, relay, sealer, policy) has read the log.

    A transactional follower (a projection, the sealer) reads and advances its row in the transaction of its own
    writes; a follower with an outside effect (the Kafka relay) advances only after the effect is confirmed.
    """

    @staticmethod
    def position(conn: Connection, name: str, *, lock: bool = False) -> int | None:
        """The follower's position, or ``None`` when it has none yet; ``lock`` holds the row for this transaction
        (``FOR UPDATE`` on PostgreSQL; SQLite's write transactions are ``BEGIN IMMEDIATE`` already)."""
        return conn.execute(_LOCKED_POSITION if lock else _POSITION, {"follower": name}).scalar()

    @staticmethod
    def version(conn: Connection, name: str) -> int | None:
        return conn.execute(_VERSION, {"follower": name}).scalar()

    @staticmethod
    def start(conn: Connection, name: str, version: int = 1, position: int = 0) -> None:
        """(Re)start a follower at ``position``."""
        Tracking.forget(conn, name)
        conn.execute(_START, {"name": name, "position": position, "version": version,
                              "updated_at": datetime.now(UTC)})

    @staticmethod
    def forget(conn: Connection, name: str) -> None:
        conn.execute(_FORGET, {"follower": name})

    @staticmethod
    def advance(conn: Connection, name: str, position: int) -> None:
        conn.execute(_ADVANCE, {"follower": name, "reached": position, "at": datetime.now(UTC)})

    @staticmethod
    def positions(conn: Connection, names: Iterable[str], *, lock: bool = False) -> dict[str, int]:
        """The followers' positions, read in one statement; ``lock`` holds their rows (and only theirs: the sealer,
        the relay or a rebuild may hold their own for long) for this transaction, in name order."""
        wanted = tuple(sorted(set(names)))
        if lock:
            return {row.name: row.position for row in conn.execute(_locking(wanted))}
        return {name: position for name, position in conn.execute(_POSITIONS) if name in wanted}

    @staticmethod
    def advance_all(conn: Connection, positions: Mapping[str, int]) -> None:
        """Advance several followers: one ``UPDATE`` for those that reached the same position — in a round, usually
        all of them (issue #15: an ``executemany`` of a row each was a statement per projection and round)."""
        now, reached = datetime.now(UTC), dict[int, list[str]]()
        for name, position in positions.items():
            reached.setdefault(position, []).append(name)
        for position, names in reached.items():
            conn.execute(_advancing(tuple(sorted(names))), {"reached": position, "at": now})

    @staticmethod
    def rows(db: Database) -> dict[str, dict[str, Any]]:
        with db.read() as conn:
            return {r["name"]: dict(r) for r in conn.execute(select(TRACKING)).mappings()}


class Runner:
    """Runs projections: set up, catch up, rebuild, run in the background, report positions."""

    def __init__(self, db: Database, log: EventLog, projections: Iterable[Projection], batch_size: int = 500,
                 rebuild_batch_size: int = 2000, notifications: Notifications | None = None,
                 elsewhere: Elsewhere | None = None, second_process_from: int = 2000):
        self.db = db
        self.log = log
        self.projections: dict[str, Projection] = {p.name: p for p in projections}
        self.batch_size = batch_size
        self.rebuild_batch_size = rebuild_batch_size
        self.health = FollowerHealth(db)
        self._wake = threading.Event()
        self.notifications = notifications
        """PostgreSQL: woken when any process commits events; otherwise only by this process's commands."""
        self.stale: set[str] = set()
        """Projections whose version changed: their live tables are the old version's until rebuilt."""
        self.elsewhere = elsewhere
        """Rebuilds some read models in another process (``infrastructure.rebuild_process``, PostgreSQL): a rebuild
        of several, over a log of ``second_process_from`` entries or more (below, the child's start costs more than
        it saves), gives it the second of the two groups it makes, and rebuilds the first itself meanwhile."""
        self.second_process_from = second_process_from
        self._rebuilding = threading.Lock()
        self._seen: dict[str, int] = {}
        """Each projection's position as this runner's last round left it (read under its lock, or moved by it): where
        the next round reads from (:meth:`_round`). Never ahead of the row unless the row went back, which the next
        round's lock finds."""
        if db.dialect == "postgres":
            _answering(db.engine)

    def setup(self) -> None:
        """Create the tables of projections never built. One whose version changed since it was last built keeps
        its live tables, which readers go on reading, and is left alone by the followers until it is rebuilt into
        shadow tables and swapped in (:meth:`rebuild_stale`: the first thing :meth:`run` does, and what
        :meth:`catch_up` does first for a projection it is asked to bring up)."""
        for projection in self.projections.values():
            with self.db.transaction() as conn:
                version = Tracking.version(conn, projection.name)
                if version == projection.version:
                    continue
                if version is not None:
                    log.info("projection %s changed version (%s → %s): it will be rebuilt into shadow tables",
                             projection.name, version, projection.version)
                    self.stale.add(projection.name)
                    continue
                projection.drop(conn)
                projection.create(conn)
                Tracking.start(conn, projection.name, projection.version)

    def rebuild_stale(self, names: Iterable[str] | None = None, *, wait: bool = False) -> int:
        """Rebuild the (named) projections whose version changed, into shadow tables swapped in once caught up
        (:meth:`rebuild`): readers see the old model until then, never an empty one. A process claims the rebuild
        of a projection (:meth:`_claim`); one claimed by another process is left to it — ``wait``: until it is
        done — and one it has finished is only caught up. Returns the entries applied."""
        total = 0
        while True:
            with self._rebuilding:
                wanted = sorted(self.stale if names is None else self.stale & set(names))
                mine = [p for p in (self.projections[name] for name in wanted) if self._claim(p)]
                for projection in mine:
                    log.info("projection %s: rebuilding for version %s", projection.name, projection.version)
                total += self._rebuild(mine) if mine else 0
                with self.db.read() as conn:
                    done = {n for n in wanted if Tracking.version(conn, n) == self.projections[n].version}
                self.stale -= done
            if not wait or done == set(wanted):
                return total
            time.sleep(0.5)

    def _claim(self, projection: Projection) -> bool:
        """Claim the rebuild of a changed projection for this process (the live row locked meanwhile, so two
        processes starting at once do not both build the same shadow tables): not when it is built at its version
        already, nor while another process's rebuild has moved within :data:`CLAIM_SECONDS`."""
        key = projection.name + SHADOW
        with self.db.transaction() as conn:
            Tracking.position(conn, projection.name, lock=True)
            if Tracking.version(conn, projection.name) == projection.version:
                return False
            moved = conn.execute(select(TRACKING.c.updated_at).where(TRACKING.c.name == key)).scalar()
            if moved is not None and (datetime.now(UTC) - moved).total_seconds() < CLAIM_SECONDS:
                return False
            Tracking.start(conn, key, projection.version)
        return True

    def _read(self, after: int, limit: int) -> tuple[list[LogEntry], FollowerFailed | None]:
        """Read and decode the next ``limit`` entries once, for every follower that needs them; an entry no class
        can load ends the batch before it, and is returned as the failure every follower meets there."""
        try:
            return [storable(e) for e in self.log.read(after, limit)], None
        except FollowerFailed as failed:
            before = failed.position - after - 1
            return ([storable(e) for e in self.log.read(after, min(limit, before))] if before > 0 else []), failed

    @staticmethod
    def _apply(conn: Connection, projection: Projection, batch: list[LogEntry]) -> int:
        """Apply ``batch`` (the entries past the projection's position) in a savepoint of ``conn`` — none when the
        projection handles none of them — and return the position it reached; when an entry fails, the entries
        before it are applied and :class:`FollowerFailed` names it (its ``reached``: how far they went)."""
        if not projection.wants(batch):
            return batch[-1].position
        try:
            with conn.begin_nested():
                projection.process(conn, batch)
        except FollowerFailed as failed:
            before = [e for e in batch if e.position < failed.position]
            if before:
                with conn.begin_nested():
                    projection.process(conn, before)
            failed.reached = before[-1].position if before else None
            raise
        return batch[-1].position

    @staticmethod
    def _held(conn: Connection, names: list[str], start: int) -> dict[str, int]:
        """The followers' positions, their rows locked for the round; :class:`_Moved` when one is behind ``start``,
        the position the round's entries were read from (the runner's positions kept from its last round are then
        stale: a projection made anew or rebuilt elsewhere), so that no entry before ``start`` is skipped."""
        held = Tracking.positions(conn, names, lock=True)
        if any((held.get(name) or 0) < start for name in names):
            raise _Moved
        return held

    @staticmethod
    def _apply_all(conn: Connection, projections: list[Any], entries: list[LogEntry], held: Mapping[str, int],
                   ) -> tuple[int, dict[str, int]]:
        """A round's usual path: each projection's batch applied in the one transaction without a savepoint of its
        own — two round trips fewer for every projection that handles an event of the batch, half the statements of
        a round of one command (issue #15: rounds under write load were a string of round trips). A failure
        raises: the caller rolls the transaction back and runs the round again with a savepoint each. Returns the
        entries applied, summed over the projections, and the positions reached."""
        reached, applied = {}, 0
        for projection in projections:
            batch = [e for e in entries if e.position > (held.get(projection.name) or 0)]
            if batch:
                if projection.wants(batch):
                    projection.process(conn, batch)
                reached[projection.name] = batch[-1].position
                applied += len(batch)
        Tracking.advance_all(conn, reached)
        return applied, reached

    def _round(self, projections: list[Any]) -> tuple[int, int, dict[str, Exception], int]:
        """One batch for ``projections``: the log read and decoded once from the furthest behind of them, applied
        to each in one transaction (:meth:`_apply_all`; when a projection fails, again with a savepoint each, so one
        that fails leaves the others' work). Returns the
        entries read, the entries applied (summed over projections), the failures by projection name, and the
        log position every projection that did not fail has processed up to (at least).

        Where to read from is what this runner last saw of the positions (:attr:`_seen`, as its last round left
        them), checked under the round's lock (:meth:`_held`): a round reads no positions before it (issue #15). A
        position another process moved on since is only further, so the round reads entries that follower has
        already applied, and skips them; a position that went back (made anew elsewhere) is read afresh."""
        projections = [p for p in projections if p.name not in self.stale]  # old tables: not for new handlers
        if not projections:
            return 0, 0, {}, 0
        names = [p.name for p in projections]
        seen = self._seen
        known = seen if all(name in seen for name in names) else positions(self.db, names)
        try:
            return self._round_from(projections, names, min(known.get(name, 0) for name in names))
        except _Moved:
            self._seen = {}
            return self._round_from(projections, names, min(positions(self.db, names).get(name, 0) for name in names))

    def _round_from(self, projections: list[Any], names: list[str], start: int,
                    ) -> tuple[int, int, dict[str, Exception], int]:
        entries, unreadable = self._read(start, self.batch_size)
        if not entries and unreadable is None:  # nothing new: no write transaction to learn it
            return 0, 0, {}, start
        if unreadable is None:
            try:
                with self.db.transaction() as conn, pipelined(conn):
                    unflushed(conn)  # sent with the lock
                    held = self._held(conn, names, start)
                    applied, moved = self._apply_all(conn, projections, entries, held)
                self._seen = {**self._seen, **held, **moved}
                return len(entries), applied, {}, entries[-1].position
            except _Moved:
                raise
            except Exception:  # rolled back: the round again, a savepoint each, so the others' work is kept
                log.debug("a round without savepoints failed; applying it again projection by projection",
                          exc_info=True)
        applied, failures = 0, {}
        with self.db.transaction() as conn:
            unflushed(conn)
            held = self._held(conn, names, start)
            reached: dict[str, int] = {}
            for projection in projections:
                batch = [e for e in entries if e.position > (held.get(projection.name) or 0)]
                try:
                    if batch:
                        reached[projection.name] = self._apply(conn, projection, batch)
                        applied += len(batch)
                except Exception as exc:
                    failures[projection.name] = exc
                    if isinstance(exc, FollowerFailed) and exc.reached is not None:
                        reached[projection.name] = exc.reached
                else:
                    if unreadable is not None:
                        failures[projection.name] = unreadable
            Tracking.advance_all(conn, reached)
        self._seen = {**self._seen, **held, **reached}
        return len(entries), applied, failures, entries[-1].position if entries else start

    def step(self, projection: Any) -> int:
        """Apply one batch to ``projection``; returns how many log entries it covered. When an entry fails, the
        entries before it are applied and :class:`FollowerFailed` names the one that failed."""
        _, applied, failures, _ = self._round([projection])
        if failures:
            raise failures[projection.name]
        return applied

    def catch_up(self, name: str | None = None) -> int:
        """Process until every (or the named) projection has reached the head of the log (as of its last read: a
        batch shorter than ``batch_size`` ended at the head, so no empty write transaction is spent to learn it).
        The log is read and decoded once per batch for all of them."""
        selected = self._selected(name)
        total = self.rebuild_stale([p.name for p in selected], wait=True) if self.stale else 0
        while True:
            read, applied, failures, _ = self._round(selected)
            total += applied
            if failures:
                raise next(iter(failures.values()))
            if read < self.batch_size:
                return total

    def rebuild(self, name: str | None = None) -> int:
        """Rebuild the named projection (or all) from the start of the log into shadow tables, and swap them in.
        The log is read and decoded once per batch for all of them — for all of each process's, when a second
        process rebuilds about half of them (:attr:`elsewhere`; call it from the process's only working thread).
        Returns the entries applied, summed over the projections."""
        with self._rebuilding:
            total = self._rebuild(self._selected(name), apart=True)
            self.stale.difference_update(p.name for p in self._selected(name))
        return total

    def _rebuild(self, projections: list[Projection], *, apart: bool = False) -> int:
        """Rebuild ``projections``; ``apart``: about half of them in a second process (:attr:`elsewhere`), which is
        forked — only from a process whose other threads hold nothing the child needs (``zeren projections rebuild``,
        the benchmarks: their only other threads are the pools' of connections the child never touches). A changed
        read model's rebuild (:meth:`rebuild_stale`) runs in the followers' process, beside the sealer's and the
        worker's threads, whose locks (eventsourcing's topic cache, …) a fork could copy held: it stays in one."""
        here, there = self._shared(projections) if apart else (projections, [])
        joined = self.elsewhere.rebuild(there) if self.elsewhere and there else None  # first: its start overlaps
        try:
            with bulk():  # the process's objects left out of the collector's walks meanwhile (infrastructure.memory)
                total = self._fill_and_swap(here)
        finally:
            elsewhere = joined() if joined is not None else 0  # the other read models finish (or fail) first
        return total + elsewhere

    def _shared(self, projections: list[Projection]) -> tuple[list[Projection], list[Projection]]:
        """The read models this process rebuilds and those another process does (:attr:`elsewhere`)."""
        if self.elsewhere is None or len(projections) < 2 or self.log.head() < self.second_process_from:
            return projections, []
        return self.elsewhere.halves(projections)

    def _fill_and_swap(self, projections: list[Projection]) -> int:
        total = 0
        shadows = [(projection, projection.shadow()) for projection in projections]
        with self.db.transaction() as conn:
            _renew(conn, [shadow for _, shadow in shadows])
            for projection, _ in shadows:
                Tracking.start(conn, projection.name + SHADOW, projection.version)
        position = 0
        while shadows:  # the log up to its head as read now, shared (read and decoded once for all of them); what
            entries, _ = self._read(position, self.rebuild_batch_size)  # came since, and the swap, per projection
            if not entries:
                break
            with self.db.transaction() as conn:
                for _, shadow in shadows:
                    shadow.process(conn, entries)
                Tracking.advance_all(conn, {p.name + SHADOW: entries[-1].position for p, _ in shadows})
            position, total = entries[-1].position, total + len(entries) * len(shadows)
            if len(entries) < self.rebuild_batch_size:
                break
        for projection, shadow in shadows:
            total += self._finish(projection, shadow)
        return total

    def _finish(self, projection: Projection, shadow: Projection) -> int:
        """Bring a shadow near the head, then finish and swap it in one transaction, the live row locked."""
        key, total = projection.name + SHADOW, 0
        while True:
            with self.db.transaction() as conn:
                position = Tracking.position(conn, key, lock=True) or 0
                entries = [storable(e) for e in self.log.read(position, self.batch_size)]
                if len(entries) == self.batch_size:
                    shadow.process(conn, entries)
                    Tracking.advance(conn, key, entries[-1].position)
                    total += len(entries)
                    continue
                # Near the head: finish and swap in one transaction, the live projection's row locked meanwhile.
                Tracking.position(conn, projection.name, lock=True)
                while entries:
                    shadow.process(conn, entries)
                    position, total = entries[-1].position, total + len(entries)
                    entries = [storable(e) for e in self.log.read(position, self.batch_size)]
                self._swap(conn, projection, shadow)
                Tracking.forget(conn, key)
                Tracking.start(conn, projection.name, projection.version, position)
                return total

    def _swap(self, conn: Connection, live: Projection, shadow: Projection) -> None:
        """Replace the live tables by the shadow ones. PostgreSQL: drop, rename, and give the indexes their live
        names. SQLite: no ``ALTER TABLE … RENAME``, which makes SQLite re-parse its whole schema (every table of
        every read model) for each table renamed — ~5 ms a table, against well under one to copy a rebuilt demo's
        rows (docs/performance.md, issue #10): a live table whose schema is the shadow's (the same ``CREATE``
        statements but for the names) is emptied and filled from the shadow in one ``INSERT … SELECT``; one whose
        schema differs (a new version's tables) is dropped, created anew, filled and indexed; the shadow is dropped."""
        quote = conn.dialect.identifier_preparer.quote
        if self.db.dialect == "postgres":  # two round trips: the shadows' index names, then one script (_renew)
            names = conn.execute(_SHADOW_INDEXES, {"t": [twin.name for twin in shadow.tables]}).scalars().all()
            script = [str(DropTable(table, if_exists=True).compile(dialect=conn.dialect))
                      for table in reversed(live.live_tables)]
            script += [f"ALTER TABLE {quote(twin.name)} RENAME TO {quote(table.name)}"
                       for table, twin in zip(live.live_tables, shadow.tables, strict=True)]
            script += [f"ALTER INDEX {quote(name)} RENAME TO {quote(name.replace(SHADOW, ''))}"
                       for name in names if SHADOW in name]
            driver = conn.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor:
                cursor.execute(";\n".join(script).encode())
            return
        for table, twin in zip(live.live_tables, shadow.tables, strict=True):
            same = _schema(conn, table.name) == _schema(conn, twin.name)
            if same:
                conn.execute(delete(table))
            else:
                table.drop(conn, checkfirst=True)
                conn.execute(CreateTable(table))
            conn.execute(_refill(table, twin))
            if not same:
                for index in table.indexes:
                    index.create(conn)
            twin.drop(conn)

    def _selected(self, name: str | None) -> list[Any]:
        if name is None:
            return list(self.projections.values())
        if name not in self.projections:
            raise KeyError(f"no projection named {name!r}; known: {', '.join(sorted(self.projections))}")
        return [self.projections[name]]

    def tables(self) -> list[str]:
        """The names of every projection's tables."""
        return [t.name for p in self.projections.values() for t in p.live_tables]

    def status(self) -> list[dict[str, Any]]:
        """Each projection's position, lag, version and, when it is stuck, the position it cannot pass and why; while
        a rebuild fills its shadow tables, that rebuild's own position (``rebuild``: it moves batch by batch, while
        ``position`` stays the live tables' until the swap), its target (the log's head, which it must reach before
        it is swapped in) and whether it has stalled (not moved for :data:`CLAIM_SECONDS`: another process may take
        it over)."""
        head = self.log.head()
        rows = Tracking.rows(self.db)
        failures = self.health.failures()
        now = datetime.now(UTC)

        def rebuild(name: str) -> dict[str, Any] | None:
            shadow = rows.get(name + SHADOW)
            if shadow is None:
                return None
            moved = shadow["updated_at"]
            return {"position": shadow["position"], "target": head, "lag": head - shadow["position"],
                    "updated_at": moved, "stalled": (now - moved).total_seconds() >= CLAIM_SECONDS}

        return [
            {"name": name, "position": rows.get(name, {}).get("position", 0), "head": head,
             "lag": head - rows.get(name, {}).get("position", 0), "version": p.version,
             "updated_at": rows.get(name, {}).get("updated_at"), "rebuild": rebuild(name),
             "failed_at_position": failures[name].position if name in failures else None,
             "error": failures[name].error if name in failures else None}
            for name, p in self.projections.items()
        ]

    def wake(self, _position: int = 0) -> None:
        """Called after a command is saved: process now instead of at the next poll."""
        self._wake.set()

    def step_all(self) -> int:
        """One batch for every projection (the log read once, one transaction, a savepoint each); one that fails
        is reported to the health log, the others go on. Returns the entries the round read when it applied any
        (a full batch: there may be more), else 0."""
        if self.stale:
            self.rebuild_stale()  # another process's rebuild may have finished, or died
        read, moved, failures, reached = self._round(list(self.projections.values()))
        for name in self.projections:
            exc = failures.get(name)
            if exc is None:
                if name not in self.stale:  # a projection rebuilding behind its old tables took no part
                    self.health.recovered(name, reached)
                continue
            position = exc.position if isinstance(exc, FollowerFailed) else None
            if self.health.failed(name, exc, position):
                log.exception("projection %s: stopped before log position %s", name, position, exc_info=exc)
        return read if moved else 0

    def run(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Rebuild the projections whose version changed (readers keep the old model meanwhile), then follow the log
        until ``stop`` is set: woken by commits (``LISTEN``, PostgreSQL) or this process's commands, and every
        ``poll_seconds`` in case a notification was lost."""
        self.rebuild_stale()
        with self.notifications.waking(self.wake, stop) if self.notifications else nullcontext():
            follow(self.step_all, stop, self._wake, poll_seconds, "projections", self.health, full=self.batch_size)


class _Moved(Exception):
    """A follower's position is behind where the round read the log from (:meth:`Runner._held`)."""


_SHADOW_INDEXES = text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(:t)")
"""The indexes of a projection's shadow tables (PostgreSQL), renamed to their live names by the swap."""


def _renew(conn: Connection, shadows: list[Projection]) -> None:
    """Drop the shadows' tables left by an earlier rebuild, if any, and create them empty. PostgreSQL: in one round
    trip, their DDL compiled once per process (:func:`_shadow_ddl`) — before, a rebuild of every read model spent
    ~300 round trips here, a ``has_table`` query and a ``DROP`` or ``CREATE`` each (issue #15)."""
    if conn.dialect.name != "postgresql":
        for shadow in shadows:
            shadow.drop(conn)
            shadow.create(conn)
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(_shadow_ddl(tuple(table for shadow in shadows for table in shadow.tables), conn.dialect))


@functools.lru_cache(maxsize=8)
def _shadow_ddl(tables: tuple[Table, ...], dialect: Dialect) -> bytes:
    """``DROP TABLE IF EXISTS`` of each table (in reverse creation order), then its ``CREATE TABLE`` and
    ``CREATE INDEX`` statements, as SQLAlchemy compiles them for ``dialect``: one script of statements (psycopg sends
    a query without parameters by the simple protocol, which runs several at once)."""
    statements = [str(DropTable(table, if_exists=True).compile(dialect=dialect)) for table in reversed(tables)]
    for table in tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)))
        statements += [str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes]
    return ";\n".join(statement.strip() for statement in statements).encode()


def _refill(table: Table, twin: Table) -> Insert:
    """``INSERT INTO <table> (<its columns>) SELECT * FROM <its shadow>``: the shadow's columns are the table's in
    the same order (``projections.projection.shadow_of`` copies them, and it was created from that copy), and ``*``
    spares SQLAlchemy compiling a select list of every column, half the statement's compilation (~0.3 ms a table,
    once per process: a rebuild in a fresh process compiles one for each of its tables)."""
    return insert(table).from_select([c.name for c in table.columns], select(literal_column("*")).select_from(twin))


def _schema(conn: Connection, table: str) -> dict[str, str | None]:
    """A SQLite table's ``CREATE`` statements (its own and its indexes'), by name, with a shadow's names made live."""
    rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE tbl_name = ?", (table,))
    return {name.replace(SHADOW, ""): sql.replace(SHADOW, "") if sql else sql for name, sql in rows}


def positions(db: Database, names: Iterable[str]) -> dict[str, int]:
    with db.read() as conn:
        return Tracking.positions(conn, names)


def wait_for(db: Database, names: Iterable[str], position: int, timeout: float) -> bool:
    """Wait (bounded) until the named projections have processed the log up to ``position``."""
    names = list(names)
    deadline = time.monotonic() + timeout
    while True:
        current = positions(db, names)
        if all(current.get(n, 0) >= position for n in names):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
