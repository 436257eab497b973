"""The durable tables come from Alembic migrations: ``zeren db upgrade`` and every start apply them, on both
databases; the migrated schema is the declared one; a database made before migrations keeps its rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text

from infrastructure.database import Database
from infrastructure.following import TRACKING
from infrastructure.migrate import current, durable_metadata, head, upgrade
from infrastructure.settings import Settings
from tests.builders import run_zeren

pytestmark = pytest.mark.empty_store  # each test starts where a first start does: no tables at all

DURABLE_TABLES = {"follower_tracking", "command_receipts", "data_keys", "audit_leaves", "audit_nodes", "audit_heads",
                  "audit_checkpoint_signatures"}


@pytest.fixture
def database(settings: Settings):
    db = Database(settings)
    yield db
    db.close()


def tables(db: Database) -> set[str]:
    with db.read() as conn:
        return set(inspect(conn).get_table_names())


def test_upgrade_creates_the_durable_tables_once(database: Database) -> None:
    assert current(database) is None
    assert not DURABLE_TABLES & tables(database)
    upgrade(database)
    assert tables(database) >= DURABLE_TABLES
    assert current(database) == head()
    upgrade(database)  # at its head: nothing to do
    assert current(database) == head()


def test_the_migrated_schema_is_the_declared_one(database: Database) -> None:
    upgrade(database)
    with database.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = [d for d in compare_metadata(context, durable_metadata())
                       if not (d[0] == "remove_table" and d[1].name not in DURABLE_TABLES)]
    assert differences == []


def test_a_database_made_before_migrations_keeps_its_rows(database: Database) -> None:
    with database.transaction() as conn:  # what the code created before Alembic
        TRACKING.create(conn)
        conn.execute(insert(TRACKING).values(name="directory", position=7, version=1, updated_at=datetime.now(UTC)))
    upgrade(database)
    assert tables(database) >= DURABLE_TABLES
    with database.read() as conn:
        assert conn.execute(select(TRACKING.c.position).where(TRACKING.c.name == "directory")).scalar() == 7
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()


def test_zeren_db_upgrade(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("ZEREN_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("ZEREN_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("ZEREN_DATABASE_URL", raising=False)
        monkeypatch.setenv("ZEREN_SQLITE_PATH", str(settings.sqlite_path))
    code, out, _ = run_zeren(capsys, "db", "upgrade")
    assert code == 0
    assert out.strip() == f"durable tables at revision {head()} (were at none)"
    code, out, _ = run_zeren(capsys, "db", "upgrade")
    assert (code, out.strip()) == (0, f"durable tables at revision {head()} (were at {head()})")
