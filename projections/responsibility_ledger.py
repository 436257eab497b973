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

from datetime import datetime
from typing import Any
from uuid import UUID

from domain import posts as ps
from domain import responsibility as r
from projections.follower import Projection, on
from projections.sql import ReadDatabase, Tx, scope_clause, scope_params
from projections.timeline import BITEMPORAL_COLUMNS, KNOWN, VALID


class ResponsibilityLedger(Projection):
    name = "responsibility_ledger"
    version = 1
    tables = ("ledger_posts", "ledger_lists", "ledger_holdings", "ledger_duties", "ledger_publications")
    ddl = (
        "CREATE TABLE ledger_posts (post_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, jurisdiction TEXT NOT NULL)",
        "CREATE TABLE ledger_lists (list_id TEXT PRIMARY KEY, list_kind TEXT NOT NULL, unit_id TEXT NOT NULL)",
        "CREATE TABLE ledger_holdings (holding_id TEXT NOT NULL, revision INTEGER NOT NULL, post_id TEXT NOT NULL, "
        "person_id TEXT NOT NULL, unit_id TEXT NOT NULL, jurisdiction TEXT NOT NULL, document TEXT, end_reason TEXT, "
        f"{BITEMPORAL_COLUMNS}, PRIMARY KEY (holding_id, revision))",
        "CREATE INDEX ledger_holdings_person ON ledger_holdings (person_id, recorded_to)",
        "CREATE INDEX ledger_holdings_post ON ledger_holdings (post_id, recorded_to)",
        "CREATE TABLE ledger_duties (duty_id TEXT NOT NULL, revision INTEGER NOT NULL, list_id TEXT NOT NULL, "
        "list_kind TEXT NOT NULL, unit_id TEXT NOT NULL, post_id TEXT NOT NULL, line TEXT NOT NULL, "
        "scope_json {JSON} NOT NULL, text TEXT NOT NULL, source_document TEXT NOT NULL, "
        f"jurisdiction TEXT NOT NULL, {BITEMPORAL_COLUMNS}, PRIMARY KEY (duty_id, revision))",
        "CREATE INDEX ledger_duties_post ON ledger_duties (post_id, recorded_to)",
        "CREATE TABLE ledger_publications (list_id TEXT NOT NULL, version INTEGER NOT NULL, document_no TEXT NOT NULL, "
        "digest TEXT NOT NULL, duty_ids_json {JSON} NOT NULL, effective_at {TS} NOT NULL, recorded_at {TS} NOT NULL, "
        "PRIMARY KEY (list_id, version))",
    )

    # --- posts and holders -------------------------------------------------------------------------------------
    @on(ps.PostEstablished)
    def _post(self, tx: Tx, e: ps.PostEstablished, _: int) -> None:
        tx.execute("INSERT INTO ledger_posts VALUES (:p, :u, :j)",
                   {"p": e.originator_id, "u": e.unit_id, "j": e.envelope.jurisdiction})

    @on(ps.PostRelocated)
    def _relocated(self, tx: Tx, e: ps.PostRelocated, _: int) -> None:
        tx.execute("UPDATE ledger_posts SET jurisdiction = :j WHERE post_id = :p",
                   {"p": e.originator_id, "j": e.jurisdiction})

    @on(ps.HolderAppointed)
    def _appointed(self, tx: Tx, e: ps.HolderAppointed, _: int) -> None:
        post = tx.one("SELECT unit_id, jurisdiction FROM ledger_posts WHERE post_id = :p", {"p": e.originator_id})
        assert post is not None
        tx.execute(
            "INSERT INTO ledger_holdings VALUES (:h, 0, :post, :person, :unit, :j, :doc, NULL, :vf, NULL, :rf, NULL)",
            {"h": f"{e.originator_id}:{e.originator_version}", "post": e.originator_id, "person": e.person_id,
             "unit": post["unit_id"], "j": post["jurisdiction"], "doc": e.document, "vf": e.effective_at,
             "rf": e.timestamp},
        )

    @on(ps.HolderRemoved)
    def _removed(self, tx: Tx, e: ps.HolderRemoved, _: int) -> None:
        current = tx.one(
            "SELECT * FROM ledger_holdings WHERE post_id = :post AND person_id = :person AND valid_to IS NULL "
            "AND recorded_to IS NULL",
            {"post": e.originator_id, "person": e.person_id},
        )
        assert current is not None
        self._supersede(tx, "ledger_holdings", "holding_id", current, e.timestamp,
                        {"valid_to": e.effective_at, "end_reason": e.reason.value})

    # --- duties -----------------------------------------------------------------------------------------------
    @staticmethod
    def _duty_row(e: r.DutyAssigned | r.DutyRevised, current: dict[str, Any] | None, lst: dict[str, Any]) -> dict:
        d = e.duty
        return {
            "duty_id": d.duty_id, "list_id": e.originator_id, "list_kind": lst["list_kind"], "unit_id": lst["unit_id"],
            "post_id": d.post_id, "line": d.line.value, "scope_json": list(d.scope), "text": d.text,
            "source_document": d.source_document, "jurisdiction": e.envelope.jurisdiction,
            "valid_from": e.effective_at, "valid_to": None, "recorded_from": e.timestamp, "recorded_to": None,
            "revision": (current["revision"] + 2) if current else 0,
        }

    def _list_info(self, tx: Tx, list_id: UUID) -> dict[str, Any]:
        row = tx.one("SELECT list_kind, unit_id FROM ledger_lists WHERE list_id = :l", {"l": list_id})
        assert row is not None
        return row

    @on(r.ResponsibilityListOpened)
    def _list(self, tx: Tx, e: r.ResponsibilityListOpened, _: int) -> None:
        tx.execute("INSERT INTO ledger_lists VALUES (:l, :k, :u)",
                   {"l": e.originator_id, "k": e.kind.value, "u": e.unit_id})

    @on(r.DutyAssigned)
    def _assigned(self, tx: Tx, e: r.DutyAssigned, _: int) -> None:
        self._insert(tx, "ledger_duties", self._duty_row(e, None, self._list_info(tx, e.originator_id)))

    @on(r.DutyRevised)
    def _revised(self, tx: Tx, e: r.DutyRevised, _: int) -> None:
        current = self._current_duty(tx, e.duty.duty_id)
        self._supersede(tx, "ledger_duties", "duty_id", current, e.timestamp, {"valid_to": e.effective_at})
        self._insert(tx, "ledger_duties", self._duty_row(e, current, self._list_info(tx, e.originator_id)))

    @on(r.DutyRevoked)
    def _revoked(self, tx: Tx, e: r.DutyRevoked, _: int) -> None:
        current = self._current_duty(tx, e.duty_id)
        self._supersede(tx, "ledger_duties", "duty_id", current, e.timestamp, {"valid_to": e.effective_at})

    @on(r.ResponsibilityListRelocated)
    def _list_relocated(self, tx: Tx, e: r.ResponsibilityListRelocated, _: int) -> None:
        for current in tx.all("SELECT * FROM ledger_duties WHERE list_id = :l AND valid_to IS NULL "
                              "AND recorded_to IS NULL", {"l": e.originator_id}):
            self._supersede(tx, "ledger_duties", "duty_id", current, e.timestamp, {"valid_to": e.effective_at})
            self._insert(tx, "ledger_duties", {**current, "jurisdiction": e.jurisdiction,
                                               "valid_from": e.effective_at, "recorded_from": e.timestamp,
                                               "revision": current["revision"] + 2})

    @on(r.ResponsibilityListPublished)
    def _published(self, tx: Tx, e: r.ResponsibilityListPublished, _: int) -> None:
        tx.execute(
            "INSERT INTO ledger_publications VALUES (:l, :v, :d, :g, :ids_json, :eff, :rec)",
            {"l": e.originator_id, "v": e.version, "d": e.document_no, "g": e.digest,
             "ids_json": [str(i) for i in e.duty_ids], "eff": e.effective_at, "rec": e.timestamp},
        )

    @staticmethod
    def _current_duty(tx: Tx, duty_id: UUID) -> dict[str, Any]:
        row = tx.one("SELECT * FROM ledger_duties WHERE duty_id = :d AND valid_to IS NULL AND recorded_to IS NULL",
                     {"d": duty_id})
        assert row is not None
        return row

    @staticmethod
    def _insert(tx: Tx, table: str, row: dict[str, Any]) -> None:
        columns = list(row)
        tx.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})", row)

    def _supersede(self, tx: Tx, table: str, key: str, current: dict[str, Any], recorded: datetime,
                   changes: dict[str, Any]) -> None:
        """Close ``current``'s recorded interval and record the corrected fact in its place.

        A change effective at or before the fact began (a backdated correction) leaves no remainder of the old fact.
        """
        tx.execute(f"UPDATE {table} SET recorded_to = :rt WHERE {key} = :k AND revision = :rev",
                   {"rt": recorded, "k": current[key], "rev": current["revision"]})
        valid_to = changes.get("valid_to")
        if valid_to is not None and valid_to <= current["valid_from"]:
            return
        self._insert(tx, table, {**current, **changes, "recorded_from": recorded, "recorded_to": None,
                                 "revision": current["revision"] + 1})


class LedgerQueries:
    """Bitemporal questions to the ledger, scoped by jurisdiction."""

    def __init__(self, db: ReadDatabase):
        self.db = db

    def duties(self, scope: str, *, as_of: datetime, known_at: datetime, unit_id: UUID | None = None,
               post_id: UUID | None = None, person_id: UUID | None = None,
               list_id: UUID | None = None) -> list[dict[str, Any]]:
        """Each duty in force at ``as_of`` with whoever held its post then, as recorded by ``known_at``."""
        sql = (
            "SELECT d.duty_id, d.list_id, d.list_kind, d.unit_id, d.post_id, d.line, d.scope_json, d.text, "
            "d.source_document, d.jurisdiction, d.valid_from AS duty_from, d.valid_to AS duty_to, "
            "h.person_id, h.valid_from AS held_from, h.valid_to AS held_to, u.name AS unit_name, "
            "p.title AS post_title, pe.name AS person_name "
            "FROM ledger_duties d "
            f"LEFT JOIN ledger_holdings h ON h.post_id = d.post_id AND {VALID.format(t='h')} AND {KNOWN.format(t='h')} "
            "LEFT JOIN units u ON u.unit_id = d.unit_id LEFT JOIN posts p ON p.post_id = d.post_id "
            "LEFT JOIN people pe ON pe.person_id = h.person_id "
            f"WHERE {VALID.format(t='d')} AND {KNOWN.format(t='d')} AND {scope_clause('d.jurisdiction')}"
        )
        params: dict[str, Any] = {"as_of": as_of, "known_at": known_at, **scope_params(scope)}
        if unit_id:
            sql += " AND d.unit_id = :unit"
            params["unit"] = unit_id
        if post_id:
            sql += " AND d.post_id = :post"
            params["post"] = post_id
        if list_id:
            sql += " AND d.list_id = :list"
            params["list"] = list_id
        if person_id:
            sql += " AND h.person_id = :person"
            params["person"] = person_id
        with self.db.read() as tx:
            return tx.all(sql + " ORDER BY d.unit_id, d.post_id, d.valid_from, d.duty_id", params)

    def publications(self, list_id: UUID) -> list[dict[str, Any]]:
        """The published versions of a list: number, document, what it said (digest) and when."""
        with self.db.read() as tx:
            return tx.all("SELECT * FROM ledger_publications WHERE list_id = :l ORDER BY version", {"l": list_id})

    def holdings(self, scope: str, *, known_at: datetime, unit_id: UUID | None = None,
                 post_id: UUID | None = None, person_id: UUID | None = None) -> list[dict[str, Any]]:
        """Every holding (who held which post from when to when) as recorded by ``known_at``."""
        sql = (f"SELECT h.* FROM ledger_holdings h WHERE {KNOWN.format(t='h')} "
               f"AND {scope_clause('h.jurisdiction')}")
        params: dict[str, Any] = {"known_at": known_at, **scope_params(scope)}
        for column, value in (("unit_id", unit_id), ("post_id", post_id), ("person_id", person_id)):
            if value:
                sql += f" AND h.{column} = :{column}"
                params[column] = value
        with self.db.read() as tx:
            return tx.all(sql + " ORDER BY h.valid_from, h.post_id", params)

    def history(self, scope: str, *, known_at: datetime, unit_id: UUID | None = None,
                post_id: UUID | None = None, person_id: UUID | None = None) -> list[dict[str, Any]]:
        """Who held which duty from when to when: the overlaps of holdings and duties, as recorded by ``known_at``."""
        holdings = self.holdings(scope, known_at=known_at, unit_id=unit_id, post_id=post_id, person_id=person_id)
        post_ids = sorted({h["post_id"] for h in holdings})
        if not post_ids:
            return []
        names = ", ".join(f":p{i}" for i in range(len(post_ids)))
        with self.db.read() as tx:
            duties = tx.all(
                f"SELECT d.* FROM ledger_duties d WHERE {KNOWN.format(t='d')} AND d.post_id IN ({names})",
                {"known_at": known_at, **{f"p{i}": p for i, p in enumerate(post_ids)}},
            )
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
