"""The canonical leaf: what of a stored event the Merkle tree covers, as bytes (docs/audit.md §2).

Version 1, all integers unsigned big-endian::

    offset  size  field
    0       1     encoding version, 0x01
    1       8     log position (the notification id)
    9       16    aggregate id (the UUID's 16 bytes, RFC 9562 byte order)
    25      8     aggregate version
    33      4     T = length of the topic in bytes
    37      T     the stored topic, UTF-8 (e.g. ``domain.units:UnitRegistered``)
    37+T    4     S = length of the stored event in bytes
    41+T    S     the exact bytes the event store holds for the event (orjson of its fields and envelope)

Every field has a fixed size or a length prefix, so two different events never encode to the same bytes. The leaf
hash is ``SHA-256(0x00 ‖ leaf)`` (RFC 9162 §2.1.1). The recorded and effective time, the actor, the jurisdiction and
every field of the event are inside the stored bytes, so the leaf covers them too.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from uuid import UUID

from infrastructure.audit.merkle import leaf_hash

VERSION = 1
_HEAD = struct.Struct(">BQ16sQ")
_HASHED_HEAD = struct.Struct(">BBQ16sQ")
"""RFC 9162's leaf prefix ``0x00`` and the leaf's fixed-size head: what :func:`hash_fields` hashes first."""
_LENGTH = struct.Struct(">I")


def encode(position: int, aggregate_id: UUID, aggregate_version: int, topic: str, stored: bytes) -> bytes:
    """The version-1 leaf of one stored event."""
    topic_bytes = topic.encode("utf-8")
    return b"".join((
        _HEAD.pack(VERSION, position, aggregate_id.bytes, aggregate_version),
        _LENGTH.pack(len(topic_bytes)), topic_bytes,
        _LENGTH.pack(len(stored)), stored,
    ))


def hash_event(position: int, aggregate_id: UUID, aggregate_version: int, topic: str, stored: bytes) -> bytes:
    """The leaf hash of one stored event: ``SHA-256(0x00 ‖ encode(…))``."""
    return leaf_hash(encode(position, aggregate_id, aggregate_version, topic, stored))


def topic_field(topic: str) -> bytes:
    """The topic as the leaf holds it: ``u32(len(topic)) ‖ topic`` (kept per topic by whoever hashes many leaves)."""
    encoded = topic.encode("utf-8")
    return _LENGTH.pack(len(encoded)) + encoded


def hash_fields(position: int, aggregate_id: bytes, aggregate_version: int, topic: bytes, stored: bytes) -> bytes:
    """:func:`hash_event` from the aggregate id's 16 bytes and the topic's :func:`topic_field`, in one SHA-256 call
    (the sealer's and the bundle verifier's loop over many events)."""
    return hashlib.sha256(b"".join((_HASHED_HEAD.pack(0, VERSION, position, aggregate_id, aggregate_version), topic,
                                    _LENGTH.pack(len(stored)), stored))).digest()


class Topics(dict[str, bytes]):
    """Each topic's :func:`topic_field`, made when first asked for."""

    def __missing__(self, topic: str) -> bytes:
        field = self[topic] = topic_field(topic)
        return field


def hash_rows(rows: Iterable[tuple[int, bytes, int, str, bytes]], topics: Topics) -> list[bytes]:
    """:func:`hash_fields` of each row ``(position, aggregate id's 16 bytes, version, topic, stored bytes)``, in one
    list comprehension (the sealer's batch: no Python call per row but the C ones)."""
    head, length, sha256, join = _HASHED_HEAD.pack, _LENGTH.pack, hashlib.sha256, b"".join
    return [sha256(join((head(0, VERSION, position, aggregate, version), topics[topic], length(len(stored)),
                         stored))).digest()
            for position, aggregate, version, topic, stored in rows]
