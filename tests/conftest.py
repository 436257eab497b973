"""Fixtures: every store-backed test runs on SQLite AND on PostgreSQL (a fresh schema per test).

PostgreSQL is required: if it is not reachable, the PostgreSQL half of the suite errors loudly (never skips).
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import System, bootstrap
from application.authorization import Principal
from application.clock import ManualClock, RandomIds
from infrastructure.settings import Settings

pytest_plugins = ["tests.kafka_broker"]  # the Tansu broker and TCP proxy fixtures of the Kafka tests

PG_URL = os.environ.get("ZEREN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/zeren_test")
T0 = datetime(2025, 1, 6, 1, 0, tzinfo=UTC)
COUNTY = "350000/350500/350505"
TOWN_A = f"{COUNTY}/350505001000"
TOWN_B = f"{COUNTY}/350505101000"


def _ensure_test_database() -> None:
    url = psycopg.conninfo.conninfo_to_dict(PG_URL.split("?")[0].replace("postgresql://", "postgresql://", 1))
    dbname = url.pop("dbname", "zeren_test")
    admin = psycopg.conninfo.make_conninfo("", **{**url, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            conn.execute(f'CREATE DATABASE "{dbname}"')


@pytest.fixture(scope="session")
def postgres_ready() -> str:
    try:
        _ensure_test_database()
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required by the test suite and is not reachable at {PG_URL}: {exc}", pytrace=False)
    return PG_URL


def make_settings(backend: str, tmp_path: Path,
                  request: pytest.FixtureRequest | None) -> tuple[Settings, str | None]:
    base: dict[str, Any] = {
        "data_dir": tmp_path / "secrets", "master_key": None, "jwt_secret": "test-secret-" + "x" * 32,
        "projection_wait_seconds": 5.0}  # the production default: reads wait for lagging read models under load
    if backend == "sqlite":
        return Settings(sqlite_path=tmp_path / "zeren.db", database_url=None, **base), None
    assert request is not None, "a PostgreSQL store needs the postgres_ready fixture"
    url = request.getfixturevalue("postgres_ready")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    return Settings(database_url=f"{url}?schema={schema}", **base), schema


def drop_schema(schema: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """A PostgreSQL store's settings, in a schema of its own dropped after the test (for tests that need PostgreSQL
    itself: LISTEN/NOTIFY, several server processes)."""
    settings, schema = make_settings("postgres", tmp_path, request)
    yield settings
    assert schema
    drop_schema(schema)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


class PreparedStores:
    """Empty stores, bootstrapped once per test process and handed out one per test.

    Creating the schema (about 70 tables, the Alembic migrations, the follower rows) cost more than most tests'
    own work: on PostgreSQL about 80 % of a store test's time went to its fixture. Each SQLite test gets a copy of
    one bootstrapped file (with its data directory); each PostgreSQL test a schema that an earlier test used,
    emptied (rows deleted with triggers off — the log's immutability trigger refuses it otherwise — and sequences
    restarted), the followers back at position 0, or a new one. A schema whose
    structure a test changed (a shadow table left, a projection's version bumped) is dropped, not reused. A test
    marked ``empty_store`` gets a store nobody has bootstrapped.
    """

    def __init__(self, root: Path):
        self.root = root
        self.sqlite: Path | None = None
        self.schemas: list[str] = []
        self.shape: str | None = None
        self.made: list[str] = []

    def sqlite_store(self, tmp_path: Path) -> Settings:
        if self.sqlite is None:
            (self.root / "sqlite").mkdir()
            template, _ = make_settings("sqlite", self.root / "sqlite", None)
            bootstrap(template).close()
            self.sqlite = self.root / "sqlite"
        shutil.copyfile(self.sqlite / "zeren.db", tmp_path / "zeren.db")
        shutil.copytree(self.sqlite / "secrets", tmp_path / "secrets")
        return make_settings("sqlite", tmp_path, None)[0]

    def postgres_store(self, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Settings, str]:
        if self.schemas:
            schema = self.schemas.pop()
            value = make_settings("postgres", tmp_path, request)[0]
            return value.model_copy(update={"database_url": f"{PG_URL}?schema={schema}"}), schema
        fresh, made = make_settings("postgres", tmp_path, request)
        assert made is not None
        bootstrap(fresh).close()
        self.made.append(made)
        if self.shape is None:
            self.shape = _schema_shape(made)
        return fresh, made

    def give_back(self, schema: str) -> None:
        """Empty the schema for the next test, unless its structure is no longer the bootstrapped one (or a
        connection the test left open still locks it: then it waits for the end of the session)."""
        try:
            with psycopg.connect(PG_URL) as conn:
                conn.execute("SET LOCAL lock_timeout = '10s'")
                conn.execute("SET LOCAL session_replication_role = replica")  # past the log's immutability trigger
                if _schema_shape(schema, conn) != self.shape:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
                    self.made.remove(schema)
                    return
                tables = [r[0] for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename NOT IN "
                    "('alembic_version', 'follower_tracking')", (schema,))]
                sequences = [r[0] for r in conn.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = %s", (schema,))]
                conn.execute(" ".join([  # one round trip; DELETE of a few rows is cheaper than TRUNCATE's new files
                    *(f'DELETE FROM "{schema}"."{t}";' for t in tables),
                    *(f'ALTER SEQUENCE "{schema}"."{q}" RESTART;' for q in sequences),
                    f'UPDATE "{schema}".follower_tracking SET position = 0;']).encode())
        except psycopg.errors.LockNotAvailable:
            return
        self.schemas.append(schema)

    def close(self) -> None:
        for schema in self.made:
            drop_schema(schema)


def _schema_shape(schema: str, conn: psycopg.Connection | None = None) -> str:
    """A digest of a schema's tables, columns, indexes and followers' versions."""
    query = """SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
        SELECT table_name || '.' || column_name || ':' || data_type AS x
            FROM information_schema.columns WHERE table_schema = %(s)s
        UNION ALL SELECT 'index:' || indexname FROM pg_indexes WHERE schemaname = %(s)s
        UNION ALL SELECT 'follower:' || name || '@' || version FROM {schema}.follower_tracking) AS shape"""
    if conn is None:
        with psycopg.connect(PG_URL) as own:
            return _schema_shape(schema, own)
    row = conn.execute(query.format(schema=schema), {"s": schema}).fetchone()
    assert row is not None
    return str(row[0])


@pytest.fixture(scope="session")
def prepared_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreparedStores]:
    stores = PreparedStores(tmp_path_factory.mktemp("prepared"))
    yield stores
    stores.close()


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """A store for one test: empty of events, bootstrapped (see :class:`PreparedStores`), or not even bootstrapped
    for a test marked ``empty_store``."""
    if request.node.get_closest_marker("empty_store"):
        value, schema = make_settings(backend, tmp_path, request)
        yield value
        if schema:
            drop_schema(schema)
        return
    stores: PreparedStores = request.getfixturevalue("prepared_stores")
    if backend == "sqlite":
        yield stores.sqlite_store(tmp_path)
        return
    value, schema = stores.postgres_store(tmp_path, request)
    yield value
    stores.give_back(schema)


DEMO_KEY = base64.b64encode(b"demo-key" * 4).decode()
"""The demo stores' master key: person ids follow the deployment's keyed digest, so both demos (and a fresh load
with this key) hold the same history, event for event."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the demo history run in the process that loads it, one process per database (``--dist
    loadgroup``): each demo is loaded once in a run, and the two loads go on side by side."""
    for item in items:
        if "demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(f"demo-{item.callspec.params['demo']}"))  # type: ignore[attr-defined]


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """The demo history, loaded once per database and test process; tests only read it."""
    from api.demo.loader import build_demo

    settings, schema = make_settings(request.param, tmp_path_factory.mktemp("demo"), request)
    system = build_demo(settings.model_copy(update={"master_key": DEMO_KEY}))[0]
    yield system
    system.close()
    if schema:
        drop_schema(schema)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def system(settings: Settings, clock: ManualClock) -> Iterator[System]:
    system = bootstrap(settings, clock=clock, ids=RandomIds())
    yield system
    system.close()


ADMIN = Principal("test:admin", "admin", "350000")
REGISTRAR = Principal("test:registrar", "registrar", COUNTY)


@pytest.fixture
def token(settings: Settings):
    def make(role: str = "admin", jurisdiction: str = "350000", subject: str | None = None,
             unit_id: uuid.UUID | None = None, person_id: uuid.UUID | None = None) -> dict[str, str]:
        value = issue_token(settings.resolved_jwt_secret, subject=subject or f"{role}@{jurisdiction}", role=role,
                            jurisdiction=jurisdiction, unit_id=unit_id, person_id=person_id,
                            ttl=timedelta(hours=1))
        return {"Authorization": f"Bearer {value}"}

    return make


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system, follow=True)) as test_client:
        yield test_client
