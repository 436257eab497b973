"""The live check (``zeren audit check``): the store against its seals, in one streaming pass (docs/audit.md §8).

The raw stored events (read through the recorder, never the aggregate cache) and the sealed leaves are merged by
position, in log order. For each sealed leaf the event at its position must exist (else it is *missing*: deleted)
and hash to it (else *altered*); an event at a position the sealed sequence skips is *inserted*. The tree is then
recomputed from the sealed leaves: every stored complete subtree and every signed head's root must match, and every
head's signature must verify. The first problem in log order is reported; a tampered store cannot hide behind a
matching ``audit_leaves`` row, since the signed heads pin the leaves.

Every stored row is read, whatever its id (a row at a position ≤ 0 that no writer hands out is *inserted*), and
every event — sealed or not yet — must keep the order of a genuine log (``order``): a record's versions run 1, 2,
3 … in log order (*version*), and no recorded time runs back beyond the clock-skew tolerance (*time*). The check
keeps one version number per record in memory while it runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from infrastructure.audit.log import StoredEvent, StoredLog
from infrastructure.audit.merkle import Frontier
from infrastructure.audit.order import Disorder, LogOrder
from infrastructure.audit.sealer import NAME
from infrastructure.audit.signing import TreeHead, head_problem
from infrastructure.audit.tree import StoredTree
from infrastructure.database import Database
from infrastructure.following import Tracking

BATCH = 1000


@dataclass(frozen=True)
class Problem:
    kind: str
    """``altered``, ``inserted``, ``missing``, ``version``, ``time`` (events), ``tree`` (a stored leaf or node) or
    ``head``."""
    detail: str
    position: int | None = None
    leaf_index: int | None = None
    tree_size: int | None = None


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    tree_size: int
    """Leaves sealed when the check began."""
    sealed_position: int
    log_head: int
    events_checked: int
    nodes_checked: int
    heads_checked: int
    problem: Problem | None

    def summary(self) -> str:
        if self.problem is not None:
            return f"{self.problem.kind}: {self.problem.detail}"
        leaves = f" (leaves 0–{self.tree_size - 1})" if self.tree_size else ""
        return (f"ok: {self.events_checked} stored events match their seals{leaves}; {self.nodes_checked} stored "
                f"nodes and {self.heads_checked} signed heads verified; the log is at position {self.log_head}, "
                f"sealed up to {self.sealed_position}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _Found(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _Checker:
    def __init__(self, db: Database, log: StoredLog, keys: Mapping[bytes, Ed25519PublicKey],
                 tolerance: timedelta):
        self.db, self.log, self.keys = db, log, keys
        self.order = LogOrder(tolerance, versions={})
        with db.read() as conn:
            self.sealed_position = Tracking.position(conn, NAME) or 0
            self.size = StoredTree.size_at(conn, self.sealed_position)
        self.frontier = Frontier()
        self.events_checked = self.nodes_checked = self.heads_checked = 0

    def _heads(self) -> Iterator[TreeHead]:
        after = -1
        while True:
            with self.db.read() as conn:
                heads = StoredTree.heads(conn, after=after, limit=BATCH)
            if not heads:
                return
            yield from heads
            after = heads[-1].tree_size

    def _stored_nodes(self, first: int, end: int) -> dict[tuple[int, int], bytes]:
        """The stored complete subtrees (level ≥ 1) whose last leaf lies in ``first … end-1``."""
        found = {}
        with self.db.read() as conn:
            for level in range(1, self.size.bit_length() + 1):
                lo, hi = ((first + (1 << level)) >> level) - 1, (end >> level) - 1
                if hi < lo:
                    continue
                for index, value in StoredTree.nodes(conn, level, lo, hi):
                    found[(level, index)] = value
        return found

    def _admit(self, event: StoredEvent) -> None:
        try:
            self.order.admit(event)
        except Disorder as disorder:
            raise _Found(Problem(disorder.kind, disorder.detail, position=disorder.position)) from None

    def run(self) -> None:
        events = self.log.scan(None, self.sealed_position, BATCH)
        heads = self._heads()
        pending: StoredEvent | None = next(events, None)
        head = next(heads, None)
        index = 0
        while index < self.size:
            with self.db.read() as conn:
                batch = StoredTree.leaves(conn, index, self.size, BATCH)
            stored_nodes = self._stored_nodes(index, index + len(batch))
            for row in batch:
                i, position, sealed = row["leaf_index"], row["position"], bytes(row["leaf_hash"])
                if i != index:
                    raise _Found(Problem("tree", f"leaf {index} is missing from the stored tree (audit_leaves)",
                                         leaf_index=index))
                if pending is not None and pending.position < position:
                    self._admit(pending)  # a row at a position ≤ 0 is named as such
                    raise _Found(Problem("inserted", f"the event at position {pending.position} is in the store "
                                         f"but not in the sealed sequence: it comes before leaf {i} (position "
                                         f"{position}), and the sealer never sealed it", position=pending.position))
                if pending is None or pending.position > position:
                    raise _Found(Problem("missing", f"sealed leaf {i} (position {position}) has no event in the "
                                         "store: it was deleted", position=position, leaf_index=i))
                if pending.leaf_hash() != sealed:
                    raise _Found(Problem("altered", f"the stored event at position {position} (leaf {i}) no longer "
                                         "hashes to its sealed leaf: its stored bytes were changed",
                                         position=position, leaf_index=i))
                self._admit(pending)
                self.events_checked += 1
                pending = next(events, None)
                for level, node_index, value in self.frontier.append(sealed):
                    if stored_nodes.get((level, node_index)) != value:
                        raise _Found(Problem("tree", f"the stored node at level {level}, index {node_index} does "
                                             "not match the sealed leaves below it", leaf_index=i))
                    self.nodes_checked += 1
                while head is not None and head.tree_size == self.frontier.size:
                    self._check_head(head)
                    head = next(heads, None)
                index += 1
        if pending is not None:
            self._admit(pending)
            raise _Found(Problem("inserted", f"the event at position {pending.position} is in the store but not in "
                                 f"the sealed sequence, which ends at position {self.sealed_position}",
                                 position=pending.position))
        if head is not None:
            raise _Found(Problem("head", f"a signed head claims {head.tree_size} leaves, only {self.size} are sealed",
                                 tree_size=head.tree_size))
        for event in self.log.scan(self.sealed_position, None, BATCH):  # not sealed yet: still in order
            self._admit(event)

    def _check_head(self, head: TreeHead) -> None:
        problem = head_problem(head, self.keys)
        if problem:
            raise _Found(Problem("head", f"the signed head of tree size {head.tree_size} is not valid: {problem}",
                                 tree_size=head.tree_size))
        if head.root_hash != self.frontier.root():
            raise _Found(Problem("head", f"the signed head of tree size {head.tree_size} has another root than the "
                                 "tree recomputed from the sealed leaves: a leaf below it was changed",
                                 tree_size=head.tree_size))
        self.heads_checked += 1


def check(db: Database, log: StoredLog, keys: Mapping[bytes, Ed25519PublicKey],
          tolerance: timedelta) -> CheckReport:
    """Compare the live store with its seals and the order of a genuine log; the report names the first problem."""
    checker = _Checker(db, log, keys, tolerance)
    problem = None
    try:
        checker.run()
    except _Found as found:
        problem = found.problem
    return CheckReport(ok=problem is None, tree_size=checker.size, sealed_position=checker.sealed_position,
                       log_head=log.head(), events_checked=checker.events_checked,
                       nodes_checked=checker.nodes_checked, heads_checked=checker.heads_checked, problem=problem)
