"""The collector settled for a long-running process (``infrastructure.memory``): survivors frozen, the youngest
generation collected less often; ``zeren serve`` settles before it serves (the followers' commands share
``console.follow``, which settles first). A rebuild leaves what the process held before it out of the collector's
walks while it runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from api.bootstrap import System
from infrastructure.memory import YOUNGEST, bulk, settle
from tests.builders import World, run_zeren


@pytest.fixture
def collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector")
def test_settling_freezes_what_is_alive_and_spaces_out_the_youngest_collections() -> None:
    gc.unfreeze()
    kept = [{"n": n} for n in range(1000)]
    settle()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold()[0] == YOUNGEST > 700
    assert not any(gc.is_tracked(o) and o in gc.get_objects() for o in kept[:1])  # frozen: out of the walks


@pytest.mark.usefixtures("collector")
def test_serve_settles_the_collector_before_it_serves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ZEREN_DATABASE_URL", "ZEREN_SQLITE_PATH", "ZEREN_JWT_SECRET", "ZEREN_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    served: list[tuple[int, int]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_, **__: served.append((gc.get_threshold()[0], gc.get_freeze_count())))
    code, out, _ = run_zeren(capsys, "serve", "--port", "0")
    assert code == 0, out
    ((youngest, frozen),) = served
    assert youngest == YOUNGEST
    assert frozen > 10_000  # the bootstrapped system, the app and the modules: out of the collector's walks


@pytest.mark.usefixtures("collector")
def test_a_bulk_load_freezes_what_is_alive_until_it_ends_and_then_undoes_it() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    kept = [{"n": n} for n in range(1000)]
    with bulk():
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold() == (YOUNGEST, 10, 10)
    assert gc.get_freeze_count() == 0  # walked again by later full collections: garbage among it is freed then
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("collector")
def test_a_bulk_load_in_a_settled_process_leaves_the_collector_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither frozen again nor unfrozen: the count of frozen objects itself is no witness, since objects frozen
    and freed by another thread of the test process (a follower, a broker's client) move it."""
    gc.unfreeze()
    gc.freeze()  # what settle() leaves, without its full collection of the test process (seconds here)
    gc.set_threshold(YOUNGEST, 10, 10)
    calls: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    with bulk():
        assert gc.get_threshold() == (YOUNGEST, 10, 10)
    assert (calls, gc.get_threshold()) == ([], (YOUNGEST, 10, 10))


@pytest.mark.usefixtures("collector")
def test_a_rebuild_keeps_what_the_process_held_out_of_the_collectors_walks(system: System,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    World(system)
    gc.unfreeze()
    held = ["before the rebuild"]  # a list: always tracked by the collector
    audit = type(system.runner.projections["audit_trail"])
    process = audit.process
    walked: list[bool] = []

    def watched(self: object, conn: object, entries: list) -> None:
        walked.append(any(o is held for o in gc.get_objects()))  # frozen objects are not among them
        process(self, conn, entries)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "process", watched)
    system.runner.rebuild("audit_trail")
    assert walked
    assert not any(walked)
    assert gc.get_freeze_count() == 0
    assert any(o is held for o in gc.get_objects())
