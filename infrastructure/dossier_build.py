"""Building a dossier from the sealed log through the dossier index (docs/dossier.md, "Built from an index").

``domain.dossier.derive`` reads the log through a ``Source``: here the records a dossier asks for, read in batches —
where their events lie and which records a relation names from the read model ``projections.dossier_index``, their
stored bytes from the event store by position — so a dossier of one enterprise reads its few hundred records, not
the whole log, in a few dozen queries. Only events at or below the latest signed head's last position count; each
comes with its exact stored bytes, leaf index and inclusion proof (every node the proofs need read at once), and
``infrastructure.dossier.verify`` checks the result offline as before.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import select, tuple_

from domain import dossier as d
from domain.base import DomainEvent
from domain.errors import NotFound
from domain.jurisdiction import covers
from infrastructure.audit import merkle
from infrastructure.audit.log import StoredEvent
from infrastructure.audit.service import Audit
from infrastructure.audit.tree import LEAVES, NODES
from infrastructure.dossier import FORMAT, decode
from projections.dossier_index import DossierIndexQueries


class _StoredSource:
    """A ``domain.dossier.Source`` over the event store, read in batches as the dossier asks: where records' events
    lie and which records a relation names come from the dossier index (``projections.dossier_index``), the stored
    bytes from the event store by position, only events at or below the signed head's last position ``last``. Each
    batch of records is three queries whatever its size (positions, relations, stored rows), and ``prefetch`` lets
    the dossier name a whole line's records at once (no query per record)."""

    def __init__(self, audit: Audit, index: DossierIndexQueries, last: int, known_at: datetime):
        self.audit, self.index, self.last, self.known_at = audit, index, last, known_at
        self.cache: dict[UUID, list[d.Logged]] = {}
        self.relations: dict[tuple[str, str, UUID], list[UUID]] = {}
        self.asked: set[UUID] = set()
        self.rows: dict[int, StoredEvent] = {}

    def _load(self, aggregate_ids: Iterable[UUID]) -> None:
        missing = [a for a in dict.fromkeys(aggregate_ids) if a not in self.cache]
        if not missing:
            return
        placed = self.index.positions(missing, last=self.last, known_at=self.known_at)
        wanted = [position for found in placed.values() for position, _ in found]
        stored = {row.position: row for row in self.audit.log.at_positions(wanted)} if wanted else {}
        for aggregate_id in missing:
            logged = []
            for position, _ in placed.get(aggregate_id, []):
                row = stored[position]
                self.rows[position] = row
                logged.append(d.Logged(position, decode(row.topic, row.state)))
            self.cache[aggregate_id] = [x for x in logged if x.event.timestamp <= self.known_at]

    def _relate(self, values: Iterable[UUID]) -> None:
        fresh = [v for v in dict.fromkeys(values) if v not in self.asked]
        if not fresh:
            return
        self.relations.update(self.index.related(fresh, last=self.last, known_at=self.known_at))
        self.asked.update(fresh)

    def prefetch(self, aggregate_ids: Iterable[UUID] = (), related_to: Iterable[UUID] = ()) -> None:
        self._relate(related_to)
        self._load(aggregate_ids)

    def events(self, aggregate_id: UUID) -> list[d.Logged]:
        self._load([aggregate_id])
        return self.cache[aggregate_id]

    def created(self, event_type: type[DomainEvent], key: str, value: UUID) -> list[d.Logged]:
        self._relate([value])
        ids = self.relations.get((event_type.__name__, key, value), [])
        self._load(ids)
        return [self.cache[a][0] for a in ids if self.cache[a] and self.cache[a][0].event.originator_version == 1]


def _siblings(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make ``PATH(index, D[size])`` (RFC 9162 §2.1.3.1), leaf end first — integers
    only, the same walk as ``merkle.inclusion_path``."""
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = merkle.split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def _complete(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` that make a range of the RFC 9162 recursion, largest first (its
    start is a multiple of the smallest power of two ≥ its size, so each is aligned)."""
    found = []
    while start < end:
        level = (end - start).bit_length() - 1
        found.append((level, start >> level))
        start += 1 << level
    return found


def _proofs(conn: Any, positions: list[int], size: int) -> dict[int, tuple[int, list[bytes]]]:
    """Each position's leaf index and inclusion path in the tree of ``size`` leaves from one read of the tree: the
    paths' ranges are worked out in integers, every complete subtree they need is read in one query per 500
    (leaves by index, interior nodes by (level, index)) and each distinct range is hashed once, shared by every
    path through it — not a query per proof or per run of a level."""
    leaf_of: dict[int, int] = {}
    for start in range(0, len(positions), 500):
        chunk = positions[start:start + 500]
        query = select(LEAVES.c.position, LEAVES.c.leaf_index).where(LEAVES.c.position.in_(chunk))
        leaf_of.update((position, index) for position, index in conn.execute(query))
    paths = {position: _siblings(index, size) for position, index in leaf_of.items()}
    ranges = {r for path in paths.values() for r in path}
    wanted = {node for a, b in ranges for node in _complete(a, b)}
    nodes: dict[tuple[int, int], bytes] = {}
    leaves = sorted(index for level, index in wanted if level == 0)
    inner = sorted((level, index) for level, index in wanted if level > 0)
    for start in range(0, len(leaves), 500):
        chunk = leaves[start:start + 500]
        query = select(LEAVES.c.leaf_index, LEAVES.c.leaf_hash).where(LEAVES.c.leaf_index.in_(chunk))
        nodes.update(((0, i), bytes(h)) for i, h in conn.execute(query))
    for start in range(0, len(inner), 500):
        query = (select(NODES.c.level, NODES.c.node_index, NODES.c.hash)
                 .where(tuple_(NODES.c.level, NODES.c.node_index).in_(inner[start:start + 500])))
        nodes.update(((level, i), bytes(h)) for level, i, h in conn.execute(query))
    hashes: dict[tuple[int, int], bytes] = {}
    for a, b in ranges:
        parts = [nodes[node] for node in _complete(a, b)]
        folded = parts[-1]
        for part in reversed(parts[:-1]):
            folded = merkle.node_hash(part, folded)
        hashes[(a, b)] = folded
    return {position: (leaf_of[position], [hashes[r] for r in path]) for position, path in paths.items()}


class Dossiers:
    """Builds dossiers from the sealed log through the dossier index (``System.dossiers``)."""

    def __init__(self, audit: Audit, index: DossierIndexQueries, catch_up: Callable[[], object]):
        self.audit, self.index, self.catch_up = audit, index, catch_up

    def build(self, subject_id: UUID, *, scope: str, known_at: datetime,
              as_of: datetime | None = None) -> dict[str, Any]:
        """The dossier of one subject (an accident, a hazard or a tip), for a reader of jurisdiction ``scope``, from
        the events the latest signed head seals (later events are not yet provable: seal first)."""
        head = self.audit.latest_head()
        with self.audit.db.read() as tx:
            last_leaf = self.audit.tree.leaves(tx, head.tree_size - 1, head.tree_size, 1)
        last = last_leaf[0]["position"] if last_leaf else 0
        self.catch_up()  # the index reaches the head of the log, hence the sealed head
        source = _StoredSource(self.audit, self.index, last, known_at)
        logged = source.events(subject_id)
        subject = logged[0].event if logged else None
        kind = d.kind_of(subject) if subject is not None else None
        if subject is None or kind is None or not covers(scope, subject.envelope.jurisdiction):
            raise NotFound("not-found", f"no sealed accident, hazard or tip {subject_id} in your jurisdiction")
        try:
            content = d.derive(kind, subject_id, source, known_at=known_at, as_of=as_of, scope=scope)
        except d.NoSubject as exc:
            raise NotFound("not-found", str(exc)) from None
        positions = sorted({p for line in content["lines"] for p in line["positions"]})
        with self.audit.db.read() as tx:
            proofs = _proofs(tx, positions, head.tree_size)
        evidence = []
        for position in positions:
            row, (leaf_index, path) = source.rows[position], proofs[position]
            evidence.append({"position": position, "leaf_index": leaf_index,
                             "aggregate_id": str(row.aggregate_id), "aggregate_version": row.aggregate_version,
                             "topic": row.topic, "stored": base64.b64encode(row.state).decode(),
                             "inclusion_path": [h.hex() for h in path]})
        return {"format": FORMAT, "head": head.to_json(), "content": orjson.loads(orjson.dumps(content)),
                "evidence": evidence}
