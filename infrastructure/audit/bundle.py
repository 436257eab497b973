"""The audit bundle: its layout and its offline verification (docs/audit.md §6–7).

A bundle is one ZIP file with four members:

- ``events.jsonl``: the exported events in log order, one JSON object per line, each with its exact stored bytes
  and its inclusion proof against the bundle's head;
- ``head.json``: the latest signed tree head, which every proof refers to;
- ``heads.jsonl``: every earlier signed head, each with a consistency proof to the latest;
- ``manifest.json``: format, selection, coverage, counts, leaf range and the SHA-256 of the other members.

Verification needs only this module, ``merkle``, ``leaves`` and ``signing``: no database, no settings, no store.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from infrastructure.audit import leaves, merkle
from infrastructure.audit.signing import TreeHead, head_problem

FORMAT = "zeren-audit-bundle/1"
EVENTS, HEAD, HEADS, MANIFEST = "events.jsonl", "head.json", "heads.jsonl", "manifest.json"
MEMBERS = (EVENTS, HEADS, HEAD)
STORE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "envelope", "class_version"})
"""Fields of a stored event that are not its data: ids, recorded time, envelope, schema version."""
COVERAGE = {
    "full": "every leaf of the tree",
    "range": "every leaf between its first and last event",
    "subset": "each event proven on its own; completeness not claimed",
}


class BundleInvalid(Exception):
    """The bundle does not verify; the message names the first failing member, event or proof, and why."""


def event_type(topic: str) -> str:
    """The event class name in a stored topic (``domain.units:UnitRegistered`` → ``UnitRegistered``)."""
    return topic.rpartition(":")[2].rpartition(".")[2]


def views(stored: dict[str, Any], redacted: list[str]) -> dict[str, Any]:
    """The readable fields of an exported event, all taken from its decoded stored bytes: a verifier recomputes
    them and compares (so nothing shown can differ from what is sealed)."""
    envelope = stored["envelope"]
    hidden = STORE_FIELDS | set(redacted)
    return {
        "schema_version": stored.get("class_version", 1),
        "recorded_at": stored["timestamp"],
        "effective_at": envelope["effective_at"],
        "jurisdiction": envelope["jurisdiction"],
        "envelope": envelope,
        "data": {k: v for k, v in stored.items() if k not in hidden},
    }


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Verified:
    """What a bundle proved."""

    head: TreeHead
    events: int
    coverage: str
    leaf_range: tuple[int, int] | None
    earlier_heads: int
    previous: int | None

    def summary(self) -> str:
        span = f", leaves {self.leaf_range[0]}–{self.leaf_range[1]}" if self.leaf_range else ""
        line = (f"ok: {self.events} events verified{span} ({self.coverage} export: {COVERAGE[self.coverage]}); "
                f"head: tree size {self.head.tree_size}, root {self.head.root_hash.hex()[:16]}…, signed "
                f"{self.head.signed_at:%Y-%m-%dT%H:%M:%SZ} by key {self.head.key_id.hex()[:16]}…; "
                f"{self.earlier_heads} earlier heads consistent")
        if self.previous is not None:
            line += f"; the previous head (tree size {self.previous}) is consistent with it"
        return line


def _hex_list(value: Any, what: str) -> list[bytes]:
    if not isinstance(value, list):
        raise ValueError(f"{what} is not a list of hashes")
    try:
        hashes = [bytes.fromhex(h) for h in value]
    except (TypeError, ValueError):
        raise ValueError(f"{what} holds a value that is not hexadecimal") from None
    if any(len(h) != merkle.HASH_SIZE for h in hashes):
        raise ValueError(f"{what} holds a hash that is not 32 bytes")
    return hashes


def _integer(event: dict[str, Any], name: str) -> int:
    value = event.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} is not a non-negative integer")
    return value


def _json(data: bytes, what: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BundleInvalid(f"{what} is not valid JSON") from None


class _Reader:
    """A bundle being verified, member by member, streaming (constant memory)."""

    def __init__(self, archive: zipfile.ZipFile, keys: Mapping[bytes, Ed25519PublicKey]):
        self.archive = archive
        self.keys = keys
        names = set(archive.namelist())
        for name in (MANIFEST, *MEMBERS):
            if name not in names:
                raise BundleInvalid(f"the bundle has no {name}")
        self.manifest = _json(archive.read(MANIFEST), MANIFEST)
        if not isinstance(self.manifest, dict) or self.manifest.get("format") != FORMAT:
            raise BundleInvalid(f"{MANIFEST} does not describe a {FORMAT} bundle")
        members = self.manifest.get("members")
        if not isinstance(members, dict) or not all(isinstance(members.get(m), dict) for m in MEMBERS):
            raise BundleInvalid(f"{MANIFEST} does not list the SHA-256 of {', '.join(MEMBERS)}")

    def check_digest(self, name: str, digest: str) -> None:
        if self.manifest["members"][name].get("sha256") != digest:
            raise BundleInvalid(f"{name} does not match its SHA-256 in the manifest: the member was changed")

    def lines(self, name: str) -> Iterator[tuple[int, bytes]]:
        """The member's lines, hashing them as they go; checks the hash at the end."""
        digest = hashlib.sha256()
        stream: IO[bytes]
        with self.archive.open(name) as stream:
            for number, line in enumerate(stream, 1):
                digest.update(line)
                yield number, line
        self.check_digest(name, digest.hexdigest())

    def head(self) -> TreeHead:
        raw = self.archive.read(HEAD)
        try:
            head = TreeHead.from_json(_json(raw, HEAD))
        except ValueError as exc:
            raise BundleInvalid(f"{HEAD} is not a signed tree head: {exc}") from None
        problem = head_problem(head, self.keys)
        if problem:
            raise BundleInvalid(f"the bundle's head (tree size {head.tree_size}) is not valid: {problem}")
        self.check_digest(HEAD, sha256_hex(raw))
        if self.manifest.get("tree_size") != head.tree_size or self.manifest.get("root_hash") != head.root_hash.hex():
            raise BundleInvalid(f"{MANIFEST} describes another tree (size {self.manifest.get('tree_size')}) than "
                                f"the signed head (size {head.tree_size})")
        return head


def _check_event(event: Any, head: TreeHead) -> tuple[int, int]:
    """Check one exported event on its own; returns ``(leaf_index, position)``; ``ValueError`` says why not."""
    if not isinstance(event, dict):
        raise ValueError("the line is not a JSON object")
    index, position = _integer(event, "leaf_index"), _integer(event, "position")
    if index >= head.tree_size:
        raise ValueError(f"leaf {index} is outside the head's tree of {head.tree_size} leaves")
    try:
        aggregate_id = UUID(event.get("aggregate_id"))
        stored = base64.b64decode(event.get("stored") or "", validate=True)
    except (TypeError, ValueError, AttributeError):
        raise ValueError("aggregate_id is not a UUID or stored is not base64") from None
    version, topic = _integer(event, "aggregate_version"), event.get("topic")
    if not isinstance(topic, str):
        raise ValueError("topic is not a string")
    leaf = leaves.hash_event(position, aggregate_id, version, topic, stored)
    if event.get("leaf_hash") != leaf.hex():
        raise ValueError("its leaf hash, recomputed from its position, aggregate id, version, topic and stored bytes, "
                         "differs from the one given: the event was changed")
    path = _hex_list(event.get("inclusion_path"), "inclusion_path")
    try:
        merkle.verify_inclusion(index, head.tree_size, leaf, path, head.root_hash)
    except merkle.ProofError as exc:
        raise ValueError(f"its inclusion proof fails against the head (tree size {head.tree_size}): {exc}") from None
    try:
        decoded = orjson.loads(stored)
        expected = {**views(decoded, event.get("redacted") or []), "type": event_type(topic)}
        ids_match = (decoded.get("originator_id") == str(aggregate_id)
                     and decoded.get("originator_version") == version)
    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError):
        raise ValueError("its stored bytes are not a stored event (JSON with an envelope)") from None
    if not ids_match:
        raise ValueError("its stored bytes name another aggregate id or version")
    for name, value in expected.items():
        if event.get(name) != value:
            raise ValueError(f"its {name} differs from its stored bytes: the shown event was changed")
    return index, position


def verify(path: Path, keys: Mapping[bytes, Ed25519PublicKey], previous: TreeHead | None = None) -> Verified:
    """Verify a bundle offline; raise :class:`BundleInvalid` naming the first failure."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleInvalid(f"{path} is not a readable ZIP bundle: {exc}") from None
    with archive:
        reader = _Reader(archive, keys)
        head = reader.head()
        coverage = reader.manifest.get("coverage")
        if coverage not in COVERAGE:
            raise BundleInvalid(f"{MANIFEST} gives no coverage (one of {', '.join(COVERAGE)})")
        declared = reader.manifest.get("leaf_range")
        if coverage == "full":
            declared = {"first": 0, "last": head.tree_size - 1}
        first, last, count = _verify_events(reader, head, coverage, declared)
        _verify_counts(reader, head, coverage, declared, first, last, count)
        earlier, previous_path = _verify_heads(reader, head, previous)
        if previous is not None:
            _verify_previous(previous, head, previous_path, keys)
    return Verified(head=head, events=count, coverage=coverage, earlier_heads=earlier,
                    leaf_range=(first, last) if count else None,
                    previous=previous.tree_size if previous is not None else None)


def _verify_events(reader: _Reader, head: TreeHead, coverage: str,
                   declared: Any) -> tuple[int, int, int]:
    complete = coverage in ("full", "range")
    if complete and not (isinstance(declared, dict) and isinstance(declared.get("first"), int)):
        raise BundleInvalid(f"{MANIFEST} declares a {coverage} export without its leaf range")
    first = last = -1
    last_position = count = 0
    for number, line in reader.lines(EVENTS):
        try:
            event = orjson.loads(line)
            where = f"event at position {event['position']} (leaf {event['leaf_index']}, line {number})"
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise BundleInvalid(f"line {number} of {EVENTS} is not an exported event") from None
        try:
            index, position = _check_event(event, head)
        except ValueError as exc:
            raise BundleInvalid(f"{where}: {exc}") from None
        expected = declared["first"] + count if complete else None
        if expected is not None and index != expected:
            raise BundleInvalid(f"{where}: out of sequence — a {coverage} export lists every leaf in log order, "
                                f"and leaf {expected} belongs here (it was dropped or moved)")
        if count and index <= last:
            raise BundleInvalid(f"{where}: out of log order — it comes after leaf {last}")
        if count and position <= last_position:
            raise BundleInvalid(f"{where}: positions do not increase — it comes after position {last_position}")
        first = index if not count else first
        last, last_position, count = index, position, count + 1
    return first, last, count


def _verify_counts(reader: _Reader, head: TreeHead, coverage: str, declared: Any, first: int, last: int,
                   count: int) -> None:
    if reader.manifest.get("events") != count:
        raise BundleInvalid(f"{MANIFEST} counts {reader.manifest.get('events')} events, {EVENTS} holds {count}")
    if coverage in ("full", "range") and (count == 0 or last != declared.get("last")):
        missing_from = last + 1 if count else declared["first"]
        raise BundleInvalid(f"leaves {missing_from}–{declared.get('last')} are missing: a {coverage} export holds "
                            f"every leaf {declared['first']}–{declared.get('last')}")
    if coverage == "full" and count != head.tree_size:
        raise BundleInvalid(f"a full export holds all {head.tree_size} leaves, this one {count}")
    stated = reader.manifest.get("leaf_range")
    if count and stated != {"first": first, "last": last}:
        raise BundleInvalid(f"{MANIFEST} gives the leaf range {stated}, the events span leaves {first}–{last}")


def _verify_heads(reader: _Reader, head: TreeHead, previous: TreeHead | None) -> tuple[int, list[bytes] | None]:
    """Every earlier head: signed, in order, and consistent with the latest. Returns the count and the
    consistency path of the head of the previous head's size, if the bundle has one."""
    count, last_size, previous_path = 0, 0, None
    for number, line in reader.lines(HEADS):
        try:
            entry = orjson.loads(line)
            earlier = TreeHead.from_json(entry.get("head"))
            path = _hex_list(entry.get("consistency_path"), "consistency_path")
        except (orjson.JSONDecodeError, ValueError, AttributeError) as exc:
            raise BundleInvalid(f"line {number} of {HEADS} is not a head with a consistency proof: {exc}") from None
        where = f"earlier head (tree size {earlier.tree_size}, line {number} of {HEADS})"
        problem = head_problem(earlier, reader.keys)
        if problem:
            raise BundleInvalid(f"{where}: {problem}")
        if not last_size < earlier.tree_size < head.tree_size:
            raise BundleInvalid(f"{where}: heads are listed by increasing size, below the latest ({head.tree_size})")
        try:
            merkle.verify_consistency(earlier.tree_size, head.tree_size, earlier.root_hash, head.root_hash, path)
        except merkle.ProofError as exc:
            raise BundleInvalid(f"{where}: its consistency proof to tree size {head.tree_size} fails: {exc}") from None
        if previous is not None and earlier.tree_size == previous.tree_size:
            previous_path = path
        count, last_size = count + 1, earlier.tree_size
    if reader.manifest.get("earlier_heads") != count:
        raise BundleInvalid(f"{MANIFEST} counts {reader.manifest.get('earlier_heads')} earlier heads, {HEADS} "
                            f"holds {count}")
    return count, previous_path


def _verify_previous(previous: TreeHead, head: TreeHead, path: list[bytes] | None,
                     keys: Mapping[bytes, Ed25519PublicKey]) -> None:
    where = f"the previous head (tree size {previous.tree_size})"
    problem = head_problem(previous, keys)
    if problem:
        raise BundleInvalid(f"{where} is not valid: {problem}")
    if previous.tree_size > head.tree_size:
        raise BundleInvalid(f"{where} is newer than the bundle's head (tree size {head.tree_size}): export again")
    if previous.tree_size == head.tree_size:
        if previous.root_hash != head.root_hash:
            raise BundleInvalid(f"{where} has another root than the bundle's head of the same size: the log was "
                                "rewritten")
        return
    if path is None:
        raise BundleInvalid(f"the bundle has no consistency proof from {where}: no head of that size is in "
                            f"{HEADS}")
    try:
        merkle.verify_consistency(previous.tree_size, head.tree_size, previous.root_hash, head.root_hash, path)
    except merkle.ProofError as exc:
        raise BundleInvalid(f"{where} is not consistent with the bundle's head (tree size {head.tree_size}): the "
                            f"log was rewritten ({exc})") from None
