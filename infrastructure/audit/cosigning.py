"""Checkpoints and witness cosignatures of the signed heads (docs/audit.md §11).

Every head the sealer signs is also a C2SP checkpoint (``note.Checkpoint``: origin, tree size, root hash) that the
sealer signs as a note with the same Ed25519 key (type 0x01, key name = the origin), in the head's transaction.
After a head is signed, the sealer asks each configured witness (``ZEREN_AUDIT_WITNESSES``) to cosign it
(c2sp.org/tlog-witness), sending the consistency proof from the last size that witness cosigned; a 409 answer
names the size the witness holds, and the sealer proves from that size instead. Cosignatures that verify against
the witness's key are kept. A witness that refuses, or cannot be reached, is logged and kept in
:attr:`Cosigning.problems`: sealing goes on, and bundles of heads it did not cosign lack its cosignature.

Table ``audit_checkpoint_signatures(tree_size, name, key_id, signature, signed_at)``: the log's note signature
and the witnesses' cosignatures, by head.
"""

from __future__ import annotations

import base64
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, LargeBinary, Table, exists, func, insert, select

from infrastructure.audit.note import Checkpoint, Note, NoteError, NoteSigner, Signature, Verifier, parse_signature
from infrastructure.audit.signing import TreeHead
from infrastructure.audit.tree import HEADS, StoredTree, head_from_row
from infrastructure.database import Database
from infrastructure.durable import DURABLE
from projections.columns import BigInt, Key, Timestamp

log = logging.getLogger(__name__)
SIGNATURES = Table(
    "audit_checkpoint_signatures", DURABLE,
    Column("tree_size", BigInt, primary_key=True, autoincrement=False), Column("name", Key, primary_key=True),
    Column("key_id", LargeBinary, primary_key=True), Column("signature", LargeBinary, nullable=False),
    Column("signed_at", Timestamp, nullable=False),
)
"""The note signatures of each head as a checkpoint: the log's own and the witnesses' cosignatures."""
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class WitnessAddress:
    """A witness the sealer asks: where it answers and its cosigner key (vkey, type 0x04)."""

    url: str
    verifier: Verifier


def store(conn: Connection, tree_size: int, signature: Signature, signed_at: datetime) -> None:
    s = SIGNATURES.c
    kept = conn.execute(select(s.tree_size).where(s.tree_size == tree_size, s.name == signature.name,
                                                  s.key_id == signature.key_id)).first()
    if kept is None:
        conn.execute(insert(SIGNATURES).values(tree_size=tree_size, name=signature.name, key_id=signature.key_id,
                                               signature=signature.signature, signed_at=signed_at))


def signatures(conn: Connection, tree_size: int) -> list[Signature]:
    s = SIGNATURES.c
    rows = conn.execute(select(s.name, s.key_id, s.signature).where(s.tree_size == tree_size)
                        .order_by(s.signed_at, s.name))
    return [Signature(name, bytes(key_id), bytes(signature)) for name, key_id, signature in rows]


def note(conn: Connection, origin: str, head: TreeHead) -> Note:
    """The head as a signed checkpoint: the log's signature and every cosignature kept for it."""
    return Note(Checkpoint(origin, head.tree_size, head.root_hash).body(), tuple(signatures(conn, head.tree_size)))


class Cosigning:
    def __init__(self, db: Database, tree: StoredTree, origin: str, witnesses: Sequence[WitnessAddress]):
        self.db, self.tree, self.origin, self.witnesses = db, tree, origin, witnesses
        self.problems: dict[str, str] = {}
        """Per witness name, why its last cosignature was not obtained."""

    def sign(self, conn: Connection, signer: NoteSigner, heads: Sequence[TreeHead]) -> None:
        """The log's own note signature of each of ``heads`` as a checkpoint (in the heads' transaction): per 1,000
        heads, one query for the signatures already kept and one statement for the others."""
        s, verifier = SIGNATURES.c, signer.verifier
        for start in range(0, len(heads), 1000):
            some = heads[start:start + 1000]
            kept = set(conn.execute(select(s.tree_size).where(s.tree_size.in_([head.tree_size for head in some]),
                                                              s.name == verifier.name,
                                                              s.key_id == verifier.key_id)).scalars())
            rows = []
            for head in some:
                if head.tree_size not in kept:
                    signature = signer.sign(Checkpoint(self.origin, head.tree_size, head.root_hash).body())
                    rows.append({"tree_size": head.tree_size, "name": signature.name, "key_id": signature.key_id,
                                 "signature": signature.signature, "signed_at": head.signed_at})
            if rows:
                conn.execute(insert(SIGNATURES), rows)

    def unsigned_heads(self, conn: Connection, key: bytes) -> list[TreeHead]:
        """Heads signed before checkpoints were (no note signature by the log's key yet)."""
        s = SIGNATURES.c
        signed = exists().where(s.tree_size == HEADS.c.tree_size, s.name == self.origin, s.key_id == key)
        rows = conn.execute(select(HEADS).where(~signed).order_by(HEADS.c.tree_size)).mappings()
        return [head_from_row(r) for r in rows]

    def request(self, head: TreeHead) -> None:
        """Ask every witness to cosign ``head``; keep what verifies, note what failed."""
        for witness in self.witnesses:
            try:
                self._ask(witness, head)
                self.problems.pop(witness.verifier.name, None)
            except (NoteError, OSError, ValueError) as exc:
                self.problems[witness.verifier.name] = str(exc)
                log.warning("witness %s did not cosign the head of tree size %s: %s", witness.verifier.name,
                            head.tree_size, exc)

    def _last_cosigned(self, witness: WitnessAddress) -> int:
        s = SIGNATURES.c
        with self.db.read() as conn:
            return conn.execute(select(func.max(s.tree_size)).where(
                s.name == witness.verifier.name, s.key_id == witness.verifier.key_id)).scalar() or 0

    def _ask(self, witness: WitnessAddress, head: TreeHead) -> None:
        old = self._last_cosigned(witness)
        for _ in range(2):
            if old > head.tree_size:
                raise ValueError(f"it holds a checkpoint of size {old}, above this head's {head.tree_size}: the "
                                 "log is shorter than what the witness cosigned")
            with self.db.read() as conn:
                proof = self.tree.consistency(conn, old, head.tree_size) if old else []
                checkpoint = note(conn, self.origin, head)
            lines = [f"old {old}\n", *(f"{base64.b64encode(p).decode()}\n" for p in proof), "\n"]
            body = "".join(lines).encode() + checkpoint.text()
            status, content_type, answer = _post(witness.url.rstrip("/") + "/add-checkpoint", body)
            if status == 409 and content_type.startswith("text/x.tlog.size"):
                old = int(answer.decode().strip())
                continue
            break
        if status != 200:
            raise ValueError(f"it answered {status}: {answer.decode(errors='replace').strip()}")
        cosigned = [parse_signature(line) for line in answer.decode().splitlines() if line]
        kept = 0
        with self.db.transaction() as conn:
            for signature in cosigned:
                if witness.verifier.matches(signature):
                    moment = witness.verifier.verify(checkpoint.body, signature)
                    store(conn, head.tree_size, signature, datetime.fromtimestamp(moment, UTC))
                    kept += 1
        if not kept:
            raise ValueError("its answer holds no cosignature by its key")


def _post(url: str, body: bytes) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/plain"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()
