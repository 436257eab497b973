"""The audit bundle: its layout and its offline verification (docs/audit.md §6–7).

A bundle is one ZIP file with five members:

- ``events.jsonl``: the exported events in log order, one JSON object per line, each with its exact stored bytes
  and its inclusion proof against the bundle's head;
- ``head.json``: the latest signed tree head, which every proof refers to;
- ``heads.jsonl``: every earlier signed head, each with a consistency proof to the latest;
- ``checkpoint``: the head as a C2SP checkpoint (signed note) with the log's signature and the witnesses'
  cosignatures;
- ``manifest.json``: format, selection, coverage, counts, leaf range and the SHA-256 of the other members.

Verification needs only this module, ``merkle``, ``leaves``, ``signing``, ``strict`` and ``domain.jurisdiction``: no
database, no settings, no store. It is strict (docs/audit.md §6.4): exactly these members, once each; exactly the
fields the spec lists, with exact JSON types; every manifest field checked against what the bundle holds.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import multiprocessing
import os
import queue
import threading
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NamedTuple
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.jurisdiction import covers
from infrastructure.audit import leaves, merkle, strict
from infrastructure.audit.note import ED25519, Checkpoint, Note, NoteError, Verifier, raw
from infrastructure.audit.signing import TreeHead, head_problem, strict_hex

FORMAT = "zeren-audit-bundle/3"
EVENTS, HEAD, HEADS, MANIFEST, CHECKPOINT = "events.jsonl", "head.json", "heads.jsonl", "manifest.json", "checkpoint"
FORMATS = {"zeren-audit-bundle/1": (EVENTS, HEADS, HEAD), "zeren-audit-bundle/2": (EVENTS, HEADS, HEAD, CHECKPOINT),
           FORMAT: (EVENTS, HEADS, HEAD, CHECKPOINT)}
"""The members each format lists in its manifest (besides the manifest): format 2 adds the head as a C2SP
checkpoint with its witness cosignatures; format-1 bundles (written before) still verify, without cosignatures."""
MANIFEST_FIELDS = ("format", "created_at", "hash", "tree", "leaf_encoding", "signature", "selection", "tree_size",
                   "root_hash", "coverage", "events", "excluded", "leaf_range", "position_range", "earlier_heads",
                   "members")
CONSTANTS = {"hash": "SHA-256", "tree": "RFC 9162 §2.1", "leaf_encoding": 1, "signature": "Ed25519"}
PARALLEL_FROM = 64 << 20
"""An ``events.jsonl`` of this many bytes (about 25,000 events) or more is checked in one process per CPU."""
CHUNK = 1 << 20
"""Bytes of ``events.jsonl`` read at a time (and, in several processes, the lines one worker checks at a time)."""
SELECTION_FIELDS = ("scope", "jurisdiction", "from_position", "to_position", "aggregate_id")
WITHHELD = "withheld"
"""Format 3 adds this sixth field to the selection: the event types withheld from the caller (docs/audit.md §6.3)."""
EVENT_FIELDS = ("leaf_index", "position", "aggregate_id", "aggregate_version", "type", "topic", "schema_version",
                "recorded_at", "effective_at", "jurisdiction", "envelope", "redacted", "data", "stored", "leaf_hash",
                "inclusion_path")
HEAD_LINE_FIELDS = ("head", "consistency_path")
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
    cosigned_by: tuple[str, ...] = ()

    def summary(self) -> str:
        span = f", leaves {self.leaf_range[0]}–{self.leaf_range[1]}" if self.leaf_range else ""
        line = (f"ok: {self.events} events verified{span} ({self.coverage} export: {COVERAGE[self.coverage]}); "
                f"head: tree size {self.head.tree_size}, root {self.head.root_hash.hex()[:16]}…, signed "
                f"{self.head.signed_at:%Y-%m-%dT%H:%M:%SZ} by key {self.head.key_id.hex()[:16]}…; "
                f"{self.earlier_heads} earlier heads consistent")
        if self.previous is not None:
            line += f"; the previous head (tree size {self.previous}) is consistent with it"
        if self.cosigned_by:
            line += f"; cosigned by {', '.join(self.cosigned_by)}"
        return line


def _hashes(value: Any, what: str) -> list[bytes]:
    if not isinstance(value, list):
        raise ValueError(f"{what} is not a list of hashes")
    return [strict_hex(h, merkle.HASH_SIZE, f"a hash in {what}") for h in value]


def _json(data: bytes, what: str) -> Any:
    try:
        return strict.loads(data)
    except ValueError as exc:
        raise BundleInvalid(f"{what} is not valid JSON: {exc}") from None


def _span(value: Any, what: str) -> tuple[int, int] | None:
    if value is None:
        return None
    span = strict.fields(value, ("first", "last"), what)
    first, last = strict.unsigned(span["first"], f"{what}.first"), strict.unsigned(span["last"], f"{what}.last")
    if first > last:
        raise ValueError(f"{what} runs backwards")
    return first, last


def _withheld(value: Any) -> list[str]:
    """``selection.withheld``: event type names, each a text, sorted and without repeats."""
    if not isinstance(value, list) or any(not isinstance(name, str) or not name for name in value):
        raise ValueError("its selection.withheld is not a list of event type names")
    if value != sorted(set(value)):
        raise ValueError("its selection.withheld is not sorted without repeats")
    return value


@dataclass(frozen=True)
class Manifest:
    """``manifest.json``, every field type-checked (docs/audit.md §6.3)."""

    coverage: str
    tree_size: int
    root_hash: str
    events: int
    excluded: int
    earlier_heads: int
    leaf_range: tuple[int, int] | None
    position_range: tuple[int, int] | None
    format: str
    members: dict[str, dict[str, Any]]
    scope: str | None
    jurisdiction: str | None
    from_position: int | None
    to_position: int | None
    aggregate_id: UUID | None
    withheld: frozenset[str]

    @classmethod
    def parse(cls, value: Any) -> Manifest:
        m = strict.fields(value, MANIFEST_FIELDS, MANIFEST)
        if not isinstance(m["format"], str) or m["format"] not in FORMATS:
            raise ValueError(f"its format is none of {', '.join(FORMATS)}")
        for name, constant in CONSTANTS.items():
            if not strict.same(m[name], constant):
                raise ValueError(f"its {name} is not {json.dumps(constant, ensure_ascii=False)}")
        try:
            created = datetime.fromisoformat(strict.text(m["created_at"], "created_at") or "")
        except ValueError:
            raise ValueError("its created_at is not a date and time") from None
        if created.tzinfo is None:
            raise ValueError("its created_at has no offset")
        if m["coverage"] not in COVERAGE:
            raise ValueError(f"its coverage is none of {', '.join(COVERAGE)}")
        older = m["format"] != FORMAT
        selection = strict.fields(m["selection"], SELECTION_FIELDS if older else (*SELECTION_FIELDS, WITHHELD),
                                  "its selection")
        withheld = () if older else _withheld(selection[WITHHELD])
        members = strict.fields(m["members"], FORMATS[m["format"]], "its members")
        for name in members:
            member = strict.fields(members[name], ("sha256", "bytes"), f"its members.{name}")
            strict_hex(member["sha256"], 32, f"members.{name}.sha256")
            strict.unsigned(member["bytes"], f"members.{name}.bytes")
        strict_hex(m["root_hash"], 32, "its root_hash")
        bound = {name: None if selection[name] is None else strict.unsigned(selection[name], f"selection.{name}")
                 for name in ("from_position", "to_position")}
        return cls(
            coverage=m["coverage"], tree_size=strict.unsigned(m["tree_size"], "tree_size"), root_hash=m["root_hash"],
            events=strict.unsigned(m["events"], "events"), excluded=strict.unsigned(m["excluded"], "excluded"),
            earlier_heads=strict.unsigned(m["earlier_heads"], "earlier_heads"),
            leaf_range=_span(m["leaf_range"], "leaf_range"), position_range=_span(m["position_range"],
                                                                                   "position_range"),
            format=m["format"], members=members,
            scope=strict.text(selection["scope"], "selection.scope", optional=True),
            jurisdiction=strict.text(selection["jurisdiction"], "selection.jurisdiction", optional=True),
            from_position=bound["from_position"], to_position=bound["to_position"],
            aggregate_id=None if selection["aggregate_id"] is None
            else strict.canonical_uuid(selection["aggregate_id"], "selection.aggregate_id"),
            withheld=frozenset(withheld))

    @property
    def filtered(self) -> bool:
        """Whether the selection can leave sealed events out (a scope, a jurisdiction, an aggregate or withheld
        event types)."""
        return (self.scope, self.jurisdiction, self.aggregate_id) != (None, None, None) or bool(self.withheld)

    def admits(self, position: int, jurisdiction: str, aggregate_id: UUID, kind: str) -> bool:
        return (kind not in self.withheld
                and (self.from_position is None or position >= self.from_position)
                and (self.to_position is None or position <= self.to_position)
                and (self.scope is None or covers(self.scope, jurisdiction))
                and (self.jurisdiction is None or covers(self.jurisdiction, jurisdiction))
                and (self.aggregate_id is None or aggregate_id == self.aggregate_id))


class _Reader:
    """A bundle being verified, member by member, streaming (constant memory)."""

    def __init__(self, archive: zipfile.ZipFile, keys: Mapping[bytes, Ed25519PublicKey]):
        self.archive = archive
        self.keys = keys
        names = archive.namelist()
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise BundleInvalid(f"the bundle holds more than one member named {twice[0]}: a reader could take "
                                "either")
        if MANIFEST not in names:
            raise BundleInvalid(f"the bundle has no {MANIFEST}")
        try:
            self.manifest = Manifest.parse(_json(archive.read(MANIFEST), MANIFEST))
        except ValueError as exc:
            raise BundleInvalid(f"{MANIFEST} does not describe an audit bundle: {exc}") from None
        expected = (MANIFEST, *self.manifest.members)
        for name in expected:
            if name not in names:
                raise BundleInvalid(f"the bundle has no {name}")
        for name in names:
            if name not in expected:
                raise BundleInvalid(f"the bundle holds a member the format does not have: {name}")

    def check_digest(self, name: str, digest: str, size: int) -> None:
        member = self.manifest.members[name]
        if member["sha256"] != digest:
            raise BundleInvalid(f"{name} does not match its SHA-256 in the manifest: the member was changed")
        if member["bytes"] != size:
            raise BundleInvalid(f"{name} holds {size} bytes, the manifest says {member['bytes']}")

    def chunks(self, name: str, size: int = CHUNK, ahead: bool = False) -> Iterator[tuple[int, bytes]]:
        """The member's complete lines, read about ``size`` bytes at a time and hashed as they go: ``(the number of
        the first line, the lines with their \n)``; checks that every line ends with ``\n`` and, at the end, the
        member's hash. ``ahead``: inflated and hashed by a thread of their own (:func:`_read_ahead`)."""
        digest, total, number, rest = hashlib.sha256(), 0, 1, b""
        for piece in (_read_ahead if ahead else _read)(self.archive, name, size, digest):
            total += len(piece)
            end = piece.rfind(b"\n") + 1
            if not end:
                rest += piece
                continue
            lines, rest = rest + piece[:end], piece[end:]
            yield number, lines
            number += lines.count(b"\n")
        if rest:
            raise BundleInvalid(f"line {number} of {name} does not end with a newline")
        self.check_digest(name, digest.hexdigest(), total)

    def lines(self, name: str, ahead: bool = False) -> Iterator[tuple[int, bytes]]:
        """The member's lines (without their ``\n``) with their numbers, checked as :meth:`chunks` does."""
        for first, chunk in self.chunks(name, CHUNK, ahead):
            yield from enumerate(_split(chunk), first)

    def head(self) -> TreeHead:
        raw = self.archive.read(HEAD)
        try:
            head = TreeHead.from_json(_json(raw, HEAD))
        except ValueError as exc:
            raise BundleInvalid(f"{HEAD} is not a signed tree head: {exc}") from None
        problem = head_problem(head, self.keys)
        if problem:
            raise BundleInvalid(f"the bundle's head (tree size {head.tree_size}) is not valid: {problem}")
        self.check_digest(HEAD, sha256_hex(raw), len(raw))
        if self.manifest.tree_size != head.tree_size or self.manifest.root_hash != head.root_hash.hex():
            raise BundleInvalid(f"{MANIFEST} describes another tree (size {self.manifest.tree_size}) than "
                                f"the signed head (size {head.tree_size})")
        return head

    def cosigners(self, head: TreeHead, witnesses: Sequence[Verifier]) -> tuple[str, ...]:
        """Check ``checkpoint`` (format 2): the head as a note signed by the log's key, and the witnesses whose
        cosignatures verify (a cosignature by a given witness key that fails refuses the bundle)."""
        if CHECKPOINT not in self.manifest.members:
            return ()
        raw_note = self.archive.read(CHECKPOINT)
        self.check_digest(CHECKPOINT, sha256_hex(raw_note), len(raw_note))
        try:
            note = Note.parse(raw_note)
            checkpoint = Checkpoint.parse(note.body)
            if note.body != Checkpoint(checkpoint.origin, head.tree_size, head.root_hash).body():
                raise NoteError(f"it is not the checkpoint of the head (tree size {head.tree_size}, no extension "
                                "lines)")
            logs = [Verifier(checkpoint.origin, ED25519, raw(key)) for key in self.keys.values()]
            if not any(note.verified(log) is not None for log in logs):
                raise NoteError(f"it has no signature of the log ({checkpoint.origin}) by a given public key")
            return tuple(w.name for w in witnesses if note.verified(w) is not None)
        except (NoteError, UnicodeDecodeError) as exc:
            raise BundleInvalid(f"{CHECKPOINT}: {exc}") from None


def _read(archive: zipfile.ZipFile, name: str, size: int, digest: Any) -> Iterator[bytes]:
    """A member's bytes, ``size`` at a time, inflated and hashed into ``digest``."""
    stream: IO[bytes]
    with archive.open(name) as stream:
        while piece := stream.read(size):
            digest.update(piece)
            yield piece


def _read_ahead(archive: zipfile.ZipFile, name: str, size: int, digest: Any) -> Iterator[bytes]:
    """:func:`_read` one piece ahead, by a thread of its own: zlib, zipfile's CRC-32 and SHA-256 let go of the GIL on
    large pieces, so another core inflates the next piece while this thread checks the lines of the last (inflating
    is about a quarter of one process's work; with worker processes this process does little else, and reads
    without). What the reading raises is raised here, in its place; the thread ends when the pieces are not wanted
    any more."""
    pieces: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: bytes | BaseException | None) -> None:
        while not stop.is_set():
            try:
                pieces.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            for piece in _read(archive, name, size, digest):
                if stop.is_set():
                    return
                put(piece)
            put(None)
        except BaseException as exc:  # given to the reader, in its place
            put(exc)

    thread = threading.Thread(target=read, name=f"read {name}", daemon=True)
    thread.start()
    try:
        while (item := pieces.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


class _Event(NamedTuple):
    """What the order checks need of a verified line (a tuple: made once per event, cheaply)."""

    leaf: int
    position: int
    aggregate_id: UUID
    version: int
    jurisdiction: str
    type: str


def _check_event(value: Any, head: TreeHead) -> _Event:
    """Check one exported event on its own; ``ValueError`` says why not."""
    event = strict.fields(value, EVENT_FIELDS, "the line")
    index, position = strict.unsigned(event["leaf_index"], "leaf_index"), strict.unsigned(event["position"],
                                                                                         "position")
    if index >= head.tree_size:
        raise ValueError(f"leaf {index} is outside the head's tree of {head.tree_size} leaves")
    if position < 1:
        raise ValueError("its position is below 1: the event store never hands it out")
    aggregate_id = strict.canonical_uuid(event["aggregate_id"], "aggregate_id")
    stored = strict.b64(event["stored"], "stored")
    version, topic = strict.unsigned(event["aggregate_version"], "aggregate_version"), event["topic"]
    if not isinstance(topic, str):
        raise ValueError("topic is not a string")
    leaf = leaves.hash_event(position, aggregate_id, version, topic, stored)
    if event["leaf_hash"] != leaf.hex():
        raise ValueError("its leaf hash, recomputed from its position, aggregate id, version, topic and stored bytes, "
                         "differs from the one given: the event was changed")
    path = _hashes(event["inclusion_path"], "inclusion_path")
    try:
        merkle.verify_inclusion(index, head.tree_size, leaf, path, head.root_hash)
    except merkle.ProofError as exc:
        raise ValueError(f"its inclusion proof fails against the head (tree size {head.tree_size}): {exc}") from None
    redacted = event["redacted"]
    if not (isinstance(redacted, list) and all(isinstance(n, str) for n in redacted)
            and redacted == sorted(set(redacted))):
        raise ValueError("redacted is not a sorted list of distinct field names")
    try:
        decoded = strict.loads(stored)
        if not isinstance(decoded, dict) or not set(redacted) <= set(decoded) - STORE_FIELDS:
            raise ValueError
        expected = {**views(decoded, redacted), "type": event_type(topic)}
        ids_match = (strict.same(decoded.get("originator_id"), str(aggregate_id))
                     and strict.same(decoded.get("originator_version"), version))
    except (ValueError, KeyError, TypeError):
        raise ValueError("its stored bytes are not a stored event (JSON with an envelope, holding every redacted "
                         "field)") from None
    if not ids_match:
        raise ValueError("its stored bytes name another aggregate id or version")
    for name, shown in expected.items():
        if not strict.same(event[name], shown):
            raise ValueError(f"its {name} differs from its stored bytes: the shown event was changed")
    if not isinstance(expected["jurisdiction"], str):
        raise ValueError("its jurisdiction is not a string")
    return _Event(index, position, aggregate_id, version, expected["jurisdiction"], expected["type"])


_U64 = 1 << 64
_HEX = "0123456789abcdef"
_BASE64 = {ord(c): i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
"""Each base64 digit's value (RFC 4648 §4)."""


def _base64(text: bytes) -> bytes | None:
    """The bytes of base64 text in its canonical form (what :func:`strict.b64` accepts: encoding them again gives
    the text), or ``None``: only the alphabet, the padding that makes whole groups of four, and zero in the bits the
    padding leaves unused (``QR==`` decodes to what ``QQ==`` does, but is not what encoding writes)."""
    try:
        decoded = binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error:
        return None
    if text[-1:] == b"=":
        last, unused = (text[-3], 15) if text[-2] == 61 else (text[-2], 3)
        if _BASE64[last] & unused:
            return None
    return decoded


def _hex_hash(item: Any) -> bytes | None:
    """A hash of the inclusion path as the spec writes it (64 lowercase hex digits), or ``None``."""
    if type(item) is not str or len(item) != 2 * merkle.HASH_SIZE or item.strip(_HEX):
        return None
    return bytes.fromhex(item)


_STORED, _LEAF_HASH, _PATH = b',"stored":"', b'","leaf_hash":"', b'","inclusion_path":'
"""What the exporter writes before the stored bytes' base64, the leaf hash and the inclusion path of a line."""
_SHOWN, _REDACTED = b',"schema_version":', b',"redacted":'
"""What it writes after the line's first six fields (ids, type, topic), and before ``redacted``."""


class _Fast:
    """The reading of an exported event as the exporter writes it (``export.exported_event`` encoded by orjson).

    :meth:`event` returns ``None`` for anything else — a line or stored bytes not in exactly that form, any check
    that fails — and the caller then reads the line with :func:`_check_event`, which accepts it or says why not. It
    accepts only what :func:`_check_event` accepts: it rebuilds the line from the event's stored bytes (every shown
    field from them, the other fields as given) and requires the very bytes of the line. A line equal to orjson's
    encoding of a value is plain JSON with no member named twice, no constant and no number out of range, so the
    strict reading (§6.4) reads the values orjson read; and each shown field, written as the encoding of the value
    its stored bytes give, is that value with its exact JSON type. The line is not parsed whole: it is cut where the
    exporter's encoding puts its fields (the shown fields are not read at all, the base64 text is decoded as it is
    given), only the small parts are parsed, and the rebuilt encoding must equal the whole line — so a cut in the
    wrong place (a field holding what looks like a delimiter) gives another line, and the strict reading. Inclusion
    proofs go through :class:`merkle.Inclusions`, which decodes and hashes only what consecutive proofs do not share,
    or, for a full bundle's lines in order, :class:`merkle.Paths`, which compares them with the tree of the leaves."""

    def __init__(self, head: TreeHead, every_leaf: bool = False):
        self.size = head.tree_size
        self.inclusions: merkle.Inclusions[Any] = merkle.Inclusions(head.tree_size, head.root_hash, _hex_hash)
        self.paths = merkle.Paths(head.tree_size, head.root_hash) if every_leaf else None
        """With ``every_leaf`` (a full bundle's lines, in order): each line's inclusion path compared, as its text,
        with the tree its leaves build (:class:`merkle.Paths`), instead of walked. :meth:`event` returns ``None``
        for a line not read here or whose path differs, as for any other, but the caller cannot then read that line
        strictly and go on (the tree would miss its leaf): it verifies the lines again without ``every_leaf``."""
        self.ids: dict[str, UUID] = {}
        self.topics: dict[str, tuple[bytes, str]] = {}
        """Each topic's field in the leaf (:func:`leaves.topic_field`) and its event type."""

    def _uuid(self, text: Any) -> UUID | None:
        if type(text) is not str:
            return None
        known = self.ids.get(text)
        if known is None:
            try:
                known = UUID(text)
            except ValueError:
                return None
            if str(known) != text:
                return None
            self.ids[text] = known
        return known

    def _topic(self, topic: str) -> tuple[bytes, str]:
        known = self.topics.get(topic)
        if known is None:
            known = self.topics[topic] = (leaves.topic_field(topic), event_type(topic))
        return known

    def event(self, line: bytes) -> _Event | None:
        # The last "_" is inclusion_path's (no hex or base64 digit is one), 91 bytes after the leaf hash's
        # delimiter; the last '"' before that delimiter opens the base64 text. Single bytes: searched by memrchr.
        hashed = line.rfind(b"_") - 91
        text = line.rfind(b'"', 0, hashed) - 10
        redactions = line.rfind(_REDACTED, 0, text)
        shown = line.find(_SHOWN, 0, redactions)
        if (shown < 0 or not line.startswith(_LEAF_HASH, hashed) or not line.startswith(_STORED, text)
                or not line.startswith(_PATH, hashed + 79)):
            return None
        try:
            value = orjson.loads(line[:shown] + b"}")
            index, position, version = value["leaf_index"], value["position"], value["aggregate_version"]
            aggregate, topic = value["aggregate_id"], value["topic"]
            redacted = orjson.loads(line[redactions + 12:text])
            path = line[hashed + 98:-1] if self.paths else orjson.loads(line[hashed + 98:-1])
            stored = _base64(line[text + 11:hashed])
            if stored is None:
                return None
            decoded = orjson.loads(stored)
            if type(decoded) is not dict or orjson.dumps(decoded) != stored:
                return None
        except (orjson.JSONDecodeError, orjson.JSONEncodeError, binascii.Error, KeyError, TypeError):
            return None
        if (type(index) is not int or type(position) is not int or type(version) is not int
                or not (0 <= index < self.size and 1 <= position < _U64 and 0 <= version < _U64)
                or type(topic) is not str or type(redacted) is not list
                or not (self.paths or type(path) is list)):
            return None
        aggregate_id = self._uuid(aggregate)
        if aggregate_id is None:
            return None
        if redacted and (any(type(n) is not str for n in redacted) or redacted != sorted(set(redacted))
                         or not set(redacted) <= decoded.keys() - STORE_FIELDS):
            return None
        originator_version = decoded.get("originator_version")
        if (decoded.get("originator_id") != aggregate or type(originator_version) is not int
                or originator_version != version):
            return None
        field, kind = self._topic(topic)
        leaf = leaves.hash_fields(position, aggregate_id.bytes, version, field, stored)
        try:
            views_ = views(decoded, redacted)
            first = orjson.dumps({"leaf_index": index, "position": position, "aggregate_id": aggregate,
                                  "aggregate_version": version, "type": kind, "topic": topic, **views_,
                                  "redacted": redacted})
            rest = path if self.paths else orjson.dumps(path)
        except (KeyError, TypeError, orjson.JSONEncodeError):
            return None
        # orjson's encoding of the whole line: an object is its members joined. Between the parts compared here the
        # line holds the delimiters checked above and its base64 text, which is canonical (_base64): as orjson
        # writes it, no escaping needed; so is the path's text when it is the tree's (merkle.Paths).
        if (len(first) - 1 != text or not line.startswith(first[:-1])
                or line[hashed + 15:hashed + 79] != leaf.hex().encode() or line[hashed + 98:] != rest + b"}"):
            return None
        jurisdiction = views_["jurisdiction"]
        if type(jurisdiction) is not str or not (self.paths.holds(index, leaf, path) if self.paths
                                                 else self.inclusions.holds(index, leaf, path)):
            return None
        return _Event(index, position, aggregate_id, version, jurisdiction, kind)


def verify(path: Path, keys: Mapping[bytes, Ed25519PublicKey], previous: TreeHead | None = None,
           witnesses: Sequence[Verifier] = (), min_witnesses: int = 0, jobs: int | None = None) -> Verified:
    """Verify a bundle offline; raise :class:`BundleInvalid` naming the first failure. With ``min_witnesses``, the
    head must carry valid cosignatures of at least that many of ``witnesses`` (cosigner vkeys). The events' lines
    are checked in ``jobs`` processes (default: one per CPU for a large bundle); the outcome and its words are the
    same whatever the number."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleInvalid(f"{path} is not a readable ZIP bundle: {exc}") from None
    with archive:
        reader = _Reader(archive, keys)
        head = reader.head()
        cosigned = reader.cosigners(head, witnesses)
        if len(cosigned) < min_witnesses:
            missing = ", ".join(w.name for w in witnesses if w.name not in cosigned) or "none given"
            raise BundleInvalid(f"the head (tree size {head.tree_size}) is cosigned by {len(cosigned)} of the given "
                                f"witnesses, {min_witnesses} are required (no valid cosignature by: {missing})")
        seen = _verify_events(reader, head, jobs)
        _verify_counts(reader.manifest, head, seen)
        earlier, previous_path = _verify_heads(reader, head, previous)
        if previous is not None:
            _verify_previous(previous, head, previous_path, keys)
    manifest = reader.manifest
    return Verified(head=head, events=seen.count, coverage=manifest.coverage, earlier_heads=earlier,
                    leaf_range=(seen.first.leaf, seen.last.leaf) if seen.first and seen.last else None,
                    previous=previous.tree_size if previous is not None else None, cosigned_by=cosigned)


@dataclass
class _Seen:
    """What the events of a bundle turned out to be."""

    count: int = 0
    first: _Event | None = None
    last: _Event | None = None
    versions: dict[int, int] = field(default_factory=dict)
    """Each record's last version, by the integer of its UUID."""


class _Order:
    """The checks of an event against the events before it in the bundle (docs/audit.md §7, steps 3.5–3.7)."""

    def __init__(self, manifest: Manifest):
        self.manifest = manifest
        self.complete = manifest.coverage in ("full", "range")
        self.full = manifest.coverage == "full"
        self.start = 0
        if self.complete and not self.full:
            if manifest.leaf_range is None:
                raise BundleInvalid(f"{MANIFEST} declares a {manifest.coverage} export without its leaf range")
            self.start = manifest.leaf_range[0]

    def problem(self, count: int, last: _Event | None, before: int | None, event: _Event) -> str | None:
        """Why ``event`` cannot follow ``count`` events ending with ``last``, its record's last version ``before``
        (``None``: not known here, that check is left to the caller), or ``None``."""
        manifest = self.manifest
        if self.complete and event.leaf != self.start + count:
            return (f"out of sequence — a {manifest.coverage} export lists every leaf in log order, and leaf "
                    f"{self.start + count} belongs here (it was dropped or moved)")
        if last and event.leaf <= last.leaf:
            return f"out of log order — it comes after leaf {last.leaf}"
        if last and event.position <= last.position:
            return f"positions do not increase — it comes after position {last.position}"
        if not manifest.admits(event.position, event.jurisdiction, event.aggregate_id, event.type):
            return "the manifest's selection does not admit it"
        if before is not None and not self.follows(before, event.version):
            return (f"version {event.version} of record {event.aggregate_id} follows version {before}: a "
                    "record's versions run 1, 2, 3 … in log order")
        return None

    def follows(self, before: int, version: int) -> bool:
        """Whether a record's ``version`` may follow its ``before`` (0: none yet) in the bundle."""
        return version > before and (not self.full or version == before + 1)

    def follow(self, seen: _Seen, event: _Event, number: int) -> None:
        """Add ``event`` (line ``number``) to what was seen, or raise :class:`BundleInvalid` naming it and why not."""
        key = event.aggregate_id.int
        problem = self.problem(seen.count, seen.last, seen.versions.get(key, 0), event)
        if problem:
            raise BundleInvalid(f"event at position {event.position} (leaf {event.leaf}, line {number}): {problem}")
        seen.versions[key] = event.version
        seen.first = seen.first or event
        seen.last, seen.count = event, seen.count + 1


def _split(chunk: bytes) -> list[bytes]:
    """The lines of a chunk of whole lines, without their ``\n``."""
    lines = chunk.split(b"\n")
    lines.pop()
    return lines


def _processes(jobs: int | None, size: int) -> int:
    """How many processes check the lines of an ``events.jsonl`` of ``size`` bytes: ``jobs`` if given, else one
    per available CPU from ``PARALLEL_FROM`` bytes on (starting the processes costs more below)."""
    if jobs is not None:
        return max(jobs, 1)
    if size < PARALLEL_FROM:
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _verify_events(reader: _Reader, head: TreeHead, jobs: int | None) -> _Seen:
    order, seen, fast = _Order(reader.manifest), _Seen(), _Fast(head)
    processes = _processes(jobs, reader.archive.getinfo(EVENTS).file_size)
    if processes > 1:
        _Parallel(reader, head, order, processes).verify(seen, fast)
        return seen
    if order.full:
        proven = _every_leaf(reader, head, order)
        if proven is not None:
            return proven
    for number, line in reader.lines(EVENTS, ahead=True):
        order.follow(seen, fast.event(line) or _read_event(line, number, head), number)
    return seen


def _every_leaf(reader: _Reader, head: TreeHead, order: _Order) -> _Seen | None:
    """A full bundle's lines, each path compared with the tree the lines' leaves build (:class:`merkle.Paths`):
    what the lines prove when every line reads as the exporter writes it, every check passes and every path is the
    tree's; else ``None`` (nothing is refused here), and the caller verifies the lines again, path by path, which
    names the first failure as it always did. Passing here implies passing there: each path is the tree's, so its
    walk ends at the root. A member that cannot be read gives ``None`` too: a path found wrong only lines later (a
    right sibling) would have been named first, before the damage was read."""
    seen, fast = _Seen(), _Fast(head, every_leaf=True)
    assert fast.paths is not None
    try:
        for number, line in reader.lines(EVENTS, ahead=True):
            event = fast.event(line)
            if event is None:
                return None
            order.follow(seen, event, number)
    except (BundleInvalid, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return None
    return seen if fast.paths.complete() else None


@dataclass(frozen=True)
class _Checked:
    """What a worker found in a chunk of lines that passed every check it could make alone: the chunk's first and
    last events, and each record's first and last version in it (by the UUID's integer)."""

    count: int
    first: _Event
    last: _Event
    firsts: dict[int, int]
    lasts: dict[int, int]


_WORKER: tuple[_Fast, _Order, TreeHead] | None = None
"""A worker process's reading of lines and order checks (:func:`_start_worker`)."""


def _start_worker(head: TreeHead, manifest: Manifest) -> None:
    global _WORKER
    _WORKER = (_Fast(head), _Order(manifest), head)


def _check_chunk(chunk: bytes, first: int) -> _Checked | None:
    """In a worker: every line of ``chunk`` (line ``first`` on) checked on its own and against the lines before it
    in the chunk — all but what depends on the lines before the chunk (the last event and the records' versions,
    :meth:`_Parallel.merge`). ``None`` when a check fails or a line is not read: the main process then checks the
    chunk itself, line by line, and names the failure exactly as one process does."""
    assert _WORKER is not None
    fast, order, head = _WORKER
    count, last, earliest = first - 1, None, None
    firsts: dict[int, int] = {}
    lasts: dict[int, int] = {}
    for number, line in enumerate(_split(chunk), first):
        try:
            event = fast.event(line) or _read_event(line, number, head)
        except BundleInvalid:
            return None
        key = event.aggregate_id.int
        before = lasts.get(key)
        if before is None:
            firsts[key] = event.version
        if order.problem(count, last, before, event):
            return None
        lasts[key] = event.version
        earliest = earliest or event
        count, last = count + 1, event
    if earliest is None or last is None:
        return None
    return _Checked(count - first + 1, earliest, last, firsts, lasts)


class _Parallel:
    """The lines of ``events.jsonl`` checked in worker processes, a chunk each, while this process inflates and
    hashes the member; the results are taken in order, and what depends on the lines before a chunk (leaf and
    position order at its start, each record's first version in it) is checked here. A chunk a worker did not pass
    is checked again here, line by line, from the state before it: so the first failure is named by line, with the
    words of the one-process path, and nothing one process refuses passes."""

    def __init__(self, reader: _Reader, head: TreeHead, order: _Order, processes: int):
        self.reader, self.head, self.order, self.processes = reader, head, order, processes

    def verify(self, seen: _Seen, fast: _Fast) -> None:
        context = multiprocessing.get_context("spawn")
        pending: deque[tuple[int, bytes, Future[_Checked | None]]] = deque()
        chunks, ended = self.reader.chunks(EVENTS, CHUNK), None
        pool = ProcessPoolExecutor(self.processes, mp_context=context, initializer=_start_worker,
                                   initargs=(self.head, self.reader.manifest))
        try:
            while True:
                try:
                    first, chunk = next(chunks)
                except StopIteration:
                    break
                except BundleInvalid as member:  # after the lines read so far, as one process reports it
                    ended = member
                    break
                pending.append((first, chunk, pool.submit(_check_chunk, chunk, first)))
                while len(pending) > 2 * self.processes:
                    self.merge(seen, fast, *pending.popleft())
            while pending:
                self.merge(seen, fast, *pending.popleft())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if ended is not None:
            raise ended

    def merge(self, seen: _Seen, fast: _Fast, first: int, chunk: bytes, checked: Future[_Checked | None]) -> None:
        """Take a chunk's result after every chunk before it."""
        result, last, versions = checked.result(), seen.last, seen.versions
        if (result is not None and (last is None or (result.first.leaf > last.leaf
                                                     and result.first.position > last.position))
                and all(self.order.follows(versions.get(key, 0), version) for key, version in result.firsts.items())):
            versions.update(result.lasts)
            seen.first = seen.first or result.first
            seen.last, seen.count = result.last, seen.count + result.count
            return
        for number, line in enumerate(_split(chunk), first):
            self.order.follow(seen, fast.event(line) or _read_event(line, number, self.head), number)


def _read_event(line: bytes, number: int, head: TreeHead) -> _Event:
    """One line of ``events.jsonl`` read strictly (§6.4) and checked on its own (:func:`_check_event`)."""
    try:
        value = strict.loads(line)
        where = f"event at position {value['position']} (leaf {value['leaf_index']}, line {number})"
    except (ValueError, KeyError, TypeError):
        raise BundleInvalid(f"line {number} of {EVENTS} is not an exported event") from None
    try:
        return _check_event(value, head)
    except ValueError as exc:
        raise BundleInvalid(f"{where}: {exc}") from None


def _verify_counts(manifest: Manifest, head: TreeHead, seen: _Seen) -> None:
    coverage, n = manifest.coverage, head.tree_size
    if manifest.events != seen.count:
        raise BundleInvalid(f"{MANIFEST} counts {manifest.events} events, {EVENTS} holds {seen.count}")
    observed = (seen.first.leaf, seen.last.leaf) if seen.first and seen.last else None
    positions = (seen.first.position, seen.last.position) if seen.first and seen.last else None
    declared = (0, n - 1) if coverage == "full" else manifest.leaf_range
    if coverage in ("full", "range") and (observed is None or declared is None or observed[1] != declared[1]):
        missing_from = observed[1] + 1 if observed else (declared[0] if declared else 0)
        last = declared[1] if declared else "?"
        raise BundleInvalid(f"leaves {missing_from}–{last} are missing: a {coverage} export holds every leaf "
                            f"{declared[0] if declared else 0}–{last}")
    if coverage == "full" and seen.count != n:
        raise BundleInvalid(f"a full export holds all {n} leaves, this one {seen.count}")
    if manifest.leaf_range != observed:
        raise BundleInvalid(f"{MANIFEST} gives the leaf range {manifest.leaf_range}, the events span {observed}")
    if manifest.position_range != positions:
        raise BundleInvalid(f"{MANIFEST} gives the position range {manifest.position_range}, the events span "
                            f"{positions}")
    if (coverage == "subset") != (manifest.excluded > 0 or seen.count == 0):
        raise BundleInvalid(f"{MANIFEST} says {coverage} coverage with {manifest.excluded} events excluded and "
                            f"{seen.count} exported: a bundle is a subset exactly when it left events out or holds "
                            "none")
    if manifest.excluded and not manifest.filtered:
        raise BundleInvalid(f"{MANIFEST} says {manifest.excluded} events were excluded by a selection that names no "
                            "scope, jurisdiction or record")
    scanned = seen.count + manifest.excluded
    unbounded = manifest.from_position is None and manifest.to_position is None
    if scanned > n or (unbounded and scanned != n) or (observed and scanned < observed[1] - observed[0] + 1):
        raise BundleInvalid(f"{MANIFEST} says {seen.count} events exported and {manifest.excluded} excluded: that "
                            f"cannot be the leaves its selection scanned in a tree of {n} leaves")


def _verify_heads(reader: _Reader, head: TreeHead, previous: TreeHead | None) -> tuple[int, list[bytes] | None]:
    """Every earlier head: signed, in order, and consistent with the latest. Returns the count and the
    consistency path of the head of the previous head's size, if the bundle has one."""
    count, last_size, previous_path = 0, 0, None
    for number, line in reader.lines(HEADS):
        try:
            entry = strict.fields(strict.loads(line), HEAD_LINE_FIELDS, "the line")
            earlier = TreeHead.from_json(entry["head"])
            path = _hashes(entry["consistency_path"], "consistency_path")
        except ValueError as exc:
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
    if reader.manifest.earlier_heads != count:
        raise BundleInvalid(f"{MANIFEST} counts {reader.manifest.earlier_heads} earlier heads, {HEADS} "
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
