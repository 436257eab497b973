"""Signed tree heads (Ed25519 via ``cryptography``) and the keys that sign them (docs/audit.md §5).

The signature covers a canonical byte string, all integers unsigned big-endian::

    offset  size  field
    0       25    the ASCII domain-separation tag ``zeren/audit/tree-head/v1`` followed by one 0x00 byte
    25      8     tree size (number of leaves)
    33      8     timestamp: milliseconds since 1970-01-01T00:00:00Z
    41      32    root hash (RFC 9162 MTH of the first ``tree size`` leaves)
    73      32    key id: SHA-256 of the signer's raw 32-byte Ed25519 public key

The tag keeps a head signature from ever being valid as a signature over anything else.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infrastructure.audit.note import ED25519, NoteSigner

TAG = b"zeren/audit/tree-head/v1\x00"
FORMAT = "zeren-tree-head/1"
FIELDS = ("format", "tree_size", "timestamp_ms", "signed_at", "root_hash", "key_id", "signature")
_BODY = struct.Struct(">QQ32s32s")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_KEY_FILE = "audit-signing-key.pem"
"""The embedded default: the signing key generated into ``data_dir`` on first use."""


class KeyFileError(ValueError):
    """A key file is missing or is not an Ed25519 key in PEM."""


def key_id(public_key: Ed25519PublicKey) -> bytes:
    """SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).digest()


def milliseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


@dataclass(frozen=True)
class TreeHead:
    """A signed statement: the tree of ``tree_size`` leaves had ``root_hash`` at ``timestamp_ms``."""

    tree_size: int
    timestamp_ms: int
    root_hash: bytes
    key_id: bytes
    signature: bytes

    @property
    def signed_at(self) -> datetime:
        return EPOCH + timedelta(milliseconds=self.timestamp_ms)

    def payload(self) -> bytes:
        return signed_payload(self.tree_size, self.timestamp_ms, self.root_hash, self.key_id)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "tree_size": self.tree_size, "timestamp_ms": self.timestamp_ms,
                "signed_at": self.signed_at.isoformat().replace("+00:00", "Z"), "root_hash": self.root_hash.hex(),
                "key_id": self.key_id.hex(), "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, value: Any) -> TreeHead:
        """Parse a head strictly: exactly the fields of :meth:`to_json`, integers that are JSON integers, hashes in
        lowercase hex of their exact length, ``signed_at`` exactly ``timestamp_ms`` made readable. ``ValueError``
        names the first field that is wrong."""
        if not isinstance(value, dict):
            raise ValueError("a tree head is a JSON object")
        if set(value) != set(FIELDS):
            unknown, missing = sorted(set(value) - set(FIELDS)), sorted(set(FIELDS) - set(value))
            raise ValueError(f"a tree head has exactly the fields {', '.join(FIELDS)}"
                             + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                             + (f"; missing: {', '.join(missing)}" if missing else ""))
        if value["format"] != FORMAT:
            raise ValueError(f"a tree head has format {FORMAT!r}")
        for name in ("tree_size", "timestamp_ms"):
            if type(value[name]) is not int or not 0 <= value[name] < 1 << 64:
                raise ValueError(f"the tree head's {name} is not an unsigned 64-bit integer")
        fields = {name: strict_hex(value[name], length, f"the tree head's {name}")
                  for name, length in (("root_hash", 32), ("key_id", 32), ("signature", 64))}
        head = cls(tree_size=value["tree_size"], timestamp_ms=value["timestamp_ms"], **fields)
        if value["signed_at"] != head.to_json()["signed_at"]:
            raise ValueError("the tree head's signed_at is not its timestamp_ms")
        return head


def strict_hex(value: Any, length: int, what: str) -> bytes:
    """``length`` bytes written as exactly ``2 × length`` lowercase hexadecimal digits; ``ValueError`` otherwise."""
    if not isinstance(value, str) or len(value) != 2 * length or value.strip("0123456789abcdef"):
        raise ValueError(f"{what} is not {length} bytes in lowercase hexadecimal")
    return bytes.fromhex(value)


def signed_payload(tree_size: int, timestamp_ms: int, root_hash: bytes, key: bytes) -> bytes:
    """The bytes an Ed25519 tree-head signature covers (module docstring)."""
    return TAG + _BODY.pack(tree_size, timestamp_ms, root_hash, key)


def head_problem(head: TreeHead, keys: Mapping[bytes, Ed25519PublicKey]) -> str | None:
    """Why ``head`` is not a valid signature by one of ``keys`` (by key id), or ``None`` when it is."""
    public_key = keys.get(head.key_id)
    if public_key is None:
        known = ", ".join(k.hex()[:16] for k in keys) or "none"
        return f"it is signed by key {head.key_id.hex()[:16]}…, not by a given public key ({known})"
    try:
        public_key.verify(head.signature, head.payload())
    except InvalidSignature:
        return "its Ed25519 signature does not verify with the public key"
    return None


class Signer:
    """Signs tree heads with one Ed25519 private key."""

    def __init__(self, private_key: Ed25519PrivateKey):
        self._private_key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(self, tree_size: int, root_hash: bytes, moment: datetime) -> TreeHead:
        timestamp = milliseconds(moment)
        signature = self._private_key.sign(signed_payload(tree_size, timestamp, root_hash, self.key_id))
        return TreeHead(tree_size, timestamp, root_hash, self.key_id, signature)

    def public_pem(self) -> str:
        return public_pem(self.public_key)

    def note_signer(self, name: str, kind: int = ED25519) -> NoteSigner:
        """The same key signing C2SP notes under ``name``: a log's checkpoints (type 0x01, ``name`` its origin) or,
        for a witness, cosignatures (type 0x04)."""
        return NoteSigner(name, kind, self._private_key)


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def generate(path: Path) -> Signer:
    """Make a new key: the private key in PEM (PKCS#8) at ``path`` (owner-only, 0600; never overwritten) and the
    public key at ``path.pub``."""
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists; a signing key is never overwritten") from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    signer = Signer(private_key)
    Path(f"{path}.pub").write_text(signer.public_pem(), encoding="ascii")
    return signer


def load_signer(path: Path) -> Signer:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyFileError(f"no audit signing key at {path}; make one with `zeren audit keygen -o {path}`") from None
    except ValueError as exc:
        raise KeyFileError(f"{path} is not a PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 key")
    return Signer(key)


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file (or the public half of a PEM private key)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read the public key {path}: {exc.strerror}") from None
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError):
            raise KeyFileError(f"{path} is not a PEM Ed25519 public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} is not an Ed25519 key")
    return key


def configured_signer(key_path: Path | None, data_dir: Path) -> Signer:
    """The signer of this deployment: ``ZEREN_AUDIT_KEY_PATH``, else a key generated into ``data_dir`` on first
    use (the embedded default, like the other local secrets)."""
    if key_path is not None:
        return load_signer(key_path)
    path = data_dir / DEFAULT_KEY_FILE
    if not path.exists():
        try:
            return generate(path)
        except KeyFileError:  # another process made it first
            pass
    return load_signer(path)


def configured_public_key(key_path: Path | None, data_dir: Path) -> Ed25519PublicKey:
    """The public key heads are checked against: ``PATH.pub`` beside the configured key when it is there (a process
    that only reads and verifies — the API in production — needs no private key), else the signing key's."""
    if key_path is not None and Path(f"{key_path}.pub").exists():
        return load_public_key(Path(f"{key_path}.pub"))
    return configured_signer(key_path, data_dir).public_key
