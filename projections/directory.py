"""The directory: units, posts, people, certificates, bans, sector leads and lists as they stand now.

The API lists and looks up records through :class:`DirectoryQueries`; the service layer asks it which posts and lists
a unit has (``application.ports.Directory``, through ``infrastructure.lookups``); and every other read model that
shows a unit's or a person's name, or narrows rows to the units a department supervises, asks it too — through
:class:`DirectoryQueries` (``unit_names``, ``person_names``, ``post_titles``, ``supervised_units``), never by joining
these tables, which are the directory's own (docs/DEVELOPING.md, "Read models": one read model, one set of tables).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from functools import lru_cache
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
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from domain import people as pe
from domain import posts as ps
from domain import responsibility as r
from domain import units as u
from domain.base import DomainEvent
from domain.identifiers import mask_certificate_number
from domain.supervision import SectorLeadDecided
from projections.columns import Json, Jurisdiction, Key, Timestamp
from projections.projection import Projection, current_batch, defer, on
from projections.scope import within
from projections.states import events_of, states_table
from projections.timeline import Decided, Timeline, changes_table, history_of, known, valid

METADATA = MetaData()
UNITS = Table(
    "units", METADATA,
    Column("unit_id", Key, primary_key=True), Column("kind", Key, nullable=False), Column("name", Text, nullable=False),
    Column("code", Key), Column("level", Key), Column("parent_id", Key),
    Column("jurisdiction", Jurisdiction, nullable=False),
    Column("sector", Key), Column("grid", Text), Column("risk_colour", Key), Column("supervising_department_id", Key),
    Column("supervision_clause", Text), Column("closure", Key), Column("profile_json", Json, nullable=False),
    Column("registered_at", Timestamp, nullable=False), Column("version", Integer, nullable=False),
    Index("units_jurisdiction", "jurisdiction"), Index("units_parent", "parent_id"),
    Index("units_supervisor", "supervising_department_id"),
)
UNIT_HISTORY = history_of(UNITS, "unit_history", "unit_id", METADATA)
"""Each unit's row over effective time as known over recorded time (``projections.timeline``): the enterprises on a
past day as known then — risk colour, supervisor, closure (issue #14)."""
UNIT_CHANGES = changes_table("unit_history", METADATA, events=True)
UNIT_STATES = states_table("unit_history_states", METADATA)
POSTS = Table(
    "posts", METADATA,
    Column("post_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("title", Text, nullable=False), Column("kind", Key, nullable=False),
    Column("first_responsible", Boolean, nullable=False), Column("portfolio_json", Json, nullable=False),
    Column("requires_json", Json, nullable=False), Column("category", Key), Column("capacity", Integer),
    Column("abolished", Boolean, nullable=False), Column("holders", Integer, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False),
    Index("posts_unit", "unit_id"),
)
PEOPLE = Table(
    "people", METADATA,
    Column("person_id", Key, primary_key=True), Column("name", Text, nullable=False),
    Column("id_number_masked", Text, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("registered_at", Timestamp, nullable=False), Column("last_trained_on", Date),
)
CERTIFICATES = Table(
    "certificates", METADATA,
    Column("person_id", Key, primary_key=True), Column("number", Text, primary_key=True),
    Column("kind", Key, nullable=False), Column("operation", Text), Column("issuer", Text, nullable=False),
    Column("issued_on", Date, nullable=False), Column("expires_on", Date, nullable=False),
    Column("revoked", Boolean, nullable=False),
)
BANS = Table(
    "industry_bans", METADATA,
    Column("ban_id", Key, primary_key=True), Column("person_id", Key, nullable=False),
    Column("industry", Key, nullable=False), Column("starts_on", Date, nullable=False), Column("until_on", Date),
    Column("reason", Text, nullable=False), Column("lifted", Boolean, nullable=False),
)
SECTOR_LEADS = Table(
    "sector_leads", METADATA,
    Column("territory_id", Key, primary_key=True), Column("sector", Key, primary_key=True),
    Column("department_id", Key, nullable=False), Column("clause", Text, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("decided_at", Timestamp, nullable=False),
)
LISTS = Table(
    "responsibility_lists", METADATA,
    Column("list_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("kind", Key, nullable=False), Column("year", Integer), Column("title", Text, nullable=False),
    Column("published_version", Integer, nullable=False), Column("document_no", Text),
    Column("published_at", Timestamp), Column("duties", Integer, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False),
    Index("responsibility_lists_unit", "unit_id"),
)


UNIT_EVENTS = events_of(u)


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


def _unit_columns(unit: u.Unit) -> dict[str, Any]:
    """A unit's history columns: its state (``domain.units.Unit``) after the event."""
    supervision = unit.supervision
    return {**_profile_columns(unit.profile), "parent_id": unit.parent_id, "jurisdiction": unit.jurisdiction,
            "closure": unit.closure, "risk_colour": unit.risk_colour,
            "supervising_department_id": supervision.department_id if supervision else None,
            "supervision_clause": supervision.clause if supervision else None, "version": unit.version}


@lru_cache(maxsize=256)
def _update(table: Table, key: str, columns: tuple[str, ...], delta: int = 0) -> Any:
    """``UPDATE table SET columns … WHERE key = :b_id``, built once per table and columns, the values as parameters
    (``delta``: the one column is a count moved by that much): a batch's updates of one kind share it and go out in
    one ``executemany`` (``projections.projection.defer``)."""
    statement = update(table).where(table.c[key] == bindparam("b_id"))
    return statement.values({columns[0]: table.c[columns[0]] + delta}) if delta else statement


@lru_cache(maxsize=64)
def _insert(table: Table) -> Any:
    return insert(table)


@lru_cache(maxsize=16)
def _lead_replaced(table: Table) -> Any:
    lead = table.c
    return delete(table).where(lead.territory_id == bindparam("b_territory"), lead.sector == bindparam("b_sector"))


class DirectoryProjection(Projection):
    """Rows are inserted and updated at the end of each batch, one ``executemany`` per statement
    (``projections.projection.defer``): each kind of update sets columns of its own (a count moves by increments), so
    grouping them by statement keeps the outcome of the events' order; a unit's version is a statement of its own,
    applied in log order. The one value read back, a person's last training, is kept in the batch."""

    name = "directory"
    # 3: on SQLAlchemy Core (typed columns, booleans), shadow rebuilds; 4: the units' history;
    # 5: jurisdictions in collation "C"
    version = 5
    rebuild_cost = 2
    units = UNITS
    unit_history = UNIT_HISTORY
    unit_changes = UNIT_CHANGES
    unit_states = UNIT_STATES
    posts = POSTS
    people = PEOPLE
    certificates = CERTIFICATES
    bans = BANS
    sector_leads = SECTOR_LEADS
    lists = LISTS

    # --- units -----------------------------------------------------------------------------------------------
    @property
    def unit_timeline(self) -> Timeline:
        return Timeline(self.unit_history, self.unit_changes, "unit_id",
                        decided=Decided(u.Unit, UNIT_EVENTS, _unit_columns, self.unit_states))

    @staticmethod
    def _set(conn: Connection, table: Table, key: str, row_id: Any, **values: Any) -> None:
        """Set ``values`` of the row ``row_id`` at the end of the batch."""
        defer(conn, _update(table, key, tuple(values)), {**values, "b_id": row_id}, inserts=False)

    @staticmethod
    def _count(conn: Connection, table: Table, key: str, row_id: Any, column: str, delta: int) -> None:
        """Move the count ``column`` of the row ``row_id`` by ``delta`` at the end of the batch."""
        defer(conn, _update(table, key, (column,), delta), {"b_id": row_id}, inserts=False)

    @staticmethod
    def _add(conn: Connection, table: Table, row: dict[str, Any]) -> None:
        """Insert ``row`` (every column of ``table``) at the end of the batch."""
        defer(conn, _insert(table), row, inserts=True)

    def _unit(self, conn: Connection, e: DomainEvent, **values: Any) -> None:
        """Set plain values of the unit's row and its version, and record the event in the unit's history (whose
        columns are the domain's state after it)."""
        self._set(conn, self.units, "unit_id", e.originator_id, **values)
        self._set(conn, self.units, "unit_id", e.originator_id, version=e.originator_version)
        self.unit_timeline.record_event(conn, e, {})

    @on(u.UnitRegistered)
    def _registered(self, conn: Connection, e: u.UnitRegistered, _: int) -> None:
        self._add(conn, self.units, {
            "unit_id": e.originator_id, "parent_id": e.parent_id, "jurisdiction": e.envelope.jurisdiction,
            "registered_at": e.envelope.effective_at, "version": e.originator_version, "risk_colour": None,
            "supervising_department_id": None, "supervision_clause": None, "closure": None,
            **_profile_columns(e.profile)})
        self.unit_timeline.record_event(conn, e, {"registered_at": e.envelope.effective_at})

    @on(u.UnitAmended)
    def _amended(self, conn: Connection, e: u.UnitAmended, _: int) -> None:
        columns = _profile_columns(e.profile)
        del columns["kind"], columns["level"]
        self._unit(conn, e, **columns)

    @on(u.UnitMoved)
    def _moved(self, conn: Connection, e: u.UnitMoved, _: int) -> None:
        self._unit(conn, e, parent_id=e.parent_id, jurisdiction=e.jurisdiction)

    @on(u.UnitClosed)
    def _closed(self, conn: Connection, e: u.UnitClosed, _: int) -> None:
        self._unit(conn, e, closure=e.closure)

    @on(u.RiskColourGraded)
    def _colour(self, conn: Connection, e: u.RiskColourGraded, _: int) -> None:
        self._unit(conn, e, risk_colour=e.colour)

    @on(u.SupervisionAssigned)
    def _supervised(self, conn: Connection, e: u.SupervisionAssigned, _: int) -> None:
        self._unit(conn, e, supervising_department_id=e.department_id, supervision_clause=e.clause)

    @on(SectorLeadDecided)
    def _lead(self, conn: Connection, e: SectorLeadDecided, _: int) -> None:
        """Replaces the lead of the territory's sector at once (a delete cannot wait for the batch's inserts)."""
        conn.execute(_lead_replaced(self.sector_leads), {"b_territory": e.territory_id, "b_sector": e.sector})
        conn.execute(_insert(self.sector_leads), {
            "territory_id": e.territory_id, "sector": e.sector, "department_id": e.department_id, "clause": e.clause,
            "jurisdiction": e.envelope.jurisdiction, "decided_at": e.envelope.effective_at})

    # --- posts -----------------------------------------------------------------------------------------------
    def _post(self, conn: Connection, e: DomainEvent, **values: Any) -> None:
        self._set(conn, self.posts, "post_id", e.originator_id, **values)

    @staticmethod
    def _definition(d: ps.PostDefinition) -> dict[str, Any]:
        return {"title": d.title, "portfolio_json": list(d.portfolio), "requires_json": [k.value for k in d.requires],
                "category": d.category, "capacity": d.capacity}

    @on(ps.PostEstablished)
    def _established(self, conn: Connection, e: ps.PostEstablished, _: int) -> None:
        self._add(conn, self.posts, {
            "post_id": e.originator_id, "unit_id": e.unit_id, "kind": e.definition.kind,
            "first_responsible": e.first_responsible, "abolished": False, "holders": 0,
            "jurisdiction": e.envelope.jurisdiction, **self._definition(e.definition)})

    @on(ps.PostRedefined)
    def _redefined(self, conn: Connection, e: ps.PostRedefined, _: int) -> None:
        self._post(conn, e, **self._definition(e.definition))

    @on(ps.HolderAppointed)
    def _appointed(self, conn: Connection, e: ps.HolderAppointed, _: int) -> None:
        self._count(conn, self.posts, "post_id", e.originator_id, "holders", 1)

    @on(ps.HolderRemoved)
    def _removed(self, conn: Connection, e: ps.HolderRemoved, _: int) -> None:
        self._count(conn, self.posts, "post_id", e.originator_id, "holders", -1)

    @on(ps.PostRelocated)
    def _post_relocated(self, conn: Connection, e: ps.PostRelocated, _: int) -> None:
        self._post(conn, e, jurisdiction=e.jurisdiction)

    @on(ps.PostAbolished)
    def _abolished(self, conn: Connection, e: ps.PostAbolished, _: int) -> None:
        self._post(conn, e, abolished=True)

    # --- people ----------------------------------------------------------------------------------------------
    @on(pe.PersonRegistered)
    def _person(self, conn: Connection, e: pe.PersonRegistered, _: int) -> None:
        self._add(conn, self.people, {
            "person_id": e.originator_id, "name": e.name, "id_number_masked": e.id_number_masked,
            "jurisdiction": e.envelope.jurisdiction, "registered_at": e.envelope.effective_at,
            "last_trained_on": None})

    @on(pe.PersonRenamed)
    def _renamed(self, conn: Connection, e: pe.PersonRenamed, _: int) -> None:
        self._set(conn, self.people, "person_id", e.originator_id, name=e.name)

    @on(pe.TrainingRecorded)
    def _trained(self, conn: Connection, e: pe.TrainingRecorded, _: int) -> None:
        """The last training day, read once per batch and kept there (the person's row may be a batch's insert
        still to be written: then there is none yet, as for a person just registered)."""
        batch, key = current_batch(), ("last_trained_on", str(e.originator_id))
        if batch is not None and key in batch.values:
            last = batch.values[key]
        else:
            person = self.people.c
            last = conn.execute(select(person.last_trained_on).where(person.person_id == e.originator_id)).scalar()
        trained = pe.trained_on(last, e.training)
        if batch is not None:
            batch.values[key] = trained
        self._set(conn, self.people, "person_id", e.originator_id, last_trained_on=trained)

    @on(pe.CertificateIssued)
    def _certificate(self, conn: Connection, e: pe.CertificateIssued, _: int) -> None:
        c = e.certificate
        self._add(conn, self.certificates, {
            "person_id": e.originator_id, "number": c.number, "kind": c.kind, "operation": c.operation,
            "issuer": c.issuer, "issued_on": c.issued_on, "expires_on": c.expires_on, "revoked": False})

    @on(pe.CertificateRevoked)
    def _revoked(self, conn: Connection, e: pe.CertificateRevoked, _: int) -> None:
        defer(conn, _certificate_revoked(self.certificates), {"b_id": e.originator_id, "b_number": e.number},
              inserts=False)

    @on(pe.IndustryBanImposed)
    def _ban(self, conn: Connection, e: pe.IndustryBanImposed, _: int) -> None:
        b = e.ban
        self._add(conn, self.bans, {
            "ban_id": b.ban_id, "person_id": e.originator_id, "industry": b.industry, "starts_on": b.starts_on,
            "until_on": b.until, "reason": b.reason, "lifted": False})

    @on(pe.IndustryBanLifted)
    def _ban_lifted(self, conn: Connection, e: pe.IndustryBanLifted, _: int) -> None:
        self._set(conn, self.bans, "ban_id", e.ban_id, lifted=True)

    # --- lists -----------------------------------------------------------------------------------------------
    def _list(self, conn: Connection, e: DomainEvent, **values: Any) -> None:
        self._set(conn, self.lists, "list_id", e.originator_id, **values)

    @on(r.ResponsibilityListOpened)
    def _opened(self, conn: Connection, e: r.ResponsibilityListOpened, _: int) -> None:
        self._add(conn, self.lists, {
            "list_id": e.originator_id, "unit_id": e.unit_id, "kind": e.kind, "year": e.year, "title": e.title,
            "published_version": 0, "document_no": None, "published_at": None, "duties": 0,
            "jurisdiction": e.envelope.jurisdiction})

    @on(r.DutyAssigned)
    def _duty_added(self, conn: Connection, e: r.DutyAssigned, _: int) -> None:
        self._count(conn, self.lists, "list_id", e.originator_id, "duties", 1)

    @on(r.DutyRevoked)
    def _duty_removed(self, conn: Connection, e: r.DutyRevoked, _: int) -> None:
        self._count(conn, self.lists, "list_id", e.originator_id, "duties", -1)

    @on(r.ResponsibilityListPublished)
    def _published(self, conn: Connection, e: r.ResponsibilityListPublished, _: int) -> None:
        self._list(conn, e, published_version=e.version, document_no=e.document_no,
                   published_at=e.envelope.effective_at)

    @on(r.ResponsibilityListRelocated)
    def _list_relocated(self, conn: Connection, e: r.ResponsibilityListRelocated, _: int) -> None:
        self._list(conn, e, jurisdiction=e.jurisdiction)


@lru_cache(maxsize=16)
def _certificate_revoked(table: Table) -> Any:
    c = table.c
    return (update(table).where(c.person_id == bindparam("b_id"), c.number == bindparam("b_number"))
            .values(revoked=True))


def _ids(ids: Collection[UUID | str | None]) -> list[str]:
    return sorted({str(i) for i in ids if i is not None})


UNIT_NAMES = select(UNITS.c.unit_id, UNITS.c.name, UNITS.c.kind, UNITS.c.sector, UNITS.c.risk_colour).where(
    UNITS.c.unit_id.in_(bindparam("ids", expanding=True)))
"""The units' names of :meth:`DirectoryQueries.unit_names`, built once: every ledger page asks it (issue #15)."""


class DirectoryQueries:
    """Read side of the directory, always scoped by the caller's jurisdiction (except the lookups by id that other
    read models make for the rows they already scoped)."""

    def __init__(self, db: Any):
        self.db = db

    def _all(self, query: Any) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def _one(self, query: Any) -> dict[str, Any] | None:
        rows = self._all(query)
        return rows[0] if rows else None

    def units(self, scope: str, *, as_of: datetime | None = None, known_at: datetime | None = None,
              kind: str | None = None, parent_id: UUID | None = None,
              q: str | None = None, colour: str | None = None, jurisdiction: str | None = None, limit: int = 100,
              offset: int = 0) -> list[dict[str, Any]]:
        """Units of ``scope`` (``colour``: the risk colour, ``none`` for not yet graded; ``jurisdiction``: a
        sub-jurisdiction), in the directory's order; with ``as_of`` or ``known_at``, each as it stood at ``as_of``
        as recorded by ``known_at`` (both default: now), from the units' history (``projections.timeline``)."""
        if as_of is not None or known_at is not None:
            c = UNIT_HISTORY.c
            conditions = [valid(UNIT_HISTORY, as_of or datetime.now(UTC)),
                          known(UNIT_HISTORY, known_at or datetime.now(UTC))]
            table: Any = select(*(c[col.name] for col in UNITS.columns))
        else:
            c = UNITS.c
            conditions = []
            table = select(UNITS)
        conditions.append(within(c.jurisdiction, scope))
        conditions += [column == value for column, value in ((c.kind, kind), (c.parent_id, parent_id)) if value]
        if colour:
            conditions.append(c.risk_colour.is_(None) if colour == "none" else c.risk_colour == colour)
        if jurisdiction:
            conditions.append(within(c.jurisdiction, jurisdiction))
        if q:
            conditions.append(c.name.like(f"%{q}%"))
        return self._all(table.where(*conditions).order_by(c.jurisdiction, c.kind, c.name, c.unit_id)
                         .limit(limit).offset(offset))

    def colours(self, scope: str, *, jurisdiction: str | None = None) -> list[dict[str, Any]]:
        """Enterprises by jurisdiction and risk colour (红橙黄蓝; ``None``: not yet graded), counted in SQL: the
        dashboard's risk map without reading the directory page by page."""
        c = UNITS.c
        conditions = [c.kind == "enterprise", within(c.jurisdiction, scope)]
        if jurisdiction:
            conditions.append(within(c.jurisdiction, jurisdiction))
        groups = (c.jurisdiction, c.risk_colour)
        query = (select(c.jurisdiction, c.risk_colour.label("colour"), func.count().label("count"))
                 .where(*conditions).group_by(*groups).order_by(*groups))
        return self._all(query)

    def unit(self, scope: str, unit_id: UUID) -> dict[str, Any] | None:
        return self._one(select(UNITS).where(UNITS.c.unit_id == unit_id, within(UNITS.c.jurisdiction, scope)))

    def posts(self, scope: str, *, unit_id: UUID | None = None) -> list[dict[str, Any]]:
        c = POSTS.c
        conditions = [within(c.jurisdiction, scope)] + ([c.unit_id == unit_id] if unit_id else [])
        return self._all(select(POSTS).where(*conditions).order_by(c.unit_id, c.kind, c.title))

    def people(self, scope: str, *, q: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        c = PEOPLE.c
        conditions = [within(c.jurisdiction, scope)] + ([c.name.like(f"%{q}%")] if q else [])
        return self._all(select(PEOPLE).where(*conditions).order_by(c.name).limit(limit).offset(offset))

    def people_named(self, scope: str, person_ids: Collection[UUID | str]) -> list[dict[str, Any]]:
        """The names of those of these people that ``scope`` may see (as ``GET /people/{id}``)."""
        if not person_ids:
            return []
        c = PEOPLE.c
        return self._all(select(c.person_id, c.name).where(c.person_id.in_(_ids(person_ids)),
                                                           within(c.jurisdiction, scope)))

    def certificates(self, person_id: UUID | str) -> list[dict[str, Any]]:
        """A person's certificates, numbers masked (the table keeps them whole only to match revocations)."""
        c = CERTIFICATES.c
        rows = self._all(select(CERTIFICATES).where(c.person_id == person_id).order_by(c.expires_on))
        return [{**row, "number": mask_certificate_number(row["number"])} for row in rows]

    def valid_certificates(self, day: Any) -> set[tuple[str, str]]:
        """(person, kind) of every certificate valid on ``day`` (issued by then, not expired, not revoked)."""
        c = CERTIFICATES.c
        with self.db.read() as conn:
            rows = conn.execute(select(c.person_id, c.kind).where(c.revoked.is_(False), c.issued_on <= day,
                                                                  c.expires_on >= day))
            return {(person, kind) for person, kind in rows}

    def lists(self, scope: str, *, unit_id: UUID | None = None) -> list[dict[str, Any]]:
        c = LISTS.c
        conditions = [within(c.jurisdiction, scope)] + ([c.unit_id == unit_id] if unit_id else [])
        return self._all(select(LISTS).where(*conditions).order_by(c.unit_id, c.kind, c.year))

    def responsibility_list(self, scope: str, list_id: UUID) -> dict[str, Any] | None:
        return self._one(select(LISTS).where(LISTS.c.list_id == list_id, within(LISTS.c.jurisdiction, scope)))

    def sector_leads(self, scope: str) -> list[dict[str, Any]]:
        c = SECTOR_LEADS.c
        return self._all(select(SECTOR_LEADS).where(within(c.jurisdiction, scope)).order_by(c.jurisdiction, c.sector))

    # --- for other read models: names and audiences by id ----------------------------------------------------
    def unit_names(self, unit_ids: Collection[UUID | str | None], *,
                   within: Connection | None = None) -> dict[str, dict[str, Any]]:
        """Unit id → its ``name``, ``kind``, ``sector`` and ``risk_colour``, for the units among ``unit_ids`` (rows
        another read model has already scoped); read ``within`` the caller's connection when it lends one
        (:meth:`Database.read`)."""
        if not unit_ids:
            return {}
        with self.db.read(within) as conn:
            result = conn.execute(UNIT_NAMES, {"ids": _ids(unit_ids)})
            columns = tuple(result.keys())
            return {row.unit_id: dict(zip(columns, row, strict=True)) for row in result}

    def person_names(self, person_ids: Collection[UUID | str | None]) -> dict[str, str]:
        """Person id → name, for the people among ``person_ids``."""
        if not person_ids:
            return {}
        c = PEOPLE.c
        with self.db.read() as conn:
            return dict(conn.execute(select(c.person_id, c.name).where(c.person_id.in_(_ids(person_ids)))).all())

    def post_titles(self, post_ids: Collection[UUID | str | None]) -> dict[str, str]:
        """Post id → title, for the posts among ``post_ids``."""
        if not post_ids:
            return {}
        c = POSTS.c
        with self.db.read() as conn:
            return dict(conn.execute(select(c.post_id, c.title).where(c.post_id.in_(_ids(post_ids)))).all())

    def supervising_departments(self, unit_ids: Collection[UUID | str | None]) -> dict[str, str | None]:
        """Unit id → the department supervising it today (or ``None``), for the units among ``unit_ids``."""
        if not unit_ids:
            return {}
        c = UNITS.c
        rows = self._all(select(c.unit_id, c.supervising_department_id).where(c.unit_id.in_(_ids(unit_ids))))
        return {row["unit_id"]: row["supervising_department_id"] for row in rows}

    def supervised_by(self, department_id: UUID | str | None) -> list[UUID]:
        """Every unit the department supervises, closed ones too (whose records its inspectors still see)."""
        return self._unit_ids(UNITS.c.supervising_department_id == str(department_id)) if department_id else []

    def posts_of_kind(self, kind: str, unit_kinds: Collection[str],
                      scope: str | None = None) -> dict[str, dict[str, Any]]:
        """Post id → its unit's id and profile, for the posts of ``kind`` in units of ``unit_kinds`` (in ``scope``)."""
        p, un = POSTS.c, UNITS.c
        conditions = [p.kind == kind, un.kind.in_(sorted(unit_kinds))]
        if scope is not None:
            conditions.append(within(un.jurisdiction, scope))
        rows = self._all(select(p.post_id, un.unit_id, un.profile_json).join(UNITS, un.unit_id == p.unit_id)
                         .where(*conditions))
        return {row["post_id"]: row for row in rows}

    def open_units(self, scope: str, kinds: Collection[str]) -> list[dict[str, Any]]:
        """The units of these kinds in ``scope`` that are not closed."""
        c = UNITS.c
        return self._all(select(UNITS).where(c.kind.in_(sorted(kinds)), c.closure.is_(None),
                                             within(c.jurisdiction, scope)))

    def open_posts(self, scope: str) -> list[dict[str, Any]]:
        """The posts in ``scope`` not abolished, of units not closed, with their unit's name and kind."""
        p, un = POSTS.c, UNITS.c
        return self._all(select(POSTS, un.name.label("unit_name"), un.kind.label("unit_kind"))
                         .join(UNITS, un.unit_id == p.unit_id)
                         .where(p.abolished.is_(False), un.closure.is_(None), within(p.jurisdiction, scope)))

    # --- application.ports.Directory ------------------------------------------------------------------------
    def posts_of(self, unit_id: UUID) -> list[UUID]:
        with self.db.read() as conn:
            return [UUID(p) for p in conn.execute(select(POSTS.c.post_id).where(POSTS.c.unit_id == unit_id)).scalars()]

    def lists_of(self, unit_id: UUID) -> list[UUID]:
        with self.db.read() as conn:
            return [UUID(i) for i in conn.execute(select(LISTS.c.list_id).where(LISTS.c.unit_id == unit_id)).scalars()]

    def _unit_ids(self, *conditions: Any, order: tuple[Any, ...] = (UNITS.c.unit_id,)) -> list[UUID]:
        with self.db.read() as conn:
            return [UUID(i) for i in conn.execute(select(UNITS.c.unit_id).where(*conditions).order_by(*order))
                    .scalars()]

    def unsupervised_enterprises(self, jurisdiction: str, sector: str) -> list[UUID]:
        c = UNITS.c
        return self._unit_ids(c.kind == "enterprise", c.sector == sector, c.closure.is_(None),
                              c.supervising_department_id.is_(None), within(c.jurisdiction, jurisdiction), order=())

    def units_under(self, parent_id: UUID, kind: str) -> list[UUID]:
        c = UNITS.c
        return self._unit_ids(c.parent_id == parent_id, c.kind == kind, c.closure.is_(None),
                              order=(c.registered_at, c.unit_id))

    def supervised_units(self, department_id: UUID | str) -> list[UUID]:
        c = UNITS.c
        return self._unit_ids(c.supervising_department_id == department_id, c.closure.is_(None))
