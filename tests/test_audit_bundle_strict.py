"""Strict bundles (docs/audit.md §6.4): what a lenient verifier let through. Each forged bundle below has its
manifest's member hashes brought up to date, so that only the rule under test can refuse it."""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from api.bootstrap import System
from infrastructure.audit import bundle
from infrastructure.audit.bundle import BundleInvalid, verify
from infrastructure.audit.export import Selection
from tests.audit_support import SealedHistory, lines_of
from tests.conftest import TOWN_A, TOWN_B


@pytest.fixture
def history(system: System) -> SealedHistory:
    return SealedHistory(system)


@pytest.fixture
def full(history: SealedHistory, tmp_path: Path) -> Path:
    return history.export(tmp_path / "full.zip")


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
