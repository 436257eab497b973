"""Schema migrations of the durable tables (Alembic, ``infrastructure/migrations``): ``zeren db upgrade`` applies
them, and so does every start (``api.bootstrap``), before the event store and the followers open.

Processes starting together migrate one after the other (an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite); the later ones find the schema at its head and do nothing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text

from infrastructure import follower_health, following, persistence, vault
from infrastructure.audit import cosigning, tree
from infrastructure.database import Database
from infrastructure.durable import DURABLE

MIGRATIONS = Path(__file__).parent / "migrations"
LOCK = 0x7A6572656E  # "zeren": the advisory lock that queues concurrent migrations on PostgreSQL


def durable_metadata() -> MetaData:
    """Every durable table (the modules imported above declare them on :data:`DURABLE`)."""
    declared = {following.TRACKING, follower_health.FAILURES, persistence.RECEIPTS, vault.DATA_KEYS,
                cosigning.SIGNATURES, *tree.TABLES}
    assert declared <= set(DURABLE.tables.values())
    return DURABLE


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the durable tables to ``revision`` (default: the newest), in one transaction."""
    config = _config()
    with db.transaction() as conn:
        if db.dialect == "postgres":
            conn.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current(db: Database) -> str | None:
    """The revision the database is at (``None`` before the first migration)."""
    with db.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
