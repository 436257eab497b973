"""Orders on the spot (现场处理措施) and suspensions (停产停业): who ordered what, by when, and whether it was obeyed.

An order is the authority's 责令限期整改 or 责令暂时停产停业 on a hazard it found (安全生产法 第65条第一款第(二)(三)项;
docs/rules.md R8): one row per order with the department, the signing inspector, the deadline now in force and the
hazard's status as the domain decides it (each event folded with the domain's own ``apply``: ``projections.states``),
the re-inspection (复查) that accepted it, and the day the re-inspection is due while it is awaited
(``domain.rules.orders.reinspection_due``: the order's deadline bounds it). The 文书编号 is the one the command path
gave from the department's register (``domain.document_numbers``). A suspension is one row from the day work
stopped to the day the authority's review let it resume (恢复生产经营, 经审查同意) — or, for close-outs
recorded before that rule, the close-out that ended it.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)

from application.ports import LogEntry
from domain import hazards as hz
from domain.base import DomainEvent
from domain.calendar import local_day
from domain.rules import pack_for
from domain.rules.orders import reinspection_due
from projections.bulk import insert_rows
from projections.columns import Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, current_batch, on
from projections.scope import visible
from projections.states import events_of, fold, states_table

METADATA = MetaData()
ORDERS = Table(
    "orders", METADATA,
    Column("order_id", Key, primary_key=True), Column("hazard_id", Key, nullable=False),
    Column("unit_id", Key, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("grade", Key, nullable=False), Column("authority_id", Key, nullable=False),
    Column("issued_by", Key, nullable=False), Column("document_no", Text), Column("mode", Key, nullable=False),
    Column("requirements", Text, nullable=False), Column("issued_at", Timestamp, nullable=False),
    Column("ordered_deadline_on", Date, nullable=False), Column("deadline_on", Date),
    Column("status", Key, nullable=False), Column("current", Boolean, nullable=False),
    Column("reinspected_at", Timestamp), Column("complied_at", Timestamp), Column("closed_at", Timestamp),
    Column("reinspection_due_on", Date),
    Index("orders_unit", "unit_id", "issued_at"), Index("orders_authority", "authority_id", "issued_at"),
    Index("orders_hazard", "hazard_id", "current"),
)
SUSPENSIONS = Table(
    "suspensions", METADATA,
    Column("suspension_id", Key, primary_key=True), Column("hazard_id", Key, nullable=False),
    Column("unit_id", Key, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("authority_id", Key), Column("scope", Text, nullable=False), Column("reason", Text, nullable=False),
    Column("suspended_at", Timestamp, nullable=False), Column("resumed_at", Timestamp),
    Column("lifted_by", Key), Column("reviewer_id", Key),
    Index("suspensions_unit", "unit_id", "suspended_at"), Index("suspensions_hazard", "hazard_id"),
)
STATES = states_table("order_states", METADATA)
OPEN = ("reported", "rectifying", "overdue", "submitted")
"""Statuses in which an order is not yet complied with."""


@lru_cache(maxsize=16)
def _statements(orders: Table, suspensions: Table) -> dict[str, Any]:
    """The statements of the orders read model, built once per table (live or shadow): values travel as
    parameters, so nothing is built or keyed per event."""
    o, s = orders.c, suspensions.c
    return {
        "current": select(orders).where(o.hazard_id == bindparam("b_hazard"), o.current.is_(True)),
        "current_of": select(orders).where(o.hazard_id.in_(bindparam("b_hazards", expanding=True)),
                                           o.current.is_(True)),
        "update": update(orders).where(o.order_id == bindparam("b_id")),
        "suspend": insert(suspensions),
        "resume": update(suspensions).where(s.hazard_id == bindparam("b_hazard"), s.resumed_at.is_(None)),
    }


class _Kept:
    """The orders a batch touched, kept in memory and written at its end (``projections.projection.Batch``): each
    hazard's current order — read once per batch (none before a hazard's creating event), or made by the batch —
    and every order row changed, inserted or updated with one ``executemany`` each."""

    def __init__(self, sql: dict[str, Any], orders: Table) -> None:
        self.sql = sql
        self.orders = orders
        self.current: dict[str, dict[str, Any] | None] = {}
        self.rows: dict[str, tuple[dict[str, Any], bool]] = {}  # order_id → (row, new)
        self.stored: dict[str, dict[str, Any] | None] = {}  # hazard_id → its current order as read by :meth:`read`

    def read(self, conn: Connection, hazard_ids: set[str]) -> None:
        """Read the current orders of ``hazard_ids`` at once (none: ``None``), for :meth:`order_of`."""
        found = conn.execute(self.sql["current_of"], {"b_hazards": sorted(hazard_ids)}).mappings()
        self.stored |= dict.fromkeys(hazard_ids) | {row["hazard_id"]: dict(row) for row in found}

    def order_of(self, conn: Connection, hazard_id: str, first: bool) -> dict[str, Any] | None:
        """The hazard's current order (``first``: its creating event, so it has none yet)."""
        if hazard_id not in self.current:
            if hazard_id in self.stored:
                row = self.stored.pop(hazard_id)
            else:
                found = None if first else conn.execute(self.sql["current"], {"b_hazard": hazard_id}).mappings().first()
                row = None if found is None else dict(found)
            if row is not None:
                self.rows[row["order_id"]] = (row, False)
            self.current[hazard_id] = row
        return self.current[hazard_id]

    def add(self, hazard_id: str, row: dict[str, Any]) -> None:
        self.rows[row["order_id"]] = (row, True)
        self.current[hazard_id] = row

    def write(self, conn: Connection) -> None:
        new = [row for row, is_new in self.rows.values() if is_new]
        known = [{**{k: v for k, v in row.items() if k != "order_id"}, "b_id": row["order_id"]}
                 for row, is_new in self.rows.values() if not is_new]
        insert_rows(conn, self.orders, new)
        if known:
            conn.execute(self.sql["update"], known)
        self.current, self.rows = {}, {}


class Orders(Projection):
    """Each hazard event folds the hazard's state (``projections.states.fold``); the hazard's current order is kept
    in memory for the batch and written once at its end (:class:`_Kept`)."""

    name = "orders"
    # 3: a hazard's orders and suspensions found by its id (orders_hazard, suspensions_hazard);
    # 4: jurisdictions in collation "C"
    version = 4
    rebuild_cost = 8
    orders = ORDERS
    suspensions = SUSPENSIONS
    states = STATES

    def _kept(self) -> tuple[_Kept, bool]:
        """The batch's kept orders (and whether the caller must write them itself: outside a batch)."""
        sql = _statements(self.orders, self.suspensions)
        batch = current_batch()
        if batch is None:
            return _Kept(sql, self.orders), True
        key = ("orders", self.orders.name)
        if key not in batch.values:
            batch.values[key] = _Kept(sql, self.orders)
            batch.at_end(key, batch.values[key].write)
        kept: _Kept = batch.values[key]
        return kept, False

    def prepare(self, conn: Connection, entries: list[LogEntry]) -> None:
        """A rebuild's batch (thousands of events): the current orders of every hazard with an event after its first
        read at once — not one ``SELECT`` per hazard and batch (issue #15). A follower's round, a few events, reads
        only the orders it needs, when it needs them."""
        if self.is_shadow:
            hazards = {str(entry.event.originator_id) for entry in entries
                       if type(entry.event) in self._handlers and entry.event.originator_version > 1}
            if hazards:
                self._kept()[0].read(conn, hazards)

    @on(*events_of(hz))
    def _hazard(self, conn: Connection, e: DomainEvent, _: int) -> None:
        before, hazard = fold(conn, self.states, hz.Hazard, e)
        kept, alone = self._kept()
        sql, hazard_id, first = kept.sql, str(e.originator_id), e.originator_version == 1
        if isinstance(e, hz.RectificationOrdered):
            superseded = kept.order_of(conn, hazard_id, first)
            if superseded is not None:
                superseded["current"] = False
            kept.add(hazard_id, {
                "order_id": str(e.id), "hazard_id": hazard_id, "unit_id": hazard.unit_id,
                "jurisdiction": hazard.jurisdiction, "grade": hazard.grade, "authority_id": e.order.authority_id,
                "issued_by": e.order.issued_by, "document_no": e.order.document_no, "mode": e.order.mode,
                "requirements": e.order.requirements, "issued_at": e.order.issued_at,
                "ordered_deadline_on": e.order.deadline, "deadline_on": hazard.deadline, "status": hazard.status,
                "current": True, "reinspected_at": None, "complied_at": None, "closed_at": None,
                "reinspection_due_on": None})
        elif isinstance(e, hz.ProductionSuspended):
            conn.execute(sql["suspend"], {
                "suspension_id": e.id, "hazard_id": e.originator_id, "unit_id": hazard.unit_id,
                "jurisdiction": hazard.jurisdiction,
                "authority_id": hazard.order.authority_id if hazard.order else None, "scope": e.suspension.scope,
                "reason": e.suspension.reason, "suspended_at": e.effective_at, "resumed_at": None,
                "lifted_by": None, "reviewer_id": None})
        elif isinstance(e, hz.ProductionResumed | hz.HazardClosedOut) and hazard.suspension is None \
                and before is not None and before.suspension is not None:  # a suspension row open: lifted now
            review = isinstance(e, hz.ProductionResumed)
            conn.execute(sql["resume"], {
                "resumed_at": e.effective_at, "lifted_by": "review" if review else "close_out",
                "reviewer_id": e.reviewer_id if isinstance(e, hz.ProductionResumed) else None,
                "b_hazard": hazard_id})
        if hazard.order is None:  # never ordered, or reopened by a follow-up review: the order it had is history
            if before is not None and before.order is not None:
                superseded = kept.order_of(conn, hazard_id, first)
                if superseded is not None:
                    superseded["current"] = False
                    kept.current[hazard_id] = None
        else:
            order = kept.order_of(conn, hazard_id, first)
            if order is not None:
                order.update(status=hazard.status, deadline_on=hazard.deadline, closed_at=hazard.closed_at,
                             reinspection_due_on=_reinspection_due(hazard))
                if isinstance(e, hz.RectificationReinspected):
                    order["reinspected_at"] = e.effective_at
                    if e.passed:
                        order["complied_at"] = e.effective_at
        if alone:
            kept.write(conn)


def _reinspection_due(hazard: hz.Hazard) -> date | None:
    """The last day of the 复查 while one is awaited (``domain.rules.orders``); none once accepted or closed."""
    if hazard.deadline is None or hazard.status not in OPEN:
        return None
    submitted = local_day(hazard.submitted_at) if hazard.submitted_at is not None else None
    return reinspection_due(pack_for(hazard.jurisdiction), hazard.deadline, submitted)


class OrderQueries:
    """Orders by enterprise or department, the open ones, and the units whose work stood suspended at a moment."""

    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    def _scope(self, table: Table, scope: str, role: str, unit_of_role: Any) -> Any:
        supervised = self.directory.supervised_by(unit_of_role) if role == "inspector" else ()
        return visible(table.c.jurisdiction, scope, table.c.unit_id, role, unit_of_role, supervised)

    def _named(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each row with its unit's name (the directory's answer)."""
        names = self.directory.unit_names({r["unit_id"] for r in rows})
        return [{**r, "unit_name": names.get(r["unit_id"], {}).get("name")} for r in rows]

    def orders(self, scope: str, *, role: str = "", unit_of_role: Any = None, unit_id: UUID | None = None,
               authority_id: UUID | None = None, open_only: bool = False, as_of: datetime | None = None,
               limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        o = ORDERS.c
        conditions = [self._scope(ORDERS, scope, role, unit_of_role)]
        conditions += [c == value for c, value in ((o.unit_id, unit_id), (o.authority_id, authority_id))
                       if value is not None]
        if open_only:
            conditions += [o.current.is_(True), o.status.in_(OPEN)]
        if as_of is not None:
            conditions.append(o.issued_at <= as_of)
        query = select(ORDERS).where(and_(*conditions)).order_by(o.issued_at, o.order_id).limit(limit).offset(offset)
        with self.db.read() as conn:
            return self._named([dict(r) for r in conn.execute(query).mappings()])

    def order(self, scope: str, order_id: UUID, *, role: str = "", unit_of_role: Any = None) -> dict[str, Any] | None:
        """One order, if the caller may read it (an out-of-scope order is not found)."""
        query = select(ORDERS).where(ORDERS.c.order_id == order_id, self._scope(ORDERS, scope, role, unit_of_role))
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        return self._named(rows)[0] if rows else None

    def issued_by_department(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Orders issued per ordering department in ``[start, end)`` — every order, a superseded one included (it
        was an enforcement act when made)."""
        o = ORDERS.c
        query = (select(o.authority_id, func.count()).where(o.issued_at >= start, o.issued_at < end)
                 .group_by(o.authority_id))
        with self.db.read() as conn:
            return {UUID(str(department)): count for department, count in conn.execute(query)}

    def suspensions(self, scope: str, *, role: str = "", unit_of_role: Any = None, unit_id: UUID | None = None,
                    as_of: datetime | None = None, in_force: bool = False, limit: int = 500,
                    offset: int = 0) -> list[dict[str, Any]]:
        """Suspensions (停产停业); ``in_force``: only those in force at ``as_of`` (stopped by then, not yet resumed)."""
        s = SUSPENSIONS.c
        conditions = [self._scope(SUSPENSIONS, scope, role, unit_of_role)]
        if unit_id is not None:
            conditions.append(s.unit_id == unit_id)
        if as_of is not None:
            conditions.append(s.suspended_at <= as_of)
            if in_force:
                conditions.append(or_(s.resumed_at.is_(None), s.resumed_at > as_of))
        elif in_force:
            conditions.append(s.resumed_at.is_(None))
        query = (select(SUSPENSIONS).where(and_(*conditions)).order_by(s.suspended_at, s.suspension_id)
                 .limit(limit).offset(offset))
        with self.db.read() as conn:
            rows = self._named([dict(r) for r in conn.execute(query).mappings()])
        for r in rows:  # resumed after as_of: still in force then
            r["resumed_at"] = r["resumed_at"] if as_of is None or (r["resumed_at"] and r["resumed_at"] <= as_of) \
                else None
            if r["resumed_at"] is None:
                r["lifted_by"] = r["reviewer_id"] = None
        return rows
