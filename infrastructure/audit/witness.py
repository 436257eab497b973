"""A transparency-log witness (c2sp.org/tlog-witness): another authority's check that the log only ever grew.

The witness knows the logs it serves (origin → the log's Ed25519 verifier key) and keeps, per origin, the last
checkpoint it cosigned. ``POST /add-checkpoint`` carries ``old <size>``, the consistency proof lines (base64), a
blank line and the signed checkpoint. The witness cosigns (cosignature/v1, its own Ed25519 key) only a checkpoint
signed by the log's key whose ``old`` size is the one it holds and whose consistency proof from the checkpoint it
holds verifies; it records the new checkpoint in the same step (a lock and one SQLite transaction) and answers the
cosignature line. Refusals: 400 (malformed, old size above the new), 403 (no valid log signature), 404 (unknown
origin), 409 (another old size: the body is the size it holds, ``text/x.tlog.size``; or the same size with another
root), 422 (the consistency proof fails). A log whose history was rewritten can prove nothing from what the witness
holds, so it gets no cosignature — and a verifier that requires the witness refuses its bundles.

State: one SQLite file of its own, table ``witness_checkpoints(origin, tree_size, root_hash, cosigned_at)``.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from infrastructure.audit import merkle
from infrastructure.audit.note import COSIGNATURE, ED25519, Checkpoint, Note, NoteError, NoteSigner, Verifier

MAX_PROOF = 63
MAX_REQUEST = 64 * 1024
SIZE_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"


def _refuse(status: int, why: str) -> Answer:
    return Answer(status, why.encode() + b"\n")


class WitnessState:
    """The last cosigned checkpoint per origin, in a SQLite file of the witness's own."""

    def __init__(self, path: Path):
        self.path = path
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS witness_checkpoints (origin TEXT PRIMARY KEY, "
                         "tree_size INTEGER NOT NULL, root_hash BLOB NOT NULL, cosigned_at TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def latest(self, origin: str) -> tuple[int, bytes] | None:
        with self._connect() as conn:
            row = conn.execute("SELECT tree_size, root_hash FROM witness_checkpoints WHERE origin = ?",
                               (origin,)).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def update(self, origin: str, expected: int, checkpoint: Checkpoint, when: datetime) -> bool:
        """Record ``checkpoint`` if the stored size is still ``expected`` (0: none); whether it was recorded."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT tree_size FROM witness_checkpoints WHERE origin = ?", (origin,)).fetchone()
            if (row[0] if row else 0) != expected:
                return False
            conn.execute("INSERT INTO witness_checkpoints (origin, tree_size, root_hash, cosigned_at) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET tree_size = excluded.tree_size, "
                         "root_hash = excluded.root_hash, cosigned_at = excluded.cosigned_at",
                         (origin, checkpoint.size, checkpoint.root_hash, when.isoformat()))
        return True


def parse_request(body: bytes) -> tuple[int, list[bytes], bytes]:
    """``(old size, consistency proof, checkpoint note)`` of an add-checkpoint body; ``ValueError`` says why not."""
    head, separator, note = body.partition(b"\n\n")
    lines = head.split(b"\n")
    if not separator or not lines[0].startswith(b"old "):
        raise ValueError("the body starts with an old size line, proof lines and a blank line")
    size = lines[0][4:]
    if not size.isdigit() or (size != b"0" and size.startswith(b"0")):
        raise ValueError("the old size is not a decimal number without leading zeroes")
    if len(lines) - 1 > MAX_PROOF:
        raise ValueError(f"more than {MAX_PROOF} consistency proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except (ValueError, binascii.Error):
        raise ValueError("a consistency proof line is not base64") from None
    if any(len(p) != merkle.HASH_SIZE for p in proof):
        raise ValueError("a consistency proof hash is not 32 bytes")
    return int(size), proof, note


class Witness:
    def __init__(self, signer: NoteSigner, logs: Iterable[Verifier], state: WitnessState,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        if signer.kind != COSIGNATURE:
            raise ValueError("a witness cosigns with a key of type 0x04")
        self.signer, self.state, self.now = signer, state, now
        self.logs: dict[str, Verifier] = {}
        for log in logs:
            if log.kind != ED25519:
                raise ValueError(f"the log key {log.name} is not an Ed25519 note key (type 0x01)")
            self.logs[log.name] = log
        self._lock = threading.Lock()

    def add_checkpoint(self, body: bytes) -> Answer:
        try:
            old, proof, text = parse_request(body)
            note = Note.parse(text)
            checkpoint = Checkpoint.parse(note.body)
        except (ValueError, UnicodeDecodeError) as exc:
            return _refuse(400, f"malformed request: {exc}")
        log = self.logs.get(checkpoint.origin)
        if log is None:
            return _refuse(404, f"unknown log origin {checkpoint.origin}")
        try:
            signed = note.verified(log) is not None
        except NoteError:
            signed = False
        if not signed:
            return _refuse(403, "the checkpoint is not signed by the log's key")
        if old > checkpoint.size:
            return _refuse(400, f"old size {old} is above the checkpoint's size {checkpoint.size}")
        with self._lock:
            held = self.state.latest(checkpoint.origin)
            held_size, held_root = held if held else (0, b"")
            if old != held_size:
                return Answer(409, f"{held_size}\n".encode(), SIZE_TYPE)
            if held and checkpoint.size == held_size and checkpoint.root_hash != held_root:
                return _refuse(409, "a checkpoint of the same size with another root hash: the log forked")
            if old and old < checkpoint.size:
                try:
                    merkle.verify_consistency(old, checkpoint.size, held_root, checkpoint.root_hash, proof)
                except merkle.ProofError as exc:
                    return _refuse(422, f"the consistency proof from {old} fails: {exc}")
            elif proof:
                return _refuse(422, "a consistency proof from size 0 or between equal sizes is empty")
            moment = self.now()
            if not self.state.update(checkpoint.origin, held_size, checkpoint, moment):
                return _refuse(409, "the witness's checkpoint changed meanwhile: ask again")
        cosignature = self.signer.sign(note.body, int(moment.timestamp()))
        return Answer(200, cosignature.line().encode())

    def serve(self, host: str, port: int) -> ThreadingHTTPServer:
        """An HTTP server answering ``POST /add-checkpoint`` (``serve_forever`` it; port 0 picks a free one)."""
        witness = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if self.path != "/add-checkpoint":
                    answer = _refuse(404, "the witness answers POST /add-checkpoint")
                elif not 0 < length <= MAX_REQUEST:
                    answer = _refuse(400, f"a request body of 1 to {MAX_REQUEST} bytes is required")
                else:
                    answer = witness.add_checkpoint(self.rfile.read(length))
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                """Requests are not logged: the answers say everything."""

        return ThreadingHTTPServer((host, port), Handler)
