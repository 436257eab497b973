"""Fixtures: every store-backed test runs on SQLite AND on PostgreSQL (a fresh schema per test).

PostgreSQL is required: if it is not reachable, the PostgreSQL half of the suite errors loudly (never skips).
"""

from __future__ import annotations

import os
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


def make_settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Settings, str | None]:
    base: dict[str, Any] = {
        "data_dir": tmp_path / "secrets", "master_key": None, "jwt_secret": "test-secret-" + "x" * 32,
        "projection_wait_seconds": 5.0}  # the production default: reads wait for lagging read models under load
    if backend == "sqlite":
        return Settings(sqlite_path=tmp_path / "zeren.db", database_url=None, **base), None
    url = request.getfixturevalue("postgres_ready")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    return Settings(database_url=f"{url}?schema={schema}", **base), schema


def drop_schema(schema: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    value, schema = make_settings(backend, tmp_path, request)
    yield value
    if schema:
        drop_schema(schema)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """The demo history, loaded once per database and test process; tests only read it."""
    from api.demo.loader import build_demo

    settings, schema = make_settings(request.param, tmp_path_factory.mktemp("demo"), request)
    system = build_demo(settings)[0]
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
