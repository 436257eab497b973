"""Building a dossier from the sealed log through the dossier index (docs/dossier.md, "Built from an index").

``domain.dossier.derive`` reads the log through a ``Source``: here the records a dossier asks for, read in batches —
which records a relation names from the read model ``projections.dossier_index``, the records' events with their
stored bytes from the event store by record — so a dossier of one enterprise reads its few hundred records, not
the whole log, in a few dozen queries. Only events at or below the latest signed head's last position count; each
comes with its exact stored bytes, leaf index and inclusion proof (every node the proofs need read at once), and
``infrastructure.dossier.verify`` checks the result offline as before.

What never changes is kept for the process's life (:class:`Kept`, one per ``System``): a stored event and its
decoding by log position (the store refuses UPDATE and DELETE of events, so a position's bytes, hence its decoding,
are fixed once committed), a leaf's index by position and the hash of every range of leaves a proof names (a
range's hash depends on its leaves only, whatever the tree's size). A second dossier of the same enterprise, or of
a neighbour sharing its departments and territories, reads the index and its new events only, and hashes nothing
again; what it shows is exactly what it would show built cold (docs/dossier.md, "Built from an index").
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson
from sqlalchemy import Integer, literal, select

from domain import dossier as d
from domain.base import DomainEvent
from domain.errors import NotFound
from domain.jurisdiction import covers
from infrastructure.audit import merkle
from infrastructure.audit.log import StoredEvent
from infrastructure.audit.service import Audit
from infrastructure.audit.tree import LEAVES, NODES
from infrastructure.dossier import FORMAT
from infrastructure.persistence import decode
from projections.columns import among, rows_of
from projections.dossier_index import DossierIndexQueries

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Bounded(Generic[K, V]):
    """A map of at most ``size`` entries, the least recently used dropped first; safe across the API's threads."""

    def __init__(self, size: int):
        self.size = size
        self.kept: OrderedDict[K, V] = OrderedDict()
        self.lock = threading.Lock()

    def found(self, keys: Iterable[K]) -> tuple[dict[K, V], list[K]]:
        """The kept values of ``keys`` (each marked used) and the keys not kept."""
        found: dict[K, V] = {}
        missing: list[K] = []
        with self.lock:
            for key in keys:
                value = self.kept.get(key)
                if value is None:
                    missing.append(key)
                else:
                    self.kept.move_to_end(key)
                    found[key] = value
        return found, missing

    def keep(self, values: dict[K, V]) -> None:
        with self.lock:
            self.kept.update(values)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)


class Kept:
    """What dossiers of one store keep between builds, all of it immutable once sealed: stored events and their
    decoding by position, leaf indices by position, range hashes (hex) by leaf range. ``events`` bounds the events
    kept (a ten-year enterprise is about 1,200; a decoded event and its bytes are a few kB), and each position's
    evidence item under one tree size (its bytes in base64 and its inclusion path: built again only when a new head
    is signed). Each record's positions (read from the event store with its events) and each value's relations
    (the dossier index's answer), complete up to ``upto``; when the sealed log has grown, the records' new positions
    are read in one range query of the index and the relations are asked again."""

    TAIL = 10_000
    """A log grown by more than this since the index was last asked: what was kept of the index is dropped rather
    than brought forward."""

    def __init__(self, events: int = 50_000, nodes: int = 500_000):
        self.events: Bounded[int, tuple[StoredEvent, Any]] = Bounded(events)
        self.records: Bounded[UUID, list[int]] = Bounded(events)
        self.named: Bounded[UUID, list[tuple[int, str, str, UUID]]] = Bounded(events)
        self.upto = 0
        self.index_lock = threading.Lock()
        self.evidence: Bounded[tuple[int, int], dict[str, Any]] = Bounded(events)
        self.leaves: Bounded[int, int] = Bounded(events * 2)
        self.ranges: Bounded[tuple[int, int], str] = Bounded(nodes)

    def decoded(self, log: Any, positions: Iterable[int]) -> dict[int, tuple[StoredEvent, Any]]:
        """The stored event at each position and its decoding (upcast as the event store would); the ones not
        kept read in one query per 500 and decoded once."""
        found, missing = self.events.found(positions)
        if missing:
            fresh = {row.position: (row, decode(row.topic, row.state)) for row in log.at_positions(missing)}
            self.events.keep(fresh)
            found.update(fresh)
        return found


    def _advance(self, index: DossierIndexQueries, last: int) -> None:
        if last <= self.upto:
            return
        if last - self.upto > self.TAIL or not self.records.kept:
            self.records.kept.clear()
        else:
            for aggregate_id, position in index.after(self.upto, last):
                found = self.records.kept.get(aggregate_id)
                if found is not None:
                    found.append(position)
        self.named.kept.clear()
        self.upto = last

    def positions(self, index: DossierIndexQueries, log: Any, aggregate_ids: list[UUID], last: int
                  ) -> dict[UUID, list[int]]:
        """The positions ``≤ last`` of each record's events, kept. The records not kept are read from the event
        store with their events, in one query (by the store's primary key), and those events kept and decoded
        too: the build asks for them next (:meth:`decoded`), so a batch of records is one round trip, not two."""
        with self.index_lock:
            self._advance(index, last)
            found, missing = self.records.found(aggregate_ids)
            if missing:
                rows = log.of_records(missing, self.upto)
                fresh: dict[UUID, list[int]] = {a: [] for a in missing}
                for row in rows:
                    fresh[row.aggregate_id].append(row.position)
                self.events.keep({row.position: (row, decode(row.topic, row.state)) for row in rows})
                self.records.keep(fresh)
                found.update(fresh)
            return {a: [p for p in positions if p <= last] for a, positions in found.items()}

    def related(self, index: DossierIndexQueries, values: list[UUID], last: int
                ) -> dict[tuple[str, str, UUID], list[UUID]]:
        """The records created by each (event type, key, value) up to ``last``, in position order (the dossier
        index's answer, kept)."""
        with self.index_lock:
            self._advance(index, last)
            found, missing = self.named.found(values)
            if missing:
                fresh = index.related(missing, last=self.upto)
                self.named.keep(fresh)
                found.update(fresh)
            related: dict[tuple[str, str, UUID], list[UUID]] = {}
            for value, named in found.items():
                for position, event_type, key, aggregate_id in named:
                    if position <= last:
                        related.setdefault((event_type, key, value), []).append(aggregate_id)
            return related


class _StoredSource:
    """A ``domain.dossier.Source`` over the event store, read in batches as the dossier asks: which records a
    relation names comes from the dossier index (``projections.dossier_index``), the records' events and their stored
    bytes from the event store by record, only events at or below the signed head's last position ``last``. Each
    batch of records is two queries whatever its size (relations, events), and ``prefetch`` lets the dossier name a
    whole line's records at once (no query per record)."""

    def __init__(self, audit: Audit, index: DossierIndexQueries, last: int, known_at: datetime, kept: Kept):
        self.audit, self.index, self.last, self.known_at, self.kept = audit, index, last, known_at, kept
        self.cache: dict[UUID, list[d.Logged]] = {}
        self.relations: dict[tuple[str, str, UUID], list[UUID]] = {}
        self.asked: set[UUID] = set()
        self.rows: dict[int, StoredEvent] = {}

    def _load(self, aggregate_ids: Iterable[UUID]) -> None:
        missing = [a for a in dict.fromkeys(aggregate_ids) if a not in self.cache]
        if not missing:
            return
        placed = self.kept.positions(self.index, self.audit.log, missing, self.last)
        wanted = [position for found in placed.values() for position in found]
        stored = self.kept.decoded(self.audit.log, wanted) if wanted else {}
        for aggregate_id in missing:
            logged = []
            for position in placed.get(aggregate_id, []):
                row, event = stored[position]
                self.rows[position] = row
                logged.append(d.Logged(position, event))
            self.cache[aggregate_id] = [x for x in logged if x.event.timestamp <= self.known_at]

    def _relate(self, values: Iterable[UUID]) -> None:
        fresh = [v for v in dict.fromkeys(values) if v not in self.asked]
        if not fresh:
            return
        self.relations.update(self.kept.related(self.index, fresh, self.last))
        self.asked.update(fresh)

    def prefetch(self, aggregate_ids: Iterable[UUID] = (), related_to: Iterable[UUID] = ()) -> None:
        self._relate(related_to)
        self._load(aggregate_ids)

    def events(self, aggregate_id: UUID) -> list[d.Logged]:
        found = self.cache.get(aggregate_id)  # asked ~1,000 times a dossier, mostly of records read already
        if found is None:
            self._load([aggregate_id])
            found = self.cache[aggregate_id]
        return found

    def created(self, event_type: type[DomainEvent], key: str, value: UUID) -> list[d.Logged]:
        self._relate([value])
        ids = self.relations.get((event_type.__name__, key, value), [])
        self._load(ids)
        return [self.cache[a][0] for a in ids if self.cache[a] and self.cache[a][0].event.originator_version == 1]


def _siblings(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make ``PATH(index, D[size])`` (RFC 9162 §2.1.3.1), leaf end first — integers
    only, the same walk as ``merkle.inclusion_path`` (``merkle.split`` inlined: a dossier walks it ~20,000 times)."""
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = 1 << ((end - start - 1).bit_length() - 1)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def _complete(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` that make a range of the RFC 9162 recursion, largest first (its
    start is a multiple of the smallest power of two ≥ its size, so each is aligned)."""
    found = []
    while start < end:
        level = (end - start).bit_length() - 1
        found.append((level, start >> level))
        start += 1 << level
    return found


def _proofs(conn: Any, positions: list[int], size: int, kept: Kept) -> dict[int, tuple[int, list[str]]]:
    """Each position's leaf index and inclusion path (hex) in the tree of ``size`` leaves: the paths' ranges are
    worked out in integers; leaf indices and range hashes not ``kept`` from earlier builds are read — every complete
    subtree they need in one query per 500 (leaves by index, interior nodes by level, then index) — and each
    distinct range hashed once, shared by every path through it."""
    leaf_of, unplaced = kept.leaves.found(positions)
    fresh: dict[int, int] = {}
    for among_positions in among(conn, LEAVES.c.position, unplaced):
        fresh.update(conn.execute(select(LEAVES.c.position, LEAVES.c.leaf_index).where(among_positions)).all())
    kept.leaves.keep(fresh)
    leaf_of.update(fresh)
    paths = {position: _siblings(index, size) for position, index in leaf_of.items()}
    hashes, unhashed = kept.ranges.found({r for path in paths.values() for r in path})
    wanted = {node for a, b in unhashed for node in _complete(a, b)}
    leaves = sorted(index for level, index in wanted if level == 0)
    inner = sorted((level, index) for level, index in wanted if level > 0)
    reads = [select(literal(0, Integer), LEAVES.c.leaf_index, LEAVES.c.leaf_hash).where(among_leaves)
             for among_leaves in among(conn, LEAVES.c.leaf_index, leaves)]
    by_level: dict[int, list[int]] = {}
    for level, index in inner:
        by_level.setdefault(level, []).append(index)
    reads += [select(NODES.c.level, NODES.c.node_index, NODES.c.hash).where(NODES.c.level == level, among_nodes)
              for level, indices in by_level.items()  # level = L AND index IN (…): the primary key's order (a
              for among_nodes in among(conn, NODES.c.node_index, indices)]  # row-value IN list: a scan on SQLite)
    nodes = {(level, index): bytes(hashed) for level, index, hashed in rows_of(conn, reads)}
    hashed: dict[tuple[int, int], str] = {}
    for a, b in unhashed:
        parts = [nodes[node] for node in _complete(a, b)]
        folded = parts[-1]
        for part in reversed(parts[:-1]):
            folded = merkle.node_hash(part, folded)
        hashed[(a, b)] = folded.hex()
    kept.ranges.keep(hashed)
    hashes.update(hashed)
    return {position: (leaf_of[position], [hashes[r] for r in path]) for position, path in paths.items()}


class Dossiers:
    """Builds dossiers from the sealed log through the dossier index (``System.dossiers``)."""

    def __init__(self, audit: Audit, index: DossierIndexQueries, catch_up: Callable[[], object],
                 kept: Kept | None = None):
        self.audit, self.index, self.catch_up = audit, index, catch_up
        self.kept = kept or Kept()

    def build(self, subject_id: UUID, *, scope: str, known_at: datetime,
              as_of: datetime | None = None) -> dict[str, Any]:
        """The dossier of one subject (an accident, a hazard or a tip), for a reader of jurisdiction ``scope``, from
        the events the latest signed head seals (later events are not yet provable: seal first)."""
        head = self.audit.latest_head()
        with self.audit.db.read() as tx:
            last_leaf = self.audit.tree.leaves(tx, head.tree_size - 1, head.tree_size, 1)
        last = last_leaf[0]["position"] if last_leaf else 0
        self.catch_up()  # the index reaches the head of the log, hence the sealed head
        source = _StoredSource(self.audit, self.index, last, known_at, self.kept)
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
        items, unproven = self.kept.evidence.found((position, head.tree_size) for position in positions)
        if unproven:
            with self.audit.db.read() as tx:
                proofs = _proofs(tx, [position for position, _ in unproven], head.tree_size, self.kept)
            fresh = {}
            for position, size in unproven:
                row, (leaf_index, path) = source.rows[position], proofs[position]
                fresh[(position, size)] = {
                    "position": position, "leaf_index": leaf_index, "aggregate_id": str(row.aggregate_id),
                    "aggregate_version": row.aggregate_version, "topic": row.topic,
                    "stored": base64.b64encode(row.state).decode(), "inclusion_path": path}
            self.kept.evidence.keep(fresh)
            items.update(fresh)
        evidence = [{**item, "inclusion_path": list(item["inclusion_path"])}
                    for item in (items[(position, head.tree_size)] for position in positions)]
        return {"format": FORMAT, "head": head.to_json(), "content": orjson.loads(orjson.dumps(content)),
                "evidence": evidence}
