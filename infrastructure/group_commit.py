"""Group commit (issue #15): the commands that one process saves at the same moment share one transaction.

Every save on PostgreSQL takes the events table's lock (``LOCK TABLE … IN EXCLUSIVE MODE``, which keeps notification
ids in commit order, so a follower reading "after its position" never misses an event committed late) and holds it
until its commit has waited for the WAL flush. Concurrent writers therefore queue for the lock one commit each. Here
they queue in the process instead: the first writer to arrive *leads* — it takes every save queued meanwhile, writes
them all in one transaction under the one lock, and answers each — while the others wait for their answer; when it is
done the first writer still waiting leads the next group. No writer waits on a timer: a group is whatever queued
while the previous one was committing, so one writer alone commits alone, as before.

Each save in a group is decided on its own. When the saves can all hold together (:func:`preconditions`: no two
decided on the same state of a record or gave one idempotency key), the group goes in by one statement that checks
under the lock that every record is still at the version its saves decided on and writes them all, or nothing (the
recorder's append function). Otherwise, or when that statement wrote nothing, the versions of every record the group
changes or read, and the receipts of its idempotency keys, are read once under the lock (:func:`admit`): a save whose
versions no longer hold (or whose key was used first) is refused alone with ``IntegrityError`` — its command is
decided again (``application.service``) — and the others commit. A group whose transaction fails for any other
reason writes nothing; each of its saves is then written alone, so an exception is its own save's and the others
commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from application.ports import Receipt


@dataclass(eq=False)
class Save:
    """One command's save waiting in the queue, and its answer: the events' log positions or the exception."""

    events: Sequence[StoredEvent]
    read: dict[UUID, int]
    receipt: Receipt | None
    answered: threading.Event = field(default_factory=threading.Event)
    ids: list[int] | None = None
    error: BaseException | None = None
    leads: bool = False
    """Woken to lead the next group rather than with an answer."""

    def answer(self, ids: list[int] | None = None, error: BaseException | None = None) -> None:
        self.ids, self.error = ids, error
        self.answered.set()

    def outcome(self) -> list[int]:
        if self.error is not None:
            raise self.error
        assert self.ids is not None
        return self.ids


class Refused(IntegrityError):
    """A save of a group that no longer holds under the lock: a record it changed or read is at another version, or
    its idempotency key was used first. Only this save is refused; its command is decided again."""


def admit(saves: Sequence[Save], versions: Mapping[UUID | str, int],
          receipts: set[tuple[str, str]]) -> list[Refused | None]:
    """Decide each save of a group in queue order, as if each committed alone in that order: a save holds if every
    record it read is at the version it decided on, every record it changes continues from the version before its
    first new event, and its idempotency key is unused — counting the saves admitted before it in the group.
    ``versions`` are the stored versions (a record absent is at 0), ``receipts`` the stored (scope, key) pairs."""
    current: dict[UUID | str, int] = {**versions}
    used = set(receipts)
    decided: list[Refused | None] = []
    for save in saves:
        first: dict[UUID | str, int] = {}
        last: dict[UUID | str, int] = {}
        for e in save.events:
            first[e.originator_id] = min(first.get(e.originator_id, e.originator_version), e.originator_version)
            last[e.originator_id] = max(last.get(e.originator_id, 0), e.originator_version)
        changed: list[UUID | str] = [i for i, v in save.read.items() if current.get(i, 0) != v]
        changed += [i for i, v in first.items() if current.get(i, 0) != v - 1]
        key = (save.receipt.scope, save.receipt.key) if save.receipt is not None else None
        if changed:
            decided.append(Refused(f"changed since read: {', '.join(str(i) for i in changed)}"))
        elif key is not None and key in used:
            decided.append(Refused(f"idempotency key already used: {key[1]}"))
        else:
            current.update(last)
            if key is not None:
                used.add(key)
            decided.append(None)
    return decided


def preconditions(saves: Sequence[Save]) -> dict[UUID | str, int] | None:
    """What a group needs of the stored log for every save of it to hold together: each record it read or changes at
    the version its first save decided on (a record absent at 0) — ``None`` when the saves cannot all hold whatever
    is stored (two decided on the same state of a record, or gave one idempotency key), so that :func:`admit` must
    decide each save under the lock. When the stored versions match, :func:`admit` would admit every save."""
    expected: dict[UUID | str, int] = {}
    left: dict[UUID | str, int] = {}
    keys: set[tuple[str, str]] = set()
    for save in saves:
        first: dict[UUID | str, int] = {}
        for e in save.events:
            first[e.originator_id] = min(first.get(e.originator_id, e.originator_version), e.originator_version)
        for record, version in [*save.read.items(), *((i, v - 1) for i, v in first.items())]:
            if (left[record] if record in left else expected.setdefault(record, version)) != version:
                return None
        for e in save.events:
            left[e.originator_id] = max(left.get(e.originator_id, 0), e.originator_version)
        if save.receipt is not None:
            key = (save.receipt.scope, save.receipt.key)
            if key in keys:
                return None
            keys.add(key)
    return expected


def involved(saves: Iterable[Save]) -> list[UUID | str]:
    """Every record a group changes or read: the versions read under the lock."""
    ids: set[UUID | str] = set()
    for save in saves:
        ids.update(save.read)
        ids.update(e.originator_id for e in save.events)
    return list(ids)


GATHER_SECONDS = 0.002
"""How long a group's leader waits for the other threads that have been saving lately (the time of a command's
decision, about a millisecond of CPU); it stops waiting as soon as they have all queued. A thread that saves alone
never waits."""


class GroupCommit:
    """The queue of one recorder's saves and its leader (see the module's docstring).

    ``together`` writes a group of two or more in one transaction and returns, after its commit, each save's log
    positions or its refusal; ``alone`` writes one save in its own transaction."""

    def __init__(self, together: Callable[[list[Save]], list[list[int] | Refused]],
                 alone: Callable[[Save], list[int]]):
        self._together = together
        self._alone = alone
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._queue: list[Save] = []
        self._leading = False
        self._writers = 1
        """How many of this process's threads were saving at once lately: the saves of the last group and those that
        queued while it was written."""

    def save(self, save: Save) -> list[int]:
        with self._lock:
            self._queue.append(save)
            if len(self._queue) >= self._writers:  # the leader gathering waits for this many: wake it once
                self._arrived.notify()
            leads = not self._leading
            self._leading = True
        if not leads:
            save.answered.wait()
            if not save.leads:
                return save.outcome()
        group: list[Save] = []
        try:
            with self._lock:
                # The writers just answered are deciding their next command: wait a moment for them (as
                # PostgreSQL's commit_delay waits for siblings), never when only one thread has been saving.
                self._arrived.wait_for(lambda: len(self._queue) >= self._writers, GATHER_SECONDS)
                group, self._queue = self._queue, []
            self._write(group)
        finally:
            with self._lock:
                self._writers = len(group) + len(self._queue)
                if self._queue:  # the first still waiting leads the next group
                    self._queue[0].leads = True
                    self._queue[0].answered.set()
                else:
                    self._leading = False
        return save.outcome()

    def _write(self, group: list[Save]) -> None:
        if len(group) > 1:
            try:
                outcomes = self._together(group)
            except Exception:  # nothing of the group was written: each save goes alone below
                pass
            except BaseException as exc:  # the leader's thread is stopped: no writer of the group waits forever
                for save in group:
                    save.answer(error=exc)
                raise
            else:
                for save, outcome in zip(group, outcomes, strict=True):
                    if isinstance(outcome, Refused):
                        save.answer(error=outcome)
                    else:
                        save.answer(ids=outcome)
                return
        for save in group:
            try:
                save.answer(ids=self._alone(save))
            except BaseException as exc:  # answered, so that its writer raises it; the others go on
                save.answer(error=exc)
