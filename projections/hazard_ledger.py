"""The hazard ledger (隐患台账), bitemporal: every hazard as it stood on any day, as the system knew it then.

Each hazard is a :class:`~projections.timeline.Timeline` of its columns (grade, five assurances, deadline,
status, suspension, listing …), so "which hazards were open and overdue on the day of the accident" (``as_of``)
and "what did the ledger show that day" (``known_at``) are one indexed query each. The major-hazard ledger
(重大事故隐患台账) and the listed-supervision board (挂牌督办) are views of the same rows. Sources: seed 000 §16
(分级建立台账清单, 五落实), seed 001 §5 (重大隐患周报, 挂牌督办), seed 004 §三(一)1(2) (隐患台账清单, 闭环管理).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    func,
    or_,
    select,
    union_all,
)

from domain import hazards as hz
from domain.base import DomainEvent
from domain.calendar import end_of_day, local_day
from projections.columns import BigInt, Json, Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, on
from projections.scope import scope_parameters, visible, within
from projections.sorting import ordering
from projections.states import events_of, states_table
from projections.timeline import (
    Decided,
    Timeline,
    bitemporal_columns,
    changes_table,
    current_index,
    known,
    standing,
    valid,
)

METADATA = MetaData()
LEDGER = Table(
    "hazard_ledger", METADATA,
    Column("hazard_id", Key, primary_key=True), Column("revision", Integer, primary_key=True, autoincrement=False),
    Column("unit_id", Key, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("sector", Key, nullable=False), Column("grade", Key, nullable=False), Column("criterion_json", Json),
    Column("description", Text, nullable=False), Column("location", Text), Column("source", Key, nullable=False),
    Column("inspection_id", Key), Column("finding_no", Integer), Column("tip_id", Key),
    Column("found_at", Timestamp, nullable=False), Column("status", Key, nullable=False), Column("mode", Key),
    Column("responsible_person_id", Key), Column("measures", Text), Column("funds_yuan", BigInt),
    Column("funds_source", Text), Column("deadline_on", Date), Column("contingency_plan", Text),
    Column("suspension_scope", Text), Column("overdue_at", Timestamp), Column("submitted_at", Timestamp),
    Column("verifier_id", Key), Column("accepted_at", Timestamp), Column("closed_at", Timestamp),
    Column("listing_authority_id", Key), Column("listing_level", Key), Column("listing_supervisor_id", Key),
    Column("listed_at", Timestamp), Column("escalations", Integer, nullable=False),
    Column("reopened", Integer, nullable=False),
    Column("order_authority_id", Key), Column("ordered_at", Timestamp), Column("order_document_no", Text),
    Column("resumed_at", Timestamp),
    *bitemporal_columns(),
)
Index("hazard_ledger_scope", LEDGER.c.jurisdiction, LEDGER.c.recorded_to, LEDGER.c.valid_to)
current_index(LEDGER, "hazard_id")
# The ledger page (#15, docs/performance.md "the hazard ledger page at 10⁶"): the rows in force as known now, walked
# in the page's order and stopped at its limit; the columns after the order's are checked in the index, not the row.
CURRENT = standing(LEDGER)
_CHECKED = (LEDGER.c.hazard_id, LEDGER.c.valid_from, LEDGER.c.recorded_from, LEDGER.c.grade, LEDGER.c.status)
Index("hazard_ledger_current", LEDGER.c.found_at, *_CHECKED, postgresql_where=CURRENT, sqlite_where=CURRENT)
Index("hazard_ledger_current_deadline", LEDGER.c.deadline_on.desc().nulls_last(), *_CHECKED,
      postgresql_where=CURRENT).ddl_if(dialect="postgresql")  # SQLite: no NULLS LAST in an index
CLOSING = or_(LEDGER.c.valid_to.is_not(None), LEDGER.c.recorded_to.is_not(None))
"""Rows whose effective or recorded interval is closed: the rest of the page, found by their intervals (below)."""
Index("hazard_ledger_during", func.tstzrange(LEDGER.c.valid_from, LEDGER.c.valid_to),
      func.tstzrange(LEDGER.c.recorded_from, LEDGER.c.recorded_to), postgresql_using="gist",
      postgresql_where=CLOSING).ddl_if(dialect="postgresql")
CHANGES = changes_table("hazard_ledger", METADATA, events=True)
STATES = states_table("hazard_ledger_states", METADATA)
SORTS = {name: LEDGER.c[name] for name in ("found_at", "sector", "grade", "source", "status", "mode", "deadline_on",
                                           "listed_at", "closed_at")}
"""The keys the hazard ledger sorts by (``projections.sorting``)."""
UNFIXED = ("reported", "rectifying", "overdue")
"""Statuses in which the hazard is still there: neither submitted for acceptance, accepted nor struck off."""


def decided(hazard: hz.Hazard) -> dict[str, Any]:
    """The ledger's columns the domain decides: read from the hazard's state (``domain.hazards.Hazard``), never
    worked out again here — its status above all (one status machine, docs/DEVELOPING.md)."""
    order, listing, suspension = hazard.order, hazard.listing, hazard.suspension
    return {
        "status": hazard.status, "mode": hazard.mode, "deadline_on": hazard.deadline,
        "overdue_at": hazard.overdue_since, "submitted_at": hazard.submitted_at, "closed_at": hazard.closed_at,
        "suspension_scope": suspension.scope if suspension else None, "resumed_at": hazard.resumed_at,
        "reopened": hazard.reopened, "order_authority_id": order.authority_id if order else None,
        "ordered_at": order.issued_at if order else None, "order_document_no": order.document_no if order else None,
        "listing_authority_id": listing.authority_id if listing else None,
        "listing_level": listing.level if listing else None,
        "listing_supervisor_id": listing.supervisor_id if listing else None,
        "listed_at": listing.since if listing else None,
    }


class HazardLedger(Projection):
    """Each event records what it says by itself (who verified, what was measured, one more escalation); the status,
    deadline, order, listing, suspension and the times of the status machine are the domain's: the hazard's state
    after the event, folded with ``event.apply`` in the order the events took effect (``projections.timeline``)."""

    name = "hazard_ledger"
    # 5: the domain decides the status machine's columns, folded in effective order; 6: jurisdictions in collation "C";
    # 7: the page's indexes (rows in force by the page's order, closed rows by their intervals)
    version = 7
    rebuild_cost = 14
    ledger = LEDGER
    changes = CHANGES
    states = STATES

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.ledger, self.changes, "hazard_id", counters=frozenset({"escalations"}),
                        decided=Decided(hz.Hazard, events_of(hz), decided, self.states))

    def _change(self, conn: Connection, e: DomainEvent, changes: dict[str, Any]) -> None:
        self.timeline.record_event(conn, e, changes)

    @on(hz.HazardReported)
    def _reported(self, conn: Connection, e: hz.HazardReported, _: int) -> None:
        self._change(conn, e, {
            "unit_id": e.unit_id, "jurisdiction": e.envelope.jurisdiction, "sector": e.sector, "grade": e.grade,
            "criterion_json": e.criterion.model_dump() if e.criterion else None, "description": e.description,
            "location": e.location, "source": e.source, "inspection_id": e.inspection_id, "finding_no": e.finding_no,
            "tip_id": e.tip_id, "found_at": e.effective_at, "escalations": 0,
        })

    @on(hz.HazardRegraded)
    def _regraded(self, conn: Connection, e: hz.HazardRegraded, _: int) -> None:
        self._change(conn, e, {"grade": e.grade, "criterion_json": e.criterion.model_dump() if e.criterion else None})

    @on(hz.RectifiedOnTheSpot)
    def _on_the_spot(self, conn: Connection, e: hz.RectifiedOnTheSpot, _: int) -> None:
        self._change(conn, e, {"measures": e.measures, "accepted_at": e.effective_at})

    @on(hz.RectificationPlanned)
    def _planned(self, conn: Connection, e: hz.RectificationPlanned, _: int) -> None:
        p = e.plan
        self._change(conn, e, {
            "responsible_person_id": p.responsible_person_id, "measures": p.measures,
            "funds_yuan": p.funds.amount_yuan if p.funds else None,
            "funds_source": p.funds.source if p.funds else None, "contingency_plan": p.contingency_plan,
        })

    @on(hz.RectificationReinspected)
    def _reinspected(self, conn: Connection, e: hz.RectificationReinspected, _: int) -> None:
        self._change(conn, e, {"verifier_id": e.verifier_id, **({"accepted_at": e.effective_at} if e.passed else {})})

    @on(hz.RectificationAccepted)
    def _accepted(self, conn: Connection, e: hz.RectificationAccepted, _: int) -> None:
        self._change(conn, e, {"verifier_id": e.verifier_id, "accepted_at": e.effective_at})

    @on(hz.RectificationRejected)
    def _rejected(self, conn: Connection, e: hz.RectificationRejected, _: int) -> None:
        self._change(conn, e, {"verifier_id": e.verifier_id})

    @on(hz.RectificationOrdered, hz.ProductionResumed, hz.ProductionSuspended, hz.DeadlineExtended,
        hz.HazardBecameOverdue, hz.RectificationSubmitted, hz.HazardClosedOut, hz.ListedSupervisionOpened,
        hz.ListedSupervisorNamed)
    def _decided(self, conn: Connection, e: DomainEvent, _: int) -> None:
        """Events whose every column the domain decides (order, suspension, deadline, status, listing)."""
        self._change(conn, e, {})

    @on(hz.FollowUpReviewed)
    def _reviewed(self, conn: Connection, e: hz.FollowUpReviewed, _: int) -> None:
        self._change(conn, e, {"accepted_at": None, "verifier_id": None} if e.reopened else {})

    @on(hz.ListedSupervisionEscalated)
    def _escalated(self, conn: Connection, e: hz.ListedSupervisionEscalated, _: int) -> None:
        self._change(conn, e, {"escalations": 1})  # a counter: one more escalation


AUDIENCES = ("enterprise", "inspector")
"""The roles whose audience narrows the ledger beyond the jurisdiction (``projections.scope.audience``)."""
AS_OF = bindparam("as_of", type_=Timestamp())
KNOWN_AT = bindparam("known_at", type_=Timestamp())


@cache
def _page(postgres: bool, audience: str, filters: tuple[str, ...], jurisdiction: bool, open_only: bool,
          listed: bool | None, sort: str | None) -> Select[Any]:
    """The ledger's page of one shape (which filters, which order, whose audience), built once and run with its
    values as bound parameters (issue #15: building it was a third of the page's CPU in the query object): ``scope``,
    ``as_of``, ``known_at``, ``limit``, ``offset`` and ``depth`` (their sum), the filters by their names,
    ``jurisdiction``, ``unit_of_role`` and ``supervised`` when they apply (``projections.scope``).

    The rows in force at ``as_of`` as known at ``known_at`` that meet the conditions, in the page's order: the first
    ``depth`` of those still in force as known now (``standing``: an index walked in the order, stopped at the limit)
    and of those whose interval is closed (on PostgreSQL found by the intervals' GiST index), then that page of both.
    The same rows as one query over ``valid`` and ``known``: every row is one or the other, and the first rows of
    both hold the page's. The parts select the keys and the order's columns only and the page's rows are read by
    their keys: fewer columns for SQLAlchemy to build the statement of."""
    h = LEDGER.c
    conditions = [visible(h.jurisdiction, bindparam("scope"), h.unit_id, audience, bindparam("unit_of_role"),
                          bindparam("supervised", expanding=True)),
                  *(h[name] == bindparam(name) for name in filters)]
    if jurisdiction:
        conditions.append(within(h.jurisdiction, bindparam("jurisdiction")))
    if open_only:
        conditions.append(h.status != hz.HazardStatus.closed.value)
    if listed is not None:
        conditions.append(h.listing_authority_id.is_not(None) if listed else h.listing_authority_id.is_(None))
    if postgres:
        during = and_(func.tstzrange(h.valid_from, h.valid_to).op("@>")(AS_OF),
                      func.tstzrange(h.recorded_from, h.recorded_to).op("@>")(KNOWN_AT))
    else:
        during = and_(valid(LEDGER, AS_OF), known(LEDGER, KNOWN_AT))
    parts = [and_(CURRENT, h.valid_from <= AS_OF, h.recorded_from <= KNOWN_AT), and_(CLOSING, during)]
    order = ordering(SORTS, sort, (h.found_at, h.hazard_id), h.hazard_id)
    keys = dict.fromkeys(["hazard_id", "revision", "found_at", *([sort.removeprefix("-")] if sort else [])])
    both = union_all(*(select(*(h[key] for key in keys)).where(part, *conditions).order_by(*order)
                       .limit(bindparam("depth")).subquery().select() for part in parts)).subquery()
    u = both.c
    outer = ordering({name: u[name] for name in SORTS if name in u}, sort, (u.found_at, u.hazard_id), u.hazard_id)
    return (select(LEDGER).join(both, and_(h.hazard_id == u.hazard_id, h.revision == u.revision))
            .order_by(*outer).limit(bindparam("limit")).offset(bindparam("offset")))


class HazardQueries:
    """Bitemporal questions to the hazard ledger, scoped by jurisdiction and audience; units' names, colours and
    who supervises them come from the directory's queries."""

    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    def ledger(self, scope: str, *, as_of: datetime, known_at: datetime, role: str = "", unit_of_role: Any = None,
               jurisdiction: str | None = None, hazard_id: UUID | None = None, unit_id: UUID | None = None,
               sector: str | None = None,
               grade: str | None = None, status: str | None = None, open_only: bool = False,
               listed: bool | None = None, sort: str | None = None, limit: int = 500,
               offset: int = 0) -> list[dict[str, Any]]:
        """Each hazard as it stood at ``as_of``, as recorded by ``known_at``, with its days overdue then (in the
        order found, or by ``sort``: a key of ``SORTS``)."""
        filters = {"hazard_id": hazard_id, "unit_id": unit_id, "sector": sector, "grade": grade, "status": status}
        values: dict[str, Any] = {name: value for name, value in filters.items() if value is not None}
        audience = role if role in AUDIENCES else ""
        query = _page(self.db.dialect == "postgres", audience, tuple(values), bool(jurisdiction), open_only, listed,
                      sort)
        values |= scope_parameters("scope", scope)
        values |= {"as_of": as_of, "known_at": known_at, "depth": limit + offset, "limit": limit, "offset": offset}
        if jurisdiction:
            values |= scope_parameters("jurisdiction", jurisdiction)
        if audience:
            values["unit_of_role"] = str(unit_of_role)
        if audience == "inspector":
            values["supervised"] = sorted(map(str, self.directory.supervised_by(unit_of_role)))
        with self.db.read() as conn:
            result = conn.execute(query, values)
            columns = tuple(result.keys())
            rows = [dict(zip(columns, row, strict=True)) for row in result.all()]
            units = self.directory.unit_names({r["unit_id"] for r in rows}, within=conn)
        for row in rows:
            unit = units.get(row["unit_id"], {})
            row["unit_name"], row["risk_colour"] = unit.get("name"), unit.get("risk_colour")
            self._overdue(row, as_of)
        return rows

    def standing(self, hazard_ids: set[str], now: datetime) -> dict[str, dict[str, Any]]:
        """Hazard id → its description and status as they stand ``now`` (unscoped: for rows already scoped)."""
        if not hazard_ids:
            return {}
        h = LEDGER.c
        query = select(h.hazard_id, h.description, h.status).where(h.hazard_id.in_(sorted(hazard_ids)),
                                                                   valid(LEDGER, now), known(LEDGER, now))
        with self.db.read() as conn:
            return {r["hazard_id"]: dict(r) for r in conn.execute(query).mappings()}

    @staticmethod
    def _overdue(row: dict[str, Any], as_of: datetime) -> None:
        """Adds to ``row`` its days overdue at ``as_of`` (also before the policy marked it), and the 自查自报
        exemption: a major hazard the enterprise found itself and is fixing as planned is not penalised (seed 004
        §三(二)3(2))."""
        deadline = row["deadline_on"]
        overdue = deadline is not None and row["status"] in UNFIXED and as_of >= end_of_day(deadline)
        days = (local_day(as_of) - deadline).days if overdue else 0
        exempt = (row["source"] == "self_reported" and row["grade"] == "major" and not overdue
                  and row["status"] in ("rectifying", "submitted", "accepted", "closed"))
        row["days_overdue"], row["self_reported_exemption"] = days, exempt

    def board(self, scope: str, *, as_of: datetime, known_at: datetime, role: str = "",
              unit_of_role: Any = None) -> list[dict[str, Any]]:
        """The listed-supervision board: open listings per supervising authority, each with its age in days."""
        rows = self.ledger(scope, as_of=as_of, known_at=known_at, role=role, unit_of_role=unit_of_role,
                           open_only=True, listed=True, limit=100_000)
        names = {k: v["name"] for k, v in self.directory.unit_names({r["listing_authority_id"] for r in rows}).items()}
        boards: dict[str, dict[str, Any]] = {}
        for r in rows:
            board = boards.setdefault(r["listing_authority_id"], {
                "authority_id": r["listing_authority_id"], "authority_name": names.get(r["listing_authority_id"]),
                "level": r["listing_level"], "items": []})
            board["items"].append({**r, "age_days": (local_day(as_of) - local_day(r["listed_at"])).days})
        for board in boards.values():
            board["items"].sort(key=lambda item: -item["age_days"])
            board["open"] = len(board["items"])
            board["oldest_days"] = board["items"][0]["age_days"]
        return sorted(boards.values(), key=lambda b: (-b["oldest_days"], b["authority_id"]))
