"""The sealer: a follower of the log that seals every stored event into the Merkle tree and signs tree heads.

In ONE transaction per batch it reads the next events (the exact stored bytes), appends their leaf hashes, stores
the complete subtrees they complete, signs a tree head every ``seal_every_events`` leaves — and, when leaves are
waiting for a head, at least every ``seal_every_minutes`` minutes — and moves its ``follower_tracking`` row: a crash
seals nothing twice and loses nothing; the locked tracking row keeps two sealers from sealing the same events.

It is not a projection: it is never rebuilt from the log, because seals recomputed from a tampered log would
certify the tampering (docs/architecture.md §8).

It refuses to seal what no genuine log holds (``order``): a row at a position ≤ 0 or an event recorded further back
than the clock-skew tolerance before the latest recorded time it has sealed. It then seals everything before that
event, stops there and says why (:class:`SealRefused`: the follower health log and ``/healthz`` show it degraded at
that position, and :attr:`Sealer.refused` keeps it), until an operator has dealt with the row (``zeren audit
check`` names the same event).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timedelta

from sqlalchemy import Connection

from application.following import FollowerFailed, follow
from application.ports import Clock
from infrastructure.audit import leaves
from infrastructure.audit.cosigning import Cosigning
from infrastructure.audit.log import StoredLog
from infrastructure.audit.merkle import Frontier
from infrastructure.audit.order import Disorder, LogOrder
from infrastructure.audit.signing import Signer, TreeHead
from infrastructure.audit.tree import StoredTree
from infrastructure.database import Database
from infrastructure.follower_health import FollowerHealth
from infrastructure.following import Tracking
from infrastructure.notifications import Notifications
from infrastructure.persistence import LogRow

NAME = "audit_sealer"
SPACING_SECONDS = 0.25
"""The least time between the starts of two rounds of the sealer woken by commits (``application.following.follow``):
a seal a quarter second later proves the same, and under a stream of commands one transaction seals all of that
quarter second's events instead of one transaction per command (issue #15: in ``zeren serve`` the sealer's round
after every command took a third of the server's interpreter time)."""


class SealRefused(FollowerFailed):
    """The sealer met an event no genuine log holds and seals nothing from it on; the message says which and why.
    As a :class:`FollowerFailed` at that position, it shows the sealer degraded on ``/healthz``."""

    def __init__(self, disorder: Disorder):
        Exception.__init__(self, f"the sealer refuses to seal: {disorder.detail}; run `zeren audit check`")
        self.position, self.cause, self.kind = disorder.position, disorder, disorder.kind


class Sealer:
    def __init__(self, db: Database, log: StoredLog, signer: Callable[[], Signer], clock: Clock, *,
                 every_events: int, every_minutes: float, clock_skew_seconds: float, cosigning: Cosigning,
                 batch_size: int = 2000, notifications: Notifications | None = None):
        if every_events < 1 or every_minutes <= 0:
            raise ValueError("heads are signed every N ≥ 1 events and every M > 0 minutes")
        self.db = db
        self.log = log
        self.tree = StoredTree(db)
        self._signer = signer
        self.clock = clock
        self.every_events = every_events
        self.every = timedelta(minutes=every_minutes)
        self.batch_size = batch_size
        self.tolerance = timedelta(seconds=clock_skew_seconds)
        self.refused: SealRefused | None = None
        """Why the sealer stopped, while it is stopped."""
        self._latest: datetime | None = None
        """The latest recorded time sealed (since this process started; at least the last sealed event's)."""
        self.cosigning = cosigning
        self._checkpoints_signed = False
        """Whether heads signed before checkpoints were have been signed as checkpoints (once per process)."""
        self._topics: dict[str, bytes] = {}
        self._edge: Frontier | None = None
        """The tree's right edge after this sealer's last committed step."""
        self._wake = threading.Event()
        self.notifications = notifications
        """PostgreSQL: woken by every commit to the log (``LISTEN``), from any process."""

    def setup(self) -> None:
        with self.db.transaction() as conn:  # processes starting together queue here: the first row wins
            if Tracking.position(conn, NAME, lock=True) is None:
                Tracking.start(conn, NAME)

    def _due(self, latest: TreeHead | None, size: int, now: datetime) -> bool:
        """A head is due for leaves no head covers yet when the last head is ``seal_every_minutes`` old (or none
        was ever signed)."""
        if size == 0 or (latest is not None and latest.tree_size >= size):
            return False
        return latest is None or now - latest.signed_at >= self.every

    def _sign(self, conn: Connection, frontier: Frontier, now: datetime) -> TreeHead:
        """Sign and store a head, and sign it as a checkpoint (same transaction)."""
        signer = self._signer()
        head = signer.sign(frontier.size, frontier.root(), now)
        self.tree.store_head(conn, head)
        self.cosigning.sign(conn, signer.note_signer(self.cosigning.origin), head)
        return head

    def _sign_checkpoints(self, conn: Connection) -> None:
        """Heads signed before this version signed checkpoints get their checkpoint signature (once)."""
        if not self._checkpoints_signed:
            signer = self._signer().note_signer(self.cosigning.origin)
            for head in self.cosigning.unsigned_heads(conn, signer.verifier.key_id):
                self.cosigning.sign(conn, signer, head)
            self._checkpoints_signed = True

    def _cosign(self, head: TreeHead | None) -> None:
        """Ask the witnesses to cosign a head just signed (after its transaction committed)."""
        if head is not None and self.cosigning.witnesses:
            self.cosigning.request(head)

    def _admissible(self, position: int, size: int, entries: list[LogRow]) -> tuple[LogOrder, int,
                                                                                     SealRefused | None]:
        """How many of ``entries`` may be sealed, and why the next one may not (if so)."""
        order = LogOrder(self.tolerance, self._latest)
        if order.latest is None and size:
            last = self.log.at(position)
            order.latest = last.recorded_at() if last else None
        for count, (at, _, _, _, state) in enumerate(entries):
            try:
                order.admit_stored(at, state)
            except Disorder as disorder:
                return order, count, SealRefused(disorder)
        return order, len(entries), None

    def _frontier(self, conn: Connection, size: int) -> Frontier:
        """The right edge of the stored tree of ``size`` leaves: the one this sealer's last step committed when the
        tree has not grown since (leaves and nodes are only ever added, by sealers), else read (one query per
        subtree of the edge, issue #15)."""
        if self._edge is not None and self._edge.size == size:
            return self._edge.copy()
        return self.tree.frontier(conn, size)

    def _topic(self, topic: str) -> bytes:
        """The topic's field in a leaf (:func:`leaves.topic_field`), made once per topic."""
        field = self._topics.get(topic)
        if field is None:
            field = self._topics[topic] = leaves.topic_field(topic)
        return field

    def step(self) -> int:
        """Seal one batch (and sign the heads that are due); returns how many events it sealed. Raises
        :class:`SealRefused` (after sealing the events before it) at an event no genuine log holds."""
        with self.db.transaction() as conn:
            position = Tracking.position(conn, NAME, lock=True) or 0
            size = self.tree.size(conn)
            # Before the first seal, read from the very first row, whatever its id: a row at 0 or below is refused.
            entries = self.log.rows(position if size else None, self.batch_size)
            order, admitted, refusal = self._admissible(position, size, entries)
            entries = entries[:admitted]
            latest = self.tree.latest_head(conn)
            now = self.clock.now()
            if not entries and not self._due(latest, size, now):
                self._refuse(refusal)
                return 0
            self._sign_checkpoints(conn)
            signed = None
            frontier = self._frontier(conn, size)
            sealed: list[tuple[int, int, bytes]] = []
            nodes: list[tuple[int, int, bytes]] = []
            for at, aggregate, version, topic, state in entries:
                digest = leaves.hash_fields(at, aggregate, version, self._topic(topic), state)
                sealed.append((frontier.size, at, digest))
                nodes.extend(frontier.append(digest))
                if frontier.size % self.every_events == 0:
                    latest = signed = self._sign(conn, frontier, now)
            self.tree.store(conn, sealed, nodes)
            if self._due(latest, frontier.size, now):
                signed = self._sign(conn, frontier, now)
            if entries:
                Tracking.advance(conn, NAME, entries[-1][0])
        self._latest, self._edge = order.latest, frontier.copy()
        self._cosign(signed)
        self._refuse(refusal)
        return len(entries)

    def _refuse(self, refusal: SealRefused | None) -> None:
        """Raise a refusal at every step while it lasts: the following loop reports it to the follower health log
        (logged once, ``/healthz`` degraded) until a step gets past it."""
        self.refused = refusal
        if refusal is not None:
            raise refusal

    def catch_up(self) -> int:
        """Seal until the head of the log; returns how many events were sealed."""
        total = 0
        while count := self.step():
            total += count
        return total

    def seal_now(self) -> tuple[int, TreeHead | None]:
        """Catch up and sign a head over everything sealed (an operator's ``zeren audit seal``); a refusal is raised
        after that head is signed."""
        refusal = None
        try:
            sealed = self.catch_up()
        except SealRefused as refused:
            sealed, refusal = 0, refused
        signed = None
        with self.db.transaction() as conn:
            Tracking.position(conn, NAME, lock=True)
            self._sign_checkpoints(conn)
            size = self.tree.size(conn)
            latest = self.tree.latest_head(conn)
            if size and (latest is None or latest.tree_size < size):
                latest = signed = self._sign(conn, self._frontier(conn, size), self.clock.now())
        self._cosign(signed)
        if refusal is not None:
            raise refusal
        return sealed, latest

    def wake(self, _position: int = 0) -> None:
        """Called after a command is saved: seal now instead of at the next poll."""
        self._wake.set()

    def run(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Follow the log until ``stop`` is set (``zeren audit seal --follow``; in-process in ``zeren serve``): woken
        by commits (``LISTEN``, PostgreSQL) or this process's commands, and every ``poll_seconds`` in case a
        notification was lost."""
        with self.notifications.waking(self.wake, stop) if self.notifications else nullcontext():
            follow(self.step, stop, self._wake, poll_seconds, NAME, FollowerHealth(self.db), SPACING_SECONDS)
