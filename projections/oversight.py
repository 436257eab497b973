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
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Index, Integer, MetaData, Table, Text, insert, select, update

from application.ports import MonthlyLeader
from domain import oversight as ov
from domain.base import DomainEvent
from projections.columns import Key, Timestamp
from projections.directory import DirectoryQueries
from projections.inspection_ledger import InspectionLedgerQueries
from projections.projection import Projection, on
from projections.responsibility_ledger import LedgerQueries
from projections.scope import within

METADATA = MetaData()
FLAGS = Table(
    "oversight_flags", METADATA,
    Column("flag_id", Key, primary_key=True), Column("kind", Key, nullable=False),
    Column("subject_id", Key, nullable=False), Column("period", Key, nullable=False),
    Column("jurisdiction", Key, nullable=False), Column("post_id", Key), Column("unit_id", Key),
    Column("found", Integer, nullable=False), Column("required", Integer),
    Column("raised_at", Timestamp, nullable=False), Column("recorded_at", Timestamp, nullable=False),
    Column("rules_version", Key), Column("basis", Text), Column("withdrawn_at", Timestamp),
    Column("withdrawn_recorded_at", Timestamp), Column("withdraw_reason", Text),
    Index("oversight_flags_period", "period", "kind"),
)


def _sectors(profile: Any) -> tuple[str, ...]:
    """The sectors a committee's profile names (the directory keeps the profile as JSON)."""
    if isinstance(profile, str):
        profile = json.loads(profile)
    return tuple((profile or {}).get("sectors") or ())


class OversightFlags(Projection):
    name = "oversight_flags"
    version = 3
    flags = FLAGS

    def _raise(self, conn: Connection,
               e: ov.ZeroEnforcementFlagged | ov.LeaderInspectionMissed | ov.CampaignCheckMissed,
               **columns: Any) -> None:
        self._insert(conn, e, period=e.period, **columns)

    def _insert(self, conn: Connection, e: DomainEvent, **columns: Any) -> None:
        conn.execute(insert(self.flags).values(
            flag_id=e.originator_id, jurisdiction=e.envelope.jurisdiction, raised_at=e.effective_at,
            recorded_at=e.timestamp, rules_version=e.envelope.rules_version, basis=e.envelope.basis,
            **{"post_id": None, "unit_id": None, "required": None, **columns}))

    @on(ov.ZeroEnforcementFlagged)
    def _zero(self, conn: Connection, e: ov.ZeroEnforcementFlagged, _: int) -> None:
        self._raise(conn, e, kind=ov.FlagKind.zero_enforcement, subject_id=e.department_id, unit_id=e.department_id,
                    found=e.inspections)

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
        conn.execute(update(self.flags).where(self.flags.c.flag_id == e.originator_id).values(
            withdrawn_at=e.effective_at, withdrawn_recorded_at=e.timestamp, withdraw_reason=e.reason, found=e.found))


class OversightQueries:
    """The flags for dashboards, and the counts the policy worker judges a month by."""

    def __init__(self, db: Any, directory: DirectoryQueries, inspections: InspectionLedgerQueries,
                 ledger: LedgerQueries):
        self.db = db
        self.directory = directory
        self.inspections = inspections
        self.ledger = ledger

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
        """Per department with supervisory duties: completed enforcement inspections in ``[start, end)``."""
        counts = self.enforcement_counts(start, end)
        departments = self.supervising_departments(start)
        names = {r["unit_id"]: r for r in self.directory.units(scope, kind="department", limit=1_000_000)}
        return [{"department_id": d, "department_name": names[str(d)]["name"],
                 "jurisdiction": names[str(d)]["jurisdiction"], "inspections": counts.get(d, 0)}
                for d in departments if str(d) in names]

    # --- application.ports.Oversight ------------------------------------------------------------------------
    def supervising_departments(self, since: datetime) -> list[UUID]:
        """Open departments, registered by ``since``, that supervise an open enterprise or intermediary (三管三必须)."""
        return self.directory.supervising_departments(since)

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
