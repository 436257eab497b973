"""The responsibility ledger (责任台账), bitemporal (docs/architecture.md §4).

Two questions, one indexed query each: who held which duty on the day of the accident (``as_of``, effective time)
and what the system showed on a given day (``known_at``, recorded time). Every fact is a row with an effective
interval ``[valid_from, valid_to)`` and a recorded interval ``[recorded_from, recorded_to)``. A later change never
updates a fact in place: it closes the row's recorded interval and adds the corrected row, so what was known
before stays answerable.

Duties belong to posts; people hold posts. A person's duties on a day are the duties of the posts they held that
day (人员变更动态调整, seed 002: the next holder inherits the post's duties).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    insert,
    select,
    update,
)

from domain import posts as ps
from domain import responsibility as r
from projections.columns import Json, Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, current_batch, defer, on
from projections.scope import within
from projections.sorting import ordering
from projections.timeline import bitemporal_columns, known, valid

METADATA = MetaData()
POSTS = Table("ledger_posts", METADATA, Column("post_id", Key, primary_key=True),
              Column("unit_id", Key, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False))
LISTS = Table("ledger_lists", METADATA, Column("list_id", Key, primary_key=True),
              Column("list_kind", Key, nullable=False), Column("unit_id", Key, nullable=False))
HOLDINGS = Table(
    "ledger_holdings", METADATA,
    Column("holding_id", Key, primary_key=True), Column("revision", Integer, primary_key=True, autoincrement=False),
    Column("post_id", Key, nullable=False), Column("person_id", Key, nullable=False),
    Column("unit_id", Key, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("document", Text),
    Column("end_reason", Key), *bitemporal_columns(),
    Index("ledger_holdings_person", "person_id", "recorded_to"),
    Index("ledger_holdings_post", "post_id", "recorded_to"),
)
DUTIES = Table(
    "ledger_duties", METADATA,
    Column("duty_id", Key, primary_key=True), Column("revision", Integer, primary_key=True, autoincrement=False),
    Column("list_id", Key, nullable=False), Column("list_kind", Key, nullable=False),
    Column("unit_id", Key, nullable=False), Column("post_id", Key, nullable=False), Column("line", Key, nullable=False),
    Column("scope_json", Json, nullable=False), Column("text", Text, nullable=False),
    Column("source_document", Text, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    *bitemporal_columns(), Index("ledger_duties_post", "post_id", "recorded_to"),
    Index("ledger_duties_unit", "unit_id", "recorded_to"),  # a unit's duties (as-of duty query): not a scan (#15)
)
PUBLICATIONS = Table(
    "ledger_publications", METADATA,
    Column("list_id", Key, primary_key=True), Column("version", Integer, primary_key=True, autoincrement=False),
    Column("document_no", Text, nullable=False), Column("digest", Key, nullable=False),
    Column("duty_ids_json", Json, nullable=False), Column("effective_at", Timestamp, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
)
SORTS = {"line": DUTIES.c.line, "text": DUTIES.c.text, "source_document": DUTIES.c.source_document,
         "duty_from": DUTIES.c.valid_from, "held_from": HOLDINGS.c.valid_from}
"""The keys the duties ledger sorts by (``projections.sorting``)."""


@lru_cache(maxsize=16)
def _statements(posts: Table, lists: Table, holdings: Table, duties: Table, publications: Table) -> dict[str, Any]:
    """The ledger's statements, built once per set of tables (live or shadow): every value travels as a parameter,
    so no statement is built, or its cache key computed, per event."""
    p, li, h, d = posts.c, lists.c, holdings.c, duties.c
    return {
        "post": select(p.unit_id, p.jurisdiction).where(p.post_id == bindparam("b_id")),
        "relocate": update(posts).where(p.post_id == bindparam("b_id")),
        "list": select(li.list_kind, li.unit_id).where(li.list_id == bindparam("b_id")),
        "holding": select(holdings).where(h.post_id == bindparam("b_post"), h.person_id == bindparam("b_person"),
                                          h.valid_to.is_(None), h.recorded_to.is_(None)),
        "duty": select(duties).where(d.duty_id == bindparam("b_id"), d.valid_to.is_(None), d.recorded_to.is_(None)),
        "list_duties": select(duties).where(d.list_id == bindparam("b_id"), d.valid_to.is_(None),
                                            d.recorded_to.is_(None)),
        **{f"close {t.name}": update(t).where(t.c[key] == bindparam("b_id"), t.c.revision == bindparam("b_rev"))
           .values(recorded_to=bindparam("b_recorded")) for t, key in ((holdings, "holding_id"), (duties, "duty_id"))},
        **{t.name: insert(t) for t in (posts, lists, holdings, duties, publications)},
    }


class ResponsibilityLedger(Projection):
    """Holdings and duties written at once (a later event of the batch reads the open holding or duty back); posts
    at the end of the batch. A post's unit and jurisdiction — from its establishment, or read once — and a list's
    kind and unit are kept in the batch (``projections.projection.Batch``)."""

    name = "responsibility_ledger"
    version = 4  # 3: ledger_duties_unit; 4: jurisdictions in collation "C"
    posts = POSTS
    lists = LISTS
    holdings = HOLDINGS
    duties = DUTIES
    publications = PUBLICATIONS

    @property
    def _sql(self) -> dict[str, Any]:
        return _statements(self.posts, self.lists, self.holdings, self.duties, self.publications)

    def _kept(self, conn: Connection, what: str, key: str) -> dict[str, Any]:
        """A post's (``what="post"``) or a list's (``"list"``) row, read once per batch."""
        batch = current_batch()
        if batch is not None and (what, key) in batch.values:
            kept: dict[str, Any] = batch.values[what, key]
            return kept
        row = dict(conn.execute(self._sql[what], {"b_id": key}).mappings().one())
        if batch is not None:
            batch.values[what, key] = row
        return row

    # --- posts and holders -------------------------------------------------------------------------------------
    @on(ps.PostEstablished)
    def _post(self, conn: Connection, e: ps.PostEstablished, _: int) -> None:
        """The post's row written at the end of the batch, and kept in it meanwhile: its holders' appointments,
        which follow it in the log, need not read it back (issue #15: a statement each, 104 in a rebuild of 10⁴)."""
        row = {"unit_id": str(e.unit_id), "jurisdiction": e.envelope.jurisdiction}
        defer(conn, self._sql[self.posts.name], {"post_id": e.originator_id, **row}, inserts=True)
        batch = current_batch()
        if batch is not None:
            batch.values["post", str(e.originator_id)] = row

    @on(ps.PostRelocated)
    def _relocated(self, conn: Connection, e: ps.PostRelocated, _: int) -> None:
        """The kept row moves with the post; the stored one at the end of the batch, after the posts it inserts."""
        self._kept(conn, "post", str(e.originator_id))["jurisdiction"] = e.jurisdiction
        defer(conn, self._sql["relocate"], {"jurisdiction": e.jurisdiction, "b_id": str(e.originator_id)},
              inserts=False)

    @on(ps.HolderAppointed)
    def _appointed(self, conn: Connection, e: ps.HolderAppointed, _: int) -> None:
        post = self._kept(conn, "post", str(e.originator_id))
        conn.execute(self._sql[self.holdings.name], {
            "holding_id": f"{e.originator_id}:{e.originator_version}", "revision": 0, "post_id": e.originator_id,
            "person_id": e.person_id, "unit_id": post["unit_id"], "jurisdiction": post["jurisdiction"],
            "document": e.document, "end_reason": None, "valid_from": e.effective_at, "valid_to": None,
            "recorded_from": e.timestamp, "recorded_to": None})

    @on(ps.HolderRemoved)
    def _removed(self, conn: Connection, e: ps.HolderRemoved, _: int) -> None:
        current = conn.execute(self._sql["holding"], {"b_post": str(e.originator_id),
                                                      "b_person": str(e.person_id)}).mappings().one()
        self._supersede(conn, self.holdings, "holding_id", dict(current), e.timestamp,
                        {"valid_to": e.effective_at, "end_reason": e.reason.value})

    # --- duties -----------------------------------------------------------------------------------------------
    @staticmethod
    def _duty_row(e: r.DutyAssigned | r.DutyRevised, current: dict[str, Any] | None,
                  lst: dict[str, Any]) -> dict[str, Any]:
        d = e.duty
        return {
            "duty_id": d.duty_id, "list_id": e.originator_id, "list_kind": lst["list_kind"], "unit_id": lst["unit_id"],
            "post_id": d.post_id, "line": d.line.value, "scope_json": list(d.scope), "text": d.text,
            "source_document": d.source_document, "jurisdiction": e.envelope.jurisdiction,
            "valid_from": e.effective_at, "valid_to": None, "recorded_from": e.timestamp, "recorded_to": None,
            "revision": (current["revision"] + 2) if current else 0,
        }

    def _list_info(self, conn: Connection, list_id: UUID) -> dict[str, Any]:
        return self._kept(conn, "list", str(list_id))

    @on(r.ResponsibilityListOpened)
    def _list(self, conn: Connection, e: r.ResponsibilityListOpened, _: int) -> None:
        conn.execute(self._sql[self.lists.name], {"list_id": e.originator_id, "list_kind": e.kind,
                                                  "unit_id": e.unit_id})

    @on(r.DutyAssigned)
    def _assigned(self, conn: Connection, e: r.DutyAssigned, _: int) -> None:
        conn.execute(self._sql[self.duties.name], self._duty_row(e, None, self._list_info(conn, e.originator_id)))

    @on(r.DutyRevised)
    def _revised(self, conn: Connection, e: r.DutyRevised, _: int) -> None:
        current = self._current_duty(conn, e.duty.duty_id)
        self._supersede(conn, self.duties, "duty_id", current, e.timestamp, {"valid_to": e.effective_at})
        conn.execute(self._sql[self.duties.name],
                     self._duty_row(e, current, self._list_info(conn, e.originator_id)))

    @on(r.DutyRevoked)
    def _revoked(self, conn: Connection, e: r.DutyRevoked, _: int) -> None:
        current = self._current_duty(conn, e.duty_id)
        self._supersede(conn, self.duties, "duty_id", current, e.timestamp, {"valid_to": e.effective_at})

    @on(r.ResponsibilityListRelocated)
    def _list_relocated(self, conn: Connection, e: r.ResponsibilityListRelocated, _: int) -> None:
        rows = conn.execute(self._sql["list_duties"], {"b_id": str(e.originator_id)}).mappings().all()
        for row in rows:
            current = dict(row)
            self._supersede(conn, self.duties, "duty_id", current, e.timestamp, {"valid_to": e.effective_at})
            conn.execute(self._sql[self.duties.name], {
                **current, "jurisdiction": e.jurisdiction, "valid_from": e.effective_at,
                "recorded_from": e.timestamp, "revision": current["revision"] + 2})

    @on(r.ResponsibilityListPublished)
    def _published(self, conn: Connection, e: r.ResponsibilityListPublished, _: int) -> None:
        conn.execute(self._sql[self.publications.name], {
            "list_id": e.originator_id, "version": e.version, "document_no": e.document_no, "digest": e.digest,
            "duty_ids_json": [str(i) for i in e.duty_ids], "effective_at": e.effective_at,
            "recorded_at": e.timestamp})

    def _current_duty(self, conn: Connection, duty_id: UUID) -> dict[str, Any]:
        return dict(conn.execute(self._sql["duty"], {"b_id": str(duty_id)}).mappings().one())

    def _supersede(self, conn: Connection, table: Table, key: str, current: dict[str, Any], recorded: datetime,
                   changes: dict[str, Any]) -> None:
        """Close ``current``'s recorded interval and record the corrected fact in its place.

        A change effective at or before the fact began (a backdated correction) leaves no remainder of the old fact.
        """
        conn.execute(self._sql[f"close {table.name}"],
                     {"b_id": current[key], "b_rev": current["revision"], "b_recorded": recorded})
        valid_to = changes.get("valid_to")
        if valid_to is not None and valid_to <= current["valid_from"]:
            return
        conn.execute(self._sql[table.name], {**current, **changes, "recorded_from": recorded, "recorded_to": None,
                                             "revision": current["revision"] + 1})


class LedgerQueries:
    """Bitemporal questions to the ledger, scoped by jurisdiction; names come from the directory's queries."""

    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    def duties(self, scope: str, *, as_of: datetime, known_at: datetime, unit_id: UUID | None = None,
               post_id: UUID | None = None, person_id: UUID | None = None, list_id: UUID | None = None,
               sort: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Each duty in force at ``as_of`` with whoever held its post then, as recorded by ``known_at`` (``limit``
        rows from ``offset``, in the ledger's order or by ``sort``, a key of ``SORTS``, when a page is
        asked for)."""
        d, h = DUTIES.c, HOLDINGS.c
        conditions = [valid(DUTIES, as_of), known(DUTIES, known_at), within(d.jurisdiction, scope)]
        filters = {d.unit_id: unit_id, d.post_id: post_id, d.list_id: list_id, h.person_id: person_id}
        conditions += [c == value for c, value in filters.items() if value]
        query = (
            select(d.duty_id, d.list_id, d.list_kind, d.unit_id, d.post_id, d.line, d.scope_json, d.text,
                   d.source_document, d.jurisdiction, d.valid_from.label("duty_from"), d.valid_to.label("duty_to"),
                   h.person_id, h.valid_from.label("held_from"), h.valid_to.label("held_to"))
            .select_from(DUTIES)
            .outerjoin(HOLDINGS, and_(h.post_id == d.post_id, valid(HOLDINGS, as_of), known(HOLDINGS, known_at)))
            .where(*conditions)
            .order_by(*ordering(SORTS, sort, (d.unit_id, d.post_id, d.valid_from, d.duty_id), d.duty_id))
            .limit(limit).offset(offset)
        )
        with self.db.read() as conn:
            rows = [dict(row) for row in conn.execute(query).mappings()]
        units = self.directory.unit_names({r["unit_id"] for r in rows})
        posts = self.directory.post_titles({r["post_id"] for r in rows})
        people = self.directory.person_names({r["person_id"] for r in rows})
        return [{**r, "unit_name": units.get(r["unit_id"], {}).get("name"), "post_title": posts.get(r["post_id"]),
                 "person_name": people.get(r["person_id"])} for r in rows]

    def in_force(self, scope: str | None, *, as_of: datetime,
                 known_at: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The holdings (post, person) and the duties (unit, post, list kind, scope) in force at ``as_of`` as
        recorded by ``known_at``, in ``scope`` (``None``: everywhere)."""
        h, d = HOLDINGS.c, DUTIES.c
        holdings = select(h.post_id, h.person_id).where(valid(HOLDINGS, as_of), known(HOLDINGS, known_at))
        duties = select(d.unit_id, d.post_id, d.list_kind, d.scope_json).where(valid(DUTIES, as_of),
                                                                                known(DUTIES, known_at))
        if scope is not None:
            holdings = holdings.where(within(h.jurisdiction, scope))
            duties = duties.where(within(d.jurisdiction, scope))
        with self.db.read() as conn:
            return ([dict(r) for r in conn.execute(holdings).mappings()],
                    [dict(r) for r in conn.execute(duties).mappings()])

    def held_throughout(self, post_ids: Collection[str], start: datetime, end: datetime) -> list[tuple[UUID, UUID]]:
        """(person, post) of the holders, as known now, of these posts for the whole of ``[start, end)``."""
        if not post_ids:
            return []
        h = HOLDINGS.c
        query = (select(h.person_id, h.post_id)
                 .where(h.post_id.in_(sorted(post_ids)), h.recorded_to.is_(None), h.valid_from <= start,
                        h.valid_to.is_(None) | (h.valid_to >= end))
                 .order_by(h.post_id, h.person_id))
        with self.db.read() as conn:
            return [(UUID(person), UUID(post)) for person, post in conn.execute(query)]

    def publications(self, list_id: UUID) -> list[dict[str, Any]]:
        """The published versions of a list: number, document, what it said (digest) and when."""
        query = select(PUBLICATIONS).where(PUBLICATIONS.c.list_id == str(list_id)).order_by(PUBLICATIONS.c.version)
        with self.db.read() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def holdings(self, scope: str, *, known_at: datetime, unit_id: UUID | None = None,
                 post_id: UUID | None = None, person_id: UUID | None = None) -> list[dict[str, Any]]:
        """Every holding (who held which post from when to when) as recorded by ``known_at``."""
        h = HOLDINGS.c
        conditions = [known(HOLDINGS, known_at), within(h.jurisdiction, scope)]
        filters = {h.unit_id: unit_id, h.post_id: post_id, h.person_id: person_id}
        conditions += [c == value for c, value in filters.items() if value]
        with self.db.read() as conn:
            rows = conn.execute(select(HOLDINGS).where(*conditions).order_by(h.valid_from, h.post_id)).mappings()
            return [dict(row) for row in rows]

    def history(self, scope: str, *, known_at: datetime, unit_id: UUID | None = None,
                post_id: UUID | None = None, person_id: UUID | None = None) -> list[dict[str, Any]]:
        """Who held which duty from when to when: the overlaps of holdings and duties, as recorded by ``known_at``."""
        holdings = self.holdings(scope, known_at=known_at, unit_id=unit_id, post_id=post_id, person_id=person_id)
        post_ids = sorted({h["post_id"] for h in holdings})
        if not post_ids:
            return []
        with self.db.read() as conn:
            duties = [dict(row) for row in conn.execute(select(DUTIES).where(
                known(DUTIES, known_at), DUTIES.c.post_id.in_(post_ids))).mappings()]
        rows = []
        for h in holdings:
            for d in duties:
                if d["post_id"] != h["post_id"]:
                    continue
                start = max(h["valid_from"], d["valid_from"])
                ends = [t for t in (h["valid_to"], d["valid_to"]) if t is not None]
                end = min(ends) if ends else None
                if end is not None and end <= start:
                    continue
                rows.append({"person_id": h["person_id"], "post_id": h["post_id"], "unit_id": h["unit_id"],
                             "duty_id": d["duty_id"], "line": d["line"], "text": d["text"],
                             "scope_json": d["scope_json"], "source_document": d["source_document"],
                             "list_kind": d["list_kind"], "from": start, "to": end})
        return sorted(rows, key=lambda x: (x["from"], str(x["post_id"]), str(x["duty_id"])))
