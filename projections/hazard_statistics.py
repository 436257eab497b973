"""Hazard statistics for dashboards: found / fixed / overdue … per day, ISO week and month (日记录、周调度、月分析).

Seed 000 §28 asks for daily records, weekly dispatch and monthly analysis; seed 004 §五(三) for 周调度、月小结、季通报.
One row per counted fact (``stat_hazard_facts``), with its local day, week and month already computed and the
grade, sector and risk colour it had when it happened, so a dashboard can ``GROUP BY`` straight from the table,
and ``recorded_at`` keeps the counts answerable as known on any day. Metrics:

``found`` (HazardReported), ``fixed`` (HazardClosedOut), ``overdue`` (HazardBecameOverdue), ``listed``
(ListedSupervisionOpened), ``escalated`` (ListedSupervisionEscalated), ``reopened`` (FollowUpReviewed reopened).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain import hazards as hz
from domain import units as u
from domain.base import DomainEvent
from domain.calendar import local_day, month_label, start_of_day, week_label
from projections.follower import LegacyProjection as Projection
from projections.follower import on
from projections.sql import ReadDatabase, Tx, scope_clause, scope_params

METRICS = ("found", "fixed", "overdue", "listed", "escalated", "reopened")
PERIODS = {"day": "day_on", "week": "week", "month": "month"}
BREAKDOWNS = {"none": None, "grade": "grade", "sector": "sector", "colour": "colour"}


class HazardStatistics(Projection):
    name = "hazard_statistics"
    version = 1
    tables = ("stat_hazard_facts", "stat_hazards", "stat_unit_colours")
    ddl = (
        "CREATE TABLE stat_hazard_facts (hazard_id TEXT NOT NULL, version INTEGER NOT NULL, metric TEXT NOT NULL, "
        "occurred_at {TS} NOT NULL, day_on {DATE} NOT NULL, week TEXT NOT NULL, month TEXT NOT NULL, "
        "recorded_at {TS} NOT NULL, jurisdiction TEXT NOT NULL, unit_id TEXT NOT NULL, sector TEXT NOT NULL, "
        "grade TEXT NOT NULL, colour TEXT, PRIMARY KEY (hazard_id, version))",
        "CREATE INDEX stat_hazard_facts_day ON stat_hazard_facts (day_on, metric)",
        "CREATE TABLE stat_hazards (hazard_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, jurisdiction TEXT NOT NULL, "
        "sector TEXT NOT NULL, grade TEXT NOT NULL)",
        "CREATE TABLE stat_unit_colours (unit_id TEXT PRIMARY KEY, colour TEXT NOT NULL)",
    )

    @on(u.RiskColourGraded)
    def _colour(self, tx: Tx, e: u.RiskColourGraded, _: int) -> None:
        tx.execute("DELETE FROM stat_unit_colours WHERE unit_id = :u", {"u": e.originator_id})
        tx.execute("INSERT INTO stat_unit_colours VALUES (:u, :c)", {"u": e.originator_id, "c": e.colour})

    @on(hz.HazardReported)
    def _found(self, tx: Tx, e: hz.HazardReported, _: int) -> None:
        tx.execute("INSERT INTO stat_hazards VALUES (:h, :u, :j, :s, :g)",
                   {"h": e.originator_id, "u": e.unit_id, "j": e.envelope.jurisdiction, "s": e.sector, "g": e.grade})
        self._count(tx, e, "found")

    @on(hz.HazardRegraded)
    def _regraded(self, tx: Tx, e: hz.HazardRegraded, _: int) -> None:
        tx.execute("UPDATE stat_hazards SET grade = :g WHERE hazard_id = :h", {"h": e.originator_id, "g": e.grade})

    @on(hz.HazardClosedOut)
    def _fixed(self, tx: Tx, e: hz.HazardClosedOut, _: int) -> None:
        self._count(tx, e, "fixed")

    @on(hz.HazardBecameOverdue)
    def _overdue(self, tx: Tx, e: hz.HazardBecameOverdue, _: int) -> None:
        self._count(tx, e, "overdue")

    @on(hz.ListedSupervisionOpened)
    def _listed(self, tx: Tx, e: hz.ListedSupervisionOpened, _: int) -> None:
        self._count(tx, e, "listed")

    @on(hz.ListedSupervisionEscalated)
    def _escalated(self, tx: Tx, e: hz.ListedSupervisionEscalated, _: int) -> None:
        self._count(tx, e, "escalated")

    @on(hz.FollowUpReviewed)
    def _reviewed(self, tx: Tx, e: hz.FollowUpReviewed, _: int) -> None:
        if e.reopened:
            self._count(tx, e, "reopened")

    @staticmethod
    def _count(tx: Tx, e: DomainEvent, metric: str) -> None:
        hazard = tx.one("SELECT h.*, c.colour FROM stat_hazards h LEFT JOIN stat_unit_colours c "
                        "ON c.unit_id = h.unit_id WHERE h.hazard_id = :h", {"h": e.originator_id})
        assert hazard is not None
        tx.execute(
            "INSERT INTO stat_hazard_facts VALUES (:h, :v, :m, :at, :day, :week, :month, :rec, :j, :u, :s, :g, :c)",
            {"h": e.originator_id, "v": e.originator_version, "m": metric, "at": e.effective_at,
             "day": local_day(e.effective_at), "week": week_label(e.effective_at), "month": month_label(e.effective_at),
             "rec": e.timestamp, "j": hazard["jurisdiction"], "u": hazard["unit_id"], "s": hazard["sector"],
             "g": hazard["grade"], "c": hazard["colour"]},
        )


class StatisticsQueries:
    def __init__(self, db: ReadDatabase):
        self.db = db

    def hazards(self, scope: str, *, period: str, breakdown: str, start: date, end: date, known_at: datetime,
                jurisdiction: str | None = None) -> list[dict[str, Any]]:
        """Counts per period (and breakdown) of facts that happened in ``[start, end]`` (local days), as recorded
        by ``known_at``."""
        column, key = PERIODS[period], BREAKDOWNS[breakdown]
        groups = f"f.{column}, f.metric" + (f", f.{key}" if key else "")
        sql = (f"SELECT f.{column} AS period, f.metric, {f'f.{key}' if key else 'NULL'} AS breakdown, "
               "COUNT(*) AS count FROM stat_hazard_facts f WHERE f.occurred_at >= :start AND f.occurred_at < :end "
               f"AND f.recorded_at <= :known_at AND {scope_clause('f.jurisdiction')}")
        params: dict[str, Any] = {"start": start_of_day(start), "end": start_of_day(end + timedelta(days=1)),
                                  "known_at": known_at, **scope_params(scope)}
        if jurisdiction:
            sql += " AND (f.jurisdiction = :j OR f.jurisdiction LIKE :j_below)"
            params.update(j=jurisdiction, j_below=jurisdiction + "/%")
        sql += f" GROUP BY {groups} ORDER BY {groups}"
        with self.db.read() as tx:
            rows = tx.all(sql, params)
        return [{**r, "period": str(r["period"])} for r in rows]
