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

import struct
from uuid import UUID

from infrastructure.audit.merkle import leaf_hash

VERSION = 1
_HEAD = struct.Struct(">BQ16sQ")
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
