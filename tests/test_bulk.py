"""``projections.bulk.insert_rows`` stores what SQLAlchemy's own ``INSERT`` would, on both databases (PostgreSQL: a
binary ``COPY``), so a rebuild's rows are the same whichever path wrote them; ``replace_rows`` leaves what deleting
the rows' keys and inserting them would (docs/performance.md, issue #15)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import pytest
from psycopg.dbapi20 import BinaryBinaryDumper
from psycopg.errors import UniqueViolation
from psycopg.types.json import JsonbBinaryDumper
from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, Table, Text, delete, insert, select
from sqlalchemy.exc import IntegrityError

from api.bootstrap import System
from infrastructure.following import pipelined
from projections.bulk import insert_rows, replace_rows
from projections.columns import BigInt, Json, Key, Timestamp


class Colour(StrEnum):
    red = "red"


def twin(name: str, metadata: MetaData) -> Table:
    return Table(name, metadata, Column("id", Key, primary_key=True), Column("n", Integer), Column("big", BigInt),
                 Column("at", Timestamp), Column("on", Date), Column("flag", Boolean), Column("score", Float),
                 Column("note", Text), Column("doc", Json), Column("kind", Key))


@pytest.fixture
def tables(system: System) -> Iterator[tuple[Table, Table]]:
    metadata = MetaData()
    ours, theirs = twin("bulk_ours", metadata), twin("bulk_theirs", metadata)
    with system.db.transaction() as conn:
        metadata.create_all(conn)
    yield ours, theirs
    with system.db.transaction() as conn:
        metadata.drop_all(conn)


ROWS: list[dict[str, Any]] = [
    {"id": uuid.UUID(int=1), "n": 7, "big": 2**40, "at": datetime(2025, 1, 6, 1, 2, 3, 456789, tzinfo=UTC),
     "on": date(2025, 1, 6), "flag": True, "score": 82.5, "note": "三管三必须", "doc": {"a": [1, "二", None]},
     "kind": Colour.red},
    {"id": "plain", "n": None, "big": None, "at": None, "on": None, "flag": None, "score": 80, "note": None,
     "doc": None, "kind": None},  # a JSON column's None is JSON null, as SQLAlchemy binds it
]


def test_the_rows_are_those_sqlalchemys_insert_stores(system: System, tables: tuple[Table, Table]) -> None:
    ours, theirs = tables
    with system.db.transaction() as conn:
        insert_rows(conn, ours, ROWS)
        conn.execute(insert(theirs), ROWS)
    with system.db.read() as conn:
        mine = conn.execute(select(ours).order_by(ours.c.id)).all()
        expected = conn.execute(select(theirs).order_by(theirs.c.id)).all()
        sql_null = [conn.execute(select(t.c.id).where(t.c.doc.is_(None))).all() for t in tables]
    assert mine == expected
    assert mine[0].doc == {"a": [1, "二", None]}
    assert mine[0].kind == "red"
    assert mine[1].score == 80.0
    assert sql_null == [[], []]  # JSON null in both, not SQL NULL


def test_a_row_already_stored_fails_its_primary_key(system: System, tables: tuple[Table, Table]) -> None:
    ours, _ = tables
    with system.db.transaction() as conn:
        insert_rows(conn, ours, ROWS[:1])
    with pytest.raises((IntegrityError, UniqueViolation)), system.db.transaction() as conn:
        insert_rows(conn, ours, ROWS[:1])
    with system.db.read() as conn:
        assert conn.execute(select(ours.c.id)).scalars().all() == [str(uuid.UUID(int=1))]


def test_inside_a_followers_pipeline_the_rows_are_the_same(system: System, tables: tuple[Table, Table]) -> None:
    """A follower's round runs in psycopg's pipeline mode (``infrastructure.following.pipelined``), where ``COPY``
    cannot run: the rows go in by ``INSERT`` riding the pipeline, and are the same."""
    ours, theirs = tables
    with system.db.transaction() as conn, pipelined(conn):
        insert_rows(conn, ours, ROWS)
        conn.execute(insert(theirs), ROWS)
    with system.db.read() as conn:
        assert conn.execute(select(ours).order_by(ours.c.id)).all() == conn.execute(
            select(theirs).order_by(theirs.c.id)).all()


@pytest.mark.parametrize("pipeline", [False, True], ids=["plain", "pipelined"])
def test_replaced_rows_are_what_a_delete_and_an_insert_leave(system: System, tables: tuple[Table, Table],
                                                             pipeline: bool) -> None:
    """A stored row whose key comes again takes every value of the new one (a JSON null, a None included); a new key
    is inserted; the other rows stay — in a follower's pipeline too."""
    ours, theirs = tables
    again = [{**ROWS[0], "n": None, "note": "改", "doc": None, "kind": None},
             {**ROWS[1], "id": "new", "n": 3, "doc": {"b": 1}}]
    with system.db.transaction() as conn:
        for table in tables:
            insert_rows(conn, table, ROWS)
    with system.db.transaction() as conn, pipelined(conn) if pipeline else nullcontext():
        replace_rows(conn, ours, again)
        conn.execute(delete(theirs).where(theirs.c.id.in_([row["id"] for row in again])))
        conn.execute(insert(theirs), again)
    with system.db.read() as conn:
        mine = conn.execute(select(ours).order_by(ours.c.id)).all()
        expected = conn.execute(select(theirs).order_by(theirs.c.id)).all()
    assert mine == expected
    assert {(row.id, row.n, row.note) for row in mine} == {
        (str(uuid.UUID(int=1)), None, "改"), ("new", 3, None), ("plain", None, None)}


@pytest.mark.parametrize("backend", ["postgres"])  # the COPY is PostgreSQL's
def test_json_goes_into_the_copy_as_its_field_not_through_psycopgs_dumper(
        system: System, tables: tuple[Table, Table], monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: a ``jsonb`` value is serialised by the connection's own JSON serialiser straight to its binary
    field (``projections.bulk._jsonb``), not wrapped and dumped again value by value, and that field passed on by
    the driver's own bytes dumper, not DB-API's ``Binary`` one (issue #15); the rows stay SQLAlchemy's."""
    def dumped(*_: Any) -> None:
        raise AssertionError("a jsonb value went through a dumper in Python")

    ours, theirs = tables
    with system.db.transaction() as conn:
        conn.execute(insert(theirs), ROWS)
        monkeypatch.setattr(JsonbBinaryDumper, "dump", dumped)
        monkeypatch.setattr(BinaryBinaryDumper, "dump", dumped)
        insert_rows(conn, ours, ROWS)
    monkeypatch.undo()
    with system.db.read() as conn:
        assert conn.execute(select(ours).order_by(ours.c.id)).all() == conn.execute(
            select(theirs).order_by(theirs.c.id)).all()
