"""The inspection ledger (检查台账): every inspection per department and per enterprise, bitemporal; signatures,
spot-test scores, random draws with their seeds and pools, enforcement plans planned against done.

Tables (all start with ``inspection``):
- ``inspections`` — one current row per inspection (statistics and policies query it): kind, who
  inspected whom, when (``inspected_at``, effective), status ``open``/``completed``, counts, inspectors, plan and
  draw. ``inspection_timeline`` — the same columns as a bitemporal timeline (``projections.timeline``), so the ledger
  answers *what the record said on a day* (``as_of``) *as the system knew it then* (``known_at``); a correction is
  effective at the completion of the record it corrects, so ``known_at`` before it shows the record as signed.
- ``inspection_checklist``, ``inspection_findings``, ``inspection_spot_tests``, ``inspection_signatures``,
  ``inspection_corrections`` — the record's parts, current (corrections applied; ``corrected_at`` says when), for
  statistics; the queries answer ``as_of``/``known_at`` from the timeline's copies of the record.
- ``inspection_draws`` (双随机: seed, pools, exclusions, result); ``inspection_plans`` (年度执法计划) and its
  bitemporal ``inspection_plan_timeline``.

Reads are scoped by jurisdiction and by audience (``projections.sql.audience_clause``): an enterprise user sees its
own enterprise's completed inspections and its own checks (self-checks, its leaders' inspections) — never someone
else's inspection still under way: 暗访 and 四不两直 stay unannounced; an inspector sees the inspections of the units
its department supervises and those its department carried out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain import enforcement_plans as ep
from domain import inspections as ins
from domain import random_draws as rd
from domain.base import DomainEvent
from domain.calendar import year_bounds
from projections.follower import LegacyProjection as Projection
from projections.follower import on
from projections.legacy_timeline import BITEMPORAL_COLUMNS, KNOWN, VALID, Timeline
from projections.sql import ReadDatabase, Tx, audience_clause, scope_clause, scope_params

TIMELINE = Timeline("inspection_timeline", "inspection_id")
PLAN_TIMELINE = Timeline("inspection_plan_timeline", "plan_id")
STATE = (
    "kind TEXT NOT NULL, title TEXT NOT NULL, inspecting_unit_id TEXT NOT NULL, target_unit_id TEXT NOT NULL, "
    "jurisdiction TEXT NOT NULL, led_by TEXT, inspected_at {TS} NOT NULL, status TEXT NOT NULL, completed_at {TS}, "
    "unannounced INTEGER NOT NULL, expert_assisted INTEGER NOT NULL, inspectors_json {JSON} NOT NULL, "
    "experts_json {JSON} NOT NULL, checklist_json {JSON} NOT NULL, covered_json {JSON} NOT NULL, "
    "findings_json {JSON} NOT NULL, spot_tests_json {JSON} NOT NULL, signatures_json {JSON} NOT NULL, "
    "checklist_items INTEGER NOT NULL, items_covered INTEGER NOT NULL, signatures INTEGER NOT NULL, "
    "findings INTEGER NOT NULL, hazards_suspected INTEGER NOT NULL, spot_tests INTEGER NOT NULL, "
    "spot_tests_failed INTEGER NOT NULL, corrections INTEGER NOT NULL, summary TEXT, plan_id TEXT, draw_id TEXT"
)
"""The state of an inspection, the same in the current table and in the timeline."""
ENFORCEMENT = "('" + "', '".join(sorted(ins.ENFORCEMENT_KINDS)) + "')"
"""The enforcement kinds as an SQL list (constants, not input)."""
TOTALS = (
    "COUNT(*) AS inspections, SUM(CASE WHEN t.status = 'completed' THEN 1 ELSE 0 END) AS completed, "
    f"SUM(CASE WHEN t.kind IN {ENFORCEMENT} THEN 1 ELSE 0 END) AS enforcement_inspections, "
    + "".join(f"SUM(CASE WHEN t.kind = '{k.value}' THEN 1 ELSE 0 END) AS {k.value}_count, "
              for k in ins.InspectionKind)
    + "SUM(t.unannounced) AS unannounced, SUM(t.expert_assisted) AS expert_assisted, SUM(t.findings) AS findings, "
    "SUM(t.hazards_suspected) AS hazards_suspected, SUM(t.spot_tests) AS spot_tests, "
    "SUM(t.spot_tests_failed) AS spot_tests_failed, MAX(t.inspected_at) AS last_inspected_at"
)
"""Counts over a set of inspections (alias ``t``), for the per-department and per-enterprise ledgers."""
FROM_TIMELINE = ("FROM inspection_timeline t LEFT JOIN units tu ON tu.unit_id = t.target_unit_id "
                 "LEFT JOIN units iu ON iu.unit_id = t.inspecting_unit_id")
NAMES = "tu.name AS target_name, iu.name AS inspecting_unit_name"
PLAN = (
    "department_id TEXT NOT NULL, year INTEGER NOT NULL, key_enterprises_json {JSON} NOT NULL, scope TEXT NOT NULL, "
    "focus_json {JSON} NOT NULL, content TEXT NOT NULL, planned_count INTEGER NOT NULL, "
    "planned_undercover INTEGER NOT NULL, planned_campaign INTEGER NOT NULL, document_no TEXT, "
    "revisions INTEGER NOT NULL, jurisdiction TEXT NOT NULL, adopted_at {TS} NOT NULL, revised_at {TS}"
)
"""The state of a plan, the same in the current table and in the timeline."""


def _findings_json(findings: list[dict[str, Any]]) -> dict[str, Any]:
    return {"findings_json": findings, "findings": len(findings),
            "hazards_suspected": sum(1 for f in findings if f["hazard_suspected"])}


def _spot_tests_json(tests: list[dict[str, Any]]) -> dict[str, Any]:
    return {"spot_tests_json": tests, "spot_tests": len(tests),
            "spot_tests_failed": sum(1 for t in tests if not t["passed"])}


class InspectionLedger(Projection):
    name = "inspection_ledger"
    version = 1
    tables = ("inspections", *TIMELINE.tables, "inspection_checklist", "inspection_findings",
              "inspection_spot_tests", "inspection_signatures", "inspection_corrections", "inspection_draws",
              "inspection_plans", *PLAN_TIMELINE.tables)
    ddl = (
        f"CREATE TABLE inspections (inspection_id TEXT PRIMARY KEY, {STATE}, version INTEGER NOT NULL, "
        "recorded_at {TS} NOT NULL)",
        "CREATE INDEX inspections_target ON inspections (target_unit_id, inspected_at)",
        "CREATE INDEX inspections_inspecting_unit ON inspections (inspecting_unit_id, inspected_at)",
        "CREATE INDEX inspections_led_by ON inspections (led_by, inspected_at)",
        f"CREATE TABLE inspection_timeline (inspection_id TEXT NOT NULL, revision INTEGER NOT NULL, {STATE}, "
        f"{BITEMPORAL_COLUMNS}, PRIMARY KEY (inspection_id, revision))",
        *TIMELINE.ddl(),
        "CREATE TABLE inspection_checklist (inspection_id TEXT NOT NULL, code TEXT NOT NULL, "
        "position INTEGER NOT NULL, text TEXT NOT NULL, basis TEXT, covered INTEGER NOT NULL, covered_at {TS}, "
        "PRIMARY KEY (inspection_id, code))",
        "CREATE TABLE inspection_findings (inspection_id TEXT NOT NULL, finding_no INTEGER NOT NULL, item_code TEXT, "
        "description TEXT NOT NULL, hazard_suspected INTEGER NOT NULL, location TEXT, target_unit_id TEXT NOT NULL, "
        "inspecting_unit_id TEXT NOT NULL, jurisdiction TEXT NOT NULL, found_at {TS} NOT NULL, "
        "recorded_at {TS} NOT NULL, corrected_at {TS}, PRIMARY KEY (inspection_id, finding_no))",
        "CREATE TABLE inspection_spot_tests (inspection_id TEXT NOT NULL, test_no INTEGER NOT NULL, "
        "person_id TEXT NOT NULL, post_id TEXT NOT NULL, post_kind TEXT NOT NULL, subject TEXT NOT NULL, "
        "score DOUBLE PRECISION NOT NULL, max_score DOUBLE PRECISION NOT NULL, pass_mark DOUBLE PRECISION NOT NULL, "
        "passed INTEGER NOT NULL, target_unit_id TEXT NOT NULL, inspecting_unit_id TEXT NOT NULL, "
        "jurisdiction TEXT NOT NULL, tested_at {TS} NOT NULL, recorded_at {TS} NOT NULL, corrected_at {TS}, "
        "PRIMARY KEY (inspection_id, test_no))",
        "CREATE INDEX inspection_spot_tests_person ON inspection_spot_tests (person_id, tested_at)",
        "CREATE TABLE inspection_signatures (inspection_id TEXT NOT NULL, inspector_id TEXT NOT NULL, "
        "signed_at {TS} NOT NULL, record_digest TEXT NOT NULL, target_unit_id TEXT NOT NULL, "
        "inspecting_unit_id TEXT NOT NULL, jurisdiction TEXT NOT NULL, recorded_at {TS} NOT NULL, "
        "PRIMARY KEY (inspection_id, inspector_id))",
        "CREATE INDEX inspection_signatures_inspector ON inspection_signatures (inspector_id, signed_at)",
        "CREATE TABLE inspection_corrections (inspection_id TEXT NOT NULL, version INTEGER NOT NULL, "
        "corrects_version INTEGER NOT NULL, reason TEXT NOT NULL, corrected_by TEXT, actor TEXT NOT NULL, "
        "findings_json {JSON} NOT NULL, previous_findings_json {JSON} NOT NULL, spot_tests_json {JSON} NOT NULL, "
        "previous_spot_tests_json {JSON} NOT NULL, effective_at {TS} NOT NULL, recorded_at {TS} NOT NULL, "
        "PRIMARY KEY (inspection_id, version))",
        "CREATE TABLE inspection_draws (draw_id TEXT PRIMARY KEY, department_id TEXT NOT NULL, plan_id TEXT, "
        "seed TEXT NOT NULL, algorithm TEXT NOT NULL, target_pool_json {JSON} NOT NULL, "
        "inspector_pool_json {JSON} NOT NULL, targets INTEGER NOT NULL, inspectors_per_target INTEGER NOT NULL, "
        "exclude_previous_inspector INTEGER NOT NULL, exclusions_json {JSON} NOT NULL, result_json {JSON} NOT NULL, "
        "rules_version TEXT, basis TEXT, jurisdiction TEXT NOT NULL, drawn_at {TS} NOT NULL, "
        "recorded_at {TS} NOT NULL)",
        f"CREATE TABLE inspection_plans (plan_id TEXT PRIMARY KEY, {PLAN}, version INTEGER NOT NULL)",
        f"CREATE TABLE inspection_plan_timeline (plan_id TEXT NOT NULL, revision INTEGER NOT NULL, {PLAN}, "
        f"{BITEMPORAL_COLUMNS}, PRIMARY KEY (plan_id, revision))",
        *PLAN_TIMELINE.ddl(),
    )

    # --- inspections -------------------------------------------------------------------------------------------
    @on(ins.InspectionOpened)
    def _opened(self, tx: Tx, e: ins.InspectionOpened, _: int) -> None:
        state = {
            "kind": e.kind.value, "title": e.title, "inspecting_unit_id": str(e.inspecting_unit_id),
            "target_unit_id": str(e.target_unit_id), "jurisdiction": e.envelope.jurisdiction,
            "led_by": str(e.led_by) if e.led_by else None, "inspected_at": e.effective_at, "status": "open",
            "completed_at": None, "unannounced": int(e.unannounced), "expert_assisted": int(bool(e.experts)),
            "inspectors_json": [str(i) for i in e.inspectors],
            "experts_json": [x.model_dump(mode="json") for x in e.experts],
            "checklist_json": [c.model_dump(mode="json") for c in e.checklist], "covered_json": [],
            "signatures_json": {}, "checklist_items": len(e.checklist), "items_covered": 0, "signatures": 0,
            **_findings_json([]), **_spot_tests_json([]), "corrections": 0, "summary": None,
            "plan_id": str(e.plan_id) if e.plan_id else None, "draw_id": str(e.draw_id) if e.draw_id else None,
        }
        row = {"inspection_id": str(e.originator_id), **state, "version": e.originator_version,
               "recorded_at": e.timestamp}
        tx.execute(f"INSERT INTO inspections ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})", row)
        TIMELINE.record(tx, e.originator_id, e.originator_version, e.effective_at, e.timestamp, state)
        tx.executemany(
            "INSERT INTO inspection_checklist VALUES (:i, :code, :position, :text, :basis, 0, NULL)",
            [{"i": e.originator_id, "code": c.code, "position": n, "text": c.text, "basis": c.basis}
             for n, c in enumerate(e.checklist)],
        )

    def _current(self, tx: Tx, inspection_id: UUID) -> dict[str, Any]:
        row = tx.one("SELECT * FROM inspections WHERE inspection_id = :i", {"i": inspection_id})
        assert row is not None
        return row

    def _change(self, tx: Tx, e: DomainEvent, changes: dict[str, Any]) -> None:
        """The inspection's columns take these values from the event's effective time on."""
        assignments = ", ".join(f"{c} = :{c}" for c in changes)
        tx.execute(f"UPDATE inspections SET {assignments}, version = :version WHERE inspection_id = :inspection_id",
                   {**changes, "version": e.originator_version, "inspection_id": e.originator_id})
        TIMELINE.record(tx, e.originator_id, e.originator_version, e.effective_at, e.timestamp, changes)

    @on(ins.ChecklistItemsCovered)
    def _covered(self, tx: Tx, e: ins.ChecklistItemsCovered, _: int) -> None:
        covered = [*self._current(tx, e.originator_id)["covered_json"], *e.item_codes]
        self._change(tx, e, {"covered_json": covered, "items_covered": len(covered)})
        tx.executemany("UPDATE inspection_checklist SET covered = 1, covered_at = :at "
                       "WHERE inspection_id = :i AND code = :code",
                       [{"i": e.originator_id, "code": code, "at": e.effective_at} for code in e.item_codes])

    @on(ins.FindingRecorded)
    def _finding(self, tx: Tx, e: ins.FindingRecorded, _: int) -> None:
        current = self._current(tx, e.originator_id)
        finding = ins.Finding(**e.model_dump(include=set(ins.Finding.model_fields))).model_dump(mode="json")
        finding.update(found_at=e.effective_at.isoformat(), corrected_at=None)
        self._change(tx, e, _findings_json([*current["findings_json"], finding]))
        tx.execute(
            "INSERT INTO inspection_findings VALUES (:i, :no, :item, :d, :h, :loc, :target, :unit, :j, :at, :rec, "
            "NULL)",
            {"i": e.originator_id, "no": e.finding_no, "item": e.item_code, "d": e.description,
             "h": e.hazard_suspected, "loc": e.location, "target": current["target_unit_id"],
             "unit": current["inspecting_unit_id"], "j": e.envelope.jurisdiction, "at": e.effective_at,
             "rec": e.timestamp},
        )

    @on(ins.SpotTestRecorded)
    def _spot_test(self, tx: Tx, e: ins.SpotTestRecorded, _: int) -> None:
        current = self._current(tx, e.originator_id)
        test = ins.SpotTest(**e.model_dump(include=set(ins.SpotTest.model_fields))).model_dump(mode="json")
        test.update(tested_at=e.effective_at.isoformat(), corrected_at=None)
        self._change(tx, e, _spot_tests_json([*current["spot_tests_json"], test]))
        tx.execute(
            "INSERT INTO inspection_spot_tests VALUES (:i, :no, :person, :post, :kind, :subject, :score, :max, :pass, "
            ":passed, :target, :unit, :j, :at, :rec, NULL)",
            {"i": e.originator_id, "no": e.test_no, "person": e.person_id, "post": e.post_id, "kind": e.post_kind,
             "subject": e.subject, "score": e.score, "max": e.max_score, "pass": e.pass_mark, "passed": e.passed,
             "target": current["target_unit_id"], "unit": current["inspecting_unit_id"],
             "j": e.envelope.jurisdiction, "at": e.effective_at, "rec": e.timestamp},
        )

    @on(ins.InspectionSigned)
    def _signed(self, tx: Tx, e: ins.InspectionSigned, _: int) -> None:
        current = self._current(tx, e.originator_id)
        signatures = {**current["signatures_json"], str(e.inspector_id): e.effective_at.isoformat()}
        self._change(tx, e, {"signatures_json": signatures, "signatures": len(signatures)})
        tx.execute(
            "INSERT INTO inspection_signatures VALUES (:i, :who, :at, :digest, :target, :unit, :j, :rec)",
            {"i": e.originator_id, "who": e.inspector_id, "at": e.effective_at, "digest": e.record_digest,
             "target": current["target_unit_id"], "unit": current["inspecting_unit_id"],
             "j": e.envelope.jurisdiction, "rec": e.timestamp},
        )

    @on(ins.InspectionCompleted)
    def _completed(self, tx: Tx, e: ins.InspectionCompleted, _: int) -> None:
        self._change(tx, e, {"status": "completed", "completed_at": e.effective_at, "summary": e.summary})

    @on(ins.InspectionCorrected)
    def _corrected(self, tx: Tx, e: ins.InspectionCorrected, _: int) -> None:
        current = self._current(tx, e.originator_id)
        when = {"corrected_at": e.timestamp.isoformat()}
        fixed = {f.finding_no: {**f.model_dump(mode="json"), **when} for f in e.findings}
        tests = {t.test_no: {**t.model_dump(mode="json"), **when} for t in e.spot_tests}
        self._change(tx, e, {
            **_findings_json([{**f, **fixed.get(f["finding_no"], {})} for f in current["findings_json"]]),
            **_spot_tests_json([{**t, **tests.get(t["test_no"], {})} for t in current["spot_tests_json"]]),
            "corrections": current["corrections"] + 1,
        })
        tx.executemany(
            "UPDATE inspection_findings SET item_code = :item, description = :d, hazard_suspected = :h, "
            "location = :loc, corrected_at = :rec WHERE inspection_id = :i AND finding_no = :no",
            [{"i": e.originator_id, "no": f.finding_no, "item": f.item_code, "d": f.description,
              "h": f.hazard_suspected, "loc": f.location, "rec": e.timestamp} for f in e.findings],
        )
        tx.executemany(
            "UPDATE inspection_spot_tests SET score = :score, pass_mark = :pass, passed = :passed, corrected_at = :rec "
            "WHERE inspection_id = :i AND test_no = :no",
            [{"i": e.originator_id, "no": t.test_no, "score": t.score, "pass": t.pass_mark, "passed": t.passed,
              "rec": e.timestamp} for t in e.spot_tests],
        )
        tx.execute(
            "INSERT INTO inspection_corrections VALUES (:i, :v, :cv, :reason, :by, :actor, :f_json, :pf_json, "
            ":t_json, :pt_json, :eff, :rec)",
            {"i": e.originator_id, "v": e.originator_version, "cv": e.corrects_version, "reason": e.reason,
             "by": e.corrected_by, "actor": e.envelope.actor.principal,
             "f_json": [f.model_dump(mode="json") for f in e.findings],
             "pf_json": [f.model_dump(mode="json") for f in e.previous_findings],
             "t_json": [t.model_dump(mode="json") for t in e.spot_tests],
             "pt_json": [t.model_dump(mode="json") for t in e.previous_spot_tests],
             "eff": e.effective_at, "rec": e.timestamp},
        )

    # --- draws and plans ---------------------------------------------------------------------------------------
    @on(rd.RandomDrawMade)
    def _drawn(self, tx: Tx, e: rd.RandomDrawMade, _: int) -> None:
        tx.execute(
            "INSERT INTO inspection_draws VALUES (:id, :dept, :plan, :seed, :alg, :tp_json, :ip_json, :n, :per, :ex, "
            ":exclusions_json, :result_json, :rv, :basis, :j, :at, :rec)",
            {"id": e.originator_id, "dept": e.department_id, "plan": e.plan_id, "seed": e.seed, "alg": e.algorithm,
             "tp_json": [str(t) for t in e.target_pool], "ip_json": [str(i) for i in e.inspector_pool],
             "n": e.targets, "per": e.inspectors_per_target, "ex": e.exclude_previous_inspector,
             "exclusions_json": [x.model_dump(mode="json") for x in e.exclusions],
             "result_json": [a.model_dump(mode="json") for a in e.result],
             "rv": e.envelope.rules_version, "basis": e.envelope.basis, "j": e.envelope.jurisdiction,
             "at": e.effective_at, "rec": e.timestamp},
        )

    @staticmethod
    def _terms(terms: ep.PlanTerms) -> dict[str, Any]:
        return {"key_enterprises_json": [str(k) for k in terms.key_enterprises], "scope": terms.scope,
                "focus_json": list(terms.focus), "content": terms.content, "planned_count": terms.planned_count,
                "planned_undercover": terms.planned_undercover, "planned_campaign": terms.planned_campaign}

    @on(ep.EnforcementPlanAdopted)
    def _plan(self, tx: Tx, e: ep.EnforcementPlanAdopted, _: int) -> None:
        state = {"department_id": str(e.department_id), "year": e.year, **self._terms(e.terms),
                 "document_no": e.document_no, "revisions": 0, "jurisdiction": e.envelope.jurisdiction,
                 "adopted_at": e.effective_at, "revised_at": None}
        row = {"plan_id": str(e.originator_id), **state, "version": e.originator_version}
        tx.execute(f"INSERT INTO inspection_plans ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})", row)
        PLAN_TIMELINE.record(tx, e.originator_id, e.originator_version, e.effective_at, e.timestamp, state)

    @on(ep.EnforcementPlanRevised)
    def _plan_revised(self, tx: Tx, e: ep.EnforcementPlanRevised, _: int) -> None:
        current = tx.one("SELECT revisions, document_no FROM inspection_plans WHERE plan_id = :p",
                         {"p": e.originator_id})
        assert current is not None
        changes = {**self._terms(e.terms), "revised_at": e.effective_at, "revisions": current["revisions"] + 1,
                   "document_no": e.document_no or current["document_no"]}
        assignments = ", ".join(f"{c} = :{c}" for c in changes)
        tx.execute(f"UPDATE inspection_plans SET {assignments}, version = :version WHERE plan_id = :plan_id",
                   {**changes, "version": e.originator_version, "plan_id": e.originator_id})
        PLAN_TIMELINE.record(tx, e.originator_id, e.originator_version, e.effective_at, e.timestamp, changes)


class InspectionLedgerQueries:
    """Questions to the inspection ledger, scoped by jurisdiction and audience (module docstring)."""

    def __init__(self, db: ReadDatabase):
        self.db = db

    @staticmethod
    def _audience(role: str, unit_id: UUID | None, t: str = "t") -> tuple[str, dict[str, Any]]:
        target, params = audience_clause(f"{t}.target_unit_id", role, unit_id)
        if role == "enterprise":
            return f"({target} AND ({t}.status = 'completed' OR {t}.inspecting_unit_id = :audience_unit))", params
        if role == "inspector":
            return f"({target} OR {t}.inspecting_unit_id = :audience_unit)", params
        return target, params

    def _where(self, scope: str, role: str, unit_id: UUID | None, t: str = "t") -> tuple[str, dict[str, Any]]:
        audience, params = self._audience(role, unit_id, t)
        return f"{scope_clause(f'{t}.jurisdiction')} AND {audience}", {**scope_params(scope), **params}

    def _at(self, scope: str, role: str, unit_id: UUID | None, as_of: datetime, known_at: datetime,
            filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The WHERE clause over the timeline ``t``: in force at ``as_of``, recorded by ``known_at``, in scope."""
        where, params = self._where(scope, role, unit_id)
        sql = f"WHERE {VALID.format(t='t')} AND {KNOWN.format(t='t')} AND {where}"
        return _filtered(sql, {**params, "as_of": as_of, "known_at": known_at}, "t", "inspected_at", filters)

    def inspections(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                    limit: int = 100, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
        """The inspections as they stood at ``as_of``, as recorded by ``known_at``, latest first. Filters: kind,
        status, inspecting_unit_id, target_unit_id, led_by, plan_id, draw_id, since/until (when inspected)."""
        where, params = self._at(scope, role, unit_id, as_of, known_at, filters)
        with self.db.read() as tx:
            return tx.all(f"SELECT t.*, {NAMES} {FROM_TIMELINE} {where} "
                          "ORDER BY t.inspected_at DESC, t.inspection_id LIMIT :limit OFFSET :offset",
                          {**params, "limit": limit, "offset": offset})

    def inspection(self, scope: str, role: str, unit_id: UUID | None, inspection_id: UUID, *, as_of: datetime,
                   known_at: datetime) -> dict[str, Any] | None:
        """One inspection's record as it stood at ``as_of``, as recorded by ``known_at``."""
        where, params = self._at(scope, role, unit_id, as_of, known_at, {"inspection_id": inspection_id})
        with self.db.read() as tx:
            return tx.one(f"SELECT t.*, {NAMES} {FROM_TIMELINE} {where}", params)

    def corrections(self, inspection_id: UUID) -> list[dict[str, Any]]:
        with self.db.read() as tx:
            return tx.all("SELECT * FROM inspection_corrections WHERE inspection_id = :i ORDER BY version",
                          {"i": inspection_id})

    def by_department(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                      **filters: Any) -> list[dict[str, Any]]:
        """Per inspecting unit: how many inspections of each kind, completed, unannounced, with experts, findings,
        suspected hazards and spot tests (filters: since/until, kind, target_unit_id …)."""
        where, params = self._at(scope, role, unit_id, as_of, known_at, filters)
        with self.db.read() as tx:
            return tx.all(f"SELECT t.inspecting_unit_id AS unit_id, iu.name AS unit_name, iu.kind AS unit_kind, "
                          f"{TOTALS} {FROM_TIMELINE} {where} GROUP BY t.inspecting_unit_id, iu.name, iu.kind "
                          "ORDER BY iu.name, t.inspecting_unit_id", params)

    def by_enterprise(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
                      **filters: Any) -> list[dict[str, Any]]:
        """Per inspected unit, the same counts and when it was last inspected."""
        where, params = self._at(scope, role, unit_id, as_of, known_at, filters)
        with self.db.read() as tx:
            return tx.all(f"SELECT t.target_unit_id AS unit_id, tu.name AS unit_name, tu.kind AS unit_kind, "
                          f"{TOTALS} {FROM_TIMELINE} {where} GROUP BY t.target_unit_id, tu.name, tu.kind "
                          "ORDER BY tu.name, t.target_unit_id", params)

    def _items(self, part: str, scope: str, role: str, unit_id: UUID | None, as_of: datetime, known_at: datetime,
               filters: dict[str, Any]) -> list[dict[str, Any]]:
        """The findings or spot tests (``part``) of the records in force at ``as_of`` as known at ``known_at``,
        each with its inspection (from the timeline's copy of the record, so corrections count from when they were
        known)."""
        where, params = self._at(scope, role, unit_id, as_of, known_at, filters)
        with self.db.read() as tx:
            rows = tx.all(f"SELECT t.inspection_id, t.kind, t.title, t.inspected_at, t.status, t.target_unit_id, "
                          f"t.inspecting_unit_id, t.{part}_json AS items_json, {NAMES} {FROM_TIMELINE} {where} "
                          f"AND t.{part} > 0 ORDER BY t.inspected_at DESC, t.inspection_id", params)
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
        people = sorted({t["person_id"] for t in tests})
        if not people:
            return tests
        names = ", ".join(f":p{n}" for n in range(len(people)))
        with self.db.read() as tx:
            found = {r["person_id"]: r["name"] for r in tx.all(
                f"SELECT person_id, name FROM people WHERE person_id IN ({names})",
                {f"p{n}": p for n, p in enumerate(people)})}
        return [{**t, "person_name": found.get(t["person_id"])} for t in tests]

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
        where, params = self._where(scope, role, unit_id)
        sql, params = _filtered(
            f"SELECT p.*, pe.name AS inspector_name, t.kind, t.title, t.inspected_at, t.status, {NAMES} "
            "FROM inspection_signatures p JOIN inspections t ON t.inspection_id = p.inspection_id "
            "LEFT JOIN units tu ON tu.unit_id = t.target_unit_id "
            "LEFT JOIN units iu ON iu.unit_id = t.inspecting_unit_id "
            f"LEFT JOIN people pe ON pe.person_id = p.inspector_id WHERE {where} "
            "AND p.signed_at <= :as_of AND p.recorded_at <= :known_at",
            {**params, "as_of": as_of, "known_at": known_at}, "p", "signed_at", filters)
        with self.db.read() as tx:
            return tx.all(f"{sql} ORDER BY p.signed_at DESC, p.inspection_id, p.inspector_id", params)

    def draws(self, scope: str, role: str, unit_id: UUID | None, *, department_id: UUID | None = None,
              draw_id: UUID | None = None) -> list[dict[str, Any]]:
        """Random draws (双随机) with seed, pools, exclusions and result."""
        audience, params = audience_clause("d.department_id", role, unit_id)
        sql, params = _filtered(
            f"SELECT d.*, u.name AS department_name FROM inspection_draws d "
            f"LEFT JOIN units u ON u.unit_id = d.department_id WHERE {scope_clause('d.jurisdiction')} AND {audience}",
            {**params, **scope_params(scope)}, "d", "drawn_at", {"department_id": department_id, "draw_id": draw_id})
        with self.db.read() as tx:
            return tx.all(sql + " ORDER BY d.drawn_at DESC, d.draw_id", params)

    def plans(self, scope: str, role: str, unit_id: UUID | None, *, as_of: datetime, known_at: datetime,
              department_id: UUID | None = None, year: int | None = None,
              plan_id: UUID | None = None) -> list[dict[str, Any]]:
        """Annual enforcement plans as they read at ``as_of``, known at ``known_at``, planned against done by then:
        completed inspections carried out under the plan (of them undercover and campaigns), and which key
        enterprises the unit's completed enforcement inspections of that year reached (全覆盖, seed 003 §27)."""
        audience, params = audience_clause("p.department_id", role, unit_id)
        sql, params = _filtered(
            f"SELECT p.*, u.name AS department_name, {_done('', 'done')}, "
            f"{_done('undercover', 'done_undercover')}, {_done('campaign', 'done_campaign')} "
            "FROM inspection_plan_timeline p LEFT JOIN units u ON u.unit_id = p.department_id "
            f"WHERE {VALID.format(t='p')} AND {KNOWN.format(t='p')} AND {scope_clause('p.jurisdiction')} "
            f"AND {audience}",
            {**params, **scope_params(scope), "as_of": as_of, "known_at": known_at}, "p", "adopted_at",
            {"department_id": department_id, "year": year, "plan_id": plan_id})
        with self.db.read() as tx:
            plans = tx.all(sql + " ORDER BY p.year DESC, u.name, p.plan_id", params)
            for plan in plans:
                start, end = year_bounds(plan["year"])
                reached = tx.all(
                    "SELECT DISTINCT i.target_unit_id FROM inspection_timeline i WHERE i.inspecting_unit_id = :d "
                    f"AND i.status = 'completed' AND i.kind IN {ENFORCEMENT} AND i.inspected_at >= :s "
                    f"AND i.inspected_at < :e AND {VALID.format(t='i')} AND {KNOWN.format(t='i')}",
                    {"d": plan["department_id"], "s": start, "e": end, "as_of": as_of, "known_at": known_at})
                targets = {r["target_unit_id"] for r in reached}
                plan["key_enterprises_inspected_json"] = [k for k in plan["key_enterprises_json"] if k in targets]
        return plans

    # --- application.ports.Directory ------------------------------------------------------------------------
    def previous_inspections(self, target_ids: list[UUID], before: datetime) -> list[rd.PreviousInspection]:
        """Each target's latest enforcement inspection before ``before`` (ties: the lower id), with inspectors."""
        if not target_ids:
            return []
        names = ", ".join(f":t{n}" for n in range(len(target_ids)))
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT inspection_id, target_unit_id, inspectors_json FROM inspections "
                f"WHERE target_unit_id IN ({names}) AND kind IN {ENFORCEMENT} AND inspected_at < :before "
                "ORDER BY target_unit_id, inspected_at DESC, inspection_id",
                {"before": before, **{f"t{n}": t for n, t in enumerate(target_ids)}})
        latest: dict[str, rd.PreviousInspection] = {}
        for row in rows:
            latest.setdefault(row["target_unit_id"], rd.PreviousInspection(
                inspection_id=row["inspection_id"], target_id=row["target_unit_id"],
                inspector_ids=tuple(row["inspectors_json"])))
        return list(latest.values())


def _done(kind: str, alias: str) -> str:
    """A plan's inspections completed under it by ``:as_of`` as known at ``:known_at`` (of one kind, when given;
    kinds are constants)."""
    of_kind = f" AND i.kind = '{kind}'" if kind else ""
    return (f"(SELECT COUNT(*) FROM inspection_timeline i WHERE i.plan_id = p.plan_id AND i.status = 'completed'"
            f"{of_kind} AND {VALID.format(t='i')} AND {KNOWN.format(t='i')}) AS {alias}")


def _filtered(sql: str, params: dict[str, Any], t: str, time_column: str,
              filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Add ``AND t.column = :column`` per given filter; ``since``/``until`` bound ``time_column``."""
    params = dict(params)
    for column, value in filters.items():
        if value is None:
            continue
        if column == "since":
            sql += f" AND {t}.{time_column} >= :since"
        elif column == "until":
            sql += f" AND {t}.{time_column} < :until"
        else:
            sql += f" AND {t}.{column} = :{column}"
        params[column] = value
    return sql, params
