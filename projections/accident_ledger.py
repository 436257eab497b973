"""The accident ledger (事故台账): each accident as it stood on a day, as known then, for the dashboard's accidents by
grade and the accident ledger page (issue #14).

One bitemporal row per segment (``projections.timeline``) of an accident's state: the grade (事故等级, 493号令
第3条, decided by the domain and changed only by ``AccidentRegraded``), the figures the latest report gave, the
number of reports and of irregularities flagged, the suspicion of concealment and the committee's listing. Every
column is the domain's (``timeline.Decided``): read from the accident's state after each event, folded with the
domain's own ``apply`` in the order the events took effect, so a report recorded late re-folds the timeline right.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    func,
    select,
)

from domain import accidents as ac
from domain.base import DomainEvent
from domain.calendar import start_of_day
from projections.columns import BigInt, Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, on
from projections.scope import within
from projections.sorting import ordering
from projections.states import events_of, states_table
from projections.timeline import Decided, Timeline, bitemporal_columns, changes_table, current_index, known, valid

METADATA = MetaData()
LEDGER = Table(
    "accident_ledger", METADATA,
    Column("accident_id", Key, primary_key=True), Column("revision", Integer, primary_key=True, autoincrement=False),
    Column("unit_id", Key, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("sector", Key, nullable=False), Column("kind", Key, nullable=False),
    Column("occurred_at", Timestamp, nullable=False), Column("place", Text, nullable=False),
    Column("description", Text, nullable=False), Column("known_from", Key, nullable=False),
    Column("learned_at", Timestamp, nullable=False), Column("grade", Key, nullable=False),
    Column("deaths", Integer, nullable=False), Column("missing", Integer, nullable=False),
    Column("serious_injuries", Integer, nullable=False), Column("direct_loss_yuan", BigInt, nullable=False),
    Column("reports", Integer, nullable=False), Column("flags", Integer, nullable=False),
    Column("concealment_suspected", Boolean, nullable=False), Column("listed_by_id", Key),
    *bitemporal_columns(),
)
Index("accident_ledger_scope", LEDGER.c.jurisdiction, LEDGER.c.recorded_to, LEDGER.c.valid_to)
current_index(LEDGER, "accident_id")
CHANGES = changes_table("accident_ledger", METADATA, events=True)
STATES = states_table("accident_ledger_states", METADATA)
SORTS = {name: LEDGER.c[name] for name in ("occurred_at", "grade", "kind", "sector", "deaths", "serious_injuries",
                                           "direct_loss_yuan", "learned_at")}
"""The keys the accident ledger sorts by (``projections.sorting``)."""


def decided(accident: ac.Accident) -> dict[str, Any]:
    """The ledger's columns: read from the accident's state (``domain.accidents.Accident``), never worked out here."""
    figures = accident.figures
    return {"unit_id": accident.unit_id, "jurisdiction": accident.jurisdiction, "sector": accident.sector,
            "kind": accident.kind, "occurred_at": accident.occurred_at, "place": accident.place,
            "description": accident.description, "known_from": accident.known_from, "learned_at": accident.known_at,
            "grade": accident.grade, "deaths": figures.deaths, "missing": figures.missing,
            "serious_injuries": figures.serious_injuries, "direct_loss_yuan": figures.direct_loss_yuan,
            "reports": len(accident.reports), "flags": len(accident.flags),
            "concealment_suspected": accident.concealment_suspected, "listed_by_id": accident.listed_by_id}


class AccidentLedger(Projection):
    name = "accident_ledger"
    version = 2  # 2: jurisdictions in collation "C"
    ledger = LEDGER
    changes = CHANGES
    states = STATES

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.ledger, self.changes, "accident_id",
                        decided=Decided(ac.Accident, events_of(ac), decided, self.states))

    @on(*events_of(ac))
    def _accident(self, conn: Connection, e: DomainEvent, _: int) -> None:
        self.timeline.record_event(conn, e, {})


class AccidentQueries:
    """The accidents of a jurisdiction on a day as known then, and their counts by grade (in SQL)."""

    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    @staticmethod
    def _conditions(scope: str, as_of: datetime, known_at: datetime, jurisdiction: str | None, start: date | None,
                    end: date | None, **filters: Any) -> list[Any]:
        a = LEDGER.c
        conditions = [valid(LEDGER, as_of), known(LEDGER, known_at), within(a.jurisdiction, scope)]
        if jurisdiction:
            conditions.append(within(a.jurisdiction, jurisdiction))
        if start is not None:
            conditions.append(a.occurred_at >= start_of_day(start))
        if end is not None:
            conditions.append(a.occurred_at < start_of_day(end + timedelta(days=1)))
        conditions += [a[name] == value for name, value in filters.items() if value is not None]
        return conditions

    def ledger(self, scope: str, *, as_of: datetime, known_at: datetime, jurisdiction: str | None = None,
               accident_id: UUID | None = None, unit_id: UUID | None = None, grade: str | None = None,
               start: date | None = None, end: date | None = None, sort: str | None = None, limit: int = 100,
               offset: int = 0) -> list[dict[str, Any]]:
        """Each accident that occurred in ``[start, end]`` (local days) as it stood at ``as_of``, as recorded by
        ``known_at``, latest first (or by ``sort``: a key of ``SORTS``), with its unit's name."""
        a = LEDGER.c
        conditions = self._conditions(scope, as_of, known_at, jurisdiction, start, end, accident_id=accident_id,
                                      unit_id=unit_id, grade=grade)
        order = ordering(SORTS, sort, (a.occurred_at.desc(), a.accident_id), a.accident_id)
        query = select(LEDGER).where(and_(*conditions)).order_by(*order).limit(limit).offset(offset)
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        names = self.directory.unit_names({r["unit_id"] for r in rows})
        return [{**r, "unit_name": names.get(r["unit_id"], {}).get("name")} for r in rows]

    def by_grade(self, scope: str, *, as_of: datetime, known_at: datetime, jurisdiction: str | None = None,
                 start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
        """The accidents of :meth:`ledger` counted by grade, with their dead, missing, seriously injured and direct
        loss (one ``GROUP BY``: the dashboard never pages through the ledger to count)."""
        a = LEDGER.c
        conditions = self._conditions(scope, as_of, known_at, jurisdiction, start, end)
        query = (select(a.grade, func.count().label("accidents"), func.sum(a.deaths).label("deaths"),
                        func.sum(a.missing).label("missing"), func.sum(a.serious_injuries).label("serious_injuries"),
                        func.sum(a.direct_loss_yuan).label("direct_loss_yuan"))
                 .where(and_(*conditions)).group_by(a.grade).order_by(a.grade))
        with self.db.read() as conn:
            return [{k: int(v) if k != "grade" else v for k, v in r.items()}
                    for r in conn.execute(query).mappings()]
