"""Oversight: the flags the policies raised, and the monthly counts the policies judge by.

``oversight_flags`` holds every flag with when it was raised and (if) withdrawn, both in effective and recorded time,
so a dashboard shows the flags as known on any day. :class:`OversightQueries` also answers the worker's questions
(``application.ports.Oversight``) from the directory, the responsibility ledger and the inspection ledger:
which departments have supervisory duties, how many enforcement inspections each completed in a month, which
leaders held a post that must lead a monthly inspection and how many they led.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.ports import MonthlyLeader
from domain import oversight as ov
from domain.inspections import ENFORCEMENT_KINDS
from projections.follower import LegacyProjection as Projection
from projections.follower import on
from projections.sql import ReadDatabase, Tx, scope_clause, scope_params


class OversightFlags(Projection):
    name = "oversight_flags"
    version = 1
    tables = ("oversight_flags",)
    ddl = (
        "CREATE TABLE oversight_flags (flag_id TEXT PRIMARY KEY, kind TEXT NOT NULL, subject_id TEXT NOT NULL, "
        "period TEXT NOT NULL, jurisdiction TEXT NOT NULL, post_id TEXT, unit_id TEXT, found INTEGER NOT NULL, "
        "required INTEGER, raised_at {TS} NOT NULL, recorded_at {TS} NOT NULL, rules_version TEXT, basis TEXT, "
        "withdrawn_at {TS}, withdrawn_recorded_at {TS}, withdraw_reason TEXT)",
        "CREATE INDEX oversight_flags_period ON oversight_flags (period, kind)",
    )

    @staticmethod
    def _raise(tx: Tx, e: ov.ZeroEnforcementFlagged | ov.LeaderInspectionMissed, **columns: Any) -> None:
        row = {"flag_id": e.originator_id, "period": e.period, "jurisdiction": e.envelope.jurisdiction,
               "raised_at": e.effective_at, "recorded_at": e.timestamp, "rules_version": e.envelope.rules_version,
               "basis": e.envelope.basis, "post_id": None, "unit_id": None, "required": None, **columns}
        names = list(row)
        tx.execute(f"INSERT INTO oversight_flags ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
                   row)

    @on(ov.ZeroEnforcementFlagged)
    def _zero(self, tx: Tx, e: ov.ZeroEnforcementFlagged, _: int) -> None:
        self._raise(tx, e, kind=ov.FlagKind.zero_enforcement, subject_id=e.department_id, unit_id=e.department_id,
                    found=e.inspections)

    @on(ov.LeaderInspectionMissed)
    def _leader(self, tx: Tx, e: ov.LeaderInspectionMissed, _: int) -> None:
        self._raise(tx, e, kind=ov.FlagKind.leader_inspection_missed, subject_id=e.person_id, post_id=e.post_id,
                    unit_id=e.unit_id, found=e.led, required=e.required)

    @on(ov.FlagWithdrawn)
    def _withdrawn(self, tx: Tx, e: ov.FlagWithdrawn, _: int) -> None:
        tx.execute("UPDATE oversight_flags SET withdrawn_at = :w, withdrawn_recorded_at = :r, withdraw_reason = :why, "
                   "found = :found WHERE flag_id = :f",
                   {"f": e.originator_id, "w": e.effective_at, "r": e.timestamp, "why": e.reason, "found": e.found})


class OversightQueries:
    """The flags for dashboards, and the counts the policy worker judges a month by."""

    def __init__(self, db: ReadDatabase):
        self.db = db

    def flags(self, scope: str, *, known_at: datetime, kind: str | None = None, period: str | None = None,
              active_only: bool = False) -> list[dict[str, Any]]:
        """Flags as known at ``known_at`` (withdrawn ones too, unless ``active_only``), with who they concern."""
        sql = ("SELECT f.*, u.name AS unit_name, pe.name AS person_name FROM oversight_flags f "
               "LEFT JOIN units u ON u.unit_id = f.unit_id LEFT JOIN people pe ON pe.person_id = f.subject_id "
               f"WHERE f.recorded_at <= :known_at AND {scope_clause('f.jurisdiction')}")
        params: dict[str, Any] = {"known_at": known_at, **scope_params(scope)}
        if kind:
            sql += " AND f.kind = :kind"
            params["kind"] = kind
        if period:
            sql += " AND f.period = :period"
            params["period"] = period
        with self.db.read() as tx:
            rows = tx.all(sql + " ORDER BY f.period, f.kind, f.flag_id", params)
        for row in rows:
            withdrawn = row["withdrawn_recorded_at"] is not None and row["withdrawn_recorded_at"] <= known_at
            row["withdrawn"] = withdrawn
            if not withdrawn:
                row.update(withdrawn_at=None, withdraw_reason=None)
        return [r for r in rows if not (active_only and r["withdrawn"])]

    def enforcement(self, scope: str, *, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Per department with supervisory duties: completed enforcement inspections in ``[start, end)``."""
        counts = self.enforcement_counts(start, end)
        departments = self.supervising_departments(start)
        with self.db.read() as tx:
            names = {r["unit_id"]: r for r in tx.all(
                f"SELECT unit_id, name, jurisdiction FROM units WHERE kind = 'department' AND {scope_clause()}",
                scope_params(scope))}
        return [{"department_id": d, "department_name": names[str(d)]["name"],
                 "jurisdiction": names[str(d)]["jurisdiction"], "inspections": counts.get(d, 0)}
                for d in departments if str(d) in names]

    # --- application.ports.Oversight ------------------------------------------------------------------------
    def supervising_departments(self, since: datetime) -> list[UUID]:
        """Open departments, registered by ``since``, that supervise an open enterprise or intermediary (三管三必须)."""
        with self.db.read() as tx:
            rows = tx.all("SELECT d.unit_id FROM units d WHERE d.kind = 'department' AND d.closure IS NULL "
                          "AND d.registered_at <= :since AND EXISTS (SELECT 1 FROM units e "
                          "WHERE e.supervising_department_id = d.unit_id AND e.closure IS NULL) ORDER BY d.unit_id",
                          {"since": since})
        return [UUID(r["unit_id"]) for r in rows]

    def enforcement_counts(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Completed enforcement inspections (执法, 大检查, 暗访, 交叉检查) per inspecting unit in ``[start, end)``."""
        kinds = ", ".join(f"'{k.value}'" for k in sorted(ENFORCEMENT_KINDS))
        with self.db.read() as tx:
            rows = tx.all(f"SELECT inspecting_unit_id, COUNT(*) AS n FROM inspections WHERE status = 'completed' "
                          f"AND kind IN ({kinds}) AND inspected_at >= :s AND inspected_at < :e "
                          "GROUP BY inspecting_unit_id", {"s": start, "e": end})
        return {UUID(r["inspecting_unit_id"]): r["n"] for r in rows}

    def monthly_leaders(self, start: datetime, end: datetime, unit_kinds: tuple[str, ...]) -> list[MonthlyLeader]:
        """Holders of a committee head's post (in units of ``unit_kinds``) for the whole of ``[start, end)``."""
        kinds = ", ".join(f":k{i}" for i in range(len(unit_kinds)))
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT h.person_id, h.post_id FROM ledger_holdings h JOIN posts p ON p.post_id = h.post_id "
                f"JOIN units u ON u.unit_id = p.unit_id WHERE p.kind = 'committee_head' AND u.kind IN ({kinds}) "
                "AND h.recorded_to IS NULL AND h.valid_from <= :s AND (h.valid_to IS NULL OR h.valid_to >= :e) "
                "ORDER BY h.post_id, h.person_id",
                {"s": start, "e": end, **{f"k{i}": k for i, k in enumerate(unit_kinds)}})
        return [MonthlyLeader(UUID(r["person_id"]), UUID(r["post_id"])) for r in rows]

    def led_counts(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Completed inspections each leader led (``led_by``) in ``[start, end)``."""
        with self.db.read() as tx:
            rows = tx.all("SELECT led_by, COUNT(*) AS n FROM inspections WHERE status = 'completed' "
                          "AND led_by IS NOT NULL AND inspected_at >= :s AND inspected_at < :e GROUP BY led_by",
                          {"s": start, "e": end})
        return {UUID(r["led_by"]): r["n"] for r in rows}

    def raised(self, period: str) -> list[tuple[UUID, str, UUID]]:
        """The month's flags not withdrawn: (flag id, kind, subject id)."""
        with self.db.read() as tx:
            rows = tx.all("SELECT flag_id, kind, subject_id FROM oversight_flags WHERE period = :p "
                          "AND withdrawn_at IS NULL ORDER BY flag_id", {"p": period})
        return [(UUID(r["flag_id"]), r["kind"], UUID(r["subject_id"])) for r in rows]
