"""``projections.columns.among``: ``column IN values`` sent as one array on PostgreSQL (a statement whose text does
not grow with the values), as ``IN`` lists of at most 500 on SQLite — the same rows either way, through the dossier
index's relations (``projections.dossier_index.DossierIndexQueries.related``), the query that reads the most
values; and ``rows_of``: several queries' rows in one statement on PostgreSQL (the dossier's tree reads)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import insert, select

from api.bootstrap import System
from projections.columns import among, rows_of
from projections.dossier_index import RELATIONS, DossierIndexQueries
from tests.read_models import statements_sent

VALUES = 1_200
"""More than two SQLite ``IN`` lists of 500."""


def test_relations_of_many_values_are_one_statement_on_postgres_or_lists_of_500(system: System) -> None:
    values = [uuid.UUID(int=n + 1) for n in range(VALUES)]
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with system.db.transaction() as conn:  # each value names two records, the second at or after the last asked
        conn.execute(insert(RELATIONS), [
            {"event_type": "Opened", "key": "unit_id", "value": str(value), "aggregate_id": str(uuid.UUID(int=n)),
             "position": 10_000 + n, "recorded_at": at} for n, value in enumerate(values * 2, start=10_000)])
    with statements_sent(system, reads=True) as sent:
        related = DossierIndexQueries(system.db).related([*values, uuid.UUID(int=0)], last=20_000 + 2 * VALUES - 2)
    assert related[uuid.UUID(int=0)] == []
    assert related[values[0]] == [(20_000, "Opened", "unit_id", uuid.UUID(int=10_000)),
                                  (20_000 + VALUES, "Opened", "unit_id", uuid.UUID(int=10_000 + VALUES))]
    assert [len(related[v]) for v in values] == [2] * (VALUES - 1) + [1]
    queries = [s for s in sent if s.startswith("SELECT")]
    assert len(queries) == (1 if system.settings.is_postgres else 3)
    assert (max(map(len, queries)) < 1_000) == system.settings.is_postgres  # text independent of the values


def test_the_rows_of_several_queries_are_one_statement_on_postgres(system: System) -> None:
    r = RELATIONS.c
    with system.db.transaction() as conn:
        conn.execute(insert(RELATIONS), [
            {"event_type": "Opened", "key": key, "value": str(uuid.UUID(int=n)), "aggregate_id": str(uuid.UUID(int=n)),
             "position": n, "recorded_at": datetime(2026, 1, 1, tzinfo=UTC)} for n in range(1, 1_001)
            for key in ("unit_id", "hazard_id")])
    with system.db.read() as conn, statements_sent(system, reads=True) as sent:
        queries = [select(r.key, r.position).where(r.key == key, among_positions)
                   for key in ("unit_id", "hazard_id", "tip_id")
                   for among_positions in among(conn, r.position, list(range(1, 1_001)))]
        rows = rows_of(conn, queries)
    assert sorted(rows) == sorted((key, n) for key in ("hazard_id", "unit_id") for n in range(1, 1_001))
    assert len([s for s in sent if s.startswith("SELECT")]) == (1 if system.settings.is_postgres else 3 * 2)
