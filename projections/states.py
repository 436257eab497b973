"""Each record's state as the domain decides it: a projection that shows a status folds the record's events with the
domain's own ``event.apply`` (the aggregate's pure evolution) and reads the status from the result, so there is one
status machine — the domain's — and no copy of it to drift (docs/DEVELOPING.md, One status machine)."""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Integer, MetaData, Table, bindparam, insert, select, update

from domain.base import Aggregate, DomainEvent
from projections.bulk import insert_rows
from projections.columns import Json, Key
from projections.projection import current_batch

A = TypeVar("A", bound=Aggregate)


def states_table(name: str, metadata: MetaData) -> Table:
    """A projection's own copy of each aggregate's state (the domain's, as JSON), keyed by aggregate id."""
    return Table(name, metadata, Column("aggregate_id", Key, primary_key=True),
                 Column("version", Integer, nullable=False), Column("state_json", Json, nullable=False))


@functools.cache
def events_of(module: ModuleType) -> tuple[type[DomainEvent], ...]:
    """Every event class a domain module declares (the events of its aggregate)."""
    return tuple(value for value in vars(module).values() if isinstance(value, type)
                 and issubclass(value, DomainEvent) and value.__module__ == module.__name__)


def fold(conn: Connection, table: Table, cls: type[A], event: DomainEvent) -> tuple[A | None, A]:
    """The aggregate's state before and after ``event`` (its stored state evolved by ``event.apply``, stored back).

    Within a projection's batch (``projections.projection.Batch``) the state is read once per record and kept in
    memory, and every state the batch changed is written at its end in one ``executemany`` per table."""
    first = event.originator_version == 1  # a creating event: no state stored before it, nothing to read
    before = None if first else load(conn, table, cls, event.originator_id)
    after: A = event.apply(before)
    store(conn, table, event.originator_id, after, new=first or None)
    return before, after


def load(conn: Connection, table: Table, cls: type[A], aggregate_id: Any) -> A | None:
    """The record's state as the projection keeps it (``None`` before its first event)."""
    batch = current_batch()
    key = (table.name, aggregate_id)
    if batch is not None and key in batch.values:
        kept: A = batch.values[key][1]
        return kept
    stored = conn.execute(select(table.c.state_json).where(table.c.aggregate_id == aggregate_id)).scalar()
    state = None if stored is None else cls.model_validate(stored)
    if batch is not None:
        batch.values[key] = (table, state, stored is None)
    return state


def preload(conn: Connection, table: Table, cls: type[A], aggregate_ids: set[Any]) -> None:
    """Read the stored states of these records into the batch being applied, in one statement (what :func:`load`
    would read of each, one statement a record)."""
    batch = current_batch()
    assert batch is not None
    wanted = [aggregate_id for aggregate_id in aggregate_ids if (table.name, aggregate_id) not in batch.values]
    if not wanted:
        return
    found = {str(key): stored for key, stored in conn.execute(_statements(table)["states"],
                                                              {"ids": sorted(map(str, wanted))})}
    for aggregate_id in wanted:
        stored = found.get(str(aggregate_id))
        batch.values[(table.name, aggregate_id)] = (table, None if stored is None else cls.model_validate(stored),
                                                    stored is None)


def store(conn: Connection, table: Table, aggregate_id: Any, state: Aggregate, new: bool | None = None) -> None:
    """Keep ``state`` as the record's state: in the batch (written at its end), or at once outside one (``new``:
    the caller knows the record has no stored state yet, e.g. after its creating event)."""
    batch = current_batch()
    key = (table.name, aggregate_id)
    if batch is not None:
        if key in batch.values:
            new = batch.values[key][2]
        elif new is None:
            new = _absent(conn, table, aggregate_id)
        batch.values[key] = (table, state, new)
        batch.at_end(("states", table.name), lambda c: _write(c, table, batch.values))
        return
    values: dict[str, Any] = {"version": state.version, "state_json": state.model_dump(mode="json")}
    if new if new is not None else _absent(conn, table, aggregate_id):
        conn.execute(insert(table).values(aggregate_id=aggregate_id, **values))
    else:
        conn.execute(update(table).where(table.c.aggregate_id == aggregate_id).values(**values))


def _absent(conn: Connection, table: Table, aggregate_id: Any) -> bool:
    return conn.execute(select(table.c.aggregate_id).where(table.c.aggregate_id == aggregate_id)).first() is None


def _write(conn: Connection, table: Table, kept: dict[Any, Any]) -> None:
    """Write the states a batch kept for ``table``: new ones inserted, known ones updated (one executemany each)."""
    rows = [(key[1], value[1], value[2]) for key, value in kept.items()  # the batch keeps other helpers' values too
            if isinstance(value, tuple) and value[0] is table and value[1] is not None]
    inserts = [{"aggregate_id": aggregate_id, "version": state.version, "state_json": state.model_dump(mode="json")}
               for aggregate_id, state, new in rows if new]
    updates = [{"id": aggregate_id, "v": state.version, "s": state.model_dump(mode="json")}
               for aggregate_id, state, new in rows if not new]
    insert_rows(conn, table, inserts)
    if updates:
        conn.execute(_statements(table)["update"], updates)


@functools.lru_cache(maxsize=128)
def _statements(table: Table) -> dict[str, Any]:
    """The statements every batch runs on ``table``, built once per table (live or shadow): the values travel as
    parameters, so no statement is built (nor its cache key derived) per batch — a follower's round is a batch of a
    few events, where building them was a fixed cost of every round (issue #15)."""
    c = table.c
    return {"states": select(c.aggregate_id, c.state_json).where(c.aggregate_id.in_(bindparam("ids", expanding=True))),
            "update": update(table).where(c.aggregate_id == bindparam("id"))
            .values(version=bindparam("v"), state_json=bindparam("s"))}
