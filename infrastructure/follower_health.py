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
        self._known: dict[str, tuple[str, int | None] | None] = {}
        """What this process last wrote per follower: the error and its position, ``None`` when cleared (absent:
        not yet known)."""

    def failed(self, name: str, error: BaseException, position: int | None = None) -> bool:
        text = describe(error)
        with self._lock:
            if self._known.get(name) == (text, position):
                return False
            self._known[name] = (text, position)
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

    def recovered(self, name: str, passed: int | None = None) -> None:
        """Clear ``name``'s failure. With ``passed`` (the position the follower has now processed up to), only a
        failure at or before it is cleared: a round that started before a failure was met elsewhere (another
        thread or process following the same log) has not recovered from it. What stays is remembered, so a
        follower that has nothing to clear writes nothing."""
        with self._lock:
            if name in self._known:
                known = self._known[name]
                if known is None or (passed is not None and known[1] is not None and known[1] > passed):
                    return
        cleared = FAILURES.c.name == name
        if passed is not None:
            cleared &= FAILURES.c.position.is_(None) | (FAILURES.c.position <= passed)
        with self.db.transaction() as conn:
            conn.execute(delete(FAILURES).where(cleared))
            left = conn.execute(select(FAILURES.c.error, FAILURES.c.position).where(FAILURES.c.name == name)).first()
        with self._lock:
            self._known[name] = None if left is None else (left.error, left.position)

    def failures(self) -> dict[str, Failure]:
        with self.db.read() as conn:
            rows = conn.execute(select(FAILURES).order_by(FAILURES.c.name)).all()
        return {r.name: Failure(r.name, r.position, r.error, r.failed_at) for r in rows}
