"""The inspection ledger (检查台账): every inspection per department and per enterprise, bitemporal; signatures,
spot-test scores, findings. It projects one aggregate, the inspection (``domain.inspections``); the random draws
(``projections.random_draws``) and the enforcement plans (``projections.enforcement_plans``) are read models of
their own.

Tables (all start with ``inspection``):
- ``inspections`` — one current row per inspection (statistics and policies query it): kind, who
  inspected whom, when (``inspected_at``, effective), status ``open``/``completed``, counts, inspectors, plan and
  draw. ``inspection_timeline`` — the same columns as a bitemporal timeline (``projections.timeline``), so the ledger
  answers *what the record said on a day* (``as_of``) *as the system knew it then* (``known_at``); a correction is
  effective at the completion of the record it corrects, so ``known_at`` before it shows the record as signed.
- ``inspection_checklist``, ``inspection_findings``, ``inspection_spot_tests``, ``inspection_signatures``,
  ``inspection_corrections`` — the record's parts, current (corrections applied; ``corrected_at`` says when), for
  statistics; the queries answer ``as_of``/``known_at`` from the timeline's copies of the record.

Reads are scoped by jurisdiction and by audience (:func:`audience`): an enterprise user sees its own enterprise's
completed inspections and its own checks (self-checks, its leaders' inspections) — never someone else's inspection
still under way: 暗访 and 四不两直 stay unannounced; an inspector sees the inspections of the units its department
supervises and those its department carried out. Names of units and people come from the directory's queries.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from domain import inspections as ins
from domain import random_draws as rd
from domain.base import DomainEvent
from projections.bulk import insert_rows
from projections.columns import Json, Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, current_batch, defer, on
from projections.scope import within
from projections.sorting import ordering
from projections.states import events_of, states_table
from projections.timeline import Decided, Timeline, bitemporal_columns, changes_table, current_index, known, valid

ENFORCEMENT = sorted(k.value for k in ins.ENFORCEMENT_KINDS)
"""The enforcement kinds (they count against 零执法, seed 000 §25)."""


def _state() -> list[Column[Any]]:
    """The state of an inspection, the same in the current table and in the timeline."""
    return [
        Column("kind", Key, nullable=False), Column("title", Text, nullable=False),
        Column("inspecting_unit_id", Key, nullable=False), Column("target_unit_id", Key, nullable=False),
        Column("jurisdiction", Jurisdiction, nullable=False), Column("led_by", Key),
        Column("inspected_at", Timestamp, nullable=False), Column("status", Key, nullable=False),
        Column("completed_at", Timestamp), Column("unannounced", Boolean, nullable=False),
        Column("expert_assisted", Boolean, nullable=False), Column("inspectors_json", Json, nullable=False),
        Column("experts_json", Json, nullable=False), Column("checklist_json", Json, nullable=False),
        Column("covered_json", Json, nullable=False), Column("findings_json", Json, nullable=False),
        Column("spot_tests_json", Json, nullable=False), Column("signatures_json", Json, nullable=False),
        Column("checklist_items", Integer, nullable=False), Column("items_covered", Integer, nullable=False),
        Column("signatures", Integer, nullable=False), Column("findings", Integer, nullable=False),
        Column("hazards_suspected", Integer, nullable=False), Column("spot_tests", Integer, nullable=False),
        Column("spot_tests_failed", Integer, nullable=False), Column("corrections", Integer, nullable=False),
        Column("summary", Text), Column("plan_id", Key), Column("draw_id", Key),
    ]


METADATA = MetaData()
INSPECTIONS = Table(
    "inspections", METADATA,
    Column("inspection_id", Key, primary_key=True), *_state(), Column("version", Integer, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Index("inspections_target", "target_unit_id", "inspected_at"),
    Index("inspections_inspecting_unit", "inspecting_unit_id", "inspected_at"),
    Index("inspections_led_by", "led_by", "inspected_at"),
    Index("inspections_plan", "plan_id"),
)
TIMELINE = Table(
    "inspection_timeline", METADATA,
    Column("inspection_id", Key, primary_key=True), Column("revision", Integer, primary_key=True, autoincrement=False),
    *_state(), Column("entries_json", Json, nullable=False), *bitemporal_columns(),
    Index("inspection_timeline_plan", "plan_id"),
)
"""``entries_json``: when each finding (``found:N``) and spot test (``tested:N``) was entered, and when it was last
corrected (``finding-corrected:N``, ``test-corrected:N``): what those events say by themselves."""
current_index(TIMELINE, "inspection_id")
CHANGES = changes_table("inspection_timeline", METADATA, events=True)
STATES = states_table("inspection_ledger_states", METADATA)
SORTS = {name: TIMELINE.c[name] for name in ("inspected_at", "kind", "title", "status", "completed_at", "findings",
                                             "signatures")}
"""The keys the inspection ledger sorts by (``projections.sorting``)."""
CHECKLIST = Table(
    "inspection_checklist", METADATA,
    Column("inspection_id", Key, primary_key=True), Column("code", Key, primary_key=True),
    Column("position", Integer, nullable=False), Column("text", Text, nullable=False), Column("basis", Text),
    Column("covered", Boolean, nullable=False), Column("covered_at", Timestamp),
)


def _of_inspection() -> list[Column[Any]]:
    """Where a part of an inspection belongs (copied from the inspection, for statistics)."""
    return [Column("target_unit_id", Key, nullable=False), Column("inspecting_unit_id", Key, nullable=False),
            Column("jurisdiction", Jurisdiction, nullable=False)]


FINDINGS = Table(
    "inspection_findings", METADATA,
    Column("inspection_id", Key, primary_key=True), Column("finding_no", Integer, primary_key=True),
    Column("item_code", Key), Column("description", Text, nullable=False),
    Column("hazard_suspected", Boolean, nullable=False), Column("location", Text), *_of_inspection(),
    Column("found_at", Timestamp, nullable=False), Column("recorded_at", Timestamp, nullable=False),
    Column("corrected_at", Timestamp),
)
SPOT_TESTS = Table(
    "inspection_spot_tests", METADATA,
    Column("inspection_id", Key, primary_key=True), Column("test_no", Integer, primary_key=True),
    Column("person_id", Key, nullable=False), Column("post_id", Key, nullable=False),
    Column("post_kind", Key, nullable=False), Column("subject", Text, nullable=False),
    Column("score", Float, nullable=False), Column("max_score", Float, nullable=False),
    Column("pass_mark", Float, nullable=False), Column("passed", Boolean, nullable=False), *_of_inspection(),
    Column("tested_at", Timestamp, nullable=False), Column("recorded_at", Timestamp, nullable=False),
    Column("corrected_at", Timestamp),
    Index("inspection_spot_tests_person", "person_id", "tested_at"),
)
SIGNATURES = Table(
    "inspection_signatures", METADATA,
    Column("inspection_id", Key, primary_key=True), Column("inspector_id", Key, primary_key=True),
    Column("signed_at", Timestamp, nullable=False), Column("record_digest", Key, nullable=False), *_of_inspection(),
    Column("recorded_at", Timestamp, nullable=False),
    Index("inspection_signatures_inspector", "inspector_id", "signed_at"),
)
CORRECTIONS = Table(
    "inspection_corrections", METADATA,
    Column("inspection_id", Key, primary_key=True), Column("version", Integer, primary_key=True, autoincrement=False),
    Column("corrects_version", Integer, nullable=False), Column("reason", Text, nullable=False),
    Column("corrected_by", Key), Column("actor", Key, nullable=False), Column("findings_json", Json, nullable=False),
    Column("previous_findings_json", Json, nullable=False), Column("spot_tests_json", Json, nullable=False),
    Column("previous_spot_tests_json", Json, nullable=False), Column("effective_at", Timestamp, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
)


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def entries(inspection: ins.Inspection, row: dict[str, Any]) -> dict[str, Any]:
    """The findings and spot tests as corrected (the inspection's state), each with when it was entered and last
    corrected — what those events say by themselves: ``row["entries_json"]`` (a merged column, ``Timeline.merged``)."""
    times = row.get("entries_json") or {}
    findings = [{**f.model_dump(mode="json"), "found_at": times.get(f"found:{f.finding_no}"),
                 "corrected_at": times.get(f"finding-corrected:{f.finding_no}")} for f in inspection.findings]
    tests = [{**t.model_dump(mode="json"), "tested_at": times.get(f"tested:{t.test_no}"),
              "corrected_at": times.get(f"test-corrected:{t.test_no}")} for t in inspection.spot_tests]
    return {"findings_json": findings, "spot_tests_json": tests}


def decided(inspection: ins.Inspection) -> dict[str, Any]:
    """The ledger's columns of an inspection, read from its state as the domain folds it (``domain.inspections``;
    one status machine, docs/DEVELOPING.md): signatures, counts, the status (the parts' lists: :func:`entries`)."""
    signatures = {inspector: when.isoformat() for inspector, when in inspection.signatures.items()}
    return {
        "kind": inspection.kind.value, "title": inspection.title,
        "inspecting_unit_id": str(inspection.inspecting_unit_id), "target_unit_id": str(inspection.target_unit_id),
        "jurisdiction": inspection.jurisdiction, "led_by": str(inspection.led_by) if inspection.led_by else None,
        "inspected_at": inspection.inspected_at, "status": "completed" if inspection.completed else "open",
        "completed_at": inspection.completed_at, "unannounced": inspection.unannounced,
        "expert_assisted": inspection.expert_assisted, "inspectors_json": [str(i) for i in inspection.inspectors],
        "experts_json": [x.model_dump(mode="json") for x in inspection.experts],
        "checklist_json": [c.model_dump(mode="json") for c in inspection.checklist],
        "covered_json": list(inspection.covered), "checklist_items": len(inspection.checklist),
        "items_covered": len(inspection.covered), "signatures_json": signatures, "signatures": len(signatures),
        "findings": len(inspection.findings),
        "hazards_suspected": sum(1 for f in inspection.findings if f.hazard_suspected),
        "spot_tests": len(inspection.spot_tests),
        "spot_tests_failed": sum(1 for t in inspection.spot_tests if not t.passed),
        "corrections": inspection.corrections,
        "plan_id": str(inspection.plan_id) if inspection.plan_id else None,
        "draw_id": str(inspection.draw_id) if inspection.draw_id else None,
    }


CURRENT = [c.name for c in _state()]
"""The columns the current table copies from the timeline's open segment."""


@lru_cache(maxsize=64)
def _statements(tables: tuple[Table, ...]) -> dict[str, Any]:
    """The statements the ledger defers to the end of a batch (``projections.projection.defer``), built once per
    set of tables (live or shadow): the values travel as parameters."""
    inspections, checklist, findings, spot_tests, signatures, corrections = tables
    i, c, f, t = inspections.c, checklist.c, findings.c, spot_tests.c
    return {
        "current": update(inspections).where(i.inspection_id == bindparam("b_id")),
        "covered": update(checklist).where(c.inspection_id == bindparam("b_id"), c.code == bindparam("b_code"))
        .values(covered=True, covered_at=bindparam("b_at")),
        "finding": update(findings).where(f.inspection_id == bindparam("b_id"), f.finding_no == bindparam("b_no")),
        "test": update(spot_tests).where(t.inspection_id == bindparam("b_id"), t.test_no == bindparam("b_no")),
        **{name: insert(table) for name, table in (
            ("inspections", inspections), ("checklist", checklist), ("findings", findings),
            ("spot_tests", spot_tests), ("signatures", signatures), ("corrections", corrections))},
    }


class InspectionLedger(Projection):
    """Each event records what it says by itself (the completion's summary; when a finding or spot test was
    entered or corrected); every other column is the inspection's state after the event, folded by the domain's
    ``event.apply`` in the order the events took effect (``projections.timeline.Decided``). The current table and
    the record's parts are written once per batch."""

    name = "inspection_ledger"
    # 3: the domain decides the columns (folded in effective order), writes once per batch;
    # 4: jurisdictions in collation "C"
    version = 4
    rebuild_cost = 45
    inspections = INSPECTIONS
    timeline_table = TIMELINE
    changes = CHANGES
    states = STATES
    checklist = CHECKLIST
    findings = FINDINGS
    spot_tests = SPOT_TESTS
    signatures = SIGNATURES
    corrections = CORRECTIONS

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.timeline_table, self.changes, "inspection_id", merged=frozenset({"entries_json"}),
                        decided=Decided(ins.Inspection, events_of(ins), decided, self.states, entries))

    @property
    def _sql(self) -> dict[str, Any]:
        return _statements((self.inspections, self.checklist, self.findings, self.spot_tests,
                                        self.signatures, self.corrections))

    def _record(self, conn: Connection, e: DomainEvent, changes: dict[str, Any] | None = None) -> ins.Inspection:
        """Record the event on the timeline, and keep the current table's row as the open segment now stands
        (written once at the end of the batch, as the batch's last event left it: inserted after the opening,
        updated otherwise). Returns the state."""
        timeline = self.timeline
        state: ins.Inspection = timeline.record_event(conn, e, changes or {})
        segment = timeline.current(conn, e.originator_id)
        assert segment is not None
        row = {name: segment[name] for name in CURRENT}
        batch = current_batch()
        if batch is None:  # outside a batch: at once
            if e.originator_version == 1:
                conn.execute(self._sql["inspections"], {"inspection_id": e.originator_id, **row,
                                                        "version": state.version, "recorded_at": e.timestamp})
            else:
                conn.execute(self._sql["current"], {**row, "version": state.version, "b_id": e.originator_id})
            return state
        key = ("current", self.inspections.name)
        if key not in batch.values:
            batch.values[key] = {}
            batch.at_end(key, lambda c: self._write_current(c, batch.values[key]))
        kept: dict[str, dict[str, Any]] = batch.values[key]
        known = kept.get(str(e.originator_id))
        if e.originator_version == 1 or (known is not None and "recorded_at" in known):  # a row still to insert
            kept[str(e.originator_id)] = {"inspection_id": e.originator_id, **row, "version": state.version,
                                          "recorded_at": e.timestamp if known is None else known["recorded_at"]}
        else:
            kept[str(e.originator_id)] = {**row, "version": state.version, "b_id": e.originator_id}
        return state

    def _write_current(self, conn: Connection, kept: dict[str, dict[str, Any]]) -> None:
        """The current table's rows as the batch leaves them: one insert per new inspection, one update per changed
        one (its last state in the batch), each set in one ``executemany``."""
        new = [row for row in kept.values() if "recorded_at" in row]
        changed = [row for row in kept.values() if "recorded_at" not in row]
        insert_rows(conn, self.inspections, new)
        if changed:
            conn.execute(self._sql["current"], changed)

    def _part(self, state: ins.Inspection, e: DomainEvent) -> dict[str, Any]:
        """Where a part belongs (the inspection's units, from its state) and when it was recorded."""
        return {"inspection_id": e.originator_id, "target_unit_id": str(state.target_unit_id),
                "inspecting_unit_id": str(state.inspecting_unit_id), "jurisdiction": e.envelope.jurisdiction,
                "recorded_at": e.timestamp}

    @on(ins.InspectionOpened)
    def _opened(self, conn: Connection, e: ins.InspectionOpened, _: int) -> None:
        self._record(conn, e, {"summary": None, "entries_json": {}})
        for n, c in enumerate(e.checklist):
            defer(conn, self._sql["checklist"], {"inspection_id": e.originator_id, "code": c.code, "position": n,
                                                 "text": c.text, "basis": c.basis, "covered": False,
                                                 "covered_at": None}, inserts=True)

    @on(ins.ChecklistItemsCovered)
    def _covered(self, conn: Connection, e: ins.ChecklistItemsCovered, _: int) -> None:
        self._record(conn, e)
        for code in e.item_codes:
            defer(conn, self._sql["covered"], {"b_id": e.originator_id, "b_code": code, "b_at": e.effective_at},
                  inserts=False)

    @on(ins.FindingRecorded)
    def _finding(self, conn: Connection, e: ins.FindingRecorded, _: int) -> None:
        state = self._record(conn, e, {"entries_json": {f"found:{e.finding_no}": e.effective_at.isoformat()}})
        defer(conn, self._sql["findings"], {
            "finding_no": e.finding_no, "item_code": e.item_code, "description": e.description,
            "hazard_suspected": e.hazard_suspected, "location": e.location, "found_at": e.effective_at,
            "corrected_at": None, **self._part(state, e)}, inserts=True)

    @on(ins.SpotTestRecorded)
    def _spot_test(self, conn: Connection, e: ins.SpotTestRecorded, _: int) -> None:
        state = self._record(conn, e, {"entries_json": {f"tested:{e.test_no}": e.effective_at.isoformat()}})
        defer(conn, self._sql["spot_tests"], {
            "test_no": e.test_no, "person_id": e.person_id, "post_id": e.post_id, "post_kind": e.post_kind,
            "subject": e.subject, "score": e.score, "max_score": e.max_score, "pass_mark": e.pass_mark,
            "passed": e.passed, "tested_at": e.effective_at, "corrected_at": None, **self._part(state, e)},
            inserts=True)

    @on(ins.InspectionSigned)
    def _signed(self, conn: Connection, e: ins.InspectionSigned, _: int) -> None:
        state = self._record(conn, e)
        defer(conn, self._sql["signatures"], {
            "inspector_id": e.inspector_id, "signed_at": e.effective_at, "record_digest": e.record_digest,
            **self._part(state, e)}, inserts=True)

    @on(ins.InspectionCompleted)
    def _completed(self, conn: Connection, e: ins.InspectionCompleted, _: int) -> None:
        self._record(conn, e, {"summary": e.summary})

    @on(ins.InspectionCorrected)
    def _corrected(self, conn: Connection, e: ins.InspectionCorrected, _: int) -> None:
        when = e.timestamp.isoformat()
        self._record(conn, e, {"entries_json": {
            **{f"finding-corrected:{f.finding_no}": when for f in e.findings},
            **{f"test-corrected:{t.test_no}": when for t in e.spot_tests}}})
        for finding in e.findings:
            defer(conn, self._sql["finding"], {
                "item_code": finding.item_code, "description": finding.description,
                "hazard_suspected": finding.hazard_suspected, "location": finding.location,
                "corrected_at": e.timestamp, "b_id": e.originator_id, "b_no": finding.finding_no}, inserts=False)
        for fix in e.spot_tests:
            defer(conn, self._sql["test"], {
                "score": fix.score, "pass_mark": fix.pass_mark, "passed": fix.passed, "corrected_at": e.timestamp,
                "b_id": e.originator_id, "b_no": fix.test_no}, inserts=False)
        defer(conn, self._sql["corrections"], {
            "inspection_id": e.originator_id, "version": e.originator_version, "corrects_version": e.corrects_version,
            "reason": e.reason, "corrected_by": e.corrected_by, "actor": e.envelope.actor.principal,
            "findings_json": [x.model_dump(mode="json") for x in e.findings],
            "previous_findings_json": [x.model_dump(mode="json") for x in e.previous_findings],
            "spot_tests_json": [x.model_dump(mode="json") for x in e.spot_tests],
            "previous_spot_tests_json": [x.model_dump(mode="json") for x in e.previous_spot_tests],
            "effective_at": e.effective_at, "recorded_at": e.timestamp}, inserts=True)


def audience(target: ColumnElement[Any], inspecting: ColumnElement[Any], status: ColumnElement[Any] | None,
             role: str, unit_of_role: UUID | str | None, supervised: Collection[UUID | str]) -> ColumnElement[bool]:
    """What a unit role may see of inspections (module docstring): an enterprise user, inspections of its enterprise
    once completed (``status``; ``None`` for rows that exist only once signed) and those it carried out itself; an
    inspector, inspections of the units its department supervises (``supervised``) or carried out by it."""
    unit = str(unit_of_role)
    if role == "enterprise":
        own = target == unit
        return and_(own, or_(status == "completed", inspecting == unit)) if status is not None else own
    if role == "inspector":
        return or_(target == unit, target.in_(sorted(map(str, supervised))), inspecting == unit)
    return true()


def in_force(table: Table, as_of: datetime, known_at: datetime) -> ColumnElement[bool]:
    return and_(valid(table, as_of), known(table, known_at))


class InspectionLedgerQueries:
    """Questions to the inspection ledger, scoped by jurisdiction and audience (module docstring)."""

    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    def supervised(self, role: str, unit_of_role: UUID | str | None) -> list[UUID]:
        """The units an inspector's department supervises (the directory's answer; none for other roles)."""
        return self.directory.supervised_by(unit_of_role) if role == "inspector" and unit_of_role else []

    def _conditions(self, scope: str, role: str, unit_id: UUID | None, as_of: datetime, known_at: datetime,
                    filters: dict[str, Any]) -> list[ColumnElement[bool]]:
        """Over the timeline: in force at ``as_of``, recorded by ``known_at``, in scope, the filters given
        (``since``/``until`` bound ``inspected_at``; any other name is a column equal to the value)."""
        t = TIMELINE.c
        conditions = [in_force(TIMELINE, as_of, known_at), within(t.jurisdiction, scope),
                      audience(t.target_unit_id, t.inspecting_unit_id, t.status, role, unit_id,
                               self.supervised(role, unit_id))]
        return conditions + _filters(TIMELINE, "inspected_at", filters)

    def _named(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each row with its target's and its inspecting unit's names (from the directory)."""
        names = self.directory.unit_names({r[k] for r in rows for k in ("target_unit_id", "inspecting_unit_id")})
        return [{**r, "target_name": names.get(r["target_unit_id"], {}).get("name"),
                 "inspecting_unit_name": names.get(r["inspecting_unit_id"], {}).get("name")} for r in rows]

    def _all(self, query: Any) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def inspections(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                    sort: str | None = None, limit: int = 100, offset: int = 0,
                    **filters: Any) -> list[dict[str, Any]]:
        """The inspections as they stood at ``as_of``, as recorded by ``known_at``, latest first. Filters: kind,
        status, inspecting_unit_id, target_unit_id, led_by, plan_id, draw_id, since/until (when inspected); ``sort``:
        a key of ``SORTS``."""
        t = TIMELINE.c
        return self._named(self._all(
            select(TIMELINE).where(*self._conditions(scope, role, unit_id, as_of, known_at, filters))
            .order_by(*ordering(SORTS, sort, (t.inspected_at.desc(), t.inspection_id), t.inspection_id))
            .limit(limit).offset(offset)))

    def inspection(self, scope: str, role: str, unit_id: UUID | None, inspection_id: UUID, *, as_of: datetime,
                   known_at: datetime) -> dict[str, Any] | None:
        """One inspection's record as it stood at ``as_of``, as recorded by ``known_at``."""
        found = self.inspections(scope, role, unit_id, as_of=as_of, known_at=known_at, limit=1,
                                 inspection_id=inspection_id)
        return found[0] if found else None

    def corrections(self, inspection_id: UUID) -> list[dict[str, Any]]:
        c = CORRECTIONS.c
        return self._all(select(CORRECTIONS).where(c.inspection_id == inspection_id).order_by(c.version))

    def _totals(self, unit: Any, scope: str, role: str, unit_id: UUID | None, as_of: datetime, known_at: datetime,
                filters: dict[str, Any]) -> list[dict[str, Any]]:
        """Counts per ``unit`` (inspecting or target) over the inspections in force, with the unit's name and kind."""
        t = TIMELINE.c

        def count(condition: ColumnElement[bool]) -> Any:
            return func.sum(case((condition, 1), else_=0))

        query = (select(unit.label("unit_id"), func.count().label("inspections"),
                        count(t.status == "completed").label("completed"),
                        count(t.kind.in_(ENFORCEMENT)).label("enforcement_inspections"),
                        *(count(t.kind == k.value).label(f"{k.value}_count") for k in ins.InspectionKind),
                        func.sum(cast(t.unannounced, Integer)).label("unannounced"),
                        func.sum(cast(t.expert_assisted, Integer)).label("expert_assisted"),
                        func.sum(t.findings).label("findings"),
                        func.sum(t.hazards_suspected).label("hazards_suspected"),
                        func.sum(t.spot_tests).label("spot_tests"),
                        func.sum(t.spot_tests_failed).label("spot_tests_failed"),
                        func.max(t.inspected_at).label("last_inspected_at"))
                 .where(*self._conditions(scope, role, unit_id, as_of, known_at, filters)).group_by(unit))
        rows = self._all(query)
        names = self.directory.unit_names({r["unit_id"] for r in rows})
        named = [{**r, "unit_name": names.get(r["unit_id"], {}).get("name"),
                  "unit_kind": names.get(r["unit_id"], {}).get("kind")} for r in rows]
        return sorted(named, key=lambda r: (r["unit_name"] is None, r["unit_name"] or "", r["unit_id"]))

    def by_department(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                      **filters: Any) -> list[dict[str, Any]]:
        """Per inspecting unit: how many inspections of each kind, completed, unannounced, with experts, findings,
        suspected hazards and spot tests (filters: since/until, kind, target_unit_id …)."""
        return self._totals(TIMELINE.c.inspecting_unit_id, scope, role, unit_id, as_of, known_at, filters)

    def by_enterprise(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                      **filters: Any) -> list[dict[str, Any]]:
        """Per inspected unit, the same counts and when it was last inspected."""
        return self._totals(TIMELINE.c.target_unit_id, scope, role, unit_id, as_of, known_at, filters)

    def _items(self, part: str, scope: str, role: str, unit_id: UUID | None, as_of: datetime, known_at: datetime,
               filters: dict[str, Any]) -> list[dict[str, Any]]:
        """The findings or spot tests (``part``) of the records in force at ``as_of`` as known at ``known_at``,
        each with its inspection (from the timeline's copy of the record, so corrections count from when they were
        known)."""
        t = TIMELINE.c
        rows = self._named(self._all(
            select(t.inspection_id, t.kind, t.title, t.inspected_at, t.status, t.target_unit_id,
                   t.inspecting_unit_id, t[f"{part}_json"].label("items_json"))
            .where(*self._conditions(scope, role, unit_id, as_of, known_at, filters), t[part] > 0)
            .order_by(t.inspected_at.desc(), t.inspection_id)))
        return [{**{k: v for k, v in row.items() if k != "items_json"}, **item}
                for row in rows for item in row["items_json"]]

    def spot_tests(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                   person_id: UUID | None = None, passed: bool | None = None,
                   **filters: Any) -> list[dict[str, Any]]:
        """逢查必考 scores as the records stood at ``as_of``, known at ``known_at``. Filters: person_id, passed,
        target_unit_id, inspecting_unit_id, since/until (when inspected)."""
        tests = [t for t in self._items("spot_tests", scope, role, unit_id, as_of, known_at, filters)
                 if (person_id is None or t["person_id"] == str(person_id))
                 and (passed is None or t["passed"] == passed)]
        names = self.directory.person_names({t["person_id"] for t in tests})
        return [{**t, "person_name": names.get(t["person_id"])} for t in tests]

    def findings(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                 hazard_suspected: bool | None = None, **filters: Any) -> list[dict[str, Any]]:
        """Findings as the records stood at ``as_of``, known at ``known_at``. Filters: hazard_suspected,
        target_unit_id, inspecting_unit_id, since/until (when inspected)."""
        return [f for f in self._items("findings", scope, role, unit_id, as_of, known_at, filters)
                if hazard_suspected is None or f["hazard_suspected"] == hazard_suspected]

    def signatures(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                   **filters: Any) -> list[dict[str, Any]]:
        """Who signed which record when (谁检查、谁签名、谁负责): signatures given by ``as_of`` and recorded by
        ``known_at`` (a signature never changes). Filters: inspector_id, target_unit_id, inspecting_unit_id,
        since/until (when signed)."""
        p, t = SIGNATURES.c, INSPECTIONS.c
        query = (select(SIGNATURES, t.kind, t.title, t.inspected_at, t.status)
                 .join(INSPECTIONS, t.inspection_id == p.inspection_id)
                 .where(within(t.jurisdiction, scope),
                        audience(t.target_unit_id, t.inspecting_unit_id, t.status, role, unit_id,
                                 self.supervised(role, unit_id)),
                        p.signed_at <= as_of, p.recorded_at <= known_at, *_filters(SIGNATURES, "signed_at", filters))
                 .order_by(p.signed_at.desc(), p.inspection_id, p.inspector_id))
        rows = self._named(self._all(query))
        names = self.directory.person_names({r["inspector_id"] for r in rows})
        return [{**r, "inspector_name": names.get(r["inspector_id"])} for r in rows]

    # --- for the enforcement plans (``projections.enforcement_plans``) ---------------------------------------
    def completed_under(self, plan_ids: Collection[str], *, as_of: datetime,
                        known_at: datetime) -> dict[str, dict[str, int]]:
        """Per plan: its inspections completed by ``as_of`` as known at ``known_at``, in all and per kind."""
        if not plan_ids:
            return {}
        t = TIMELINE.c
        rows = self._all(select(t.plan_id, t.kind, func.count().label("n"))
                         .where(t.plan_id.in_(sorted(plan_ids)), t.status == "completed",
                                in_force(TIMELINE, as_of, known_at))
                         .group_by(t.plan_id, t.kind))
        done: dict[str, dict[str, int]] = {}
        for row in rows:
            done.setdefault(row["plan_id"], {})[row["kind"]] = row["n"]
        return done

    def reached(self, department_id: str, start: datetime, end: datetime, *, as_of: datetime,
                known_at: datetime) -> set[str]:
        """The units a department's completed enforcement inspections in ``[start, end)`` reached."""
        t = TIMELINE.c
        with self.db.read() as conn:
            return set(conn.execute(select(t.target_unit_id).distinct().where(
                t.inspecting_unit_id == department_id, t.status == "completed", t.kind.in_(ENFORCEMENT),
                t.inspected_at >= start, t.inspected_at < end, in_force(TIMELINE, as_of, known_at))).scalars())

    # --- for the oversight policies (``projections.oversight``) ---------------------------------------------
    def enforcement_counts(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Completed enforcement inspections (执法, 大检查, 暗访, 交叉检查) per inspecting unit in ``[start, end)``."""
        i = INSPECTIONS.c
        query = (select(i.inspecting_unit_id, func.count()).where(
            i.status == "completed", i.kind.in_(ENFORCEMENT), i.inspected_at >= start, i.inspected_at < end)
            .group_by(i.inspecting_unit_id))
        with self.db.read() as conn:
            return {UUID(unit_id): n for unit_id, n in conn.execute(query)}

    def led_counts(self, start: datetime, end: datetime) -> dict[tuple[UUID, UUID], int]:
        """Completed inspections led (``led_by``) in ``[start, end)``, per (leader, target)."""
        i = INSPECTIONS.c
        query = (select(i.led_by, i.target_unit_id, func.count())
                 .where(i.status == "completed", i.led_by.is_not(None), i.inspected_at >= start,
                        i.inspected_at < end)
                 .group_by(i.led_by, i.target_unit_id))
        with self.db.read() as conn:
            return {(UUID(person), UUID(target)): n for person, target, n in conn.execute(query)}

    # --- application.ports.Directory ------------------------------------------------------------------------
    def previous_inspections(self, target_ids: list[UUID], before: datetime) -> list[rd.PreviousInspection]:
        """Each target's latest enforcement inspection before ``before`` (ties: the lower id), with inspectors."""
        if not target_ids:
            return []
        i = INSPECTIONS.c
        rows = self._all(select(i.inspection_id, i.target_unit_id, i.inspectors_json)
                         .where(i.target_unit_id.in_([str(t) for t in target_ids]), i.kind.in_(ENFORCEMENT),
                                i.inspected_at < before)
                         .order_by(i.target_unit_id, i.inspected_at.desc(), i.inspection_id))
        latest: dict[str, rd.PreviousInspection] = {}
        for row in rows:
            latest.setdefault(row["target_unit_id"], rd.PreviousInspection(
                inspection_id=row["inspection_id"], target_id=row["target_unit_id"],
                inspector_ids=tuple(row["inspectors_json"])))
        return list(latest.values())


def _filters(table: Table, time_column: str, filters: dict[str, Any]) -> list[ColumnElement[bool]]:
    """A condition per given filter: ``since``/``until`` bound ``time_column``; any other name is a column of
    ``table`` equal to the value."""
    conditions = []
    for name, value in filters.items():
        if value is None:
            continue
        if name == "since":
            conditions.append(table.c[time_column] >= value)
        elif name == "until":
            conditions.append(table.c[time_column] < value)
        else:
            conditions.append(table.c[name] == value)
    return conditions
