"""Export and offline verification: full, range and subset bundles verify; every tampering fails, naming the first
failing event or proof; an older head is proven consistent; verify needs no database; strict bundles."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from api.bootstrap import System
from infrastructure.audit import bundle, export, merkle, signing
from infrastructure.audit.bundle import BundleInvalid, verify
from infrastructure.audit.export import Selection
from tests.audit_support import ID_NUMBER, SealedHistory, everything_in, lines_of, rewrite
from tests.conftest import COUNTY, TOWN_A, TOWN_B

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def history(system: System) -> SealedHistory:
    return SealedHistory(system)


@pytest.fixture
def full(history: SealedHistory, tmp_path: Path) -> Path:
    return history.export(tmp_path / "full.zip")


def test_a_full_export_verifies_and_says_so(history: SealedHistory, full: Path) -> None:
    result = verify(full, history.keys())
    head = history.system.store.head()
    assert (result.events, result.coverage, result.leaf_range) == (head, "full", (0, head - 1))
    assert result.earlier_heads == 2
    assert result.head == history.head
    assert result.summary().startswith(f"ok: {head} events verified, leaves 0–{head - 1} (full export")
    events = [orjson.loads(line) for line in lines_of(full)]
    stored = history.system.audit.log.read(0, 1000)
    assert [(e["position"], e["aggregate_id"], e["aggregate_version"]) for e in events] == \
        [(s.position, str(s.aggregate_id), s.aggregate_version) for s in stored]
    first = events[0]
    assert first["type"] == "UnitRegistered"
    assert first["envelope"]["actor"] == {"principal": "test:admin", "role": "admin"}
    assert first["jurisdiction"] == first["envelope"]["jurisdiction"] == "350000"
    assert first["effective_at"] == first["envelope"]["effective_at"]


def test_redacted_fields_stay_out_and_the_identity_number_appears_only_encrypted(history: SealedHistory,
                                                                                full: Path) -> None:
    registered = next(orjson.loads(line) for line in lines_of(full) if b'"PersonRegistered"' in line)
    assert registered["redacted"] == ["id_number_digest", "id_number_sealed"]
    assert set(registered["data"]) == {"name", "id_number_masked"}
    assert ID_NUMBER.encode() not in everything_in(full)
    assert b"zk1:person:" in everything_in(full), "the stored bytes hold the sealed value (ciphertext)"


def test_a_jurisdiction_export_is_a_subset_whose_every_event_verifies(history: SealedHistory, tmp_path: Path) -> None:
    path = history.export(tmp_path / "town.zip", Selection(jurisdiction=TOWN_A))
    result = verify(path, history.keys())
    events = [orjson.loads(line) for line in lines_of(path)]
    assert result.coverage == "subset"
    assert 0 < result.events == len(events) < history.system.store.head()
    assert all(e["jurisdiction"].startswith(TOWN_A) for e in events)
    manifest = orjson.loads(b"".join(lines_of(path, "manifest.json")))
    assert manifest["selection"]["jurisdiction"] == TOWN_A
    assert manifest["excluded"] == history.system.store.head() - len(events)


def test_the_callers_scope_narrows_every_export(history: SealedHistory, tmp_path: Path) -> None:
    path = history.export(tmp_path / "scoped.zip", Selection(scope=TOWN_A, jurisdiction=COUNTY))
    assert all(orjson.loads(line)["jurisdiction"].startswith(TOWN_A) for line in lines_of(path))
    assert verify(path, history.keys()).coverage == "subset"


def test_a_position_range_export_is_complete_between_its_ends(history: SealedHistory, tmp_path: Path) -> None:
    path = history.export(tmp_path / "range.zip", Selection(from_position=3, to_position=8))
    result = verify(path, history.keys())
    assert (result.coverage, result.leaf_range, result.events) == ("range", (2, 7), 6)


def test_an_aggregate_export_holds_its_events_only(history: SealedHistory, tmp_path: Path) -> None:
    path = history.export(tmp_path / "one.zip", Selection(aggregate_id=history.world.enterprise))
    events = [orjson.loads(line) for line in lines_of(path)]
    assert {e["aggregate_id"] for e in events} == {str(history.world.enterprise)}
    assert [e["aggregate_version"] for e in events] == list(range(1, len(events) + 1))
    assert verify(path, history.keys()).events == len(events)


def test_an_export_streams_while_it_reads(history: SealedHistory, monkeypatch: pytest.MonkeyPatch) -> None:
    from domain.units import RiskColour

    history.grade(*[RiskColour.red, RiskColour.blue] * 60)
    history.system.audit.sealer.seal_now()
    monkeypatch.setattr(export, "BATCH", 10)
    monkeypatch.setattr(export, "CHUNK", 256)
    plan = history.system.audit.export(Selection())
    scanned: list[int] = []
    chunks = plan.chunks(scanned.append)
    next(chunks)
    assert sum(scanned) < plan.leaves, "the first bytes leave before the last events are read"
    assert len(list(chunks)) > 1


# Tampering: each bundle below differs from a good one in one way, and verify names the first failure.

def one_event(line_number: int, change):
    def rewrite_events(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        lines[line_number - 1] = change(lines[line_number - 1])
        return b"".join(lines)

    return rewrite_events


def where(full: Path, line_number: int) -> str:
    event = orjson.loads(lines_of(full)[line_number - 1])
    return f"event at position {event['position']} (leaf {event['leaf_index']}, line {line_number})"


def test_one_byte_changed_in_an_event_fails_naming_it(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    number = next(i for i, line in enumerate(lines_of(full), 1) if "测试燃气有限公司1".encode() in line)
    bad = rewrite(full, tmp_path / "bad.zip", "events.jsonl", one_event(
        number, lambda line: line.replace("公司1".encode(), "公司2".encode(), 1)))
    with pytest.raises(BundleInvalid) as failed:
        verify(bad, history.keys())
    assert str(failed.value) == f"{where(full, number)}: its data differs from its stored bytes: the shown event " \
        "was changed"


def test_changed_stored_bytes_fail_on_the_leaf_hash(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    def change(line: bytes) -> bytes:
        event = orjson.loads(line)
        import base64

        stored = base64.b64decode(event["stored"]).replace(b"\xe7\x9c\x81", b"\xe5\xb8\x82")  # 省 → 市
        return orjson.dumps({**event, "stored": base64.b64encode(stored).decode()}) + b"\n"

    bad = rewrite(full, tmp_path / "bad.zip", "events.jsonl", one_event(1, change))
    with pytest.raises(BundleInvalid, match=r"^event at position 1 \(leaf 0, line 1\): its leaf hash, recomputed"):
        verify(bad, history.keys())


def test_a_dropped_event_fails_a_full_export(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    bad = rewrite(full, tmp_path / "bad.zip", "events.jsonl", lambda data: b"".join(
        line for i, line in enumerate(data.splitlines(keepends=True), 1) if i != 4))
    with pytest.raises(BundleInvalid) as failed:
        verify(bad, history.keys())
    assert str(failed.value).startswith(f"{where(full, 5).replace('line 5', 'line 4')}: out of sequence")
    assert "leaf 3 belongs here (it was dropped or moved)" in str(failed.value)


def test_reordered_events_fail(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    def swap(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        lines[5], lines[6] = lines[6], lines[5]
        return b"".join(lines)

    with pytest.raises(BundleInvalid, match=r"\(leaf 6, line 6\): out of sequence .* leaf 5 belongs here"):
        verify(rewrite(full, tmp_path / "bad.zip", "events.jsonl", swap), history.keys())
    subset = history.export(tmp_path / "town.zip", Selection(jurisdiction=TOWN_A))
    with pytest.raises(BundleInvalid, match=r"line 2\): out of log order — it comes after leaf"):
        verify(rewrite(subset, tmp_path / "bad2.zip", "events.jsonl",
                       lambda data: b"".join([data.splitlines(keepends=True)[i] for i in (1, 0)]
                                             + data.splitlines(keepends=True)[2:])), history.keys())


def test_an_altered_inclusion_proof_fails_naming_the_event(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    def change(line: bytes) -> bytes:
        event = orjson.loads(line)
        path = event["inclusion_path"]
        path[1] = ("0" if path[1][0] != "0" else "1") + path[1][1:]
        return orjson.dumps(event) + b"\n"

    with pytest.raises(BundleInvalid, match=r"^event at position 3 \(leaf 2, line 3\): its inclusion proof fails"):
        verify(rewrite(full, tmp_path / "bad.zip", "events.jsonl", one_event(3, change)), history.keys())


def test_a_proof_is_compared_with_the_tree_a_full_bundle_builds_and_a_changed_one_named_as_before(
        history: SealedHistory, full: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full bundle's paths are compared with the tree its leaves build (``merkle.Paths``), none walked; a changed
    sibling on the right, which only later lines' leaves prove, or one changed in every line that names it, fails
    naming the first line that gives it, in the words of the walk (the lines verified again, path by path)."""
    walked: list[int] = []
    holds = merkle.Inclusions.holds

    def spied(self: merkle.Inclusions[Any], index: int, leaf: bytes, path: Any) -> bool:
        walked.append(index)
        return holds(self, index, leaf, path)

    monkeypatch.setattr(merkle.Inclusions, "holds", spied)
    assert verify(full, history.keys()).events == len(lines_of(full))
    assert walked == [], "a genuine full bundle's proofs were walked"
    first = orjson.loads(lines_of(full)[0])["inclusion_path"]

    def forging(item: str, only_first: bool) -> Callable[[bytes], bytes]:
        forged = hashlib.sha256(bytes.fromhex(item)).hexdigest().encode()
        return lambda data: b"".join(line.replace(item.encode(), forged) if i == 0 or not only_first else line
                                     for i, line in enumerate(data.splitlines(keepends=True)))

    for item, only_first in ((first[0], True), (first[-1], False)):  # leaf 1's hash; the tree's right half
        bad = rewrite(full, tmp_path / "bad.zip", "events.jsonl", forging(item, only_first))
        with pytest.raises(BundleInvalid, match=r"^event at position 1 \(leaf 0, line 1\): its inclusion proof"):
            verify(bad, history.keys())
    assert walked, "the changed bundles' proofs were walked"


def test_a_head_re_signed_with_another_key_fails(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    other = signing.generate(tmp_path / "other.pem")
    forged = other.sign(history.head.tree_size, history.head.root_hash, history.head.signed_at)
    bad = rewrite(full, tmp_path / "bad.zip", "head.json", lambda _: orjson.dumps(forged.to_json()))
    with pytest.raises(BundleInvalid, match=r"^the bundle's head \(tree size \d+\) is not valid: it is signed by key "
                                            f"{other.key_id.hex()[:16]}…, not by a given public key"):
        verify(bad, history.keys())
    kept_key_id = signing.TreeHead(**{**forged.__dict__, "key_id": history.head.key_id})
    bad = rewrite(full, tmp_path / "bad2.zip", "head.json", lambda _: orjson.dumps(kept_key_id.to_json()))
    with pytest.raises(BundleInvalid, match="its Ed25519 signature does not verify"):
        verify(bad, history.keys())
    with pytest.raises(BundleInvalid, match="not by a given public key"):
        verify(full, {other.key_id: other.public_key})


def test_an_altered_consistency_proof_fails_naming_the_head(history: SealedHistory, full: Path,
                                                           tmp_path: Path) -> None:
    def change(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        entry = orjson.loads(lines[0])
        entry["consistency_path"] = entry["consistency_path"][:-1]
        return orjson.dumps(entry) + b"\n" + b"".join(lines[1:])

    with pytest.raises(BundleInvalid, match=r"^earlier head \(tree size 9, line 1 of heads.jsonl\): its consistency "
                                            r"proof to tree size \d+ fails"):
        verify(rewrite(full, tmp_path / "bad.zip", "heads.jsonl", change), history.keys())


def test_a_member_changed_without_changing_an_event_fails_on_its_hash(history: SealedHistory, full: Path,
                                                                     tmp_path: Path) -> None:
    bad = rewrite(full, tmp_path / "bad.zip", "events.jsonl", lambda data: data.replace(b'","', b'", "', 1))
    with pytest.raises(BundleInvalid, match=r"^events\.jsonl does not match its SHA-256 in the manifest"):
        verify(bad, history.keys())


def test_a_subset_cannot_pass_for_a_full_export(history: SealedHistory, tmp_path: Path) -> None:
    subset = history.export(tmp_path / "town.zip", Selection(jurisdiction=TOWN_A))

    def claim_full(data: bytes) -> bytes:
        return orjson.dumps({**orjson.loads(data), "coverage": "full"})

    with pytest.raises(BundleInvalid, match="out of sequence — a full export lists every leaf in log order, and leaf "
                                            "0 belongs here"):
        verify(rewrite(subset, tmp_path / "bad.zip", "manifest.json", claim_full), history.keys())


def test_an_older_head_is_proven_consistent(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    older = history.system.audit.heads(limit=1)[0]
    result = verify(full, history.keys(), older)
    assert result.previous == older.tree_size
    assert result.summary().endswith(f"the previous head (tree size {older.tree_size}) is consistent with it")
    forked = history.system.audit.signer.sign(older.tree_size, bytes(32), older.signed_at)
    with pytest.raises(BundleInvalid, match=r"^the previous head \(tree size 9\) is not consistent with the bundle's "
                                            "head .*: the log was rewritten"):
        verify(full, history.keys(), forked)
    unsigned_size = history.system.audit.signer.sign(10, bytes(32), older.signed_at)
    with pytest.raises(BundleInvalid, match=r"no consistency proof from the previous head \(tree size 10\)"):
        verify(full, history.keys(), unsigned_size)
    newer = history.system.audit.signer.sign(history.head.tree_size + 1, bytes(32), older.signed_at)
    with pytest.raises(BundleInvalid, match="is newer than the bundle's head"):
        verify(full, history.keys(), newer)


def test_a_file_that_is_no_bundle_fails_in_one_line(history: SealedHistory, tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(BundleInvalid, match="is not a readable ZIP bundle"):
        verify(tmp_path / "x.zip", history.keys())

    with zipfile.ZipFile(tmp_path / "y.zip", "w") as archive:
        archive.writestr(bundle.MANIFEST, b"{}")
        archive.writestr(bundle.HEAD, b"{}")
        archive.writestr(bundle.HEADS, b"")
    with pytest.raises(BundleInvalid, match=r"manifest\.json does not describe an audit bundle: manifest\.json has"):
        verify(tmp_path / "y.zip", history.keys())
    full = history.export(tmp_path / "full.zip")
    with zipfile.ZipFile(full) as source, zipfile.ZipFile(tmp_path / "z.zip", "w") as archive:
        for name in source.namelist():
            if name != bundle.EVENTS:
                archive.writestr(name, source.read(name))
    with pytest.raises(BundleInvalid, match=r"the bundle has no events\.jsonl"):
        verify(tmp_path / "z.zip", history.keys())


def test_verify_runs_offline_with_no_settings_and_no_database(history: SealedHistory, full: Path,
                                                              tmp_path: Path) -> None:
    public_key = history.public_key(tmp_path / "audit.pub")
    elsewhere = tmp_path / "auditor"
    elsewhere.mkdir()
    script = (
        "import sys\n"
        "from api.cli import main\n"
        "try:\n"
        f"    main(['audit', 'verify', {str(full)!r}, '--public-key', {str(public_key)!r}])\n"
        "except SystemExit as exit_:\n"
        "    code = exit_.code or 0\n"
        "else:\n"
        "    code = 0\n"
        "loaded = [m for m in ('eventsourcing', 'psycopg', 'sqlite3', 'infrastructure.database', "
        "'infrastructure.eventstore', 'infrastructure.settings', 'api.bootstrap') if m in sys.modules]\n"
        "print('exit', code, 'loaded', loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZEREN_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", script], cwd=elsewhere, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.splitlines()[0].startswith("ok: "), done.stderr
    assert done.stdout.splitlines()[-1] == "exit 0 loaded []"
    assert list(elsewhere.iterdir()) == [], "no database file, no secrets directory"


# Strict bundles (docs/audit.md §6.4): what a lenient verifier let through. Each forged bundle below has its
# manifest's member hashes brought up to date, so that only the rule under test can refuse it.

def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name: that is the forgery
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return path


def forged(source: Path, target: Path, *, events: Callable[[list[dict[str, Any]]], None] | None = None,
           manifest: Callable[[dict[str, Any]], None] | None = None,
           raw_events: Callable[[bytes], bytes] | None = None) -> Path:
    """A copy of ``source`` with its events and manifest changed and the manifest's member hashes made to match."""
    members = members_of(source)
    data = members[bundle.EVENTS]
    if events is not None:
        parsed = [orjson.loads(line) for line in data.splitlines()]
        events(parsed)
        data = b"".join(orjson.dumps(e) + b"\n" for e in parsed)
    if raw_events is not None:
        data = raw_events(data)
    members[bundle.EVENTS] = data
    described = orjson.loads(members[bundle.MANIFEST])
    described["members"][bundle.EVENTS] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    if manifest is not None:
        manifest(described)
    members[bundle.MANIFEST] = orjson.dumps(described)
    return write(target, list(members.items()))


def refused(path: Path, history: SealedHistory) -> str:
    with pytest.raises(BundleInvalid) as failed:
        verify(path, history.keys())
    return str(failed.value)


def test_a_second_events_member_before_the_genuine_one_is_refused(history: SealedHistory, full: Path,
                                                                  tmp_path: Path) -> None:
    """``unzip`` shows the first member of a name, a lenient reader took the last: never both."""
    members = members_of(full)
    lines = members[bundle.EVENTS].splitlines(keepends=True)
    shadow = b"".join(lines[:-1])
    bad = write(tmp_path / "bad.zip", [(bundle.EVENTS, shadow), *members.items()])
    assert refused(bad, history) == ("the bundle holds more than one member named events.jsonl: a reader could take "
                                     "either")


def test_an_unknown_member_is_refused(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.zip", [*members_of(full).items(), ("README.txt", b"trust me")])
    assert refused(bad, history) == "the bundle holds a member the format does not have: README.txt"


def test_an_unknown_field_in_an_event_is_refused(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    bad = forged(full, tmp_path / "bad.zip", events=lambda es: es[0].update(verdict="closed"))
    assert refused(bad, history).endswith("(leaf 0, line 1): the line has unknown fields verdict")


def test_one_for_true_and_an_int_for_a_float_are_refused(history: SealedHistory, full: Path,
                                                         tmp_path: Path) -> None:
    float_version = forged(full, tmp_path / "a.zip", raw_events=lambda data: data.replace(
        b'"schema_version":1,', b'"schema_version":1.0,', 1))
    assert refused(float_version, history).endswith("(leaf 0, line 1): its schema_version differs from its stored "
                                                    "bytes: the shown event was changed")
    true_encoding = forged(full, tmp_path / "b.zip", manifest=lambda m: m.update(leaf_encoding=True))
    assert refused(true_encoding, history) == ("manifest.json does not describe an audit bundle: its "
                                               "leaf_encoding is not 1")
    float_index = forged(full, tmp_path / "c.zip", raw_events=lambda data: data.replace(
        b'{"leaf_index":0,', b'{"leaf_index":0.0,', 1))
    assert "leaf_index is not an unsigned 64-bit integer" in refused(float_index, history)


def test_a_member_named_twice_in_one_json_object_is_refused(history: SealedHistory, full: Path,
                                                            tmp_path: Path) -> None:
    bad = forged(full, tmp_path / "bad.zip", raw_events=lambda data: data.replace(
        b'{"leaf_index":0,', b'{"leaf_index":0,"leaf_index":0,', 1))
    assert refused(bad, history) == "line 1 of events.jsonl is not an exported event"


def test_a_forged_position_range_is_refused(history: SealedHistory, full: Path, tmp_path: Path) -> None:
    bad = forged(full, tmp_path / "bad.zip", manifest=lambda m: m["position_range"].update(first=2))
    assert refused(bad, history).startswith("manifest.json gives the position range (2, ")


def test_an_unchecked_selection_or_excluded_count_is_refused(history: SealedHistory, full: Path,
                                                             tmp_path: Path) -> None:
    elsewhere = forged(full, tmp_path / "a.zip", manifest=lambda m: m["selection"].update(jurisdiction=TOWN_B))
    assert refused(elsewhere, history).endswith("the manifest's selection does not admit it")
    excluded = forged(full, tmp_path / "b.zip", manifest=lambda m: m.update(excluded=5))
    assert "full coverage with 5 events excluded" in refused(excluded, history)
    town = history.export(tmp_path / "town.zip", Selection(jurisdiction=TOWN_A))
    assert verify(town, history.keys()).coverage == "subset"
    more = forged(town, tmp_path / "c.zip", manifest=lambda m: m.update(excluded=m["excluded"] + 1))
    assert "cannot be the leaves its selection scanned" in refused(more, history)
    unknown = forged(full, tmp_path / "d.zip", manifest=lambda m: m.update(signed_by="省应急管理厅"))
    assert refused(unknown, history) == ("manifest.json does not describe an audit bundle: "
                                         "manifest.json has unknown fields signed_by")


def test_base64_hex_and_uuids_only_in_their_canonical_form(history: SealedHistory, full: Path,
                                                           tmp_path: Path) -> None:
    def upper_hash(events: list[dict[str, Any]]) -> None:
        events[0]["leaf_hash"] = events[0]["leaf_hash"].upper()

    assert "its leaf hash" in refused(forged(full, tmp_path / "a.zip", events=upper_hash), history)

    def upper_id(events: list[dict[str, Any]]) -> None:
        events[0]["aggregate_id"] = events[0]["aggregate_id"].upper()

    assert "aggregate_id is not a UUID in its canonical lowercase form" in refused(
        forged(full, tmp_path / "b.zip", events=upper_id), history)

    def url_safe(events: list[dict[str, Any]]) -> None:
        events[0]["stored"] = events[0]["stored"].replace("+", "-").replace("/", "_")

    assert any(c in lines_of(full)[0] for c in (b"+", b"/")), "the first event's base64 uses + or /"
    assert "stored is not base64" in refused(forged(full, tmp_path / "c.zip", events=url_safe), history)


def test_a_genuine_bundle_still_verifies_after_a_round_trip_through_the_forger(history: SealedHistory, full: Path,
                                                                              tmp_path: Path) -> None:
    """The forger's re-serialisation alone changes nothing a verifier checks: the refusals above are the rules."""
    assert verify(forged(full, tmp_path / "same.zip"), history.keys()).coverage == "full"


def test_a_format_2_bundle_still_verifies_and_format_3_names_what_it_withholds(history: SealedHistory, full: Path,
                                                                               tmp_path: Path) -> None:
    """Format 3 added ``selection.withheld`` (docs/audit.md §6.3, §6.5); bundles written before still verify."""
    assert orjson.loads(members_of(full)[bundle.MANIFEST])["selection"]["withheld"] == []

    def as_format_2(m: dict[str, Any]) -> None:
        m["format"] = "zeren-audit-bundle/2"
        del m["selection"]["withheld"]

    assert verify(forged(full, tmp_path / "two.zip", manifest=as_format_2), history.keys()).coverage == "full"
    missing = forged(full, tmp_path / "a.zip", manifest=lambda m: m["selection"].pop("withheld"))
    assert "selection" in refused(missing, history)
    unsorted = forged(full, tmp_path / "b.zip",
                      manifest=lambda m: m["selection"].update(withheld=["TipReceived", "CertificateIssued"]))
    assert "not sorted without repeats" in refused(unsorted, history)
    claimed = forged(full, tmp_path / "c.zip", manifest=lambda m: m["selection"].update(withheld=["UnitRegistered"]))
    assert refused(claimed, history).endswith("the manifest's selection does not admit it")
    withheld = history.export(tmp_path / "w.zip", Selection(withheld=frozenset({"RiskColourGraded"})))
    assert verify(withheld, history.keys()).coverage == "subset"
    assert "RiskColourGraded" not in {orjson.loads(line)["type"] for line in lines_of(withheld)}


# Several processes (docs/audit.md §7): the lines of events.jsonl are checked by workers a chunk each; the outcome,
# and the words of a refusal, are those of one process.

def chunking(path: Path, keys: dict) -> list[tuple[int, int]]:
    """``(first line, lines)`` of each chunk the verifier hands a worker, at the current ``bundle.CHUNK``."""
    with zipfile.ZipFile(path) as archive:
        reader = bundle._Reader(archive, keys)
        return [(first, chunk.count(b"\n")) for first, chunk in reader.chunks(bundle.EVENTS, bundle.CHUNK)]


def alike(path: Path, history: SealedHistory) -> str:
    """The refusal of ``path`` by one process, which two processes must word the same."""
    alone = refused(path, history)
    with pytest.raises(BundleInvalid) as failed:
        verify(path, history.keys(), jobs=2)
    assert str(failed.value) == alone
    return alone


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "CHUNK", 6000)  # two or three lines a chunk


def test_several_processes_verify_what_one_verifies(history: SealedHistory, full: Path, tmp_path: Path,
                                                    small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = history.keys()
    assert len(chunking(full, keys)) > 3
    town = history.export(tmp_path / "town.zip", Selection(jurisdiction=TOWN_A))
    alone = [verify(full, keys), verify(town, keys)]
    read_here: list[bytes] = []
    original = bundle._Fast.event

    def spied(self: bundle._Fast, line: bytes) -> bundle._Event | None:
        read_here.append(line)
        return original(self, line)

    monkeypatch.setattr(bundle._Fast, "event", spied)
    assert [verify(full, keys, jobs=2), verify(town, keys, jobs=2)] == alone
    assert read_here == [], "the workers checked every line of a genuine bundle"


def test_a_tampered_line_inside_a_workers_chunk_is_named_as_one_process_names_it(
        history: SealedHistory, full: Path, tmp_path: Path, small_chunks: None) -> None:
    first, _ = next(c for c in chunking(full, history.keys()) if c[1] >= 3)
    middle = first + 1
    changed = rewrite(full, tmp_path / "data.zip", "events.jsonl", one_event(
        middle, lambda line: line.replace(b'"reason":"', b'"reason":"X', 1) if b'"reason":"' in line else
        line.replace(b'"name":"', b'"name":"X', 1)))
    assert alike(changed, history).startswith(f"{where(full, middle)}: its data differs from its stored bytes")

    def flip(line: bytes) -> bytes:
        event = orjson.loads(line)
        event["inclusion_path"][0] = ("0" if event["inclusion_path"][0][0] != "0" else "1") + \
            event["inclusion_path"][0][1:]
        return orjson.dumps(event) + b"\n"

    proof = rewrite(full, tmp_path / "proof.zip", "events.jsonl", one_event(middle, flip))
    assert alike(proof, history).startswith(f"{where(full, middle)}: its inclusion proof fails")
    dropped = rewrite(full, tmp_path / "dropped.zip", "events.jsonl", lambda data: b"".join(
        line for i, line in enumerate(data.splitlines(keepends=True), 1) if i != middle))
    assert "out of sequence" in alike(dropped, history)
    unended = forged(full, tmp_path / "unended.zip", raw_events=lambda data: data[:-1])
    assert alike(unended, history).endswith("does not end with a newline")
    spaced = forged(full, tmp_path / "spaced.zip", raw_events=lambda data: data.replace(b'{"leaf_index":',
                                                                                        b'{ "leaf_index":'))
    assert verify(spaced, history.keys(), jobs=2) == verify(spaced, history.keys()), \
        "lines another encoder wrote are read strictly, in the workers too"


def test_lines_swapped_across_two_workers_chunks_are_named_as_one_process_names_them(
        history: SealedHistory, tmp_path: Path, small_chunks: None) -> None:
    """A subset's order is checked across chunks by the process that takes the workers' results in order."""
    town = history.export(tmp_path / "town.zip", Selection(jurisdiction=TOWN_A))
    lines = lines_of(town)
    def swapping(last: int) -> Callable[[bytes], bytes]:
        return lambda _: b"".join([*lines[:last - 1], lines[last], lines[last - 1], *lines[last + 1:]])

    for last in range(1, len(lines) - 1):
        bad = forged(town, tmp_path / f"swapped{last}.zip", raw_events=swapping(last))
        if any(first == last + 1 for first, _ in chunking(bad, history.keys())):
            break
    else:
        pytest.fail("no chunk boundary between two lines")
    assert f"line {last + 1}): out of log order — it comes after leaf" in alike(bad, history)


def test_the_fast_reading_of_a_line_reads_what_the_strict_reading_reads_or_leaves_it_to_it(
        history: SealedHistory, full: Path) -> None:
    """``_Fast`` cuts a line where the exporter writes its delimiters (``,"stored":"``, ``","leaf_hash":"`` …)
    instead of parsing it whole: every genuine line reads as the strict reading reads it, and a line with such a
    delimiter elsewhere, a member twice, another spacing or escaping, or its fields in another order is read as the
    strict reading reads it (accepted or refused) or left to it — never accepted where that refuses."""
    head = verify(full, history.keys()).head
    fast, lines = bundle._Fast(head), [line[:-1] for line in lines_of(full)]
    for number, line in enumerate(lines, 1):
        assert fast.event(line) == bundle._read_event(line, number, head) is not None
    plain = next(line for line in lines if b'"redacted":[]' in line)
    redacting = next(line for line in lines if b'"redacted":["' in line)
    changes: list[Callable[[bytes], bytes]] = [
        lambda line: line.replace(b'"data":{', b'"data":{"z":{"q":1,"redacted":[],"stored":"QQ=="},', 1),
        lambda line: line.replace(b'"data":{', b'"data":{"z":{"leaf_hash":"00","inclusion_path":[]},', 1),
        lambda line: line.replace(b',"redacted":', b',"x":{"a":1,"stored":"QQ==","leaf_hash":"00"},"redacted":', 1),
        lambda line: line[:-1] + b',"inclusion_path":[]}',
        lambda line: line[:-1] + b',"stored":"QQ=="}',
        lambda line: line.replace(b',"schema_version":', b',"schema_version":1,"schema_version":', 1),
        lambda line: line.replace(b'","leaf_hash":"', b'","leaf_hash" :"', 1),
        lambda line: escaped_base64(line),
        lambda line: line.replace(b',"redacted":', b', "redacted":', 1),
        lambda line: reordered(line, "leaf_hash", "stored"),
        lambda line: reordered(line, "redacted", "data"),
        lambda line: line.replace(b'"inclusion_path":["', b'"inclusion_path":["","', 1),
    ]
    whole = bundle._Fast(head, every_leaf=True)  # a full bundle's lines, in order, paths compared with the tree
    assert [whole.event(line) for line in lines] == [fast.event(line) for line in lines]
    for line in (plain, redacting):
        for change in changes:
            changed = change(line)
            try:
                strictly = bundle._read_event(changed, 7, head)
            except BundleInvalid:
                strictly = None
            assert fast.event(changed) in (None, strictly), changed
            whole = bundle._Fast(head, every_leaf=True)
            assert all(whole.event(before) for before in lines[:lines.index(line)])
            assert whole.event(changed) in (None, strictly), changed


def escaped_base64(line: bytes) -> bytes:
    """The line with the first ``/`` of its stored bytes' base64 written ``\\/``: the same JSON value."""
    start = line.index(b',"stored":"') + 11
    at = line.index(b"/", start) if b"/" in line[start:line.index(b'"', start)] else line.index(b"A", start)
    return line[:at] + (b"\\/" if line[at:at + 1] == b"/" else b"\\u0041") + line[at + 1:]


def reordered(line: bytes, first: str, then: str) -> bytes:
    """The line with member ``first`` moved right after member ``then`` (the same JSON value)."""
    value = orjson.loads(line)
    moved = value.pop(first)
    order: dict[str, Any] = {}
    for name, item in value.items():
        order[name] = item
        if name == then:
            order[first] = moved
    return orjson.dumps(order)


def test_base64_is_read_fast_exactly_when_it_is_canonical() -> None:
    """``_base64`` (the fast reading's decoding of the stored bytes, which then stand in the line as given) accepts
    exactly the texts the strict reading accepts, with the same bytes: every last digit and padding of short texts,
    spaces, other alphabets, padding inside or missing."""
    import base64
    import itertools

    from infrastructure.audit import strict

    digits = [bytes([c]) for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\\"]
    texts = [base64.b64encode(os.urandom(n)) for n in range(8)] + [b"", b"=", b"==", b"QQ==QQ==", b"\\/\\/"]
    for text in [*texts]:
        for at in range(1, min(len(text), 4) + 1):
            texts.extend(text[:-at] + digit + text[len(text) - at + 1:] for digit in digits)
        texts.extend(text[:cut] for cut in range(len(text)))
    texts.extend(b"".join(parts) for parts in itertools.product((b"A", b"Q", b"R", b"g", b"/", b"=", b" "), repeat=4))
    for text in texts:
        try:
            strictly: bytes | None = strict.b64(text.decode("latin-1"), "stored")
        except ValueError:
            strictly = None
        assert bundle._base64(text) == strictly, text


def test_the_events_are_inflated_one_piece_ahead_in_a_thread_that_ends_with_the_reading(
        history: SealedHistory, full: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        small_chunks: None) -> None:
    """``events.jsonl`` is inflated and hashed by a thread of its own while the lines before are checked (zlib and
    SHA-256 let go of the GIL); a refusal part way through, or the member's bytes damaged, ends that thread, and what
    the reading raised is raised as before."""
    import threading

    readers: set[str] = set()
    read = zipfile.ZipExtFile.read

    def spied(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        readers.add(threading.current_thread().name)
        return read(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spied)
    verify(full, history.keys())
    assert "read events.jsonl" in readers, readers
    changed = rewrite(full, tmp_path / "bad.zip", "events.jsonl", one_event(
        2, lambda line: line.replace(b'"position":', b'"position":9', 1)))
    with pytest.raises(BundleInvalid, match=r"line 2"):
        verify(changed, history.keys())
    data = full.read_bytes()
    at = data.index(b"events.jsonl") + 400  # inside the member's deflated bytes
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:])
    with pytest.raises((zipfile.BadZipFile, zlib.error, BundleInvalid)):
        verify(damaged, history.keys())
    assert not [t for t in threading.enumerate() if t.name.startswith("read ")], "a reading thread outlived its bundle"


def test_a_path_found_wrong_only_lines_later_is_named_before_a_damaged_member_after_it(
        history: SealedHistory, full: Path, tmp_path: Path, small_chunks: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A full bundle's right sibling is compared when its leaves come; a member that cannot be read past the line
    that gave it is still refused naming that line, as the walk names it before reading further."""
    item = orjson.loads(lines_of(full)[0])["inclusion_path"][-1]  # the tree's right half, in every line of the left
    forged = hashlib.sha256(bytes.fromhex(item)).hexdigest().encode()
    bad = rewrite(full, tmp_path / "bad.zip", "events.jsonl", lambda data: data.replace(item.encode(), forged))
    read = bundle._read

    def damaged(archive: zipfile.ZipFile, name: str, size: int, digest: Any) -> Iterator[bytes]:
        for number, piece in enumerate(read(archive, name, size, digest)):
            if number == 2 and name == bundle.EVENTS:
                raise zlib.error("Error -3 while decompressing data: invalid distance too far back")
            yield piece

    assert len(chunking(full, history.keys())) > 3
    monkeypatch.setattr(bundle, "_read", damaged)
    with pytest.raises(BundleInvalid, match=r"^event at position 1 \(leaf 0, line 1\): its inclusion proof"):
        verify(bad, history.keys())
