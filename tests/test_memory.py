"""The collector settled for a long-running process (``api.memory``): survivors frozen, the youngest generation
collected less often; ``zeren serve`` settles before it serves (the followers' commands share ``console.follow``,
which settles first)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from api.memory import YOUNGEST, settle
from tests.builders import run_zeren


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
