"""Writing audit bundles (docs/audit.md §6): streamed, in constant memory, from the stored tree and the raw log.

An export is planned eagerly — the head it proves against and the leaves it scans — so a refusal comes before
the first byte; then it streams: a batch of leaves at a time, the matching stored events read through the
recorder, one JSON line and one inclusion proof per selected event, written into a ZIP as they are made.
The caller's jurisdiction always narrows the selection (docs/architecture.md §9). Redacted fields are left out of
``data``; the stored bytes hold personal data only sealed (AES-GCM ciphertext) or as keyed digests
(infrastructure.vault).
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import resolve_topic

from domain.errors import Conflict
from domain.jurisdiction import covers
from infrastructure.audit import bundle, cosigning
from infrastructure.audit.log import StoredEvent, StoredLog
from infrastructure.audit.tree import StoredTree
from infrastructure.database import Database

BATCH = 500
CHUNK = 1 << 16


@dataclass(frozen=True)
class Selection:
    """Which sealed events an export holds."""

    scope: str | None = None
    """The caller's jurisdiction: nothing outside it is exported (``None``: the operator's CLI, everything)."""
    jurisdiction: str | None = None
    from_position: int | None = None
    to_position: int | None = None
    aggregate_id: UUID | None = None
    withheld: frozenset[str] = frozenset()
    """Event types the caller may not read whole (``application.visibility.withheld_from_bundles``): left out and
    named in the manifest, since a bundle carries each event's stored bytes."""

    def admits(self, event: StoredEvent, jurisdiction: str) -> bool:
        return (bundle.event_type(event.topic) not in self.withheld
                and (self.scope is None or covers(self.scope, jurisdiction))
                and (self.jurisdiction is None or covers(self.jurisdiction, jurisdiction))
                and (self.aggregate_id is None or event.aggregate_id == self.aggregate_id))

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "jurisdiction": self.jurisdiction, "from_position": self.from_position,
                "to_position": self.to_position,
                "aggregate_id": str(self.aggregate_id) if self.aggregate_id else None,
                "withheld": sorted(self.withheld)}


class _Sink:
    """A write-only file for ``zipfile`` (which then streams, with data descriptors) that hands out its bytes."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.pending = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.pending += len(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the bytes are handed out by :meth:`take`."""

    def close(self) -> None:
        """Nothing to release (``zipfile`` does not close a file it was given; its protocol asks for the method)."""

    def take(self) -> bytes:
        data, self._parts, self.pending = b"".join(self._parts), [], 0
        return data


def exported_event(index: int, event: StoredEvent, stored: dict[str, Any], leaf_hash: bytes,
                   path: list[bytes]) -> dict[str, Any]:
    """One line of ``events.jsonl``: ``stored`` is the event's decoded stored bytes."""
    redacted = sorted(resolve_topic(event.topic).redacted)
    return {
        "leaf_index": index, "position": event.position, "aggregate_id": str(event.aggregate_id),
        "aggregate_version": event.aggregate_version, "type": bundle.event_type(event.topic), "topic": event.topic,
        **bundle.views(stored, redacted), "redacted": redacted,
        "stored": base64.b64encode(event.state).decode(), "leaf_hash": leaf_hash.hex(),
        "inclusion_path": [h.hex() for h in path],
    }


class Export:
    """One bundle: planned on construction, written by iterating :meth:`chunks`."""

    def __init__(self, db: Database, log: StoredLog, selection: Selection, created_at: datetime, origin: str):
        self.db, self.log, self.selection, self.created_at = db, log, selection, created_at
        self.tree = StoredTree(db)
        with db.read() as conn:
            head = self.tree.latest_head(conn)
            if head is None:
                raise Conflict("nothing-sealed", "no tree head is signed yet: run `zeren audit seal` first")
            self.head = head
            self.checkpoint = cosigning.note(conn, origin, head).text()
            self.first, self.end = self.tree.leaf_bounds(conn, head.tree_size, selection.from_position,
                                                         selection.to_position)
        self.exported = self.excluded = self.earlier = 0
        self._range: tuple[int, int] | None = None
        self._positions: tuple[int, int] | None = None

    @property
    def leaves(self) -> int:
        """How many sealed events the export looks at (the length of its progress)."""
        return self.end - self.first

    def _member(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.created_at.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def chunks(self, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
        """The bundle's bytes, in pieces of about 64 KiB; ``progress(n)`` after every ``n`` leaves scanned."""
        sink = _Sink()
        members: dict[str, dict[str, Any]] = {}
        with zipfile.ZipFile(sink, "w") as archive:
            for name, lines in ((bundle.EVENTS, self._event_lines(progress)), (bundle.HEADS, self._head_lines())):
                digest, size = hashlib.sha256(), 0
                with archive.open(self._member(name), "w", force_zip64=True) as member:
                    for batch in lines:
                        for line in batch:
                            member.write(line)
                            digest.update(line)
                            size += len(line)
                        if sink.pending >= CHUNK:
                            yield sink.take()
                members[name] = {"sha256": digest.hexdigest(), "bytes": size}
            head = orjson.dumps(self.head.to_json(), option=orjson.OPT_INDENT_2)
            for name, data in ((bundle.HEAD, head), (bundle.CHECKPOINT, self.checkpoint)):
                archive.writestr(self._member(name), data)
                members[name] = {"sha256": bundle.sha256_hex(data), "bytes": len(data)}
            archive.writestr(self._member(bundle.MANIFEST),
                             orjson.dumps(self._manifest(members), option=orjson.OPT_INDENT_2))
        yield sink.take()

    def _event_lines(self, progress: Callable[[int], None] | None) -> Iterator[list[bytes]]:
        """Lines of ``events.jsonl``, a batch at a time (each batch made in one short read, none held open while
        the consumer writes)."""
        index, size = self.first, self.head.tree_size
        while index < self.end:
            lines = []
            with self.db.read() as conn:
                batch = self.tree.leaves(conn, index, self.end, BATCH)
                gap = next((i for i, leaf in enumerate(batch, index) if leaf["leaf_index"] != i), None)
                if not batch or gap is not None:
                    raise Conflict("store-altered", f"the sealed leaf {gap if batch else index} is not stored: run "
                                   "`zeren audit check`")
                low, high = batch[0]["position"], batch[-1]["position"]
                events = {e.position: e for e in self.log.read(low - 1, high - low + 1, stop=high)}
                self.tree.prefetch(conn, index, index + len(batch), size)
                for leaf in batch:
                    event, sealed = events.get(leaf["position"]), bytes(leaf["leaf_hash"])
                    if event is None or event.leaf_hash() != sealed:
                        raise Conflict("store-altered", f"the stored event at position {leaf['position']} (leaf "
                                       f"{leaf['leaf_index']}) is gone or no longer matches its seal: run "
                                       "`zeren audit check`")
                    stored = event.decoded()
                    if not self.selection.admits(event, stored["envelope"]["jurisdiction"]):
                        self.excluded += 1
                        continue
                    path = self.tree.inclusion(conn, leaf["leaf_index"], size)
                    lines.append(orjson.dumps(exported_event(leaf["leaf_index"], event, stored, sealed, path)) + b"\n")
                    self._note(leaf["leaf_index"], event.position)
            index = batch[-1]["leaf_index"] + 1
            if progress:
                progress(len(batch))
            yield lines

    def _note(self, index: int, position: int) -> None:
        self.exported += 1
        self._range = (self._range[0] if self._range else index, index)
        self._positions = (self._positions[0] if self._positions else position, position)

    def _head_lines(self) -> Iterator[list[bytes]]:
        """Lines of ``heads.jsonl``: every earlier head with its consistency proof to the bundle's head."""
        after, size = -1, self.head.tree_size
        while True:
            with self.db.read() as conn:
                heads = self.tree.heads(conn, after=after, below=size, limit=200)
                lines = [orjson.dumps({"head": h.to_json(), "consistency_path": [
                    p.hex() for p in self.tree.consistency(conn, h.tree_size, size)]}) + b"\n" for h in heads]
            if not heads:
                return
            self.earlier += len(heads)
            after = heads[-1].tree_size
            yield lines

    def coverage(self) -> str:
        if self.excluded or not self.exported:
            return "subset"
        return "full" if self._range == (0, self.head.tree_size - 1) else "range"

    def _manifest(self, members: dict[str, dict[str, Any]]) -> dict[str, Any]:
        def span(pair: tuple[int, int] | None) -> dict[str, int] | None:
            return {"first": pair[0], "last": pair[1]} if pair else None

        return {
            "format": bundle.FORMAT, "created_at": self.created_at.isoformat(),
            "hash": "SHA-256", "tree": "RFC 9162 §2.1", "leaf_encoding": 1, "signature": "Ed25519",
            "selection": self.selection.to_json(), "tree_size": self.head.tree_size,
            "root_hash": self.head.root_hash.hex(), "coverage": self.coverage(), "events": self.exported,
            "excluded": self.excluded, "leaf_range": span(self._range), "position_range": span(self._positions),
            "earlier_heads": self.earlier, "members": members,
        }
