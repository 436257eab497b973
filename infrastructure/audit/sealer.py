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
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import datetime, timedelta
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

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


CHUNK = 1000
"""Rows checked, hashed and grown into the tree at a time, whose leaves go to the database before the next chunk is
made: the server inserts them meanwhile (issue #15)."""


class _Chunk(NamedTuple):
    """Rows of a batch the order admits, their leaf hashes, and why the row after them was refused (if so)."""

    entries: list[LogRow]
    hashes: list[bytes]
    refusal: SealRefused | None


class Sealer:
    def __init__(self, db: Database, log: StoredLog, signer: Callable[[], Signer], clock: Clock, *,
                 every_events: int, every_minutes: float, clock_skew_seconds: float, cosigning: Cosigning,
                 batch_size: int = 10_000, notifications: Notifications | None = None):
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
        self._topics = leaves.Topics()
        self._edge: Frontier | None = None
        """The tree's right edge after this sealer's last committed step."""
        self._wake = threading.Event()
        self.notifications = notifications
        """PostgreSQL: woken by every commit to the log (``LISTEN``), from any process."""

    def setup(self) -> None:
        with self.db.transaction() as conn:  # processes starting together queue here: the first row wins
            if Tracking.position(conn, NAME, lock=True) is None:
                Tracking.start(conn, NAME)

    def _due(self, latest: TreeHead | None, size: int, now: datetime, at_once: bool = False) -> bool:
        """A head is due for leaves no head covers yet when the last head is ``seal_every_minutes`` old (or none
        was ever signed) — or at once (``seal_now``)."""
        if size == 0 or (latest is not None and latest.tree_size >= size):
            return False
        return at_once or latest is None or now - latest.signed_at >= self.every

    def _store_heads(self, conn: Connection, signer: Signer, heads: list[TreeHead]) -> None:
        """Store heads just signed, and sign them as checkpoints (same transaction)."""
        if heads:
            self.tree.store_heads(conn, heads)
            self.cosigning.sign(conn, signer.note_signer(self.cosigning.origin), heads)

    def _sign_checkpoints(self, conn: Connection) -> None:
        """Heads signed before this version signed checkpoints get their checkpoint signature (once)."""
        if not self._checkpoints_signed:
            signer = self._signer().note_signer(self.cosigning.origin)
            self.cosigning.sign(conn, signer, self.cosigning.unsigned_heads(conn, signer.verifier.key_id))
            self._checkpoints_signed = True

    def _cosign(self, head: TreeHead | None) -> None:
        """Ask the witnesses to cosign a head just signed (after its transaction committed)."""
        if head is not None and self.cosigning.witnesses:
            self.cosigning.request(head)

    def _order(self, position: int, size: int) -> LogOrder:
        """The order a step starts from: the latest recorded time sealed (read at ``position`` when this process has
        sealed nothing yet)."""
        order = LogOrder(self.tolerance, self._latest)
        if order.latest is None and size:
            last = self.log.at(position)
            order.latest = last.recorded_at() if last else None
        return order

    def _chunks(self, rows: list[LogRow], order: LogOrder) -> Iterator[_Chunk]:
        """The rows ``order`` admits, a :data:`CHUNK` at a time with their leaf hashes, up to the first one it refuses
        and why (at least one chunk, maybe empty)."""
        for start in range(0, max(len(rows), 1), CHUNK):
            chunk = rows[start:start + CHUNK]
            admitted, disorder = order.admit_rows(chunk)
            yield _Chunk(chunk[:admitted], leaves.hash_rows(chunk[:admitted], self._topics),
                         None if disorder is None else SealRefused(disorder))
            if disorder is not None:
                return

    def _frontier(self, conn: Connection, size: int) -> Frontier:
        """The right edge of the stored tree of ``size`` leaves: the one this sealer's last step committed when the
        tree has not grown since (leaves and nodes are only ever added, by sealers), else read (one query per
        subtree of the edge, issue #15)."""
        if self._edge is not None and self._edge.size == size:
            return self._edge.copy()
        return self.tree.frontier(conn, size)

    def step(self, at_once: bool = False) -> int:
        """Seal one batch (and sign the heads that are due; ``at_once``: also one over everything sealed, when the
        batch reached the head of the log or a refusal, as ``seal_now`` does); returns how many events it sealed.
        Raises :class:`SealRefused` (after sealing the events before it, and signing) at an event no genuine log
        holds.

        The batch is checked, hashed and grown into the tree in memory a :data:`CHUNK` at a time
        (:meth:`Frontier.extend`, up to each head's size in turn, the heads signed), each chunk's leaves streamed to
        the database before the next chunk is made (:meth:`StoredTree.appending`); then its subtrees, heads and
        position are written with one statement each (issue #15)."""
        with self.db.transaction() as conn:
            position = Tracking.position(conn, NAME, lock=True) or 0
            size = self.tree.size(conn)
            order = self._order(position, size)
            # Before the first seal, read from the very first row, whatever its id: a row at 0 or below is refused.
            rows = self.log.rows(position if size else None, self.batch_size)
            chunks = self._chunks(rows, order)
            first = next(chunks)
            last = len(rows) < self.batch_size  # the head of the log: the last step, unless refused
            latest = self.tree.latest_head(conn)
            now = self.clock.now()
            self._sign_checkpoints(conn)
            if not first.entries and not self._due(latest, size, now, at_once and (last or first.refusal is not None)):
                self._refuse(first.refusal)
                return 0
            frontier = self._frontier(conn, size)
            heads: list[TreeHead] = []
            signer, every, chunk = self._signer(), self.every_events, first
            with self.tree.appending(conn) as append:
                for chunk in chain([first], chunks):
                    entries, hashes, start, nodes, done = chunk.entries, chunk.hashes, frontier.size, [], 0
                    while done < len(hashes):  # a head every `every` leaves: the tree grown to each head's size in turn
                        end = min(len(hashes), done + every - frontier.size % every)
                        nodes += frontier.extend(hashes[done:end])
                        if frontier.size % every == 0:
                            heads.append(signer.sign(frontier.size, frontier.root(), now))
                        done = end
                    append(list(zip(range(start, frontier.size), map(itemgetter(0), entries), hashes, strict=True)),
                           nodes)
            refusal = chunk.refusal  # the last chunk's
            if self._due(heads[-1] if heads else latest, frontier.size, now, at_once and (last or refusal is not None)):
                heads.append(signer.sign(frontier.size, frontier.root(), now))
            self._store_heads(conn, signer, heads)
            sealed = frontier.size - size  # the rows admitted: the first ones
            if sealed:
                Tracking.advance(conn, NAME, rows[sealed - 1][0])
        self._latest, self._edge = order.latest, frontier.copy()
        self._cosign(heads[-1] if heads else None)
        self._refuse(refusal)
        return sealed

    def _refuse(self, refusal: SealRefused | None) -> None:
        """Raise a refusal at every step while it lasts: the following loop reports it to the follower health log
        (logged once, ``/healthz`` degraded) until a step gets past it."""
        self.refused = refusal
        if refusal is not None:
            raise refusal

    def catch_up(self, at_once: bool = False) -> int:
        """Seal until the head of the log (a batch shorter than a full one reached it); returns how many events were
        sealed. ``at_once``: the last step also signs a head over everything sealed."""
        total = 0
        while True:
            count = self.step(at_once)
            total += count
            if count < self.batch_size:
                return total

    def seal_now(self) -> tuple[int, TreeHead | None]:
        """Catch up and sign a head over everything sealed (an operator's ``zeren audit seal``), in the last step's
        transaction; a refusal is raised after that head is signed."""
        sealed = self.catch_up(at_once=True)
        with self.db.read() as conn:
            return sealed, self.tree.latest_head(conn)

    def wake(self, _position: int = 0) -> None:
        """Called after a command is saved: seal now instead of at the next poll."""
        self._wake.set()

    def run(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Follow the log until ``stop`` is set (``zeren audit seal --follow``; in-process in ``zeren serve``): woken
        by commits (``LISTEN``, PostgreSQL) or this process's commands, and every ``poll_seconds`` in case a
        notification was lost."""
        with self.notifications.waking(self.wake, stop) if self.notifications else nullcontext():
            follow(self.step, stop, self._wake, poll_seconds, NAME, FollowerHealth(self.db), SPACING_SECONDS,
                   self.batch_size)
