"""Several projector processes on one PostgreSQL store while the generator writes (``bench/simulate.py``, issue #15,
"a simulation with the generator … shows the ordering and exactly-once promises hold"; not timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.simulate import Rows, differences, simulate
from tests.conftest import drop_schema, make_settings


def test_projector_processes_competing_for_one_store_apply_each_event_once_in_log_order(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    settings, schema = make_settings("postgres", tmp_path, request)
    assert schema is not None
    try:
        report = simulate(settings, events=250, projectors=2, batch=10)
    finally:
        drop_schema(schema)
    assert report.failures == {}
    assert report.exactly_once_in_order  # the witness: every log position once, in log order
    assert sum(report.entries_by_process.values()) == report.events >= 250
    assert report.differences == {}  # every read model as one process rebuilds it from the same log
    assert report.ok


def test_a_read_model_that_differs_from_its_rebuild_is_named_with_the_rows_that_differ() -> None:
    followed: Rows = {"hazard_ledger": [(1, "open"), (2, "overdue")], "directory_units": [(7,)]}
    rebuilt: Rows = {"hazard_ledger": [(1, "open"), (2, "pending")], "directory_units": [(7,)]}
    found = differences(followed, rebuilt)
    assert list(found) == ["hazard_ledger"]
    assert "(2, 'overdue')" in found["hazard_ledger"]
    assert "(2, 'pending')" in found["hazard_ledger"]
    assert differences(followed, {**followed, "tips": [(1,)]}) == {"tips": "0 rows followed, 1 rebuilt; "
                                                                            "first only followed: [], "
                                                                            "first only rebuilt: [(1,)]"}
