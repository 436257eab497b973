"""The directory: units, posts, people, certificates, bans, sector leads and lists as they stand now.

Dashboards read these tables directly; the API lists and looks up records through them; the service layer asks
them which posts and lists a unit has (``application.ports.Directory``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain import people as pe
from domain import posts as ps
from domain import responsibility as r
from domain import units as u
from domain.identifiers import mask_certificate_number
from domain.supervision import SectorLeadDecided
from projections.follower import LegacyProjection as Projection
from projections.follower import on
from projections.sql import ReadDatabase, Tx, scope_clause, scope_params


class DirectoryProjection(Projection):
    name = "directory"
    version = 2
    tables = ("units", "posts", "people", "certificates", "industry_bans", "sector_leads", "responsibility_lists")
    ddl = (
        "CREATE TABLE units (unit_id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, code TEXT, "
        "level TEXT, parent_id TEXT, jurisdiction TEXT NOT NULL, sector TEXT, grid TEXT, risk_colour TEXT, "
        "supervising_department_id TEXT, supervision_clause TEXT, closure TEXT, profile_json {JSON} NOT NULL, "
        "registered_at {TS} NOT NULL, version INTEGER NOT NULL)",
        "CREATE INDEX units_jurisdiction ON units (jurisdiction)",
        "CREATE INDEX units_parent ON units (parent_id)",
        "CREATE TABLE posts (post_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, title TEXT NOT NULL, "
        "kind TEXT NOT NULL, first_responsible INTEGER NOT NULL, portfolio_json {JSON} NOT NULL, "
        "requires_json {JSON} NOT NULL, category TEXT, capacity INTEGER, abolished INTEGER NOT NULL, "
        "holders INTEGER NOT NULL, jurisdiction TEXT NOT NULL)",
        "CREATE INDEX posts_unit ON posts (unit_id)",
        "CREATE TABLE people (person_id TEXT PRIMARY KEY, name TEXT NOT NULL, id_number_masked TEXT NOT NULL, "
        "jurisdiction TEXT NOT NULL, registered_at {TS} NOT NULL, last_trained_on {DATE})",
        "CREATE TABLE certificates (person_id TEXT NOT NULL, number TEXT NOT NULL, kind TEXT NOT NULL, "
        "operation TEXT, issuer TEXT NOT NULL, issued_on {DATE} NOT NULL, expires_on {DATE} NOT NULL, "
        "revoked INTEGER NOT NULL, PRIMARY KEY (person_id, number))",
        "CREATE TABLE industry_bans (ban_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, industry TEXT NOT NULL, "
        "starts_on {DATE} NOT NULL, until_on {DATE}, reason TEXT NOT NULL, lifted INTEGER NOT NULL)",
        "CREATE TABLE sector_leads (territory_id TEXT NOT NULL, sector TEXT NOT NULL, department_id TEXT NOT NULL, "
        "clause TEXT NOT NULL, jurisdiction TEXT NOT NULL, decided_at {TS} NOT NULL, "
        "PRIMARY KEY (territory_id, sector))",
        "CREATE TABLE responsibility_lists (list_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, kind TEXT NOT NULL, "
        "year INTEGER, title TEXT NOT NULL, published_version INTEGER NOT NULL, document_no TEXT, "
        "published_at {TS}, duties INTEGER NOT NULL, jurisdiction TEXT NOT NULL)",
    )

    # --- units -----------------------------------------------------------------------------------------------
    @staticmethod
    def _profile_columns(profile: u.Profile) -> dict[str, Any]:
        return {
            "kind": profile.kind,
            "name": profile.name,
            "code": getattr(profile, "code", None) or getattr(profile, "credit_code", None),
            "level": getattr(profile, "level", None),
            "sector": getattr(profile, "sector", None),
            "grid": getattr(profile, "grid", None),
            "profile_json": profile.model_dump(mode="json"),
        }

    @on(u.UnitRegistered)
    def _registered(self, tx: Tx, e: u.UnitRegistered, _: int) -> None:
        tx.execute(
            "INSERT INTO units (unit_id, kind, name, code, level, parent_id, jurisdiction, sector, grid, "
            "profile_json, registered_at, version) VALUES (:id, :kind, :name, :code, :level, :parent, :j, :sector, "
            ":grid, :profile_json, :at, :v)",
            {"id": e.originator_id, "parent": e.parent_id, "j": e.envelope.jurisdiction,
             "at": e.envelope.effective_at, "v": e.originator_version, **self._profile_columns(e.profile)},
        )

    @on(u.UnitAmended)
    def _amended(self, tx: Tx, e: u.UnitAmended, _: int) -> None:
        cols = self._profile_columns(e.profile)
        tx.execute(
            "UPDATE units SET name = :name, code = :code, sector = :sector, grid = :grid, "
            "profile_json = :profile_json, version = :v WHERE unit_id = :id",
            {"id": e.originator_id, "v": e.originator_version, **cols},
        )

    @on(u.UnitMoved)
    def _moved(self, tx: Tx, e: u.UnitMoved, _: int) -> None:
        tx.execute("UPDATE units SET parent_id = :p, jurisdiction = :j, version = :v WHERE unit_id = :id",
                   {"id": e.originator_id, "p": e.parent_id, "j": e.jurisdiction, "v": e.originator_version})

    @on(u.UnitClosed)
    def _closed(self, tx: Tx, e: u.UnitClosed, _: int) -> None:
        tx.execute("UPDATE units SET closure = :c, version = :v WHERE unit_id = :id",
                   {"id": e.originator_id, "c": e.closure, "v": e.originator_version})

    @on(u.RiskColourGraded)
    def _colour(self, tx: Tx, e: u.RiskColourGraded, _: int) -> None:
        tx.execute("UPDATE units SET risk_colour = :c, version = :v WHERE unit_id = :id",
                   {"id": e.originator_id, "c": e.colour, "v": e.originator_version})

    @on(u.SupervisionAssigned)
    def _supervised(self, tx: Tx, e: u.SupervisionAssigned, _: int) -> None:
        tx.execute(
            "UPDATE units SET supervising_department_id = :d, supervision_clause = :c, version = :v "
            "WHERE unit_id = :id",
            {"id": e.originator_id, "d": e.department_id, "c": e.clause, "v": e.originator_version},
        )

    @on(SectorLeadDecided)
    def _lead(self, tx: Tx, e: SectorLeadDecided, _: int) -> None:
        params = {"t": e.territory_id, "s": e.sector, "d": e.department_id, "c": e.clause,
                  "j": e.envelope.jurisdiction, "at": e.envelope.effective_at}
        tx.execute("DELETE FROM sector_leads WHERE territory_id = :t AND sector = :s", params)
        tx.execute("INSERT INTO sector_leads VALUES (:t, :s, :d, :c, :j, :at)", params)

    # --- posts -----------------------------------------------------------------------------------------------
    @on(ps.PostEstablished)
    def _post(self, tx: Tx, e: ps.PostEstablished, _: int) -> None:
        d = e.definition
        tx.execute(
            "INSERT INTO posts VALUES (:id, :unit, :title, :kind, :first, :portfolio_json, :requires_json, "
            ":category, :capacity, 0, 0, :j)",
            {"id": e.originator_id, "unit": e.unit_id, "title": d.title, "kind": d.kind, "first": e.first_responsible,
             "portfolio_json": list(d.portfolio), "requires_json": [k.value for k in d.requires],
             "category": d.category, "capacity": d.capacity, "j": e.envelope.jurisdiction},
        )

    @on(ps.PostRedefined)
    def _redefined(self, tx: Tx, e: ps.PostRedefined, _: int) -> None:
        d = e.definition
        tx.execute(
            "UPDATE posts SET title = :title, portfolio_json = :portfolio_json, requires_json = :requires_json, "
            "category = :category, capacity = :capacity WHERE post_id = :id",
            {"id": e.originator_id, "title": d.title, "portfolio_json": list(d.portfolio),
             "requires_json": [k.value for k in d.requires], "category": d.category, "capacity": d.capacity},
        )

    @on(ps.HolderAppointed)
    def _appointed(self, tx: Tx, e: ps.HolderAppointed, _: int) -> None:
        tx.execute("UPDATE posts SET holders = holders + 1 WHERE post_id = :id", {"id": e.originator_id})

    @on(ps.HolderRemoved)
    def _removed(self, tx: Tx, e: ps.HolderRemoved, _: int) -> None:
        tx.execute("UPDATE posts SET holders = holders - 1 WHERE post_id = :id", {"id": e.originator_id})

    @on(ps.PostRelocated)
    def _post_relocated(self, tx: Tx, e: ps.PostRelocated, _: int) -> None:
        tx.execute("UPDATE posts SET jurisdiction = :j WHERE post_id = :id", {"id": e.originator_id,
                                                                              "j": e.jurisdiction})

    @on(ps.PostAbolished)
    def _abolished(self, tx: Tx, e: ps.PostAbolished, _: int) -> None:
        tx.execute("UPDATE posts SET abolished = 1 WHERE post_id = :id", {"id": e.originator_id})

    # --- people ----------------------------------------------------------------------------------------------
    @on(pe.PersonRegistered)
    def _person(self, tx: Tx, e: pe.PersonRegistered, _: int) -> None:
        tx.execute("INSERT INTO people VALUES (:id, :name, :masked, :j, :at, NULL)",
                   {"id": e.originator_id, "name": e.name, "masked": e.id_number_masked,
                    "j": e.envelope.jurisdiction, "at": e.envelope.effective_at})

    @on(pe.PersonRenamed)
    def _renamed(self, tx: Tx, e: pe.PersonRenamed, _: int) -> None:
        tx.execute("UPDATE people SET name = :name WHERE person_id = :id", {"id": e.originator_id, "name": e.name})

    @on(pe.TrainingRecorded)
    def _trained(self, tx: Tx, e: pe.TrainingRecorded, _: int) -> None:
        row = tx.one("SELECT last_trained_on FROM people WHERE person_id = :id", {"id": e.originator_id})
        assert row is not None
        tx.execute("UPDATE people SET last_trained_on = :d WHERE person_id = :id",
                   {"id": e.originator_id, "d": pe.trained_on(row["last_trained_on"], e.training)})

    @on(pe.CertificateIssued)
    def _certificate(self, tx: Tx, e: pe.CertificateIssued, _: int) -> None:
        c = e.certificate
        tx.execute(
            "INSERT INTO certificates VALUES (:p, :n, :k, :o, :i, :issued, :expires, 0)",
            {"p": e.originator_id, "n": c.number, "k": c.kind, "o": c.operation, "i": c.issuer,
             "issued": c.issued_on, "expires": c.expires_on},
        )

    @on(pe.CertificateRevoked)
    def _revoked(self, tx: Tx, e: pe.CertificateRevoked, _: int) -> None:
        tx.execute("UPDATE certificates SET revoked = 1 WHERE person_id = :p AND number = :n",
                   {"p": e.originator_id, "n": e.number})

    @on(pe.IndustryBanImposed)
    def _ban(self, tx: Tx, e: pe.IndustryBanImposed, _: int) -> None:
        b = e.ban
        tx.execute("INSERT INTO industry_bans VALUES (:id, :p, :i, :s, :u, :r, 0)",
                   {"id": b.ban_id, "p": e.originator_id, "i": b.industry, "s": b.starts_on, "u": b.until,
                    "r": b.reason})

    @on(pe.IndustryBanLifted)
    def _ban_lifted(self, tx: Tx, e: pe.IndustryBanLifted, _: int) -> None:
        tx.execute("UPDATE industry_bans SET lifted = 1 WHERE ban_id = :id", {"id": e.ban_id})

    # --- lists -----------------------------------------------------------------------------------------------
    @on(r.ResponsibilityListOpened)
    def _list(self, tx: Tx, e: r.ResponsibilityListOpened, _: int) -> None:
        tx.execute(
            "INSERT INTO responsibility_lists VALUES (:id, :unit, :kind, :year, :title, 0, NULL, NULL, 0, :j)",
            {"id": e.originator_id, "unit": e.unit_id, "kind": e.kind, "year": e.year, "title": e.title,
             "j": e.envelope.jurisdiction},
        )

    @on(r.DutyAssigned)
    def _duty_added(self, tx: Tx, e: r.DutyAssigned, _: int) -> None:
        tx.execute("UPDATE responsibility_lists SET duties = duties + 1 WHERE list_id = :id", {"id": e.originator_id})

    @on(r.DutyRevoked)
    def _duty_removed(self, tx: Tx, e: r.DutyRevoked, _: int) -> None:
        tx.execute("UPDATE responsibility_lists SET duties = duties - 1 WHERE list_id = :id", {"id": e.originator_id})

    @on(r.ResponsibilityListPublished)
    def _published(self, tx: Tx, e: r.ResponsibilityListPublished, _: int) -> None:
        tx.execute(
            "UPDATE responsibility_lists SET published_version = :v, document_no = :d, published_at = :at "
            "WHERE list_id = :id",
            {"id": e.originator_id, "v": e.version, "d": e.document_no, "at": e.envelope.effective_at},
        )

    @on(r.ResponsibilityListRelocated)
    def _list_relocated(self, tx: Tx, e: r.ResponsibilityListRelocated, _: int) -> None:
        tx.execute("UPDATE responsibility_lists SET jurisdiction = :j WHERE list_id = :id",
                   {"id": e.originator_id, "j": e.jurisdiction})


class DirectoryQueries:
    """Read side of the directory, always scoped by the caller's jurisdiction."""

    def __init__(self, db: ReadDatabase):
        self.db = db

    def units(self, scope: str, *, kind: str | None = None, parent_id: UUID | None = None,
              q: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        sql = f"SELECT * FROM units WHERE {scope_clause()}"
        params: dict[str, Any] = scope_params(scope)
        if kind:
            sql += " AND kind = :kind"
            params["kind"] = kind
        if parent_id:
            sql += " AND parent_id = :parent"
            params["parent"] = parent_id
        if q:
            sql += " AND name LIKE :q"
            params["q"] = f"%{q}%"
        sql += " ORDER BY jurisdiction, kind, name LIMIT :limit OFFSET :offset"
        with self.db.read() as tx:
            return tx.all(sql, {**params, "limit": limit, "offset": offset})

    def unit(self, scope: str, unit_id: UUID) -> dict[str, Any] | None:
        with self.db.read() as tx:
            return tx.one(f"SELECT * FROM units WHERE unit_id = :id AND {scope_clause()}",
                          {"id": unit_id, **scope_params(scope)})

    def posts(self, scope: str, *, unit_id: UUID | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT * FROM posts WHERE {scope_clause()}"
        params: dict[str, Any] = scope_params(scope)
        if unit_id:
            sql += " AND unit_id = :unit"
            params["unit"] = unit_id
        with self.db.read() as tx:
            return tx.all(sql + " ORDER BY unit_id, kind, title", params)

    def people(self, scope: str, *, q: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        sql = f"SELECT * FROM people WHERE {scope_clause()}"
        params: dict[str, Any] = {**scope_params(scope), "limit": limit, "offset": offset}
        if q:
            sql += " AND name LIKE :q"
            params["q"] = f"%{q}%"
        with self.db.read() as tx:
            return tx.all(sql + " ORDER BY name LIMIT :limit OFFSET :offset", params)

    def people_named(self, scope: str, person_ids: set[UUID] | set[str]) -> list[dict[str, Any]]:
        """The names of those of these people that ``scope`` may see (as ``GET /people/{id}``)."""
        if not person_ids:
            return []
        names = ", ".join(f":p{i}" for i in range(len(person_ids)))
        with self.db.read() as tx:
            return tx.all(f"SELECT person_id, name FROM people WHERE person_id IN ({names}) AND {scope_clause()}",
                          {**scope_params(scope), **{f"p{i}": p for i, p in enumerate(sorted(map(str, person_ids)))}})

    def certificates(self, person_id: UUID) -> list[dict[str, Any]]:
        """A person's certificates, numbers masked (the table keeps them whole only to match revocations)."""
        with self.db.read() as tx:
            rows = tx.all("SELECT * FROM certificates WHERE person_id = :p ORDER BY expires_on", {"p": person_id})
        return [{**row, "number": mask_certificate_number(row["number"])} for row in rows]

    def lists(self, scope: str, *, unit_id: UUID | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT * FROM responsibility_lists WHERE {scope_clause()}"
        params: dict[str, Any] = scope_params(scope)
        if unit_id:
            sql += " AND unit_id = :unit"
            params["unit"] = unit_id
        with self.db.read() as tx:
            return tx.all(sql + " ORDER BY unit_id, kind, year", params)

    def responsibility_list(self, scope: str, list_id: UUID) -> dict[str, Any] | None:
        with self.db.read() as tx:
            return tx.one(f"SELECT * FROM responsibility_lists WHERE list_id = :id AND {scope_clause()}",
                          {"id": list_id, **scope_params(scope)})

    def sector_leads(self, scope: str) -> list[dict[str, Any]]:
        with self.db.read() as tx:
            return tx.all(f"SELECT * FROM sector_leads WHERE {scope_clause()} ORDER BY jurisdiction, sector",
                          scope_params(scope))

    # --- application.ports.Directory ------------------------------------------------------------------------
    def posts_of(self, unit_id: UUID) -> list[UUID]:
        with self.db.read() as tx:
            return [UUID(r["post_id"]) for r in tx.all("SELECT post_id FROM posts WHERE unit_id = :u", {"u": unit_id})]

    def lists_of(self, unit_id: UUID) -> list[UUID]:
        with self.db.read() as tx:
            return [UUID(r["list_id"]) for r in
                    tx.all("SELECT list_id FROM responsibility_lists WHERE unit_id = :u", {"u": unit_id})]

    def unsupervised_enterprises(self, jurisdiction: str, sector: str) -> list[UUID]:
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT unit_id FROM units WHERE kind = 'enterprise' AND sector = :s AND closure IS NULL "
                f"AND supervising_department_id IS NULL AND {scope_clause()}",
                {"s": sector, **scope_params(jurisdiction)},
            )
        return [UUID(r["unit_id"]) for r in rows]

    def units_under(self, parent_id: UUID, kind: str) -> list[UUID]:
        with self.db.read() as tx:
            rows = tx.all("SELECT unit_id FROM units WHERE parent_id = :p AND kind = :k AND closure IS NULL "
                          "ORDER BY registered_at, unit_id", {"p": parent_id, "k": kind})
        return [UUID(r["unit_id"]) for r in rows]

    def supervised_units(self, department_id: UUID) -> list[UUID]:
        with self.db.read() as tx:
            rows = tx.all("SELECT unit_id FROM units WHERE supervising_department_id = :d AND closure IS NULL "
                          "ORDER BY unit_id", {"d": department_id})
        return [UUID(r["unit_id"]) for r in rows]
