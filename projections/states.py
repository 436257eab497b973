"""Each record's state as the domain decides it: a projection that shows a status folds the record's events with the
domain's own ``event.apply`` (the aggregate's pure evolution) and reads the status from the result, so there is one
status machine — the domain's — and no copy of it to drift (docs/DEVELOPING.md, One status machine)."""

from __future__ import annotations

from types import ModuleType
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Integer, MetaData, Table, insert, select, update

from domain.base import Aggregate, DomainEvent
from projections.columns import Json, Key

A = TypeVar("A", bound=Aggregate)


def states_table(name: str, metadata: MetaData) -> Table:
    """A projection's own copy of each aggregate's state (the domain's, as JSON), keyed by aggregate id."""
    return Table(name, metadata, Column("aggregate_id", Key, primary_key=True),
                 Column("version", Integer, nullable=False), Column("state_json", Json, nullable=False))


def events_of(module: ModuleType) -> tuple[type[DomainEvent], ...]:
    """Every event class a domain module declares (the events of its aggregate)."""
    return tuple(value for value in vars(module).values() if isinstance(value, type)
                 and issubclass(value, DomainEvent) and value.__module__ == module.__name__)


def fold(conn: Connection, table: Table, cls: type[A], event: DomainEvent) -> tuple[A | None, A]:
    """The aggregate's state before and after ``event`` (its stored state evolved by ``event.apply``, stored back)."""
    stored = conn.execute(select(table.c.state_json).where(table.c.aggregate_id == event.originator_id)).scalar()
    before = None if stored is None else cls.model_validate(stored)
    after: A = event.apply(before)
    values: dict[str, Any] = {"version": after.version, "state_json": after.model_dump(mode="json")}
    if stored is None:
        conn.execute(insert(table).values(aggregate_id=event.originator_id, **values))
    else:
        conn.execute(update(table).where(table.c.aggregate_id == event.originator_id).values(**values))
    return before, after
