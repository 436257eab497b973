"""Oversight: the flags the policies raised, and the monthly counts the policies judge by.

``oversight_flags`` holds every flag with when it was raised and (if) withdrawn, both in effective and recorded time,
so a dashboard shows the flags as known on any day. :class:`OversightQueries` also answers the worker's questions
(``application.ports.Oversight``) by asking the directory, the responsibility ledger and the inspection ledger
through their queries (never their tables):
which departments have supervisory duties, how many enforcement inspections each completed in a month, which
leaders held a post that must lead a monthly inspection and how many they led.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
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
    bindparam,
    delete,
    insert,
    select,
    update,
)

from application.ports import LogEntry, MonthlyLeader
from domain import oversight as ov
from domain import units as un
from domain.base import DomainEvent
from domain.calendar import local_day
from projections.bulk import insert_rows
from projections.cases import CaseQueries
from projections.columns import Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.inspection_ledger import InspectionLedgerQueries
from projections.orders import OrderQueries
from projections.projection import Projection, current_batch, defer, on
from projections.responsibility_ledger import LedgerQueries
from projections.scope import within

METADATA = MetaData()
FLAGS = Table(
    "oversight_flags", METADATA,
    Column("flag_id", Key, primary_key=True), Column("kind", Key, nullable=False),
    Column("subject_id", Key, nullable=False), Column("period", Key, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("post_id", Key), Column("unit_id", Key),
    Column("found", Integer, nullable=False), Column("required", Integer),
    Column("raised_at", Timestamp, nullable=False), Column("recorded_at", Timestamp, nullable=False),
    Column("rules_version", Key), Column("basis", Text), Column("withdrawn_at", Timestamp),
    Column("withdrawn_recorded_at", Timestamp), Column("withdraw_reason", Text),
    Index("oversight_flags_period", "period", "kind"),
)
SPELLS = Table(
    "supervision_spells", METADATA,
    Column("unit_id", Key, primary_key=True), Column("valid_from", Timestamp, primary_key=True),
    Column("department_id", Key, nullable=False), Column("valid_to", Timestamp),
    Index("supervision_spells_department", "department_id"),
)
"""Who supervised each enterprise when (三管三必须), from the assignments and the closures: 零执法 and 零处罚 are judged
against the departments that supervised something in the month, not those that do today."""


def _sectors(profile: Any) -> tuple[str, ...]:
    """The sectors a committee's profile names (the directory keeps the profile as JSON)."""
    if isinstance(profile, str):
        profile = json.loads(profile)
    return tuple((profile or {}).get("sectors") or ())


@lru_cache(maxsize=8)
def _statements(flags: Table, spells: Table) -> dict[str, Any]:
    """The statements of a batch, built once per pair of tables (live or shadow): the values travel as parameters."""
    s = spells.c
    return {"flag": insert(flags),
            "withdraw": update(flags).where(flags.c.flag_id == bindparam("b_id"))
            .values(withdrawn_at=bindparam("b_at"), withdrawn_recorded_at=bindparam("b_recorded"),
                    withdraw_reason=bindparam("b_reason"), found=bindparam("b_found")),
            "spells": select(spells).where(s.unit_id.in_(bindparam("units", expanding=True))),
            "forget": delete(spells).where(s.unit_id.in_(bindparam("units", expanding=True)))}


class OversightFlags(Projection):
    """The flags as raised and withdrawn; who supervised each enterprise when. A batch keeps the supervision spells
    of the units its events touch (read at once, each unit's once) and writes them at its end — one statement to
    forget the units' stored spells, one to store them as the batch leaves them — instead of three statements an
    assignment; the flags are written once per batch (``defer``: inserts, then withdrawals in order)."""

    name = "oversight_flags"
    version = 5  # 5: jurisdictions in collation "C"
    flags = FLAGS
    spells = SPELLS

    @property
    def _sql(self) -> dict[str, Any]:
        return _statements(self.flags, self.spells)

    def prepare(self, conn: Connection, entries: list[LogEntry]) -> None:
        """The spells of every unit the batch assigns or closes, read at once."""
        units = {str(entry.event.originator_id) for entry in entries
                 if isinstance(entry.event, un.SupervisionAssigned | un.UnitClosed)}
        if units:
            self._read(conn, units)

    def _read(self, conn: Connection, units: set[str]) -> dict[str, list[dict[str, Any]]]:
        """The batch's spells per unit (those of ``units`` read first if the batch has not yet), written at its end."""
        batch = current_batch()
        assert batch is not None, "handlers run inside Projection.process"
        key = ("spells", self.spells.name)
        if key not in batch.values:
            batch.values[key] = {}
            batch.at_end(key, lambda c: self._write(c, batch.values[key]))
        kept: dict[str, list[dict[str, Any]]] = batch.values[key]
        if unread := sorted(units - kept.keys()):
            for unit in unread:
                kept[unit] = []
            for row in conn.execute(self._sql["spells"], {"units": unread}).mappings():
                kept[row["unit_id"]].append(dict(row))
        return kept

    def _write(self, conn: Connection, kept: dict[str, list[dict[str, Any]]]) -> None:
        conn.execute(self._sql["forget"], {"units": sorted(kept)})
        insert_rows(conn, self.spells, [spell for unit in sorted(kept) for spell in kept[unit]])

    def _spells(self, conn: Connection, unit_id: UUID) -> list[dict[str, Any]]:
        return self._read(conn, {str(unit_id)})[str(unit_id)]

    @on(un.SupervisionAssigned)
    def _supervised(self, conn: Connection, e: un.SupervisionAssigned, _: int) -> None:
        """The open spell ends; a spell that began at the same moment is replaced by the new one."""
        spells = self._spells(conn, e.originator_id)
        for spell in spells:
            if spell["valid_to"] is None:
                spell["valid_to"] = e.effective_at
        spells[:] = [spell for spell in spells if spell["valid_from"] != e.effective_at]
        spells.append({"unit_id": str(e.originator_id), "valid_from": e.effective_at,
                       "department_id": str(e.department_id), "valid_to": None})

    @on(un.UnitClosed)
    def _closed(self, conn: Connection, e: un.UnitClosed, _: int) -> None:
        for spell in self._spells(conn, e.originator_id):
            if spell["valid_to"] is None:
                spell["valid_to"] = e.effective_at

    def _raise(self, conn: Connection,
               e: ov.ZeroEnforcementFlagged | ov.ZeroPenaltyFlagged | ov.LeaderInspectionMissed
               | ov.CampaignCheckMissed,
               **columns: Any) -> None:
        self._insert(conn, e, period=e.period, **columns)

    def _insert(self, conn: Connection, e: DomainEvent, **columns: Any) -> None:
        defer(conn, self._sql["flag"], {
            "flag_id": e.originator_id, "jurisdiction": e.envelope.jurisdiction, "raised_at": e.effective_at,
            "recorded_at": e.timestamp, "rules_version": e.envelope.rules_version, "basis": e.envelope.basis,
            "withdrawn_at": None, "withdrawn_recorded_at": None, "withdraw_reason": None,
            "post_id": None, "unit_id": None, "required": None, **columns}, inserts=True)

    @on(*ov.DEPARTMENT_FLAGS.values())
    def _department(self, conn: Connection, e: ov.ZeroEnforcementFlagged | ov.ZeroPenaltyFlagged, _: int) -> None:
        """零执法 / 零处罚: ``found`` the acts counted (a v0 零执法 flag counted inspections; it found none)."""
        kind = next(k for k, t in ov.DEPARTMENT_FLAGS.items() if isinstance(e, t))
        found = e.inspections if isinstance(e, ov.ZeroEnforcementFlagged) and e.penalties is None else 0
        self._raise(conn, e, kind=kind, subject_id=e.department_id, unit_id=e.department_id, found=found)

    @on(ov.LeaderInspectionMissed)
    def _leader(self, conn: Connection, e: ov.LeaderInspectionMissed, _: int) -> None:
        self._raise(conn, e, kind=ov.FlagKind.leader_inspection_missed, subject_id=e.person_id, post_id=e.post_id,
                    unit_id=e.unit_id, found=e.led, required=e.required)

    @on(ov.CampaignCheckMissed)
    def _campaign(self, conn: Connection, e: ov.CampaignCheckMissed, _: int) -> None:
        self._raise(conn, e, kind=ov.FlagKind.campaign_check_missed, subject_id=e.person_id, post_id=e.post_id,
                    unit_id=e.unit_id, found=e.led, required=e.required)

    @on(ov.ListingUnsupervised)
    def _unsupervised(self, conn: Connection, e: ov.ListingUnsupervised, _: int) -> None:
        self._insert(conn, e, period=e.since.isoformat(), kind=ov.FlagKind.listing_unsupervised,
                     subject_id=e.hazard_id, unit_id=e.authority_id, found=0)

    @on(ov.FlagWithdrawn)
    def _withdrawn(self, conn: Connection, e: ov.FlagWithdrawn, _: int) -> None:
        defer(conn, self._sql["withdraw"], {"b_id": e.originator_id, "b_at": e.effective_at,
                                            "b_recorded": e.timestamp, "b_reason": e.reason, "b_found": e.found},
              inserts=False)


class OversightQueries:
    """The flags for dashboards, and the counts the policy worker judges a month by."""

    def __init__(self, db: Any, directory: DirectoryQueries, inspections: InspectionLedgerQueries,
                 ledger: LedgerQueries, cases: CaseQueries, orders: OrderQueries):
        self.db = db
        self.directory = directory
        self.inspections = inspections
        self.ledger = ledger
        self.cases = cases
        self.orders = orders

    def flags(self, scope: str, *, known_at: datetime, kind: str | None = None, period: str | None = None,
              active_only: bool = False) -> list[dict[str, Any]]:
        """Flags as known at ``known_at`` (withdrawn ones too, unless ``active_only``), with who they concern."""
        f = FLAGS.c
        conditions = [f.recorded_at <= known_at, within(f.jurisdiction, scope)]
        if kind:
            conditions.append(f.kind == kind)
        if period:
            conditions.append(f.period == period)
        query = select(FLAGS).where(*conditions).order_by(f.period, f.kind, f.flag_id)
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        units = self.directory.unit_names({r["unit_id"] for r in rows})
        people = self.directory.person_names({r["subject_id"] for r in rows})
        for row in rows:
            row.update(unit_name=units.get(row["unit_id"], {}).get("name"), person_name=people.get(row["subject_id"]))
            withdrawn = row["withdrawn_recorded_at"] is not None and row["withdrawn_recorded_at"] <= known_at
            row["withdrawn"] = withdrawn
            if not withdrawn:
                row.update(withdrawn_at=None, withdraw_reason=None)
        return [r for r in rows if not (active_only and r["withdrawn"])]

    def enforcement(self, scope: str, *, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Per department that supervised something in ``[start, end)``: its completed enforcement inspections and
        the penalties it decided then."""
        counts = self.enforcement_counts(start, end)
        penalties = self.penalty_counts(start, end)
        departments = self.supervising_departments(start, end)
        names = {r["unit_id"]: r for r in self.directory.units(scope, kind="department", limit=1_000_000)}
        return [{"department_id": d, "department_name": names[str(d)]["name"],
                 "jurisdiction": names[str(d)]["jurisdiction"], "inspections": counts.get(d, 0),
                 "penalties": penalties.get(d, 0)}
                for d in departments if str(d) in names]

    # --- application.ports.Oversight ------------------------------------------------------------------------
    def supervising_departments(self, start: datetime, end: datetime) -> list[UUID]:
        """Departments that supervised an enterprise or intermediary (三管三必须) at some time in ``[start, end)``: an
        assignment in force then, before the unit closed or went to another department."""
        s = SPELLS.c
        query = (select(s.department_id).where(s.valid_from < end, (s.valid_to.is_(None)) | (s.valid_to > start))
                 .distinct().order_by(s.department_id))
        with self.db.read() as conn:
            return [UUID(department) for department in conn.execute(query).scalars()]

    def penalty_counts(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Decisions with a fine per deciding department, decided (Beijing day) in ``[start, end)``."""
        return self.cases.penalties_by_department(local_day(start), local_day(end) - timedelta(days=1))

    def order_counts(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Orders on the spot issued per ordering department in ``[start, end)`` (the orders read model's answer)."""
        return self.orders.issued_by_department(start, end)

    def enforcement_counts(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Completed enforcement inspections (执法, 大检查, 暗访, 交叉检查) per inspecting unit in ``[start, end)``."""
        return self.inspections.enforcement_counts(start, end)

    def monthly_leaders(self, start: datetime, end: datetime, unit_kinds: tuple[str, ...]) -> list[MonthlyLeader]:
        """Holders of a committee head's post (in units of ``unit_kinds``) for the whole of ``[start, end)``, each
        with the sectors their committee covers (seed 002 §(一)3: 对分管行业领域的安全生产检查)."""
        return [MonthlyLeader(leader.person_id, leader.post_id, leader.unit_id, _sectors(profile))
                for leader, profile in self._holders(start, end, "committee_head", unit_kinds)]

    def main_leaders(self, start: datetime, end: datetime, scope: str) -> list[MonthlyLeader]:
        """Holders of an enterprise's main responsible post in ``scope`` for the whole of ``[start, end)``."""
        return [leader for leader, _ in self._holders(start, end, "main_responsible", ("enterprise",), scope)]

    def _holders(self, start: datetime, end: datetime, post_kind: str, unit_kinds: tuple[str, ...],
                 scope: str | None = None) -> list[tuple[MonthlyLeader, Any]]:
        """Who held a post of ``post_kind`` (in units of ``unit_kinds``, in ``scope``) for the whole month, with their
        unit's profile: the posts from the directory, the holders from the responsibility ledger."""
        posts = self.directory.posts_of_kind(post_kind, unit_kinds, scope)
        return [(MonthlyLeader(person, post, UUID(posts[str(post)]["unit_id"])), posts[str(post)]["profile_json"])
                for person, post in self.ledger.held_throughout(posts, start, end)]

    def led_counts(self, start: datetime, end: datetime) -> dict[tuple[UUID, str | None, UUID], int]:
        """Completed inspections led (``led_by``) in ``[start, end)``, per (leader, target's sector, target)."""
        led = self.inspections.led_counts(start, end)
        sectors = self.directory.unit_names({str(target) for _, target in led})
        return {(person, sectors.get(str(target), {}).get("sector"), target): n for (person, target), n in led.items()}

    def raised(self, period: str) -> list[tuple[UUID, str, UUID]]:
        """The month's flags not withdrawn: (flag id, kind, subject id)."""
        f = FLAGS.c
        query = (select(f.flag_id, f.kind, f.subject_id).where(f.period == period, f.withdrawn_at.is_(None))
                 .order_by(f.flag_id))
        with self.db.read() as conn:
            return [(UUID(flag), kind, UUID(subject)) for flag, kind, subject in conn.execute(query)]
