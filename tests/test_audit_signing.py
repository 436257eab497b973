"""The canonical leaf and the signed tree head, byte by byte as docs/audit.md specifies them; the keys."""

from __future__ import annotations

import hashlib
import stat
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.hazmat.primitives import serialization

from infrastructure.audit import leaves, signing

AGGREGATE = UUID("6f1c3a52-7d0e-4b8e-9a57-2c1f0b6f2a10")


def test_the_leaf_is_version_position_id_version_and_length_prefixed_topic_and_stored_bytes() -> None:
    leaf = leaves.encode(258, AGGREGATE, 3, "domain.units:UnitRegistered", b'{"a":1}')
    assert leaf == (b"\x01" + (258).to_bytes(8, "big") + AGGREGATE.bytes + (3).to_bytes(8, "big")
                    + (27).to_bytes(4, "big") + b"domain.units:UnitRegistered" + (7).to_bytes(4, "big") + b'{"a":1}')
    assert leaves.hash_event(258, AGGREGATE, 3, "domain.units:UnitRegistered", b'{"a":1}') == \
        hashlib.sha256(b"\x00" + leaf).digest()
    assert leaves.hash_fields(258, AGGREGATE.bytes, 3, leaves.topic_field("domain.units:UnitRegistered"),
                              b'{"a":1}') == hashlib.sha256(b"\x00" + leaf).digest()
    rows = [(258, AGGREGATE.bytes, 3, "domain.units:UnitRegistered", b'{"a":1}'), (7, bytes(16), 1, "t:é", b"")]
    assert leaves.hash_rows(rows, leaves.Topics()) == [
        leaves.hash_event(p, UUID(bytes=a), v, t, s) for p, a, v, t, s in rows], "the sealer's batch: the same hashes"


def test_length_prefixes_keep_different_events_apart() -> None:
    """Moving a byte between the topic and the stored bytes changes the leaf."""
    assert leaves.encode(1, AGGREGATE, 1, "ab", b"c") != leaves.encode(1, AGGREGATE, 1, "a", b"bc")


def test_the_signed_payload_is_tag_size_time_root_and_key_id(tmp_path: Path) -> None:
    signer = signing.generate(tmp_path / "k.pem")
    root = bytes(range(32))
    head = signer.sign(1234, root, datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC))
    assert head.timestamp_ms == 1767323045678, "milliseconds, truncated"
    assert head.payload() == (b"zeren/audit/tree-head/v1\x00" + (1234).to_bytes(8, "big")
                              + (1767323045678).to_bytes(8, "big") + root + signer.key_id)
    raw = signer.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert signer.key_id == hashlib.sha256(raw).digest()
    signer.public_key.verify(head.signature, head.payload())
    assert signing.head_problem(head, {signer.key_id: signer.public_key}) is None
    assert signing.TreeHead.from_json(head.to_json()) == head


def test_a_head_with_another_key_or_changed_fields_is_refused(tmp_path: Path) -> None:
    signer, other = signing.generate(tmp_path / "a.pem"), signing.generate(tmp_path / "b.pem")
    head = signer.sign(10, b"\x11" * 32, datetime(2026, 1, 1, tzinfo=UTC))
    keys = {signer.key_id: signer.public_key}
    problem = signing.head_problem(other.sign(10, head.root_hash, head.signed_at), keys)
    assert "not by a given public key" in str(problem)
    for changed in ({"tree_size": 11}, {"root_hash": b"\x12" * 32}, {"timestamp_ms": head.timestamp_ms + 1}):
        forged = signing.TreeHead(**{**head.__dict__, **changed})
        assert signing.head_problem(forged, keys) == "its Ed25519 signature does not verify with the public key"


def test_keygen_writes_an_owner_only_private_key_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit.pem"
    signer = signing.generate(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing.load_signer(path).key_id == signer.key_id
    assert signing.key_id(signing.load_public_key(Path(f"{path}.pub"))) == signer.key_id
    assert signing.key_id(signing.load_public_key(path)) == signer.key_id, "a private key gives its public half"
    with pytest.raises(signing.KeyFileError, match="never overwritten"):
        signing.generate(path)
    with pytest.raises(signing.KeyFileError, match="zeren audit keygen"):
        signing.load_signer(tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(signing.KeyFileError, match="not a PEM"):
        signing.load_public_key(tmp_path / "junk.pem")


def test_the_embedded_default_key_is_made_once_in_the_data_dir(tmp_path: Path) -> None:
    first = signing.configured_signer(None, tmp_path / "data")
    path = tmp_path / "data" / signing.DEFAULT_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing.configured_signer(None, tmp_path / "data").key_id == first.key_id
    configured = signing.generate(tmp_path / "configured.pem")
    assert signing.configured_signer(tmp_path / "configured.pem", tmp_path / "data").key_id == configured.key_id
