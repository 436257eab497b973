"""``zeren relay`` and ``zeren docs schemas`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.catalogue import event_classes
from infrastructure.stream.schemas import render_schemas
from tests.kafka_broker import Tansu, free_port, unique
from tests.test_cli import run


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ZEREN_DATABASE_URL", "ZEREN_SQLITE_PATH", "ZEREN_JWT_SECRET", "ZEREN_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZEREN_RELAY_TIMEOUT_SECONDS", "0.5")
    return tmp_path


def test_docs_schemas_writes_the_schemas_of_the_code(workdir: Path, capsys) -> None:
    code, out, _ = run(capsys, "docs", "schemas", "-o", "out")
    assert "wrote" in out
    assert code == 0
    expected = render_schemas(event_classes())
    written = sorted(p.name for p in (workdir / "out").iterdir())
    assert written == sorted(expected)
    for name in written:
        assert (workdir / "out" / name).read_text() == expected[name]


def test_status_shows_a_relay_that_never_ran(workdir: Path, capsys) -> None:
    code, out, _ = run(capsys, "relay", "--status")
    assert code == 0
    assert out.split() == ["relay:zeren.events", "position", "0", "head", "0", "lag", "0", "updated", "never"]


def test_an_unreachable_broker_is_one_line_and_a_nonzero_exit(workdir: Path, capsys,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(capsys, "demo")[0] == 0
    port = free_port()
    monkeypatch.setenv("ZEREN_KAFKA_BOOTSTRAP", f"127.0.0.1:{port}")
    code, out, err = run(capsys, "relay", "--once")
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"zeren: error: the Kafka broker at 127.0.0.1:{port} did not acknowledge the events "
                          "after position 0")
    code, _, err = run(capsys, "relay", "--status", "--once")
    assert code == 2
    assert err.strip() == "zeren: error: give either --status or --once, not both"


@pytest.mark.kafka
def test_once_publishes_the_history_and_status_shows_no_lag(workdir: Path, capsys, kafka_broker: Tansu,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(capsys, "demo")[0] == 0
    topic = unique("cli.events")
    monkeypatch.setenv("ZEREN_KAFKA_BOOTSTRAP", kafka_broker.bootstrap)
    monkeypatch.setenv("ZEREN_KAFKA_TOPIC", topic)
    code, out, _ = run(capsys, "relay", "--once")
    assert code == 0
    assert out.startswith("published ")
    assert out.strip().endswith(f"events to {topic}; lag 0")
    code, out, _ = run(capsys, "relay", "--status")
    row = next(line.split() for line in out.splitlines() if line.startswith(f"relay:{topic} "))
    assert row[1:7:2] == ["position", "head", "lag"]
    assert row[6] == "0"
    assert row[2] == row[4] != "0", "position = head"
