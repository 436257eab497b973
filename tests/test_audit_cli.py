"""``zeren audit …``: keygen, seal, head, public-key, export, verify, check — and one readable line when it fails."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import orjson
import pytest

from api.bootstrap import bootstrap
from infrastructure.audit.note import COSIGNATURE, ED25519, Verifier, raw
from infrastructure.audit.signing import load_public_key, load_signer
from infrastructure.settings import Settings
from tests.builders import World
from tests.test_cli import run


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ZEREN_DATABASE_URL", "ZEREN_SQLITE_PATH", "ZEREN_JWT_SECRET", "ZEREN_MASTER_KEY",
                 "ZEREN_AUDIT_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def stored(workdir: Path) -> int:
    system = bootstrap(Settings())
    World(system)
    head = system.store.head()
    system.close()
    return head


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 1, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("zeren: error: ")
    return err.strip()


def test_keygen_writes_a_private_key_0600_and_its_public_key(workdir: Path, capsys) -> None:
    code, out, _ = run(capsys, "audit", "keygen", "-o", "keys/audit.pem")
    assert code == 0
    assert out.startswith("wrote keys/audit.pem (private, mode 0600) and keys/audit.pem.pub; key id ")
    assert stat.S_IMODE((workdir / "keys" / "audit.pem").stat().st_mode) == 0o600
    assert (workdir / "keys" / "audit.pem.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    error = one_line_error(*run(capsys, "audit", "keygen", "-o", "keys/audit.pem"))
    assert error.endswith("keys/audit.pem already exists; a signing key is never overwritten")


def test_seal_export_verify_check_with_a_configured_key(workdir: Path, stored: int, capsys,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, "audit", "keygen", "-o", "audit.pem")
    monkeypatch.setenv("ZEREN_AUDIT_KEY_PATH", str(workdir / "audit.pem"))
    code, out, _ = run(capsys, "audit", "public-key")
    assert (code, out) == (0, (workdir / "audit.pem.pub").read_text())
    code, out, _ = run(capsys, "audit", "seal")
    assert code == 0
    assert out.startswith(f"sealed {stored} events; head: tree size {stored}, root ")
    code, out, _ = run(capsys, "audit", "head")
    assert code == 0
    (workdir / "head.json").write_text(out)
    assert orjson.loads(out)["tree_size"] == stored
    code, out, err = run(capsys, "audit", "export", "-o", "bundle.zip")
    assert code == 0
    assert out.strip() == f"wrote bundle.zip: {stored} events (full export), proven against the head of tree size " \
        f"{stored}"
    assert err == "", "progress is shown on a terminal only"
    code, out, _ = run(capsys, "audit", "verify", "bundle.zip", "--public-key", "audit.pem.pub",
                       "--previous-head", "head.json")
    assert code == 0
    assert out.startswith(f"ok: {stored} events verified, leaves 0–{stored - 1} (full export")
    assert len(out.strip().splitlines()) == 1
    code, out, _ = run(capsys, "audit", "check")
    assert code == 0
    assert out.startswith(f"ok: {stored} stored events match their seals")
    code, out, _ = run(capsys, "audit", "export", "--jurisdiction", "350000/350500/350505/350505001000",
                       "--from", "2", "-o", "town.zip")
    assert code == 0
    assert "(subset export)" in out
    error = one_line_error(*run(capsys, "audit", "verify", "bundle.zip", "--public-key", "audit.pem.pub",
                                "--previous-head", "audit.pem.pub"))
    assert error.startswith("zeren: error: audit.pem.pub is not a signed tree head: ")

    (workdir / "audit.pem").rename(workdir / "sealer-only.pem")
    code, out, _ = run(capsys, "audit", "check")
    assert (code, out.startswith("ok: ")) == (0, True), "checking needs the public key only (PATH.pub)"
    code, out, _ = run(capsys, "audit", "public-key")
    assert out == (workdir / "audit.pem.pub").read_text()
    error = one_line_error(*run(capsys, "audit", "seal"))
    assert "no audit signing key at" in error, "sealing needs the private key"
    (workdir / "sealer-only.pem").rename(workdir / "audit.pem")

    conn = sqlite3.connect(workdir / "zeren.db")
    conn.execute("DROP TRIGGER zeren_events_no_update")
    conn.execute("UPDATE zeren_events SET state = CAST(replace(CAST(state AS TEXT), 'test:', 'tset:') AS BLOB) "
                 "WHERE rowid = 3")
    conn.commit()
    conn.close()
    error = one_line_error(*run(capsys, "audit", "check"))
    assert error == ("zeren: error: check failed: altered: the stored event at position 3 (leaf 2) no longer hashes "
                     "to its sealed leaf: its stored bytes were changed")
    error = one_line_error(*run(capsys, "audit", "export", "-o", "again.zip"))
    assert "position 3 (leaf 2) is gone or no longer matches its seal" in error
    assert not (workdir / "again.zip").exists()
    assert not (workdir / "again.zip.partial").exists(), "a failed export leaves no half-written bundle"
    other = workdir / "other.pem"
    run(capsys, "audit", "keygen", "-o", str(other))
    error = one_line_error(*run(capsys, "audit", "verify", "bundle.zip", "--public-key", f"{other}.pub"))
    assert error.startswith("zeren: error: verify failed: the bundle's head (tree size")
    assert "not by a given public key" in error


def test_failures_are_one_line(workdir: Path, stored: int, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    error = one_line_error(*run(capsys, "audit", "head"))
    assert error == "zeren: error: no tree head is signed yet"
    error = one_line_error(*run(capsys, "audit", "export", "-o", "b.zip"))
    assert error == "zeren: error: no tree head is signed yet: run `zeren audit seal` first"
    monkeypatch.setenv("ZEREN_AUDIT_KEY_PATH", str(workdir / "nowhere.pem"))
    error = one_line_error(*run(capsys, "audit", "seal"))
    assert "no audit signing key at" in error
    assert "zeren audit keygen -o" in error
    (workdir / "x.zip").write_bytes(b"nope")
    (workdir / "k.pub").write_text("nope")
    error = one_line_error(*run(capsys, "audit", "verify", "x.zip", "--public-key", "k.pub"))
    assert error == "zeren: error: k.pub is not a PEM Ed25519 public key"
    code, _, err = run(capsys, "audit", "verify", "x.zip")
    assert code == 2
    assert "Missing option '--public-key'" in err


def test_the_embedded_default_key_is_generated_into_the_data_dir(workdir: Path, stored: int, capsys) -> None:
    code, _, _ = run(capsys, "audit", "seal")
    assert code == 0
    key = workdir / ".zeren" / "audit-signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    code, out, _ = run(capsys, "audit", "public-key")
    assert out == (workdir / ".zeren" / "audit-signing-key.pem.pub").read_text()


def test_the_log_key_for_witnesses_and_witness_options(workdir: Path, stored: int, capsys,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, "audit", "keygen", "-o", "audit.pem")
    monkeypatch.setenv("ZEREN_AUDIT_KEY_PATH", str(workdir / "audit.pem"))
    monkeypatch.setenv("ZEREN_AUDIT_ORIGIN", "yjj.quanzhou.example/zeren")
    code, out, _ = run(capsys, "audit", "vkey")
    assert code == 0
    assert Verifier.parse(out.strip()) == Verifier("yjj.quanzhou.example/zeren", ED25519,
                                                   raw(load_public_key(workdir / "audit.pem.pub")))
    run(capsys, "audit", "seal")
    run(capsys, "audit", "export", "-o", "bundle.zip")
    code, out, _ = run(capsys, "audit", "verify", "bundle.zip", "--public-key", "audit.pem.pub")
    assert (code, out.startswith("ok: ")) == (0, True), "no witness asked for, none required"
    error = one_line_error(*run(capsys, "audit", "verify", "bundle.zip", "--public-key", "audit.pem.pub",
                                "--witness", "not-a-key"))
    assert error == "zeren: error: 'not-a-key' is not a verifier key <name>+<8 hex digits>+<base64 key>"
    witness = out_of(capsys, "audit", "keygen", "-o", "witness.pem")
    assert witness.startswith("wrote witness.pem")
    vkey = load_signer(workdir / "witness.pem").note_signer("sheng.example/witness", COSIGNATURE).verifier.vkey()
    error = one_line_error(*run(capsys, "audit", "verify", "bundle.zip", "--public-key", "audit.pem.pub",
                                "--witness", vkey))
    assert error == ("zeren: error: verify failed: the head (tree size "
                     f"{stored}) is cosigned by 0 of the given witnesses, 1 are required (no valid cosignature by: "
                     "sheng.example/witness)")
    error = one_line_error(*run(capsys, "audit", "verify", "bundle.zip", "--public-key", "audit.pem.pub",
                                "--witness", vkey, "--min-witnesses", "2"))
    assert error == ("zeren: error: --min-witnesses 2 asks for more witnesses than the 1 given with --witness")
    code, out, _ = run(capsys, "audit", "verify", "bundle.zip", "--public-key", "audit.pem.pub",
                       "--witness", vkey, "--min-witnesses", "0")
    assert (code, out.startswith("ok: ")) == (0, True)


def out_of(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out
