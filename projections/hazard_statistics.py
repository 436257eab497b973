"""Hazard statistics for dashboards: found / fixed / overdue … per day, ISO week and month (日记录、周调度、月分析).

Seed 000 §28 asks for daily records, weekly dispatch and monthly analysis; seed 004 §五(三) for 周调度、月小结、季通报.
One row per counted fact (``stat_hazard_facts``), with its local day, week and month already computed and the
grade, sector and risk colour it had when it happened, so a dashboard can ``GROUP BY`` straight from the table,
and ``recorded_at`` keeps the counts answerable as known on any day. Each fact is an event: counts come from events,
never from a row's current state. Metrics:

``found`` (HazardReported), ``fixed`` (HazardClosedOut), ``overdue`` (HazardBecameOverdue), ``listed``
(ListedSupervisionOpened), ``escalated`` (ListedSupervisionEscalated), ``reopened`` (FollowUpReviewed reopened).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    Table,
    bindparam,
    func,
    literal,
    select,
    update,
)

from application.ports import LogEntry
from domain import hazards as hz
from domain import units as u
from domain.base import DomainEvent
from domain.calendar import local_day, month_label, start_of_day, week_label
from projections.bulk import insert_rows, replace_rows
from projections.columns import Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.hazard_ledger import HazardQueries
from projections.projection import Batch, Projection, current_batch, on
from projections.scope import within

METRICS = ("found", "fixed", "overdue", "listed", "escalated", "reopened")
PERIODS = {"day": "day_on", "week": "week", "month": "month"}
BREAKDOWNS = {"none": None, "grade": "grade", "sector": "sector", "colour": "colour"}

METADATA = MetaData()
FACTS = Table(
    "stat_hazard_facts", METADATA,
    Column("hazard_id", Key, primary_key=True), Column("version", Integer, primary_key=True, autoincrement=False),
    Column("metric", Key, nullable=False), Column("occurred_at", Timestamp, nullable=False),
    Column("day_on", Date, nullable=False), Column("week", Key, nullable=False), Column("month", Key, nullable=False),
    Column("recorded_at", Timestamp, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("unit_id", Key, nullable=False), Column("sector", Key, nullable=False), Column("grade", Key, nullable=False),
    Column("colour", Key),
    Index("stat_hazard_facts_day", "day_on", "metric"),
)
HAZARDS = Table(
    "stat_hazards", METADATA,
    Column("hazard_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("sector", Key, nullable=False),
    Column("grade", Key, nullable=False),
)
COLOURS = Table("stat_unit_colours", METADATA, Column("unit_id", Key, primary_key=True),
                Column("colour", Key, nullable=False))


class HazardStatistics(Projection):
    name = "hazard_statistics"
    version = 3  # 3: jurisdictions in collation "C"
    rebuild_cost = 3
    facts = FACTS
    hazards = HAZARDS
    colours = COLOURS

    def _kept(self) -> Batch:
        """The batch being applied: colours, hazards and facts are kept in it and written once at its end."""
        batch = current_batch()
        assert batch is not None, "handlers run inside Projection.process"
        batch.at_end((self.name, "statistics"), self._write)
        return batch

    def prepare(self, conn: Connection, entries: list[LogEntry]) -> None:
        """A rebuild's batch (thousands of events): the hazards its events count and their units' colours read at
        once, two ``SELECT``s — not one per hazard and one per unit in every batch (issue #15). What the handlers
        then keep in the batch (a new hazard, a grading) replaces what was read, as it would a lazy read's. A
        follower's round, a few events, reads only what it needs, when it needs it."""
        if not self.is_shadow:
            return
        events = [entry.event for entry in entries if type(entry.event) in self._handlers]
        later = {str(e.originator_id) for e in events if not isinstance(e, u.RiskColourGraded | hz.HazardReported)}
        units = {str(e.unit_id) for e in events if isinstance(e, hz.HazardReported)}
        if not later and not units:
            return
        kept = self._kept().values
        h, c = self.hazards.c, self.colours.c
        if later:
            kept |= {(self.name, "hazard", hazard_id): None for hazard_id in later}
            for row in conn.execute(select(self.hazards).where(h.hazard_id.in_(bindparam("ids", expanding=True))),
                                    {"ids": sorted(later)}).mappings():
                kept[(self.name, "hazard", row["hazard_id"])] = {**row, "new": False, "changed": False}
                units.add(row["unit_id"])
        if units:
            colours = dict.fromkeys(units) | dict(conn.execute(
                select(c.unit_id, c.colour).where(c.unit_id.in_(bindparam("ids", expanding=True))),
                {"ids": sorted(units)}).all())
            for unit_id, colour in colours.items():
                kept[(self.name, "colour", unit_id)] = kept[(self.name, "colour-read", unit_id)] = colour

    @on(u.RiskColourGraded)
    def _colour(self, conn: Connection, e: u.RiskColourGraded, _: int) -> None:
        self._kept().values[(self.name, "colour", str(e.originator_id))] = e.colour

    @on(hz.HazardReported)
    def _found(self, conn: Connection, e: hz.HazardReported, _: int) -> None:
        self._kept().values[(self.name, "hazard", str(e.originator_id))] = {
            "hazard_id": str(e.originator_id), "unit_id": str(e.unit_id), "jurisdiction": e.envelope.jurisdiction,
            "sector": e.sector, "grade": e.grade, "new": True, "changed": True}
        self._count(conn, e, "found")

    @on(hz.HazardRegraded)
    def _regraded(self, conn: Connection, e: hz.HazardRegraded, _: int) -> None:
        hazard = self._hazard(conn, str(e.originator_id))
        if hazard is not None:
            hazard.update(grade=e.grade, changed=True)

    @on(hz.HazardClosedOut)
    def _fixed(self, conn: Connection, e: hz.HazardClosedOut, _: int) -> None:
        self._count(conn, e, "fixed")

    @on(hz.HazardBecameOverdue)
    def _overdue(self, conn: Connection, e: hz.HazardBecameOverdue, _: int) -> None:
        self._count(conn, e, "overdue")

    @on(hz.ListedSupervisionOpened)
    def _listed(self, conn: Connection, e: hz.ListedSupervisionOpened, _: int) -> None:
        self._count(conn, e, "listed")

    @on(hz.ListedSupervisionEscalated)
    def _escalated(self, conn: Connection, e: hz.ListedSupervisionEscalated, _: int) -> None:
        self._count(conn, e, "escalated")

    @on(hz.FollowUpReviewed)
    def _reviewed(self, conn: Connection, e: hz.FollowUpReviewed, _: int) -> None:
        if e.reopened:
            self._count(conn, e, "reopened")

    def _unit_colour(self, conn: Connection, unit_id: str) -> str | None:
        """The unit's risk colour as of the event being applied: this batch's latest grading, else the table's."""
        kept = self._kept().values
        key = (self.name, "colour", unit_id)
        if key not in kept:
            c = self.colours.c
            kept[key] = conn.execute(select(c.colour).where(c.unit_id == unit_id)).scalar()
            kept[(self.name, "colour-read", unit_id)] = kept[key]
        colour: str | None = kept[key]
        return colour

    def _hazard(self, conn: Connection, hazard_id: str) -> dict[str, Any] | None:
        """The hazard's row as of the event being applied (read once per batch)."""
        kept = self._kept().values
        key = (self.name, "hazard", hazard_id)
        if key not in kept:
            h = self.hazards.c
            row = conn.execute(select(self.hazards).where(h.hazard_id == hazard_id)).mappings().first()
            kept[key] = None if row is None else {**row, "new": False, "changed": False}
        hazard: dict[str, Any] | None = kept[key]
        return hazard

    def _count(self, conn: Connection, e: DomainEvent, metric: str) -> None:
        """One fact for the event, with the hazard's grade, sector and unit colour as they were then."""
        hazard = self._hazard(conn, str(e.originator_id))
        if hazard is None:
            return
        facts = self._kept().values.setdefault((self.name, "facts"), [])
        facts.append({
            "hazard_id": str(e.originator_id), "version": e.originator_version, "metric": metric,
            "occurred_at": e.effective_at, "day_on": local_day(e.effective_at), "week": week_label(e.effective_at),
            "month": month_label(e.effective_at), "recorded_at": e.timestamp, "jurisdiction": hazard["jurisdiction"],
            "unit_id": hazard["unit_id"], "sector": hazard["sector"], "grade": hazard["grade"],
            "colour": self._unit_colour(conn, hazard["unit_id"])})

    def _write(self, conn: Connection) -> None:
        """Write what the batch kept: one statement per table and kind of change (``executemany``)."""
        kept = self._kept().values
        mine = {k: v for k, v in kept.items() if isinstance(k, tuple) and k[0] == self.name}
        colours = {k[2]: v for k, v in mine.items() if k[1] == "colour"
                   and (v is not None and mine.get((self.name, "colour-read", k[2]), "?") != v)}
        replace_rows(conn, self.colours, [{"unit_id": u, "colour": c} for u, c in sorted(colours.items())])
        hazards = [v for k, v in mine.items() if k[1] == "hazard" and v is not None and v["changed"]]
        columns = [c.name for c in self.hazards.columns]
        insert_rows(conn, self.hazards, [{c: h[c] for c in columns} for h in hazards if h["new"]])
        if regraded := [{"id": h["hazard_id"], "g": h["grade"]} for h in hazards if not h["new"]]:
            h = self.hazards.c
            conn.execute(update(self.hazards).where(h.hazard_id == bindparam("id")).values(grade=bindparam("g")),
                         regraded)
        insert_rows(conn, self.facts, mine.get((self.name, "facts"), []))


class StatisticsQueries:
    """Counts of the facts; a fact's hazard and unit as they stand are the hazard ledger's and the directory's
    answers, asked through their queries."""

    def __init__(self, db: Any, directory: DirectoryQueries, hazards: HazardQueries):
        self.db = db
        self.directory = directory
        self.hazards_now = hazards

    def hazards(self, scope: str, *, period: str, breakdown: str, start: date, end: date, known_at: datetime,
                jurisdiction: str | None = None) -> list[dict[str, Any]]:
        """Counts per period (and breakdown) of facts that happened in ``[start, end]`` (local days), as recorded
        by ``known_at``."""
        f = FACTS.c
        when, key = f[PERIODS[period]], BREAKDOWNS[breakdown]
        by = f[key] if key else literal(None)
        conditions = [f.occurred_at >= start_of_day(start), f.occurred_at < start_of_day(end + timedelta(days=1)),
                      f.recorded_at <= known_at, within(f.jurisdiction, scope)]
        if jurisdiction:
            conditions.append(within(f.jurisdiction, jurisdiction))
        groups = [when, f.metric, *([by] if key else [])]
        query = (select(when.label("period"), f.metric, by.label("breakdown"), func.count().label("count"))
                 .where(*conditions).group_by(*groups).order_by(*groups))
        with self.db.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [{**r, "period": str(r["period"])} for r in rows]

    def facts(self, scope: str, *, start: date, end: date, known_at: datetime, now: datetime,
              metric: str | None = None, grade: str | None = None, sector: str | None = None,
              colour: str | None = None, jurisdiction: str | None = None, limit: int = 100,
              offset: int = 0) -> list[dict[str, Any]]:
        """The facts a count of :meth:`hazards` is made of: one row per counted event in ``[start, end]`` (local
        days), as recorded by ``known_at``, each with its hazard's description, unit and status as they stand
        ``now`` (the hazard ledger's current row), so a dashboard figure opens onto the ledger rows behind it."""
        f = FACTS.c
        conditions = [f.occurred_at >= start_of_day(start), f.occurred_at < start_of_day(end + timedelta(days=1)),
                      f.recorded_at <= known_at, within(f.jurisdiction, scope)]
        filters = {f.metric: metric, f.grade: grade, f.sector: sector, f.colour: colour}
        conditions += [c == value for c, value in filters.items() if value is not None]
        if jurisdiction:
            conditions.append(within(f.jurisdiction, jurisdiction))
        query = (select(f.hazard_id, f.version, f.metric, f.occurred_at, f.day_on, f.month, f.jurisdiction, f.unit_id,
                        f.sector, f.grade, f.colour)
                 .where(*conditions).order_by(f.occurred_at, f.hazard_id, f.version).limit(limit).offset(offset))
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings().all()]
        hazards = self.hazards_now.standing({r["hazard_id"] for r in rows}, now)
        units = self.directory.unit_names({r["unit_id"] for r in rows})
        return [{**r, "unit_name": units.get(r["unit_id"], {}).get("name"),
                 "description": hazards.get(r["hazard_id"], {}).get("description"),
                 "status": hazards.get(r["hazard_id"], {}).get("status")} for r in rows]
