"""The blacklist (严重失信主体名单, docs/rules.md R10): every listing and its history, the list in force on a day,
the public list, and the grounds the accidents or the decided penalty cases meet that no listing has been proposed
for (the policy's work).

Each listing is folded with the domain's own ``apply`` (``projections.states``), so the status shown is the
domain's. "In force on a day" is decided by ``BlacklistEntry.in_force``'s rule: listed by then, its term
(``expires_on``) not over, not removed early — the term's end needs no event. The public list shows the unit, the
ground in the order's words, the deciding department, the decision's number and the dates: nothing about a person
(应急管理部令第11号 第五条 asks for 信息保护; the person listed with the unit is shown only to officials).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
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
    delete,
    insert,
    or_,
    select,
    update,
)

from application.ports import ListingCandidate
from domain import accidents as acc
from domain import blacklist as bl
from domain import cases as cs
from domain.base import DomainEvent
from domain.calendar import end_of_day, local_day
from domain.rules import pack_for
from domain.rules.blacklist import GROUND_TEXT, AccidentFact, Ground, accident_grounds, decision_grounds
from projections.columns import Json, Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, on
from projections.scope import visible
from projections.sorting import ordering
from projections.states import events_of, fold, states_table
from projections.timeline import Decided, Timeline, changes_table, history_of, known, valid

METADATA = MetaData()
LISTINGS = Table(
    "blacklist", METADATA,
    Column("listing_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("ground", Key, nullable=False),
    Column("accident_ids", Json, nullable=False), Column("evidence", Json, nullable=False),
    Column("status", Key, nullable=False), Column("proposed_at", Timestamp, nullable=False),
    Column("decided_at", Timestamp), Column("department_id", Key), Column("person_id", Key),
    Column("decision_no", Text), Column("listed_on", Date), Column("expires_on", Date), Column("removed_on", Date),
    Column("notices", Json, nullable=False),
    Index("blacklist_unit", "unit_id"), Index("blacklist_in_force", "listed_on", "expires_on"),
)
ACCIDENTS = Table(
    "blacklist_accidents", METADATA,
    Column("accident_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("grade", Key, nullable=False),
    Column("occurred_at", Timestamp, nullable=False), Column("event_id", Key, nullable=False),
)
DECISIONS = Table(
    "blacklist_decisions", METADATA,
    Column("case_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("article", Text, nullable=False),
    Column("fined", Boolean, nullable=False), Column("event_id", Key),
)
"""Penalty cases by article, and whether and by which event they were decided with a fine (the policy's input)."""
STATES = states_table("blacklist_states", METADATA)
HISTORY = history_of(LISTINGS, "blacklist_history", "listing_id", METADATA)
"""Each listing's row over effective time as known over recorded time (``projections.timeline``; issue #14)."""
HISTORY_CHANGES = changes_table("blacklist_history", METADATA, events=True)
HISTORY_STATES = states_table("blacklist_history_states", METADATA)
SORTS = {name: HISTORY.c[name] for name in ("proposed_at", "ground", "status", "decided_at", "listed_on",
                                             "expires_on", "removed_on")}
"""The keys the listings sort by (``projections.sorting``)."""


def _columns(entry: bl.BlacklistEntry) -> dict[str, Any]:
    """The listing's columns the domain decides: its state (``domain.blacklist.BlacklistEntry``) after the event."""
    return {"status": entry.status, "department_id": entry.department_id, "person_id": entry.person_id,
            "decision_no": entry.decision_no, "listed_on": entry.listed_on, "expires_on": entry.expires_on,
            "removed_on": entry.removed_on, "notices": [n.model_dump(mode="json") for n in entry.notices]}


class Blacklist(Projection):
    """Each listing's row now (``blacklist``: the policy's and the public list's) and its history
    (``blacklist_history``: the ledger at ``as_of`` as known at ``known_at``), both the domain's state after each
    event — the history folded in the order the events took effect (``projections.timeline``)."""

    name = "blacklist"
    version = 4  # 3: the bitemporal history (issue #14); 4: jurisdictions in collation "C"
    listings = LISTINGS
    accidents = ACCIDENTS
    decisions = DECISIONS
    states = STATES
    history = HISTORY
    history_changes = HISTORY_CHANGES
    history_states = HISTORY_STATES

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.history, self.history_changes, "listing_id",
                        decided=Decided(bl.BlacklistEntry, events_of(bl), _columns, self.history_states))

    @on(*events_of(bl))
    def _listing(self, conn: Connection, e: DomainEvent, _: int) -> None:
        entry = fold(conn, self.states, bl.BlacklistEntry, e)[1]
        row = _columns(entry)
        own: dict[str, Any] = {}  # what the event says by itself
        if isinstance(e, bl.ListingProposed):
            own = {"unit_id": e.unit_id, "jurisdiction": e.envelope.jurisdiction, "ground": e.ground,
                   "accident_ids": [str(a) for a in e.accident_ids],
                   "evidence": [x.model_dump(mode="json") for x in e.evidence], "proposed_at": e.effective_at}
            conn.execute(insert(self.listings).values(listing_id=e.originator_id, **own, **row))
        else:
            if isinstance(e, bl.ListingDecided):
                own = {"decided_at": e.effective_at}
            conn.execute(update(self.listings).where(self.listings.c.listing_id == e.originator_id)
                         .values(**own, **row))
        self.timeline.record_event(conn, e, own)

    @on(acc.AccidentRecorded)
    def _accident(self, conn: Connection, e: acc.AccidentRecorded, _: int) -> None:
        conn.execute(delete(self.accidents).where(self.accidents.c.accident_id == e.originator_id))
        conn.execute(insert(self.accidents).values(
            accident_id=e.originator_id, unit_id=e.unit_id, jurisdiction=e.envelope.jurisdiction, grade=e.grade,
            occurred_at=e.occurred_at, event_id=e.id))

    @on(acc.AccidentRegraded)
    def _regraded(self, conn: Connection, e: acc.AccidentRegraded, _: int) -> None:
        conn.execute(update(self.accidents).where(self.accidents.c.accident_id == e.originator_id)
                     .values(grade=e.grade, event_id=e.id))


    @on(cs.CaseOpened)
    def _case(self, conn: Connection, e: cs.CaseOpened, _: int) -> None:
        conn.execute(insert(self.decisions).values(case_id=e.originator_id, unit_id=e.unit_id,
                                                   jurisdiction=e.envelope.jurisdiction, article=e.article,
                                                   fined=False, event_id=None))

    @on(cs.CaseDecided)
    def _decided(self, conn: Connection, e: cs.CaseDecided, _: int) -> None:
        conn.execute(update(self.decisions).where(self.decisions.c.case_id == e.originator_id)
                     .values(fined=e.decision.total_yuan > 0, event_id=e.id))


def _in_force(day: date) -> Any:
    c = HISTORY.c
    return and_(c.listed_on <= day, c.expires_on > day, or_(c.removed_on.is_(None), c.removed_on > day))


class BlacklistQueries:
    """The list in force, the public list, each listing's history, and the policy's candidates."""

    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    def entries(self, scope: str, *, role: str = "", unit_of_role: Any = None, unit_id: UUID | None = None,
                day: date | None = None, known_at: datetime | None = None, in_force: bool = False,
                sort: str | None = None, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        """Every listing proposed by ``day`` with its state then (history: proposed, declined, listed, removed,
        expired), as recorded by ``known_at`` (default: now), or, ``in_force``, those in force on ``day``; in the
        order proposed, or by ``sort`` (``SORTS``). Read from the history (``projections.timeline``): each listing
        as it stood at the end of ``day``."""
        c = HISTORY.c
        supervised = self.directory.supervised_by(unit_of_role) if role == "inspector" else ()
        conditions = [visible(c.jurisdiction, scope, c.unit_id, role, unit_of_role, supervised)]
        if unit_id is not None:
            conditions.append(c.unit_id == unit_id)
        if day is None:
            conditions.append(c.valid_to.is_(None))
        else:
            conditions.append(valid(HISTORY, end_of_day(day) - timedelta(microseconds=1)))
            if in_force:
                conditions.append(_in_force(day))
        conditions.append(known(HISTORY, known_at or datetime.now(UTC)))
        order = ordering(SORTS, sort, (c.proposed_at, c.listing_id), c.listing_id)
        query = (select(*(c[col.name] for col in LISTINGS.columns)).where(and_(*conditions)).order_by(*order)
                 .limit(limit).offset(offset))
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        names = self.directory.unit_names({r["unit_id"] for r in rows} | {r["department_id"] for r in rows})
        return [{**r, "unit_name": names.get(r["unit_id"], {}).get("name"),
                 "department_name": names.get(r["department_id"], {}).get("name"),
                 "ground_text": GROUND_TEXT[Ground(r["ground"])], "state": _state(r, day)} for r in rows]

    def public(self, scope: str, day: date, *, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        """The list in force on ``day``, with only what may be published: no person, no evidence, no notices."""
        return [{key: r[key] for key in ("unit_id", "unit_name", "ground", "ground_text", "department_name",
                                         "decision_no", "listed_on", "expires_on")}
                for r in self.entries(scope, day=day, in_force=True, limit=limit, offset=offset)]

    def candidates(self) -> list[ListingCandidate]:
        """``application.ports.BlacklistCandidates``: accident grounds, and grounds decided cases meet, with no listing
        proposed for them."""
        with self.db.read() as conn:
            accidents = conn.execute(select(ACCIDENTS)).mappings().all()
            decided = conn.execute(select(DECISIONS).where(DECISIONS.c.fined.is_(True))
                                   .order_by(DECISIONS.c.case_id)).mappings().all()
            proposed = set(conn.execute(select(LISTINGS.c.listing_id)).scalars())
        by_unit: dict[str, list[Any]] = defaultdict(list)
        for a in accidents:
            by_unit[a["unit_id"]].append(a)
        found = []
        for unit_id, rows in sorted(by_unit.items()):
            causes = {r["accident_id"]: r["event_id"] for r in rows}
            facts = [AccidentFact(accident_id=UUID(r["accident_id"]), occurred_at=r["occurred_at"], grade=r["grade"])
                     for r in rows]
            for met in accident_grounds(pack_for(rows[0]["jurisdiction"]), facts):
                listing = bl.listing_id(UUID(unit_id), met.ground, met.accident_ids)
                if str(listing) not in proposed:
                    found.append(ListingCandidate(unit_id=UUID(unit_id), ground=met.ground.value,
                                                  accident_ids=met.accident_ids,
                                                  cause=UUID(causes[str(met.accident_ids[-1])])))
        for case in decided:
            for ground in decision_grounds(pack_for(case["jurisdiction"]), case["article"], case["fined"]):
                case_id = UUID(case["case_id"])
                if str(bl.listing_id(UUID(case["unit_id"]), ground, (case_id,))) not in proposed:
                    found.append(ListingCandidate(unit_id=UUID(case["unit_id"]), ground=ground.value,
                                                  accident_ids=(), cause=UUID(case["event_id"]), case_id=case_id))
        return found


def _state(row: dict[str, Any], day: date | None) -> str:
    """The state on ``day`` (default: as recorded now): a listing decided or removed after ``day`` shows as it stood
    then, and one whose term is over shows as expired (期满移出)."""
    if day is None:
        return str(row["status"])
    if row["decided_at"] is not None and local_day(row["decided_at"]) > day:
        return "proposed"
    if row["listed_on"] is not None and row["listed_on"] > day:
        return "proposed"
    if row["removed_on"] is not None and row["removed_on"] <= day:
        return "removed"
    if row["status"] in ("listed", "removed") and row["expires_on"] is not None and row["expires_on"] <= day:
        return "expired"
    return "listed" if row["status"] == "removed" else str(row["status"])
