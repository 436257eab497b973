"""A jurisdiction's subtree is an index range on PostgreSQL whatever collation the database was created with
(``projections.columns.Jurisdiction``): every read model's ``jurisdiction`` column is in collation ``"C"``, so the
planner turns ``projections.scope.within``'s ``LIKE 'path/%'`` into a range of an index on the column."""

from __future__ import annotations

from sqlalchemy import select, text

from api.bootstrap import bootstrap
from infrastructure.settings import Settings
from projections.audit_trail import RECORDS
from projections.scope import within


def test_every_read_models_jurisdiction_column_compares_bytes(pg: Settings) -> None:
    system = bootstrap(pg)
    try:
        with system.db.read() as conn:
            columns = conn.execute(text(
                "SELECT table_name, collation_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_name = 'jurisdiction'")).all()
        assert len(columns) >= 30, columns  # the read models' tables (and their changes tables)
        assert {table for table, collation in columns if collation != "C"} == set()
    finally:
        system.close()


def test_a_subtree_is_read_through_an_index(pg: Settings) -> None:
    system = bootstrap(pg)
    try:
        query = select(RECORDS.c.aggregate_id).where(within(RECORDS.c.jurisdiction, "350000/350500"))
        with system.db.read() as conn:
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: the planner would scan it
            sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(row[0] for row in conn.execute(text("EXPLAIN " + sql)))
        assert "audit_records_jurisdiction" in plan, plan
        assert "Seq Scan" not in plan, plan
    finally:
        system.close()
