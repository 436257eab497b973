"""The follower health log: which follower is stuck, where, and why (the durable ``follower_failures`` table).

Followers run in several processes (``zeren serve``, ``zeren relay``, ``zeren audit seal --follow``); their
failures are kept in the database so that ``/healthz``, ``zeren projections status`` and ``zeren relay --status`` of
any process show them. A row exists while the follower's last step failed.

The table is durable, not a read model: nothing in the log says a follower failed, so it cannot be rebuilt from the
log, and a rebuild of the projections must not wipe the record of a relay or sealer that is stuck. It is declared on
:data:`~infrastructure.durable.DURABLE` and created by a migration (``0003``), like the follower positions beside it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, Table, Text, delete, insert, select

from application.following import describe
from infrastructure.database import Database
from infrastructure.durable import DURABLE
from projections.columns import BigInt, Key, Timestamp

log = logging.getLogger(__name__)

FAILURES = Table(
    "follower_failures", DURABLE,
    Column("name", Key, primary_key=True), Column("position", BigInt), Column("error", Text, nullable=False),
    Column("failed_at", Timestamp, nullable=False),
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
    """Implements ``application.following.HealthLog`` over the database."""

    def __init__(self, db: Database):
        self.db = db
        self._lock = threading.Lock()
        self._known: dict[str, str | None] = {}
        """What this process last wrote per follower: the error, ``None`` when cleared (absent: not yet known)."""

    def failed(self, name: str, error: BaseException, position: int | None = None) -> bool:
        text = describe(error)
        with self._lock:
            if self._known.get(name) == text:
                return False
            self._known[name] = text
        try:
            with self.db.transaction() as conn:
                conn.execute(delete(FAILURES).where(FAILURES.c.name == name))
                conn.execute(insert(FAILURES).values(name=name, position=position, error=text,
                                                     failed_at=datetime.now(UTC)))
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
        with self.db.transaction() as conn:
            conn.execute(delete(FAILURES).where(FAILURES.c.name == name))

    def failures(self) -> dict[str, Failure]:
        with self.db.read() as conn:
            rows = conn.execute(select(FAILURES).order_by(FAILURES.c.name)).all()
        return {r.name: Failure(r.name, r.position, r.error, r.failed_at) for r in rows}
