"""Witness cosigning (docs/audit.md §11): the C2SP formats byte for byte, the witness protocol's answers, and the
key holder's rewrite of history refused by the witness and by ``verify``."""

from __future__ import annotations

import base64
import hashlib
import signal
import struct
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete

from api.bootstrap import System, bootstrap
from application.clock import ManualClock, RandomIds
from domain.units import RiskColour
from infrastructure.audit import merkle
from infrastructure.audit.bundle import BundleInvalid, verify
from infrastructure.audit.cosigning import SIGNATURES
from infrastructure.audit.note import (
    COSIGNATURE,
    ED25519,
    Checkpoint,
    Note,
    NoteError,
    NoteSigner,
    Verifier,
    cosigned_message,
    raw,
)
from infrastructure.audit.signing import generate
from infrastructure.audit.tree import HEADS, LEAVES, NODES
from infrastructure.audit.witness import Witness, WitnessState
from infrastructure.following import Tracking
from infrastructure.settings import Settings
from tests.audit_support import SealedHistory
from tests.conftest import T0
from tests.test_audit_check import tamper

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "zeren.test/audit"
WITNESS = "yjt.fujian.example/witness"


def test_a_signed_note_of_the_go_reference_verifies() -> None:
    """The example of golang.org/x/mod/sumdb/note: its verifier key and its signed note, byte for byte."""
    verifier = Verifier.parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    assert (verifier.name, verifier.kind, verifier.key_id.hex()) == ("PeterNeumann", ED25519, "c74f20a3")
    text = ("If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n"
            "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ry"
            "yBwJnAM=\n").encode()
    note = Note.parse(text)
    assert note.verified(verifier) == 0
    assert note.text() == text
    forged = Note.parse(text.replace(b"cryptography", b"cryptographx"))
    with pytest.raises(NoteError, match="does not verify"):
        forged.verified(verifier)


def test_checkpoint_cosignature_and_key_ids_are_the_c2sp_bytes() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = raw(key.public_key())
    root = hashlib.sha256(b"root").digest()
    body = Checkpoint(ORIGIN, 20852163, root).body()
    assert body == f"{ORIGIN}\n20852163\n{base64.b64encode(root).decode()}\n".encode()
    assert Checkpoint.parse(body) == Checkpoint(ORIGIN, 20852163, root)
    cosigner = NoteSigner(WITNESS, COSIGNATURE, key)
    assert cosigner.verifier.key_id == hashlib.sha256(WITNESS.encode() + b"\n\x04" + public).digest()[:4]
    assert NoteSigner(ORIGIN, ED25519, key).verifier.key_id == hashlib.sha256(
        ORIGIN.encode() + b"\n\x01" + public).digest()[:4]
    assert cosigned_message(body, 1679315147) == b"cosignature/v1\ntime 1679315147\n" + body
    signature = cosigner.sign(body, 1679315147)
    assert signature.signature[:8] == struct.pack(">Q", 1679315147)
    key.public_key().verify(signature.signature[8:], b"cosignature/v1\ntime 1679315147\n" + body)
    line = signature.line()
    assert line.startswith(f"\u2014 {WITNESS} ")
    assert base64.b64decode(line.split(" ")[2]) == cosigner.verifier.key_id + signature.signature
    vkey = cosigner.verifier.vkey()
    typed_key = base64.b64encode(bytes([COSIGNATURE]) + public).decode()
    assert vkey == f"{WITNESS}+{cosigner.verifier.key_id.hex()}+{typed_key}"
    assert Verifier.parse(vkey) == cosigner.verifier
    with pytest.raises(NoteError, match="key id"):
        Verifier.parse(vkey.replace(f"+{cosigner.verifier.key_id.hex()}+", "+00000000+"))


class Log:
    """A log of leaf hashes with its checkpoint key, to talk to a witness directly."""

    def __init__(self, origin: str = ORIGIN):
        self.signer = NoteSigner(origin, ED25519, Ed25519PrivateKey.generate())
        self.origin = origin
        self.leaves: list[bytes] = []

    def grow(self, n: int, salt: bytes = b"") -> None:
        self.leaves += [merkle.leaf_hash(salt + str(len(self.leaves) + i).encode()) for i in range(n)]

    def request(self, old: int, proof: list[bytes] | None = None, signer: NoteSigner | None = None) -> bytes:
        body = Checkpoint(self.origin, len(self.leaves), merkle.root(self.leaves)).body()
        if proof is None:
            proof = merkle.consistency_path(old, len(self.leaves), lambda a, b: merkle.root(self.leaves[a:b])) \
                if 0 < old < len(self.leaves) else []
        note = Note(body, ((signer or self.signer).sign(body),))
        lines = "".join([f"old {old}\n", *(base64.b64encode(p).decode() + "\n" for p in proof), "\n"])
        return lines.encode() + note.text()


@pytest.fixture
def witness(tmp_path: Path) -> tuple[Witness, Log]:
    log = Log()
    signer = NoteSigner(WITNESS, COSIGNATURE, Ed25519PrivateKey.generate())
    return Witness(signer, [log.signer.verifier], WitnessState(tmp_path / "witness.db"),
                   now=lambda: datetime(2026, 12, 6, tzinfo=UTC)), log


def test_the_witness_answers_as_the_protocol_says(witness: tuple[Witness, Log]) -> None:
    w, log = witness
    log.grow(5)
    first = w.add_checkpoint(log.request(0))
    assert first.status == 200
    body = Checkpoint(ORIGIN, 5, merkle.root(log.leaves)).body()
    cosigned = Note.parse(body + b"\n" + first.body)
    assert cosigned.verified(w.signer.verifier) == int(datetime(2026, 12, 6, tzinfo=UTC).timestamp())
    log.grow(3)
    stale = w.add_checkpoint(log.request(0))
    assert (stale.status, stale.body, stale.content_type) == (409, b"5\n", "text/x.tlog.size")
    wrong = w.add_checkpoint(log.request(5, proof=[hashlib.sha256(b"x").digest()] * 3))
    assert wrong.status == 422
    assert w.add_checkpoint(log.request(5)).status == 200
    assert w.state.latest(ORIGIN) == (8, merkle.root(log.leaves))
    assert w.add_checkpoint(log.request(9)).status == 400, "old above the checkpoint's size"
    stranger = Log("elsewhere.example/log")
    stranger.grow(2)
    assert w.add_checkpoint(stranger.request(0)).status == 404
    impostor = NoteSigner(ORIGIN, ED25519, Ed25519PrivateKey.generate())
    assert w.add_checkpoint(log.request(8, signer=impostor)).status == 403
    assert w.add_checkpoint(b"not a request").status == 400
    assert w.state.latest(ORIGIN) == (8, merkle.root(log.leaves)), "no refusal changed what the witness holds"


def test_the_witness_refuses_a_rewritten_log(witness: tuple[Witness, Log]) -> None:
    w, log = witness
    log.grow(6)
    assert w.add_checkpoint(log.request(0)).status == 200
    rewritten = Log()
    rewritten.signer = log.signer  # the key holder signs the rewritten history with the genuine key
    rewritten.grow(6, salt=b"forged")
    rewritten.grow(4)
    assert w.add_checkpoint(rewritten.request(0)).status == 409
    assert w.add_checkpoint(rewritten.request(6)).status == 422
    same_size = Log()
    same_size.signer = log.signer
    same_size.grow(6, salt=b"forged")
    answer = w.add_checkpoint(same_size.request(6))
    assert answer.status == 409
    assert b"the log forked" in answer.body


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Witness]]:
    """A witness over HTTP on loopback; the test tells it the log's key once the deployment has one."""
    witness = Witness(NoteSigner(WITNESS, COSIGNATURE, Ed25519PrivateKey.generate()), [],
                      WitnessState(tmp_path / "witness.db"))
    server = witness.serve("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", witness
    server.shutdown()
    server.server_close()


def wipe_and_reseal(system: System) -> None:
    """What the key holder does: every audit table emptied, the sealer restarted from the first event."""
    with system.db.transaction() as conn:
        for table in (LEAVES, NODES, HEADS, SIGNATURES):
            conn.execute(delete(table))
        Tracking.advance(conn, "audit_sealer", 0)


def test_a_rewritten_history_is_refused_by_the_witness_and_by_verify(
        served: tuple[str, Witness], settings: Settings, backend: str, tmp_path: Path) -> None:
    url, witness = served
    witness_signer = witness.signer
    with_witness = settings.model_copy(update={"audit_origin": ORIGIN, "audit_witnesses": [
        {"url": url, "vkey": witness_signer.verifier.vkey()}]})
    system = bootstrap(with_witness, clock=ManualClock(T0), ids=RandomIds())
    try:
        witness.logs[ORIGIN] = system.audit.signer.note_signer(ORIGIN).verifier
        history = SealedHistory(system)
        assert system.audit.cosigning.problems == {}
        genuine = history.export(tmp_path / "genuine.zip")
        result = verify(genuine, history.keys(), witnesses=[witness_signer.verifier], min_witnesses=1)
        assert result.cosigned_by == (WITNESS,)
        assert result.summary().endswith(f"; cosigned by {WITNESS}")

        stored = system.audit.log.at(5)
        tamper(settings if backend == "sqlite" else with_witness, backend,
               "UPDATE {table} SET state = ? WHERE {id} = ?", stored.state.replace(b"test:", b"tost:"), 5)
        wipe_and_reseal(system)
        history.grade(RiskColour.red, RiskColour.yellow)  # the rewritten log also grew
        system.audit.sealer.seal_now()
        refusal = system.audit.cosigning.problems[WITNESS]
        assert refusal.startswith("it answered 422: the consistency proof from ")
        rewritten = history.export(tmp_path / "rewritten.zip")
        assert verify(rewritten, history.keys()).coverage == "full", "the key holder's own signatures all verify"
        with pytest.raises(BundleInvalid) as failed:
            verify(rewritten, history.keys(), witnesses=[witness_signer.verifier], min_witnesses=1)
        assert str(failed.value) == (f"the head (tree size {system.store.head()}) is cosigned by 0 of the given "
                                     f"witnesses, 1 are required (no valid cosignature by: {WITNESS})")
        assert verify(genuine, history.keys(), witnesses=[witness_signer.verifier], min_witnesses=1).events
    finally:
        system.close()


def test_zeren_audit_witness_serves_the_protocol_until_terminated(tmp_path: Path) -> None:
    """The command an authority runs: it prints its key, cosigns over HTTP, keeps its state in its file, and stops
    on SIGTERM."""
    generate(tmp_path / "witness.pem")
    log = Log()
    log.grow(3)
    script = "from api.cli import main\nmain(sys.argv[1:])\n"
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys\n" + script, "audit", "witness", "--key", str(tmp_path / "witness.pem"),
         "--name", WITNESS, "--log", log.signer.verifier.vkey(), "--state", str(tmp_path / "state.db"),
         "--listen", "127.0.0.1:0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        started = process.stdout.readline()
        assert started.startswith(f"witness {WITNESS} listening on http://127.0.0.1:"), process.stderr
        url, vkey = started.split(" listening on ")[1].split("; its key: ")
        witness_key = Verifier.parse(vkey.strip())
        request = urllib.request.Request(url + "/add-checkpoint", data=log.request(0), method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            cosignature = answer.read()
        body = Checkpoint(ORIGIN, 3, merkle.root(log.leaves)).body()
        assert Note.parse(body + b"\n" + cosignature).verified(witness_key) is not None
        assert WitnessState(tmp_path / "state.db").latest(ORIGIN) == (3, merkle.root(log.leaves))
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
