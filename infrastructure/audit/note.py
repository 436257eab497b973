"""C2SP signed notes, checkpoints and cosignatures: the formats transparency-log witnesses speak (docs/audit.md §11).

- **Signed note** (c2sp.org/signed-note): UTF-8 text ending in ``\\n``, a blank line, then signature lines
  ``— <key name> <base64(4-byte key id ‖ signature)>\\n``; no control characters but ``\\n``. Key ids are
  ``SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]``: type ``0x01`` is an Ed25519 signature over the note text,
  ``0x04`` a timestamped Ed25519 *cosignature* (c2sp.org/tlog-cosignature).
- **Checkpoint** (c2sp.org/tlog-checkpoint): the note text ``<origin>\\n<tree size>\\n<base64 root hash>\\n``.
- **Cosignature/v1**: the signature is ``u64 timestamp ‖ Ed25519 signature`` (big-endian, POSIX seconds) over
  ``cosignature/v1\\ntime <timestamp>\\n`` followed by the checkpoint's note text.
- **Verifier key** (vkey): ``<name>+<8 hex digits of the key id>+<base64(type ‖ 32-byte public key)>``.

Base64 is RFC 4648 §4 with padding throughout. Signing and verifying use ``cryptography``'s Ed25519.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
"""Signature type of a log's own Ed25519 note signature."""
COSIGNATURE = 0x04
"""Signature type of a timestamped Ed25519 witness cosignature (cosignature/v1)."""
DASH = "\u2014"
MAX_SIGNATURES = 64


class NoteError(ValueError):
    """A note, checkpoint, signature or key that is malformed or does not verify; the message says which."""


def _b64decode(text: str, what: str) -> bytes:
    try:
        decoded = base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise NoteError(f"{what} is not base64") from None
    if base64.b64encode(decoded).decode() != text:
        raise NoteError(f"{what} is not canonical base64")
    return decoded


def check_name(name: str) -> str:
    """A key name or origin: non-empty, without spaces or ``+``."""
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"{name!r} is not a key name (non-empty, no spaces, no '+')")
    return name


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


def raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def cosigned_message(body: bytes, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: the header line, the time line and the checkpoint's note text."""
    return b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + body


@dataclass(frozen=True)
class Signature:
    """One signature line: the key name, the key id and what follows it."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True)
class Verifier:
    """A public key that verifies note signatures (type 0x01) or cosignatures (type 0x04), by name."""

    name: str
    kind: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public_key)

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        name, _, rest = vkey.partition("+")
        hex_id, _, data = rest.partition("+")
        check_name(name)
        if len(hex_id) != 8 or hex_id.strip("0123456789abcdefABCDEF"):
            raise NoteError(f"{vkey!r} is not a verifier key <name>+<8 hex digits>+<base64 key>")
        decoded = _b64decode(data, "the verifier key's key")
        if len(decoded) != 33 or decoded[0] not in (ED25519, COSIGNATURE):
            raise NoteError("a verifier key here is an Ed25519 key of type 0x01 or a cosigner key of type 0x04")
        verifier = cls(name, decoded[0], decoded[1:])
        if verifier.key_id != bytes.fromhex(hex_id):
            raise NoteError(f"the verifier key {name} gives key id {hex_id}, its key has {verifier.key_id.hex()}")
        return verifier

    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([self.kind]) + self.public_key).decode()}"

    def matches(self, signature: Signature) -> bool:
        return signature.name == self.name and signature.key_id == self.key_id

    def timestamp(self, signature: Signature) -> int:
        """The cosignature's timestamp (0 for a plain note signature)."""
        return struct.unpack(">Q", signature.signature[:8])[0] if self.kind == COSIGNATURE else 0

    def verify(self, body: bytes, signature: Signature) -> int:
        """Verify a matching signature over the note text ``body``; returns its timestamp (0 for type 0x01)."""
        size = 72 if self.kind == COSIGNATURE else 64
        if len(signature.signature) != size:
            raise NoteError(f"the signature of {self.name} is not {4 + size} bytes")
        timestamp = self.timestamp(signature)
        message = cosigned_message(body, timestamp) if self.kind == COSIGNATURE else body
        if timestamp >= 1 << 63:
            raise NoteError(f"the cosignature of {self.name} has a timestamp beyond 2^63 - 1")
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature.signature[size - 64:], message)
        except InvalidSignature:
            raise NoteError(f"the signature of {self.name} does not verify") from None
        return timestamp


class NoteSigner:
    """Signs notes (type 0x01: a log's checkpoint) or cosigns checkpoints (type 0x04: a witness)."""

    def __init__(self, name: str, kind: int, private_key: Ed25519PrivateKey):
        self.name, self.kind, self._private_key = check_name(name), kind, private_key
        self.verifier = Verifier(name, kind, raw(private_key.public_key()))

    def sign(self, body: bytes, timestamp: int = 0) -> Signature:
        if self.kind == COSIGNATURE:
            signed = struct.pack(">Q", timestamp) + self._private_key.sign(cosigned_message(body, timestamp))
        else:
            signed = self._private_key.sign(body)
        return Signature(self.name, self.verifier.key_id, signed)


@dataclass(frozen=True)
class Note:
    """A signed note: its text (with the final newline) and its signature lines."""

    body: bytes
    signatures: tuple[Signature, ...]

    def text(self) -> bytes:
        return self.body + b"\n" + "".join(s.line() for s in self.signatures).encode()

    @classmethod
    def parse(cls, text: bytes) -> Note:
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("the note is not UTF-8") from None
        if any(ord(c) < 0x20 and c != "\n" for c in decoded):
            raise NoteError("the note holds a control character other than newline")
        split = decoded.rfind("\n\n")
        if split < 0 or not decoded.endswith("\n"):
            raise NoteError("the note has no blank line before its signatures, or does not end with a newline")
        lines = decoded[split + 2:].splitlines()
        if not lines or len(lines) > MAX_SIGNATURES:
            raise NoteError(f"a note has 1 to {MAX_SIGNATURES} signature lines")
        return cls(decoded[:split + 1].encode(), tuple(parse_signature(line) for line in lines))

    def verified(self, verifier: Verifier) -> int | None:
        """The timestamp of ``verifier``'s signature, or ``None`` when the note has none; a signature that names the
        verifier's key and does not verify raises :class:`NoteError` (the whole note is refused)."""
        found = None
        for signature in self.signatures:
            if verifier.matches(signature):
                found = verifier.verify(self.body, signature)
        return found


def parse_signature(line: str) -> Signature:
    dash, _, rest = line.partition(" ")
    name, _, data = rest.partition(" ")
    if dash != DASH or not name or not data:
        raise NoteError(f"{line!r} is not a signature line ({DASH} <name> <base64>)")
    decoded = _b64decode(data, f"the signature of {name}")
    if len(decoded) < 5:
        raise NoteError(f"the signature of {name} is too short")
    return Signature(check_name(name), decoded[:4], decoded[4:])


@dataclass(frozen=True)
class Checkpoint:
    """The head of a log as a checkpoint's note text (c2sp.org/tlog-checkpoint), without extension lines."""

    origin: str
    size: int
    root_hash: bytes

    def body(self) -> bytes:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root_hash).decode()}\n".encode()

    @classmethod
    def parse(cls, body: bytes) -> Checkpoint:
        lines = body.decode("utf-8").split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise NoteError("a checkpoint is at least three non-empty lines, each ending with a newline")
        origin, size, root = lines[0], lines[1], lines[2]
        if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError("the checkpoint's tree size is not a decimal number without leading zeroes")
        root_hash = _b64decode(root, "the checkpoint's root hash")
        if len(root_hash) != 32:
            raise NoteError("the checkpoint's root hash is not 32 bytes")
        return cls(origin, int(size), root_hash)
