"""The follower health log: which follower is stuck, where, and why (the ``follower_failures`` table).

Followers run in several processes (``zeren serve``, ``zeren relay``, ``zeren audit seal --follow``); their
failures are kept in the read-model database so that ``/healthz``, ``zeren projections status`` and
``zeren relay --status`` of any process show them. A row exists while the follower's last step failed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from application.following import describe
from projections.sql import ReadDatabase

log = logging.getLogger(__name__)

DDL = (
    "CREATE TABLE IF NOT EXISTS follower_failures (name TEXT PRIMARY KEY, position {BIGINT}, error TEXT NOT NULL, "
    "failed_at {TS} NOT NULL)"
)


@dataclass(frozen=True)
class Failure:
    name: str
    """The follower (a projection's name, ``relay:<topic>``, ``audit sealer``, ``worker``)."""
    position: int | None
    """The log position it could not process, when known."""
    error: str
    failed_at: datetime


class FollowerHealth:
    """Implements ``application.following.HealthLog`` over the read-model database."""

    def __init__(self, db: ReadDatabase):
        self.db = db
        self._lock = threading.Lock()
        self._known: dict[str, str | None] = {}
        """What this process last wrote per follower: the error, ``None`` when cleared (absent: not yet known)."""

    def create_table(self) -> None:
        with self.db.transaction() as tx:
            tx.execute(self.db.ddl(DDL))

    def failed(self, name: str, error: BaseException, position: int | None = None) -> bool:
        text = describe(error)
        with self._lock:
            if self._known.get(name) == text:
                return False
            self._known[name] = text
        try:
            with self.db.transaction() as tx:
                tx.execute("DELETE FROM follower_failures WHERE name = :n", {"n": name})
                tx.execute("INSERT INTO follower_failures (name, position, error, failed_at) VALUES (:n, :p, :e, :t)",
                           {"n": name, "p": position, "e": text, "t": datetime.now(UTC)})
        except Exception:  # the database itself is out of reach: the log says it, the next failure tries again
            log.exception("follower %s: could not record its failure", name)
            with self._lock:
                self._known.pop(name, None)
        return True

    def recovered(self, name: str) -> None:
        with self._lock:
            if name in self._known and self._known[name] is None:
                return
            self._known[name] = None
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM follower_failures WHERE name = :n", {"n": name})

    def failures(self) -> dict[str, Failure]:
        with self.db.read() as tx:
            rows = tx.all("SELECT name, position, error, failed_at FROM follower_failures ORDER BY name")
        return {r["name"]: Failure(r["name"], r["position"], r["error"], r["failed_at"]) for r in rows}
