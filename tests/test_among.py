"""``projections.columns.among``: ``column IN values`` sent as one array on PostgreSQL (a statement whose text does
not grow with the values), as ``IN`` lists of at most 500 on SQLite — the same rows either way, through the dossier
index's queries (``projections.dossier_index.DossierIndexQueries``) that read the most values."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import insert

from api.bootstrap import System
from projections.dossier_index import EVENTS, RELATIONS, DossierIndexQueries
from tests.read_models import statements_sent

RECORDS = 1_200
"""More than one SQLite ``IN`` list of 500."""


def test_the_dossier_index_finds_every_record_in_one_statement_on_postgres_or_lists_of_500(system: System) -> None:
    records = [uuid.UUID(int=n + 1) for n in range(RECORDS)]
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with system.db.transaction() as conn:
        conn.execute(insert(EVENTS), [
            {"position": 10_000 + 2 * n + v, "aggregate_id": str(a), "version": v + 1, "recorded_at": at}
            for n, a in enumerate(records) for v in (0, 1)])
        conn.execute(insert(RELATIONS), [
            {"event_type": "Opened", "key": "unit_id", "value": str(records[n // 2]), "aggregate_id": str(a),
             "position": 10_000 + 2 * n, "recorded_at": at} for n, a in enumerate(records)])
    index = DossierIndexQueries(system.db)
    with statements_sent(system, reads=True) as sent:
        positions = index.positions([*records, uuid.UUID(int=0)], last=10_000 + 2 * RECORDS - 2)
        related = index.related(records[:RECORDS // 2], last=10_000 + RECORDS)
    assert positions[uuid.UUID(int=0)] == []
    assert [positions[a] for a in records] == [[10_000 + 2 * n, 10_000 + 2 * n + 1] for n in range(RECORDS - 1)] + \
        [[10_000 + 2 * RECORDS - 2]]
    assert sum(map(len, related.values())) == RECORDS // 2 + 1
    assert related[records[0]] == [(10_000, "Opened", "unit_id", records[0]), (10_002, "Opened", "unit_id", records[1])]
    assert related[records[RECORDS // 2 - 1]] == []
    queries = [s for s in sent if s.startswith("SELECT")]
    assert len(queries) == (2 if system.settings.is_postgres else 3 + 2)  # the positions' lists, the relations'
    assert (max(map(len, queries)) < 1_000) == system.settings.is_postgres  # text independent of the values
