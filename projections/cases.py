"""The case ledger (行政处罚案件台账): every penalty case with its status, deadlines, amounts, tier and why; penalty
statistics per department, sector and month; the 第113条 counters; and what the worker must fire.

Each case's status is the domain's: its events are folded with ``event.apply`` (``projections.states``) and the row
is written from the result. ``case_unit_hazards`` remembers which unit each hazard is at, so that a command opening a
case finds the unit's hazards (``Directory.hazards_of``) and then reads their histories from the event store.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
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
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import case as when

from domain import cases as cs
from domain import hazards as hz
from domain.base import DomainEvent
from domain.rules.penalties import add_years, days_left
from projections.columns import BigInt, Json, Jurisdiction, Key, Timestamp
from projections.projection import Projection, defer, on
from projections.scope import visible, within
from projections.sorting import ordering
from projections.states import events_of, fold, states_table
from projections.timeline import Decided, Timeline, changes_table, history_of, known, standing, valid

METADATA = MetaData()
Money = BigInt
"""Amounts in fen (0.01 yuan), exact and summable on both databases; queries answer yuan (``yuan``)."""
CASES = Table(
    "case_ledger", METADATA,
    Column("case_id", Key, primary_key=True), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("unit_id", Key, nullable=False), Column("department_id", Key, nullable=False), Column("sector", Key),
    Column("article", Key, nullable=False), Column("violation", Text, nullable=False),
    Column("source_kind", Key, nullable=False), Column("source_id", Key, nullable=False),
    Column("status", Key, nullable=False), Column("tier", Key, nullable=False), Column("facts_json", Json),
    Column("rules_version", Key), Column("opened_on", Date, nullable=False), Column("opened_at", Timestamp),
    Column("decision_due", Date, nullable=False), Column("hearing_due", Date), Column("payment_due", Date),
    Column("responsible_person_id", Key), Column("responsible_post_id", Key),
    Column("proposed_unit_yuan", Money), Column("proposed_person_yuan", Money),
    Column("notified_on", Date), Column("hearing_requested_on", Date), Column("hearing_held_on", Date),
    Column("hearing_waived", Boolean, nullable=False), Column("reviewed_on", Date),
    Column("decision_no", Key), Column("decided_on", Date), Column("unit_yuan", Money), Column("person_yuan", Money),
    Column("departure_reason", Text), Column("decided_late", Boolean), Column("penalised", Boolean, nullable=False),
    Column("served_on", Date), Column("paid_yuan", Money), Column("surcharge_yuan", Money),
    Column("daily_fines_yuan", Money), Column("decision_overdue", Boolean, nullable=False),
    Column("payment_overdue", Boolean, nullable=False), Column("settled", Boolean, nullable=False),
    Column("transferred_to", Text), Column("transferred_on", Date), Column("receipt_no", Key),
    Index("case_ledger_scope", "jurisdiction", "status"), Index("case_ledger_unit", "unit_id"),
)
UNIT_HAZARDS = Table(
    "case_unit_hazards", METADATA,
    Column("hazard_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("grade", Key, nullable=False), Column("open", Boolean, nullable=False),
    Index("case_unit_hazards_unit", "unit_id"),
)
CLOSURES = Table(
    "closure_proposals", METADATA,
    Column("closure_id", Key, primary_key=True), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("unit_id", Key, nullable=False), Column("hazard_id", Key, nullable=False), Column("rule", Key),
    Column("window_from", Date), Column("window_to", Date), Column("cases_json", Json),
    Column("proposed_at", Timestamp, nullable=False), Column("decided", Boolean, nullable=False),
    Column("approved", Boolean), Column("reason", Text),
)
STATES = states_table("case_states", METADATA)
HISTORY = history_of(CASES, "case_history", "case_id", METADATA)
"""Each case's rows over effective time as known over recorded time (``projections.timeline``): the case ledger on a
past day as known then (issue #14)."""
HISTORY_CHANGES = changes_table("case_history", METADATA, events=True)
HISTORY_STATES = states_table("case_history_states", METADATA)
SORTS = {name: HISTORY.c[name] for name in ("opened_on", "status", "tier", "decision_due", "decided_on",
                                            "unit_yuan", "person_yuan")}
"""The keys the case ledger sorts by (``projections.sorting``)."""


MONEY = ("proposed_unit_yuan", "proposed_person_yuan", "unit_yuan", "person_yuan", "paid_yuan", "surcharge_yuan",
         "daily_fines_yuan")


@lru_cache(maxsize=8)
def _unit_hazard_statements(table: Table) -> dict[str, Any]:
    """The writes of ``case_unit_hazards`` (live or shadow), built once per table so that a batch's events share each
    one (``projections.projection.defer``: one ``executemany`` per statement at the end of the batch)."""
    by_id = table.c.hazard_id == bindparam("b_id")
    return {"insert": insert(table), "grade": update(table).where(by_id).values(grade=bindparam("b_grade")),
            "open": update(table).where(by_id).values(open=bindparam("b_open"))}


def fen(value: Decimal | None) -> int | None:
    return None if value is None else int(Decimal(value) * 100)


def yuan(value: int | None) -> Decimal | None:
    return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


def _row(case: cs.PenaltyCase) -> dict[str, Any]:
    d, n = case.decision, case.notice
    proposal = case.proposal
    return {
        "jurisdiction": case.jurisdiction, "unit_id": case.unit_id, "department_id": case.department_id,
        "sector": case.sector, "article": case.article, "violation": case.violation,
        "source_kind": case.source.kind, "source_id": case.source.id, "status": case.status, "tier": proposal.tier,
        "facts_json": [f.model_dump(mode="json") for f in proposal.facts], "opened_on": case.opened_on,
        "decision_due": case.decision_due, "hearing_due": n.hearing_due if n else None,
        "payment_due": case.payment_due,
        "responsible_person_id": case.responsible.person_id if case.responsible else None,
        "responsible_post_id": case.responsible.post_id if case.responsible else None,
        "notified_on": n.notified_on if n else None, "hearing_requested_on": case.hearing_requested_on,
        "hearing_held_on": case.hearing_held_on, "hearing_waived": case.hearing_waived,
        "reviewed_on": case.reviewed_on, "decision_no": d.decision_no if d else None,
        "decided_on": d.decided_on if d else None, "departure_reason": d.departure_reason if d else None,
        "decided_late": d.late if d else None, "penalised": case.penalised, "served_on": case.served_on,
        "decision_overdue": case.decision_overdue,
        "payment_overdue": case.payment_overdue, "settled": case.settled and case.decision is not None,
        "transferred_to": case.transfer.to if case.transfer else None,
        "transferred_on": case.transfer.transferred_on if case.transfer else None,
        "receipt_no": case.transfer.receipt_no if case.transfer else None,
    } | {name: fen(value) for name, value in ((n, _money(case, n)) for n in MONEY)}


def _money(case: cs.PenaltyCase, name: str) -> Decimal | None:
    d, proposal, paid = case.decision, case.proposal, list(case.payments.values())
    return {
        "proposed_unit_yuan": proposal.unit.amount_yuan,
        "proposed_person_yuan": proposal.person.amount_yuan if proposal.person else None,
        "unit_yuan": d.unit_yuan if d else None, "person_yuan": d.person_yuan if d else None,
        "paid_yuan": sum((p.amount_yuan for p in paid), Decimal(0)) if paid else None,
        "surcharge_yuan": sum((p.surcharge_yuan for p in paid), Decimal(0)) if paid else None,
        "daily_fines_yuan": case.daily_fines_yuan,
    }[name]


CASE_EVENTS = tuple(cls for cls in events_of(cs) if cls not in (cs.ClosureProposed, cs.ClosureDecided))


class CaseLedger(Projection):
    """The case's row now (``case_ledger``, what the worker and the counters read) and its history (``case_history``,
    what the ledger reads at ``as_of`` as known at ``known_at``): both the domain's state after each event — the row
    folded in the order recorded, the history in the order the events took effect (``projections.timeline``)."""

    name = "case_ledger"
    version = 3  # 2: the bitemporal history (issue #14); 3: jurisdictions in collation "C"
    cases = CASES
    unit_hazards = UNIT_HAZARDS
    closures = CLOSURES
    states = STATES
    history = HISTORY
    history_changes = HISTORY_CHANGES
    history_states = HISTORY_STATES

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.history, self.history_changes, "case_id",
                        decided=Decided(cs.PenaltyCase, CASE_EVENTS, _row, self.history_states))

    @on(*CASE_EVENTS)
    def _case(self, conn: Connection, e: DomainEvent, _: int) -> None:
        before, case = fold(conn, self.states, cs.PenaltyCase, e)
        row = _row(case)
        opened = {"opened_at": e.effective_at, "rules_version": e.envelope.rules_version}
        if before is None:
            conn.execute(insert(self.cases).values(case_id=e.originator_id, **opened, **row))
        else:
            conn.execute(update(self.cases).where(self.cases.c.case_id == e.originator_id).values(**row))
        self.timeline.record_event(conn, e, opened if before is None else {})

    # Each unit's hazards are written at the end of the batch (nothing here reads them meanwhile): the inserts
    # first, then each kind of update in the order given.
    @on(hz.HazardReported)
    def _hazard(self, conn: Connection, e: hz.HazardReported, _: int) -> None:
        defer(conn, _unit_hazard_statements(self.unit_hazards)["insert"],
              {"hazard_id": e.originator_id, "unit_id": e.unit_id, "grade": e.grade, "open": True}, inserts=True)

    @on(hz.HazardRegraded)
    def _regraded(self, conn: Connection, e: hz.HazardRegraded, _: int) -> None:
        defer(conn, _unit_hazard_statements(self.unit_hazards)["grade"],
              {"b_id": e.originator_id, "b_grade": e.grade}, inserts=False)

    @on(hz.HazardClosedOut, hz.FollowUpReviewed)
    def _closed(self, conn: Connection, e: DomainEvent, _: int) -> None:
        reopened = isinstance(e, hz.FollowUpReviewed) and e.reopened
        if isinstance(e, hz.FollowUpReviewed) and not reopened:
            return
        defer(conn, _unit_hazard_statements(self.unit_hazards)["open"], {"b_id": e.originator_id, "b_open": reopened},
              inserts=False)

    @on(cs.ClosureProposed)
    def _proposed(self, conn: Connection, e: cs.ClosureProposed, _: int) -> None:
        conn.execute(insert(self.closures).values(
            closure_id=e.originator_id, jurisdiction=e.envelope.jurisdiction, unit_id=e.unit_id,
            hazard_id=e.hazard_id, rule=e.ground.rule, window_from=e.ground.window_from,
            window_to=e.ground.window_to, cases_json=[str(c) for c in e.cases], proposed_at=e.effective_at,
            decided=False))

    @on(cs.ClosureDecided)
    def _decided(self, conn: Connection, e: cs.ClosureDecided, _: int) -> None:
        conn.execute(update(self.closures).where(self.closures.c.closure_id == e.originator_id)
                     .values(decided=True, approved=e.approved, reason=e.reason))


def _case_view(row: dict[str, Any], today: date) -> dict[str, Any]:
    """A ledger row with the days left to the deadline that runs now (decision, hearing request or payment)."""
    view = {k: yuan(v) if k in MONEY else v for k, v in row.items()}
    if row["decided_on"] is None:
        view["next_deadline"], view["next_due"] = "decision", row["decision_due"]
        if row["hearing_due"] and not row["hearing_requested_on"] and not row["hearing_waived"] \
                and today <= row["hearing_due"]:
            view["next_deadline"], view["next_due"] = "hearing_request", row["hearing_due"]
    elif row["payment_due"] and not row["settled"]:
        view["next_deadline"], view["next_due"] = "payment", row["payment_due"]
    else:
        view["next_deadline"], view["next_due"] = None, None
    due = view["next_due"]
    view["days_left"] = days_left(due, today) if isinstance(due, date) else None
    return view


class CaseQueries:
    """The case ledger, its statistics and counters; the worker's due lists; the command lookups' answers."""

    def __init__(self, db: Any):
        self.db = db

    def ledger(self, scope: str, today: date, *, as_of: datetime | None = None, known_at: datetime | None = None,
               role: str = "", unit_of_role: Any = None, status: str | None = None, unit_id: UUID | None = None,
               department_id: UUID | None = None, sort: str | None = None, limit: int = 500,
               offset: int = 0) -> list[dict[str, Any]]:
        """Each case as it stood at ``as_of``, as recorded by ``known_at`` (both default: now), with the deadline
        running on ``today`` (the day of ``as_of``); in the order opened, or by ``sort`` (a key of ``SORTS``)."""
        c = HISTORY.c
        conditions = [visible(c.jurisdiction, scope, c.unit_id, role, unit_of_role)]
        conditions += [standing(HISTORY)] if as_of is None and known_at is None else [
            valid(HISTORY, as_of or datetime.now(UTC)), known(HISTORY, known_at or datetime.now(UTC))]
        if status:
            conditions.append(c.status == status)
        if unit_id:
            conditions.append(c.unit_id == str(unit_id))
        if department_id:
            conditions.append(c.department_id == str(department_id))
        order = ordering(SORTS, sort, (c.opened_on, c.case_id), c.case_id)
        query = select(*(c[col.name] for col in CASES.columns)).where(*conditions).order_by(*order)
        with self.db.read() as conn:
            return [_case_view(dict(r._mapping), today)
                    for r in conn.execute(query.limit(limit).offset(offset))]

    def case(self, scope: str, case_id: UUID, today: date, *, role: str = "",
             unit_of_role: Any = None) -> dict[str, Any] | None:
        c = CASES.c
        query = select(CASES).where(c.case_id == str(case_id), visible(c.jurisdiction, scope, c.unit_id, role,
                                                                      unit_of_role))
        with self.db.read() as conn:
            row = conn.execute(query).mappings().first()
        return _case_view(dict(row), today) if row else None

    def statistics(self, scope: str, by: str) -> list[dict[str, Any]]:
        """Decided cases per department, sector or month (of the decision): how many, how many fined, the fines."""
        c = CASES.c
        key = {"department": c.department_id, "sector": c.sector,
               "month": func.substr(func.cast(c.decided_on, Text), 1, 7)}[by]
        query = (select(key.label("key"), func.count().label("decided"),
                        func.sum(when((c.penalised, 1), else_=0)).label("penalised"),
                        func.coalesce(func.sum(c.unit_yuan), 0).label("unit_yuan"),
                        func.coalesce(func.sum(c.person_yuan), 0).label("person_yuan"))
                 .where(within(c.jurisdiction, scope), c.decided_on.is_not(None))
                 .group_by(key).order_by(key))
        with self.db.read() as conn:
            return [{"key": r.key, "decided": int(r.decided), "penalised": int(r.penalised or 0),
                     "unit_yuan": yuan(r.unit_yuan), "person_yuan": yuan(r.person_yuan)}
                    for r in conn.execute(query)]

    def closure_counters(self, scope: str, today: date) -> list[dict[str, Any]]:
        """第113条(一) per unit with an open major hazard: fined decisions in the 180 days and the year to today."""
        c, h = CASES.c, UNIT_HAZARDS.c
        start_180, year_before = today - timedelta(days=179), add_years(today, -1)
        majors = select(h.unit_id).where(h.grade == hz.HazardGrade.major, h.open.is_(True))
        query = (select(c.unit_id, c.jurisdiction,
                        func.sum(when((c.decided_on >= start_180, 1), else_=0)).label("in_180"),
                        func.count().label("in_year"))
                 .where(within(c.jurisdiction, scope), c.penalised.is_(True), c.decided_on > year_before,
                        c.decided_on <= today, c.unit_id.in_(majors))
                 .group_by(c.unit_id, c.jurisdiction).order_by(c.unit_id))
        with self.db.read() as conn:
            return [{"unit_id": UUID(r.unit_id), "in_180_days": int(r.in_180 or 0), "in_a_year": int(r.in_year or 0)}
                    for r in conn.execute(query)]

    def closures(self, scope: str) -> list[dict[str, Any]]:
        p = CLOSURES.c
        with self.db.read() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(CLOSURES).where(within(p.jurisdiction, scope)).order_by(p.proposed_at, p.closure_id))]

    # --- the worker (application.ports.CaseDeadlines) -------------------------------------------------------------

    def hearing_windows_closed(self, today: date) -> list[UUID]:
        c = CASES.c
        return self._ids(select(c.case_id).where(c.hearing_due < today, c.hearing_requested_on.is_(None),
                                                 c.hearing_waived.is_(False), c.decided_on.is_(None)))

    def decisions_overdue(self, today: date) -> list[UUID]:
        c = CASES.c
        return self._ids(select(c.case_id).where(c.decision_due < today, c.decided_on.is_(None),
                                                 c.decision_overdue.is_(False)))

    def payments_overdue(self, today: date) -> list[UUID]:
        c = CASES.c
        return self._ids(select(c.case_id).where(c.payment_due < today, c.settled.is_(False),
                                                 c.payment_overdue.is_(False)))

    def closure_candidates(self, today: date) -> list[tuple[UUID, UUID]]:
        """(unit, major hazard) pairs whose unit has at least 3 fined decisions in the year: the policy proposes
        where the rule holds (the command re-checks from the store)."""
        c, h, p = CASES.c, UNIT_HAZARDS.c, CLOSURES.c
        busy = (select(c.unit_id).where(c.penalised.is_(True), c.decided_on > add_years(today, -1))
                .group_by(c.unit_id).having(func.count() >= 3))
        decided_after = select(p.unit_id).where(p.unit_id == h.unit_id, p.window_to >= today - timedelta(days=179))
        query = (select(h.unit_id, h.hazard_id).where(h.grade == hz.HazardGrade.major, h.open.is_(True),
                                                      h.unit_id.in_(busy), ~decided_after.exists())
                 .order_by(h.unit_id, h.hazard_id))
        with self.db.read() as conn:
            seen: dict[str, str] = {}
            for unit_id, hazard_id in conn.execute(query):
                seen.setdefault(unit_id, hazard_id)
        return [(UUID(u), UUID(hid)) for u, hid in seen.items()]

    # --- the lookups (application.ports.Directory) ------------------------------------------------------------------

    def cases_of(self, unit_id: UUID) -> list[UUID]:
        c = CASES.c
        return self._ids(select(c.case_id).where(c.unit_id == str(unit_id)))

    def hazards_of(self, unit_id: UUID) -> list[UUID]:
        h = UNIT_HAZARDS.c
        with self.db.read() as conn:
            return [UUID(i) for i in conn.execute(select(h.hazard_id).where(h.unit_id == str(unit_id))
                                                  .order_by(h.hazard_id)).scalars()]

    def penalties_by_department(self, start: date, end: date) -> dict[UUID, int]:
        """Decisions with a fine per deciding department, decided in [start, end]."""
        c = CASES.c
        query = (select(c.department_id, func.count()).where(c.penalised.is_(True), c.decided_on >= start,
                                                             c.decided_on <= end).group_by(c.department_id))
        with self.db.read() as conn:
            return {UUID(d): int(n) for d, n in conn.execute(query)}

    def _ids(self, query: Any) -> list[UUID]:
        with self.db.read() as conn:
            return [UUID(i) for i in conn.execute(query.order_by(CASES.c.case_id)).scalars()]

