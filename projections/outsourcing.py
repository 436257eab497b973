"""Outsourcing (外包外租, domain/outsourcing.py; 安全生产法 第49条): every contracting-out or leasing-out relation as a
row, each review of its contractor (动态审核, seed 000 ¶18) as a row, and the relations of a unit in force on a day,
with what each record lacks (``concerns``: no safety agreement, no qualification shown, no review recorded, the
review overdue, a contractor found wanting kept on — ``domain.outsourcing.review_concerns``; shown, not judged).

A relation's rows are written from its own events; "in force on a day" is ``Outsourcing.in_force``'s rule (begun,
its agreed end not passed, not ended early): the agreed end needs no event. Beside the current rows, each relation's
history (``outsourcing_history``: the domain's state after each event, folded in the order they took effect;
``projections.timeline``) answers the ledger as known at ``known_at`` (issue #14). A relation's validity is its own
dates (an end is recorded after the day it names, ``ended_on``), so the ledger on a day is the relations recorded by
then with their dates as known at ``known_at``, in force by ``Outsourcing.in_force``'s rule on that day; a review is
shown from the day it was held (``reviewed_on``) and the moment it was recorded (``known_from``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    insert,
    or_,
    select,
    update,
)

from domain import outsourcing as os_
from domain.calendar import end_of_day
from projections.columns import Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, on
from projections.scope import visible
from projections.states import events_of, states_table
from projections.timeline import Decided, Timeline, changes_table, history_of, known

METADATA = MetaData()
RELATIONS = Table(
    "outsourcing", METADATA,
    Column("outsourcing_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("contractor_id", Key, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("kind", Key, nullable=False), Column("scope", Text, nullable=False),
    Column("agreement", Key, nullable=False),
    Column("qualification", Text), Column("starts_on", Date, nullable=False), Column("ends_on", Date),
    Column("ended_on", Date), Column("recorded_at", Timestamp, nullable=False),
    Index("outsourcing_unit", "unit_id", "starts_on"),
)
REVIEWS = Table(
    "outsourcing_reviews", METADATA,
    Column("outsourcing_id", Key, primary_key=True), Column("no", Integer, primary_key=True),
    Column("reviewed_on", Date, nullable=False), Column("qualification_valid", Boolean, nullable=False),
    Column("discredited", Boolean, nullable=False), Column("safety_management_adequate", Boolean, nullable=False),
    Column("findings", Text), Column("outcome", Key, nullable=False), Column("next_due", Date),
    Column("recorded_at", Timestamp, nullable=False), Column("known_from", Timestamp),
)
"""Each review of a contractor; ``known_from``: when it was recorded (a ledger as known earlier does not show it)."""
HISTORY = history_of(RELATIONS, "outsourcing_history", "outsourcing_id", METADATA)
"""Each relation's row over effective time as known over recorded time (``projections.timeline``; issue #14)."""
HISTORY_CHANGES = changes_table("outsourcing_history", METADATA, events=True)
HISTORY_STATES = states_table("outsourcing_history_states", METADATA)


def _columns(relation: os_.Outsourcing) -> dict[str, Any]:
    """The relation's columns the domain decides: its state (``domain.outsourcing.Outsourcing``) after the event —
    ended early, or cleared out (清退) by a review (``ContractorReviewed.apply``)."""
    return {"unit_id": relation.unit_id, "contractor_id": relation.contractor_id,
            "jurisdiction": relation.jurisdiction, "kind": relation.kind, "scope": relation.scope,
            "agreement": relation.agreement, "qualification": relation.qualification,
            "starts_on": relation.starts_on, "ends_on": relation.ends_on, "ended_on": relation.ended_on}


class OutsourcingLedger(Projection):
    name = "outsourcing"
    version = 4  # 3: the relations' bitemporal history (issue #14); 4: jurisdictions in collation "C"
    relations = RELATIONS
    reviews = REVIEWS
    history = HISTORY
    history_changes = HISTORY_CHANGES
    history_states = HISTORY_STATES

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.history, self.history_changes, "outsourcing_id",
                        decided=Decided(os_.Outsourcing, events_of(os_), _columns, self.history_states))

    @on(os_.OutsourcingRecorded)
    def _recorded(self, conn: Connection, e: os_.OutsourcingRecorded, _: int) -> None:
        conn.execute(insert(self.relations).values(
            outsourcing_id=e.originator_id, unit_id=e.unit_id, contractor_id=e.contractor_id,
            jurisdiction=e.envelope.jurisdiction, kind=e.kind, scope=e.scope, agreement=e.agreement,
            qualification=e.qualification, starts_on=e.starts_on, ends_on=e.ends_on, recorded_at=e.effective_at))
        self.timeline.record_event(conn, e, {"recorded_at": e.effective_at})

    @on(os_.ContractorReviewed)
    def _reviewed(self, conn: Connection, e: os_.ContractorReviewed, _: int) -> None:
        r = e.review
        conn.execute(insert(self.reviews).values(
            outsourcing_id=e.originator_id, no=r.no, reviewed_on=r.reviewed_on,
            qualification_valid=r.qualification_valid,
            discredited=r.discredited, safety_management_adequate=r.safety_management_adequate, findings=r.findings,
            outcome=r.outcome, next_due=r.next_due, recorded_at=e.effective_at, known_from=e.timestamp))
        if r.outcome == os_.ReviewOutcome.cleared_out:  # 清退 ends the relation (ContractorReviewed.apply)
            conn.execute(update(self.relations).where(self.relations.c.outsourcing_id == e.originator_id)
                         .values(ended_on=r.reviewed_on))
        self.timeline.record_event(conn, e, {})

    @on(os_.OutsourcingEnded)
    def _ended(self, conn: Connection, e: os_.OutsourcingEnded, _: int) -> None:
        conn.execute(update(self.relations).where(self.relations.c.outsourcing_id == e.originator_id)
                     .values(ended_on=e.ended_on))
        self.timeline.record_event(conn, e, {})


class OutsourcingQueries:
    """The relations of the caller's units, all of them or those in force on a day."""

    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    def relations(self, scope: str, *, role: str = "", unit_of_role: Any = None, unit_id: UUID | None = None,
                  day: date | None = None, known_at: datetime | None = None, in_force: bool = False,
                  limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        """Every relation recorded by ``day`` (``in_force``: only those in force on it), its dates as recorded by
        ``known_at`` (default: now), oldest first, with the names of both units, the reviews held by ``day`` and
        recorded by ``known_at``, and what the record lacks. Read from the history (``projections.timeline``): each
        relation's latest state as known at ``known_at``."""
        c = HISTORY.c
        known_at = known_at or datetime.now(UTC)
        supervised = self.directory.supervised_by(unit_of_role) if role == "inspector" else ()
        conditions = [visible(c.jurisdiction, scope, c.unit_id, role, unit_of_role, supervised)]
        if unit_id is not None:
            conditions.append(c.unit_id == str(unit_id))
        conditions += [c.valid_to.is_(None), known(HISTORY, known_at)]
        if day is not None:
            conditions.append(c.recorded_at < end_of_day(day))
            if in_force:
                conditions += [c.starts_on <= day, or_(c.ends_on.is_(None), c.ends_on >= day),
                               or_(c.ended_on.is_(None), c.ended_on > day)]
        query = (select(*(c[col.name] for col in RELATIONS.columns)).where(and_(*conditions))
                 .order_by(c.starts_on, c.outsourcing_id).limit(limit).offset(offset))
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            reviewed: list[Any] = [REVIEWS.c.outsourcing_id.in_([r["outsourcing_id"] for r in rows]),
                                   REVIEWS.c.known_from <= known_at]
            if day is not None:
                reviewed.append(REVIEWS.c.reviewed_on <= day)
            reviews: dict[str, list[os_.Review]] = {}
            for r in conn.execute(select(REVIEWS).where(and_(*reviewed)).order_by(REVIEWS.c.no)).mappings():
                review = os_.Review.model_validate({k: r[k] for k in os_.Review.model_fields})
                reviews.setdefault(r["outsourcing_id"], []).append(review)
        names = self.directory.unit_names({r["unit_id"] for r in rows} | {r["contractor_id"] for r in rows})
        on_day = day or date.max
        return [{**r, "unit_name": names.get(r["unit_id"], {}).get("name"),
                 "contractor_name": names.get(r["contractor_id"], {}).get("name"),
                 "kind_term": os_.KIND_TERMS[r["kind"]], "agreement_term": os_.AGREEMENT_TERMS[r["agreement"]],
                 "reviews": [x.model_dump() for x in reviews.get(r["outsourcing_id"], [])],
                 "concerns": [*os_.concerns(r["agreement"], r["qualification"]),
                              *os_.review_concerns(reviews.get(r["outsourcing_id"], []), on_day)]}
                for r in rows]
