"""What every benchmark shares: its command line, and a fresh store on each backend (SQLite, then PostgreSQL)."""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from infrastructure.settings import Settings

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def arguments(doc: str | None, size: str = "--commands", default: int = 2000) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(size, type=int, default=default)
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL database to make a scratch schema in")
    return parser.parse_args()


@contextmanager
def backends(postgres: str) -> Iterator[Iterator[tuple[str, Settings, Path]]]:
    """Yields ``(name, settings, scratch dir)`` for an empty SQLite file and an empty PostgreSQL schema; the schema
    is dropped and the files removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        try:
            yield iter([
                ("sqlite", Settings(sqlite_path=Path(tmp) / "bench.db", data_dir=Path(tmp)), Path(tmp)),
                ("postgres", Settings(database_url=f"{postgres}?schema={schema}", data_dir=Path(tmp)), Path(tmp)),
            ])
        finally:
            with psycopg.connect(postgres, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
