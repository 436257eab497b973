"""Crypto-shredding leaves no copy of the data key in the database files (docs/audit.md §9): on SQLite neither in
the database file nor in its WAL file; on PostgreSQL not in any page of the ``data_keys`` table (read with
``pageinspect``, in a database of its own so that no other test's open transaction keeps old row versions alive)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from api.bootstrap import System, bootstrap
from application import people as pp
from application.clock import ManualClock, RandomIds
from infrastructure.settings import Settings
from infrastructure.vault import DATA_KEYS
from tests.audit_support import ID_NUMBER
from tests.builders import World
from tests.conftest import PG_URL, REGISTRAR, T0, TOWN_A

SHRED_DATABASE = "zeren_test_shredding"


def own_database() -> str:
    """A database no other test connects to."""
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (SHRED_DATABASE,)).fetchone():
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # another test process made it first
                conn.execute(f'CREATE DATABASE "{SHRED_DATABASE}"')
    return PG_URL.rsplit("/", 1)[0] + f"/{SHRED_DATABASE}"


@pytest.fixture
def shredding(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[System]:
    secrets, jwt = tmp_path / "secrets", "test-secret-" + "x" * 32
    schema = None
    if backend == "sqlite":
        settings = Settings(sqlite_path=tmp_path / "zeren.db", database_url=None, data_dir=secrets, jwt_secret=jwt)
    else:
        request.getfixturevalue("postgres_ready")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        settings = Settings(database_url=f"{own_database()}?schema={schema}", data_dir=secrets, jwt_secret=jwt)
    system = bootstrap(settings, clock=ManualClock(T0), ids=RandomIds())
    yield system
    system.close()
    if schema:
        with psycopg.connect(own_database(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def files_of(system: System) -> bytes:
    """Every byte that holds the data keys: the SQLite files, or every page of PostgreSQL's ``data_keys``."""
    settings = system.settings
    if not settings.is_postgres:
        return b"".join(p.read_bytes() for p in settings.sqlite_path.parent.glob(settings.sqlite_path.name + "*"))
    schema = settings.postgres["schema"]
    with psycopg.connect(own_database(), autocommit=True) as conn:
        with contextlib.suppress(psycopg.errors.UniqueViolation):  # made concurrently by another test process
            conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public")
        conn.execute("CHECKPOINT")
        pages = conn.execute(f"SELECT pg_relation_size('\"{schema}\".data_keys') / 8192").fetchone()[0]
        return b"".join(conn.execute(f"SELECT public.get_raw_page('\"{schema}\".data_keys', %s)", (page,))
                        .fetchone()[0] for page in range(pages))


def test_a_shredded_key_leaves_no_bytes_in_the_database_files(shredding: System) -> None:
    system = shredding
    World(system)
    person = system.service.execute(pp.RegisterPerson(name="王五", id_number=ID_NUMBER, jurisdiction=TOWN_A),
                                    REGISTRAR).id
    key_id = f"person:{person}"
    with system.db.read() as conn:
        wrapped = bytes(conn.execute(select(DATA_KEYS.c.wrapped_key).where(DATA_KEYS.c.key_id == key_id)).scalar_one())
    assert wrapped in files_of(system), "the wrapped key is where the test looks"
    assert system.vault.shred(key_id)
    assert wrapped not in files_of(system)
    assert not system.vault.shred(key_id), "nothing is left to shred"
    with system.db.read() as conn:
        row = conn.execute(select(DATA_KEYS).where(DATA_KEYS.c.key_id == key_id)).mappings().first()
    assert row is not None
    assert (row["wrapped_key"], row["shredded_at"] is not None) == (None, True)
