"""The hazard ledger (隐患台账), bitemporal: every hazard as it stood on any day, as the system knew it then.

Each hazard is a :class:`~projections.timeline.Timeline` of its columns (grade, five assurances, deadline,
status, suspension, listing …), so "which hazards were open and overdue on the day of the accident" (``as_of``)
and "what did the ledger show that day" (``known_at``) are one indexed query each. The major-hazard ledger
(重大事故隐患台账) and the listed-supervision board (挂牌督办) are views of the same rows. Sources: seed 000 §16
(分级建立台账清单, 五落实), seed 001 §5 (重大隐患周报, 挂牌督办), seed 004 §三(一)1(2) (隐患台账清单, 闭环管理).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain import hazards as hz
from domain.base import DomainEvent
from domain.calendar import end_of_day, local_day
from projections.follower import Projection, on
from projections.sql import ReadDatabase, Tx, audience_clause, scope_clause, scope_params
from projections.timeline import BITEMPORAL_COLUMNS, KNOWN, VALID, Timeline

TIMELINE = Timeline("hazard_ledger", "hazard_id")
UNFIXED = ("reported", "rectifying", "overdue")
"""Statuses in which the hazard is still there: neither submitted for acceptance, accepted nor struck off."""


class HazardLedger(Projection):
    name = "hazard_ledger"
    version = 1
    tables = TIMELINE.tables
    ddl = (
        "CREATE TABLE hazard_ledger (hazard_id TEXT NOT NULL, revision INTEGER NOT NULL, unit_id TEXT NOT NULL, "
        "jurisdiction TEXT NOT NULL, sector TEXT NOT NULL, grade TEXT NOT NULL, criterion_json {JSON}, "
        "description TEXT NOT NULL, location TEXT, source TEXT NOT NULL, inspection_id TEXT, finding_no INTEGER, "
        "tip_id TEXT, found_at {TS} NOT NULL, status TEXT NOT NULL, mode TEXT, responsible_person_id TEXT, "
        "measures TEXT, funds_yuan {BIGINT}, funds_source TEXT, deadline_on {DATE}, contingency_plan TEXT, "
        "suspension_scope TEXT, overdue_at {TS}, submitted_at {TS}, verifier_id TEXT, accepted_at {TS}, "
        "closed_at {TS}, listing_authority_id TEXT, listing_level TEXT, listing_supervisor_id TEXT, "
        "listed_at {TS}, escalations INTEGER NOT NULL, reopened INTEGER NOT NULL, "
        f"{BITEMPORAL_COLUMNS}, PRIMARY KEY (hazard_id, revision))",
        "CREATE INDEX hazard_ledger_scope ON hazard_ledger (jurisdiction, recorded_to, valid_to)",
        *TIMELINE.ddl(),
    )

    @staticmethod
    def _change(tx: Tx, e: DomainEvent, changes: dict[str, Any]) -> None:
        TIMELINE.record(tx, e.originator_id, e.originator_version, e.effective_at, e.timestamp, changes)

    @on(hz.HazardReported)
    def _reported(self, tx: Tx, e: hz.HazardReported, _: int) -> None:
        self._change(tx, e, {
            "unit_id": e.unit_id, "jurisdiction": e.envelope.jurisdiction, "sector": e.sector, "grade": e.grade,
            "criterion_json": e.criterion.model_dump() if e.criterion else None, "description": e.description,
            "location": e.location, "source": e.source, "inspection_id": e.inspection_id, "finding_no": e.finding_no,
            "tip_id": e.tip_id, "found_at": e.effective_at, "status": hz.HazardStatus.reported, "escalations": 0,
            "reopened": 0,
        })

    @on(hz.HazardRegraded)
    def _regraded(self, tx: Tx, e: hz.HazardRegraded, _: int) -> None:
        self._change(tx, e, {"grade": e.grade, "criterion_json": e.criterion.model_dump() if e.criterion else None})

    @on(hz.RectifiedOnTheSpot)
    def _on_the_spot(self, tx: Tx, e: hz.RectifiedOnTheSpot, _: int) -> None:
        self._change(tx, e, {"mode": hz.RectificationMode.immediate, "measures": e.measures,
                             "status": hz.HazardStatus.accepted, "accepted_at": e.effective_at})

    @on(hz.RectificationPlanned)
    def _planned(self, tx: Tx, e: hz.RectificationPlanned, _: int) -> None:
        p = e.plan
        self._change(tx, e, {
            "mode": e.mode, "status": hz.HazardStatus.rectifying, "responsible_person_id": p.responsible_person_id,
            "measures": p.measures, "funds_yuan": p.funds.amount_yuan if p.funds else None,
            "funds_source": p.funds.source if p.funds else None, "deadline_on": p.deadline,
            "contingency_plan": p.contingency_plan, "overdue_at": None,
        })

    @on(hz.ProductionSuspended)
    def _suspended(self, tx: Tx, e: hz.ProductionSuspended, _: int) -> None:
        self._change(tx, e, {"suspension_scope": e.suspension.scope})

    @on(hz.DeadlineExtended)
    def _extended(self, tx: Tx, e: hz.DeadlineExtended, _: int) -> None:
        self._change(tx, e, {"deadline_on": e.deadline})

    @on(hz.HazardBecameOverdue)
    def _overdue(self, tx: Tx, e: hz.HazardBecameOverdue, _: int) -> None:
        self._change(tx, e, {"status": hz.HazardStatus.overdue, "overdue_at": e.effective_at})

    @on(hz.RectificationSubmitted)
    def _submitted(self, tx: Tx, e: hz.RectificationSubmitted, _: int) -> None:
        self._change(tx, e, {"status": hz.HazardStatus.submitted, "submitted_at": e.effective_at})

    @on(hz.RectificationAccepted)
    def _accepted(self, tx: Tx, e: hz.RectificationAccepted, _: int) -> None:
        self._change(tx, e, {"status": hz.HazardStatus.accepted, "verifier_id": e.verifier_id,
                             "accepted_at": e.effective_at})

    @on(hz.RectificationRejected)
    def _rejected(self, tx: Tx, e: hz.RectificationRejected, _: int) -> None:
        overdue = tx.scalar("SELECT overdue_at FROM hazard_ledger WHERE hazard_id = :h AND recorded_to IS NULL "
                            "AND valid_to IS NULL", {"h": e.originator_id})
        status = hz.HazardStatus.overdue if overdue else hz.HazardStatus.rectifying
        self._change(tx, e, {"status": status, "verifier_id": e.verifier_id, "submitted_at": None})

    @on(hz.HazardClosedOut)
    def _closed(self, tx: Tx, e: hz.HazardClosedOut, _: int) -> None:
        self._change(tx, e, {"status": hz.HazardStatus.closed, "closed_at": e.effective_at, "suspension_scope": None,
                             "listing_authority_id": None, "listing_level": None, "listing_supervisor_id": None,
                             "listed_at": None})

    @on(hz.FollowUpReviewed)
    def _reviewed(self, tx: Tx, e: hz.FollowUpReviewed, _: int) -> None:
        if not e.reopened:
            return
        reopened = tx.scalar("SELECT reopened FROM hazard_ledger WHERE hazard_id = :h AND recorded_to IS NULL "
                             "AND valid_to IS NULL", {"h": e.originator_id}) or 0
        self._change(tx, e, {"status": hz.HazardStatus.reported, "reopened": reopened + 1, "mode": None,
                             "deadline_on": None, "overdue_at": None, "submitted_at": None, "accepted_at": None,
                             "closed_at": None, "verifier_id": None})

    def _listing(self, tx: Tx, e: DomainEvent, listing: hz.Listing, escalated: bool) -> None:
        changes: dict[str, Any] = {"listing_authority_id": listing.authority_id, "listing_level": listing.level,
                                   "listing_supervisor_id": listing.supervisor_id, "listed_at": listing.since}
        if escalated:
            count = tx.scalar("SELECT escalations FROM hazard_ledger WHERE hazard_id = :h AND recorded_to IS NULL "
                              "AND valid_to IS NULL", {"h": e.originator_id}) or 0
            changes["escalations"] = count + 1
        self._change(tx, e, changes)

    @on(hz.ListedSupervisionOpened)
    def _listed(self, tx: Tx, e: hz.ListedSupervisionOpened, _: int) -> None:
        self._listing(tx, e, e.listing, escalated=False)

    @on(hz.ListedSupervisionEscalated)
    def _escalated(self, tx: Tx, e: hz.ListedSupervisionEscalated, _: int) -> None:
        self._listing(tx, e, e.listing, escalated=True)

    @on(hz.ListedSupervisorNamed)
    def _supervisor(self, tx: Tx, e: hz.ListedSupervisorNamed, _: int) -> None:
        self._change(tx, e, {"listing_supervisor_id": e.supervisor_id})


class HazardQueries:
    """Bitemporal questions to the hazard ledger, scoped by jurisdiction and audience."""

    def __init__(self, db: ReadDatabase):
        self.db = db

    def ledger(self, scope: str, *, as_of: datetime, known_at: datetime, role: str = "", unit_of_role: Any = None,
               jurisdiction: str | None = None, hazard_id: UUID | None = None, unit_id: UUID | None = None,
               sector: str | None = None,
               grade: str | None = None, status: str | None = None, open_only: bool = False,
               listed: bool | None = None, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        """Each hazard as it stood at ``as_of``, as recorded by ``known_at``, with its days overdue then."""
        audience, audience_params = audience_clause("h.unit_id", role, unit_of_role)
        sql = (
            "SELECT h.*, u.name AS unit_name, u.risk_colour FROM hazard_ledger h "
            "LEFT JOIN units u ON u.unit_id = h.unit_id "
            f"WHERE {VALID.format(t='h')} AND {KNOWN.format(t='h')} AND {scope_clause('h.jurisdiction')} "
            f"AND {audience}"
        )
        params: dict[str, Any] = {"as_of": as_of, "known_at": known_at, **scope_params(scope), **audience_params}
        filters = {"h.hazard_id": hazard_id, "h.unit_id": unit_id, "h.sector": sector, "h.grade": grade,
                   "h.status": status}
        for i, (column, value) in enumerate(filters.items()):
            if value is not None:
                sql += f" AND {column} = :f{i}"
                params[f"f{i}"] = value
        if jurisdiction:
            sql += " AND (h.jurisdiction = :j OR h.jurisdiction LIKE :j_below)"
            params.update(j=jurisdiction, j_below=jurisdiction + "/%")
        if open_only:
            sql += " AND h.status <> 'closed'"
        if listed is not None:
            sql += " AND h.listing_authority_id IS NOT NULL" if listed else " AND h.listing_authority_id IS NULL"
        sql += " ORDER BY h.found_at, h.hazard_id LIMIT :limit OFFSET :offset"
        with self.db.read() as tx:
            rows = tx.all(sql, {**params, "limit": limit, "offset": offset})
        return [self._with_overdue(r, as_of) for r in rows]

    @staticmethod
    def _with_overdue(row: dict[str, Any], as_of: datetime) -> dict[str, Any]:
        """Days overdue at ``as_of`` (also before the policy marked it), and the 自查自报 exemption: a major hazard
        the enterprise found itself and is fixing as planned is not penalised (seed 004 §三(二)3(2))."""
        deadline = row["deadline_on"]
        overdue = deadline is not None and row["status"] in UNFIXED and as_of >= end_of_day(deadline)
        days = (local_day(as_of) - deadline).days if overdue else 0
        exempt = (row["source"] == "self_reported" and row["grade"] == "major" and not overdue
                  and row["status"] in ("rectifying", "submitted", "accepted", "closed"))
        return {**row, "days_overdue": days, "self_reported_exemption": exempt}

    def board(self, scope: str, *, as_of: datetime, known_at: datetime, role: str = "",
              unit_of_role: Any = None) -> list[dict[str, Any]]:
        """The listed-supervision board: open listings per supervising authority, each with its age in days."""
        rows = self.ledger(scope, as_of=as_of, known_at=known_at, role=role, unit_of_role=unit_of_role,
                           open_only=True, listed=True, limit=100_000)
        names = self._unit_names({r["listing_authority_id"] for r in rows})
        boards: dict[str, dict[str, Any]] = {}
        for r in rows:
            board = boards.setdefault(r["listing_authority_id"], {
                "authority_id": r["listing_authority_id"], "authority_name": names.get(r["listing_authority_id"]),
                "level": r["listing_level"], "items": []})
            board["items"].append({**r, "age_days": (local_day(as_of) - local_day(r["listed_at"])).days})
        for board in boards.values():
            board["items"].sort(key=lambda item: -item["age_days"])
            board["open"] = len(board["items"])
            board["oldest_days"] = board["items"][0]["age_days"]
        return sorted(boards.values(), key=lambda b: (-b["oldest_days"], b["authority_id"]))

    def _unit_names(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        names = ", ".join(f":u{i}" for i in range(len(ids)))
        with self.db.read() as tx:
            rows = tx.all(f"SELECT unit_id, name FROM units WHERE unit_id IN ({names})",
                          {f"u{i}": v for i, v in enumerate(sorted(ids))})
        return {r["unit_id"]: r["name"] for r in rows}
