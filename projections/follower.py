"""Following the log: batched, tracked, exactly-once for read models (docs/architecture.md §1, §10).

Every follower (projection, policy, relay, sealer) has a row in ``follower_tracking`` with the last log position it
processed. A projection applies a batch of events and moves its position in ONE transaction, so a crash never
loses or doubles an event; the row is locked for the batch (``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), so two runners of the same projection cannot both apply it. Batching matters: the library's one commit
per event manages ≈2,000 events/s here, a batch of hundreds ten times that (docs/architecture.md §10).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from application.following import FollowerFailed, follow
from application.ports import EventLog, LogEntry
from projections.follower_health import FollowerHealth
from projections.sql import ReadDatabase, Tx
from projections.storable import storable

log = logging.getLogger(__name__)

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS follower_tracking (name TEXT PRIMARY KEY, position {BIGINT} NOT NULL, "
    "version INTEGER NOT NULL, updated_at {TS} NOT NULL)"
)


class Tracking:
    """The ``follower_tracking`` rows: how far each follower (projection, relay, sealer, policy) has read the log.

    A transactional follower (a projection, the sealer) reads and advances its row in the transaction of its own
    writes; a follower with an outside effect (the Kafka relay) advances only after the effect is confirmed.
    """

    @staticmethod
    def create_table(db: ReadDatabase) -> None:
        with db.transaction() as tx:
            tx.execute(db.ddl(TRACKING_DDL))

    @staticmethod
    def position(tx: Tx, name: str, *, lock: bool = False) -> int | None:
        """The follower's position, or ``None`` when it has none yet; ``lock`` holds the row for this transaction
        (``FOR UPDATE`` on PostgreSQL; SQLite's write transactions are ``BEGIN IMMEDIATE`` already)."""
        suffix = " FOR UPDATE" if lock and tx.dialect == "postgres" else ""
        return tx.scalar(f"SELECT position FROM follower_tracking WHERE name = :n{suffix}", {"n": name})

    @staticmethod
    def version(tx: Tx, name: str) -> int | None:
        return tx.scalar("SELECT version FROM follower_tracking WHERE name = :n", {"n": name})

    @staticmethod
    def start(tx: Tx, name: str, version: int = 1, position: int = 0) -> None:
        """(Re)start a follower at ``position``."""
        tx.execute("DELETE FROM follower_tracking WHERE name = :n", {"n": name})
        tx.execute(
            "INSERT INTO follower_tracking (name, position, version, updated_at) VALUES (:n, :p, :v, :t)",
            {"n": name, "p": position, "v": version, "t": datetime.now(UTC)},
        )

    @staticmethod
    def advance(tx: Tx, name: str, position: int) -> None:
        tx.execute("UPDATE follower_tracking SET position = :p, updated_at = :t WHERE name = :n",
                   {"p": position, "t": datetime.now(UTC), "n": name})

    @staticmethod
    def rows(db: ReadDatabase) -> dict[str, dict[str, Any]]:
        with db.read() as tx:
            return {r["name"]: r for r in tx.all("SELECT name, position, version, updated_at FROM follower_tracking")}


def on(*event_types: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a projection method as the handler of these event types."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn._handles = event_types  # type: ignore[attr-defined]
        return fn

    return mark


class Projection:
    """One read model: its tables (DDL), its handlers (``@on``), its queries. Rebuildable from the log."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    """Bump when the tables or handlers change: the runner then rebuilds the read model from the log."""
    tables: ClassVar[tuple[str, ...]] = ()
    ddl: ClassVar[tuple[str, ...]] = ()
    _handlers: ClassVar[dict[type, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for attr, value in vars(cls).items():
            for event_type in getattr(value, "_handles", ()):
                cls._handlers[event_type] = attr

    def setup(self, db: ReadDatabase, tx: Tx) -> None:
        for statement in self.ddl:
            tx.execute(db.ddl(statement))

    def drop(self, tx: Tx) -> None:
        for table in self.tables:
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def process(self, tx: Tx, entries: list[LogEntry]) -> None:
        """Apply the entries; raises :class:`FollowerFailed` naming the position of an entry that fails."""
        for entry in entries:
            handler = self._handlers.get(type(entry.event))
            if handler is not None:
                try:
                    getattr(self, handler)(tx, entry.event, entry.position)
                except Exception as exc:
                    raise FollowerFailed(entry.position, exc) from exc


class Runner:
    """Runs projections: set up, catch up, rebuild, run in the background, report positions."""

    def __init__(self, db: ReadDatabase, log: EventLog, projections: Iterable[Projection], batch_size: int = 500):
        self.db = db
        self.log = log
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self.health = FollowerHealth(db)
        self._wake = threading.Event()

    def setup(self) -> None:
        """Create tables; rebuild any projection whose version changed since it was last built."""
        Tracking.create_table(self.db)
        self.health.create_table()
        for projection in self.projections.values():
            with self.db.transaction() as tx:
                version = Tracking.version(tx, projection.name)
                if version == projection.version:
                    continue
                if version is not None:
                    log.info("projection %s changed version: rebuilding", projection.name)
                self._reset(tx, projection)

    def _reset(self, tx: Tx, projection: Projection) -> None:
        projection.drop(tx)
        projection.setup(self.db, tx)
        Tracking.start(tx, projection.name, projection.version)

    def step(self, projection: Projection) -> int:
        """Apply one batch; returns how many log entries it covered. When an entry fails, the entries before it are
        applied (in a transaction of their own) and :class:`FollowerFailed` names the one that failed."""
        try:
            return self._apply(projection)
        except FollowerFailed as failed:
            self._apply(projection, before=failed.position)
            raise

    def _apply(self, projection: Projection, before: int | None = None) -> int:
        with self.db.transaction() as tx:
            position = Tracking.position(tx, projection.name, lock=True) or 0
            limit = self.batch_size if before is None else min(self.batch_size, before - position - 1)
            entries = [storable(e) for e in self.log.read(position, limit)] if limit > 0 else []
            if not entries:
                return 0
            projection.process(tx, entries)
            Tracking.advance(tx, projection.name, entries[-1].position)
        return len(entries)

    def catch_up(self, name: str | None = None) -> int:
        """Process until every (or the named) projection has reached the head of the log (as of its last read: a
        batch shorter than ``batch_size`` ended at the head, so no empty write transaction is spent to learn it)."""
        total = 0
        for projection in self._selected(name):
            while count := self.step(projection):
                total += count
                if count < self.batch_size:
                    break
        return total

    def rebuild(self, name: str | None = None) -> int:
        """Drop and rebuild the named projection (or all) from the start of the log."""
        for projection in self._selected(name):
            with self.db.transaction() as tx:
                self._reset(tx, projection)
        return self.catch_up(name)

    def _selected(self, name: str | None) -> list[Projection]:
        if name is None:
            return list(self.projections.values())
        if name not in self.projections:
            raise KeyError(f"no projection named {name!r}; known: {', '.join(sorted(self.projections))}")
        return [self.projections[name]]

    def status(self) -> list[dict[str, Any]]:
        """Each projection's position, lag, version and, when it is stuck, the position it cannot pass and why."""
        head = self.log.head()
        rows = Tracking.rows(self.db)
        failures = self.health.failures()
        return [
            {"name": name, "position": rows.get(name, {}).get("position", 0), "head": head,
             "lag": head - rows.get(name, {}).get("position", 0), "version": p.version,
             "updated_at": rows.get(name, {}).get("updated_at"),
             "failed_at_position": failures[name].position if name in failures else None,
             "error": failures[name].error if name in failures else None}
            for name, p in self.projections.items()
        ]

    def wake(self, _position: int = 0) -> None:
        """Called after a command is saved: process now instead of at the next poll."""
        self._wake.set()

    def step_all(self) -> int:
        """One batch for every projection; one that fails is reported to the health log, the others go on."""
        moved = 0
        for projection in self.projections.values():
            try:
                moved += self.step(projection)
            except Exception as exc:
                position = exc.position if isinstance(exc, FollowerFailed) else None
                if self.health.failed(projection.name, exc, position):
                    log.exception("projection %s: stopped before log position %s", projection.name, position)
            else:
                self.health.recovered(projection.name)
        return moved

    def run(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Follow the log until ``stop`` is set."""
        follow(self.step_all, stop, self._wake, poll_seconds, "projections", self.health)


def positions(db: ReadDatabase, names: Iterable[str]) -> dict[str, int]:
    wanted = set(names)
    return {name: row["position"] for name, row in Tracking.rows(db).items() if name in wanted}


def wait_for(db: ReadDatabase, names: Iterable[str], position: int, timeout: float) -> bool:
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
