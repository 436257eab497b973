"""Inspections: annual enforcement plans, random draws (双随机), inspections and the inspection ledger (检查台账).

Reads are scoped by jurisdiction and audience: an enterprise user sees its own enterprise's completed inspections
and its own checks (never an official inspection still under way); an inspector the units its department supervises
and the inspections its department carried out. Plans and draws are for officials.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import AsOf, KnownAt, OfficialDep, PageDep, ReaderDep, SystemDep, consistent, moment, own_unit, sort_query
from api.problems import READ_PROBLEMS, responses
from api.routers.inspections_views import (
    ChecklistEntry,
    CorrectionView,
    DrawVerification,
    DrawView,
    FindingEntry,
    FindingView,
    InspectionRecord,
    InspectionTotals,
    InspectionView,
    PlanView,
    SignatureEntry,
    SignatureView,
    SpotTestEntry,
    SpotTestView,
)
from api.routing import Router
from application import inspections as ai
from application.authorization import Principal
from domain import random_draws as rd
from domain.bounds import Moment, Position
from domain.errors import NotFound
from domain.inspections import KIND_TERMS, InspectionKind
from projections.inspection_ledger import SORTS

router = Router(tags=["inspections"])

command_route(router, "/enforcement-plans", ai.AdoptEnforcementPlan, "Adopt an annual enforcement plan (年度执法计划)",
              created=True)
command_route(router, "/enforcement-plans/{plan_id}/revisions", ai.ReviseEnforcementPlan,
              "Revise an annual enforcement plan (年度执法计划调整)")
command_route(router, "/random-draws", ai.MakeRandomDraw, "Draw targets and inspectors at random (双随机抽取)",
              created=True)
command_route(router, "/inspections", ai.OpenInspection, "Open an inspection (检查开始)", created=True)
command_route(router, "/inspections/{inspection_id}/coverage", ai.CoverChecklistItems,
              "Record checklist items as checked (执法检查表)")
command_route(router, "/inspections/{inspection_id}/findings", ai.RecordFinding, "Record a finding (发现问题)")
command_route(router, "/inspections/{inspection_id}/spot-tests", ai.RecordSpotTest,
              "Record a spot test of a responsible person (逢查必考)")
command_route(router, "/inspections/{inspection_id}/signatures", ai.SignInspection,
              "Sign the record as the inspector your token names (谁检查、谁签名、谁负责)")
command_route(router, "/inspections/{inspection_id}/completion", ai.CompleteInspection,
              "Complete a signed inspection (检查完成)")
command_route(router, "/inspections/{inspection_id}/corrections", ai.CorrectInspection,
              "Correct a completed record by a new fact (检查记录更正)")

Since = Annotated[Moment | None, Query(description="inspected (signed, tested, found) at or after")]
Until = Annotated[Moment | None, Query(description="… and before")]
Kind = Annotated[InspectionKind | None, Query(description="enforcement, campaign, undercover, cross, self_check, "
                                                          "leader, grid_patrol")]
LEDGER = [Depends(consistent("directory", "inspection_ledger"))]
DRAWS = [Depends(consistent("directory", "random_draws"))]
PLANS = [Depends(consistent("directory", "inspection_ledger", "enforcement_plans"))]


def inspection_view(row: dict[str, Any]) -> InspectionView:
    return InspectionView(**{**row, "kind_term": KIND_TERMS[row["kind"]], "inspectors": row["inspectors_json"]})


def _filters(who: Principal, target_unit_id: UUID | None, **filters: Any) -> dict[str, Any]:
    return {**filters, "target_unit_id": own_unit(who, target_unit_id)}


@router.get("/inspections", responses=READ_PROBLEMS, dependencies=LEDGER,
            summary="The inspection ledger (检查台账) at as_of, as known at known_at")
def list_inspections(
    system: SystemDep, who: ReaderDep, as_of: AsOf = None, known_at: KnownAt = None, kind: Kind = None,
    status: Annotated[str | None, Query(pattern="^(open|completed)$")] = None,
    inspecting_unit_id: UUID | None = None, target_unit_id: UUID | None = None, led_by: UUID | None = None,
    plan_id: UUID | None = None, draw_id: UUID | None = None, since: Since = None, until: Until = None,
    sort: Annotated[str | None, sort_query(SORTS)] = None,
    limit: Annotated[Position, Query(ge=1, le=500)] = 100, offset: Annotated[Position, Query(ge=0)] = 0,
) -> list[InspectionView]:
    rows = system.queries.inspections.inspections(
        who.jurisdiction, who.role, who.unit_id, as_of=moment(as_of), known_at=moment(known_at), sort=sort,
        limit=limit, offset=offset, **_filters(who, target_unit_id, kind=kind, status=status,
                                  inspecting_unit_id=inspecting_unit_id, led_by=led_by, plan_id=plan_id,
                                  draw_id=draw_id, since=since, until=until))
    return [inspection_view(r) for r in rows]


@router.get("/inspections/{inspection_id}", responses=responses(401, 403, 404, 503), dependencies=LEDGER,
            summary="One inspection's record: checklist, findings, spot tests, signatures, corrections")
def get_inspection(inspection_id: UUID, system: SystemDep, who: ReaderDep, as_of: AsOf = None,
                   known_at: KnownAt = None) -> InspectionRecord:
    known = moment(known_at)
    row = system.queries.inspections.inspection(who.jurisdiction, who.role, who.unit_id, inspection_id,
                                                as_of=moment(as_of), known_at=known)
    if row is None:
        raise NotFound("not-found", f"no inspection {inspection_id} that you may see at that time")
    covered = set(row["covered_json"])
    corrections = [
        CorrectionView(**{**c, "findings": c["findings_json"], "previous_findings": c["previous_findings_json"],
                          "spot_tests": c["spot_tests_json"], "previous_spot_tests": c["previous_spot_tests_json"]})
        for c in system.queries.inspections.corrections(inspection_id) if c["recorded_at"] <= known
    ]
    return InspectionRecord(
        inspection=inspection_view(row), experts=row["experts_json"],
        checklist=[ChecklistEntry(**item, covered=item["code"] in covered) for item in row["checklist_json"]],
        findings=[FindingEntry(**f) for f in row["findings_json"]],
        spot_tests=[SpotTestEntry(**t) for t in row["spot_tests_json"]],
        signatures=[SignatureEntry(inspector_id=k, signed_at=v) for k, v in row["signatures_json"].items()],
        corrections=corrections,
    )


def _totals(rows: list[dict[str, Any]]) -> list[InspectionTotals]:
    return [InspectionTotals(**r, by_kind={k.value: r[f"{k.value}_count"] for k in InspectionKind}) for r in rows]


@router.get("/inspection-ledger/departments", responses=READ_PROBLEMS, dependencies=LEDGER,
            summary="Per inspecting unit: inspections by kind, unannounced, with experts, findings, spot tests")
def by_department(system: SystemDep, who: ReaderDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
                  since: Since = None, until: Until = None, kind: Kind = None,
                  target_unit_id: UUID | None = None) -> list[InspectionTotals]:
    return page.of(_totals(system.queries.inspections.by_department(
        who.jurisdiction, who.role, who.unit_id, as_of=moment(as_of), known_at=moment(known_at),
        **_filters(who, target_unit_id, since=since, until=until, kind=kind))))


@router.get("/inspection-ledger/enterprises", responses=READ_PROBLEMS, dependencies=LEDGER,
            summary="Per inspected unit: the inspections it underwent and when it was last inspected")
def by_enterprise(system: SystemDep, who: ReaderDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
                  since: Since = None, until: Until = None, kind: Kind = None,
                  inspecting_unit_id: UUID | None = None) -> list[InspectionTotals]:
    return page.of(_totals(system.queries.inspections.by_enterprise(
        who.jurisdiction, who.role, who.unit_id, as_of=moment(as_of), known_at=moment(known_at),
        **_filters(who, None, since=since, until=until, kind=kind, inspecting_unit_id=inspecting_unit_id))))


@router.get("/inspection-ledger/spot-tests", responses=READ_PROBLEMS, dependencies=LEDGER,
            summary="Spot-test scores (逢查必考) as the records stood at as_of, known at known_at")
def spot_tests(system: SystemDep, who: ReaderDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
               person_id: UUID | None = None, target_unit_id: UUID | None = None,
               inspecting_unit_id: UUID | None = None, passed: bool | None = None, since: Since = None,
               until: Until = None) -> list[SpotTestView]:
    rows = system.queries.inspections.spot_tests(
        who.jurisdiction, who.role, who.unit_id, as_of=moment(as_of), known_at=moment(known_at),
        person_id=person_id, passed=passed,
        **_filters(who, target_unit_id, inspecting_unit_id=inspecting_unit_id, since=since, until=until))
    return [SpotTestView(**r) for r in page.of(rows)]


@router.get("/inspection-ledger/signatures", responses=READ_PROBLEMS, dependencies=LEDGER,
            summary="Who signed which inspection record, when (谁检查、谁签名、谁负责)")
def signatures(system: SystemDep, who: ReaderDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
               inspector_id: UUID | None = None, target_unit_id: UUID | None = None,
               inspecting_unit_id: UUID | None = None, since: Since = None,
               until: Until = None) -> list[SignatureView]:
    rows = system.queries.inspections.signatures(
        who.jurisdiction, who.role, who.unit_id, as_of=moment(as_of), known_at=moment(known_at),
        **_filters(who, target_unit_id, inspector_id=inspector_id, inspecting_unit_id=inspecting_unit_id,
                   since=since, until=until))
    return [SignatureView(**r) for r in page.of(rows)]


@router.get("/inspection-ledger/findings", responses=READ_PROBLEMS, dependencies=LEDGER,
            summary="Findings as the records stood at as_of, known at known_at (hazard_suspected=true: hazards?)")
def findings(system: SystemDep, who: ReaderDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
             hazard_suspected: bool | None = None, target_unit_id: UUID | None = None,
             inspecting_unit_id: UUID | None = None, since: Since = None, until: Until = None) -> list[FindingView]:
    rows = system.queries.inspections.findings(
        who.jurisdiction, who.role, who.unit_id, as_of=moment(as_of), known_at=moment(known_at),
        hazard_suspected=hazard_suspected,
        **_filters(who, target_unit_id, inspecting_unit_id=inspecting_unit_id, since=since, until=until))
    return [FindingView(**r) for r in page.of(rows)]


def _draw_view(row: dict[str, Any]) -> DrawView:
    return DrawView(**{**row, "target_pool": row["target_pool_json"], "inspector_pool": row["inspector_pool_json"],
                       "exclusions": row["exclusions_json"], "result": row["result_json"]})


@router.get("/random-draws", responses=READ_PROBLEMS, dependencies=DRAWS,
            summary="Random draws (双随机) with their seeds, pools, exclusions and results")
def list_draws(system: SystemDep, who: OfficialDep, page: PageDep,
               department_id: UUID | None = None) -> list[DrawView]:
    return [_draw_view(r) for r in page.of(system.queries.draws.draws(who.jurisdiction, who.role, who.unit_id,
                                                                      department_id=department_id))]


def _draw_row(system: Any, who: Principal, draw_id: UUID) -> dict[str, Any]:
    rows = system.queries.draws.draws(who.jurisdiction, who.role, who.unit_id, draw_id=draw_id)
    if not rows:
        raise NotFound("not-found", f"no random draw {draw_id} in your jurisdiction")
    return rows[0]


@router.get("/random-draws/{draw_id}", responses=responses(401, 403, 404, 503), dependencies=DRAWS,
            summary="One random draw")
def get_draw(draw_id: UUID, system: SystemDep, who: OfficialDep) -> DrawView:
    return _draw_view(_draw_row(system, who, draw_id))


@router.get("/random-draws/{draw_id}/verification", responses=responses(401, 403, 404, 503), dependencies=DRAWS,
            summary="Re-run the recorded draw from its seed and pools, as stored in the event log")
def verify_draw(draw_id: UUID, system: SystemDep, who: OfficialDep) -> DrawVerification:
    _draw_row(system, who, draw_id)
    recorded = system.store.get(draw_id)
    assert isinstance(recorded, rd.RandomDraw)
    rerun = rd.rerun(recorded)
    return DrawVerification(draw_id=draw_id, algorithm=recorded.algorithm, reproduced=rerun == recorded.result,
                            recorded=[a.model_dump(mode="json") for a in recorded.result],
                            rerun=[a.model_dump(mode="json") for a in rerun])


def _plan_view(row: dict[str, Any]) -> PlanView:
    return PlanView(**{**row, "key_enterprises": row["key_enterprises_json"], "focus": row["focus_json"],
                       "key_enterprises_inspected": row["key_enterprises_inspected_json"]})


@router.get("/enforcement-plans", responses=READ_PROBLEMS, dependencies=PLANS,
            summary="Annual enforcement plans (年度执法计划) at as_of, known at known_at, planned against done")
def list_plans(system: SystemDep, who: OfficialDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
               department_id: UUID | None = None,
               year: Annotated[Position | None, Query(ge=2000, le=2100)] = None) -> list[PlanView]:
    return [_plan_view(r) for r in page.of(system.queries.plans.plans(
        who.jurisdiction, who.role, who.unit_id, as_of=moment(as_of), known_at=moment(known_at),
        department_id=department_id, year=year))]


@router.get("/enforcement-plans/{plan_id}", responses=responses(401, 403, 404, 503), dependencies=PLANS,
            summary="One annual enforcement plan, planned against done")
def get_plan(plan_id: UUID, system: SystemDep, who: OfficialDep, as_of: AsOf = None,
             known_at: KnownAt = None) -> PlanView:
    rows = system.queries.plans.plans(who.jurisdiction, who.role, who.unit_id, as_of=moment(as_of),
                                            known_at=moment(known_at), plan_id=plan_id)
    if not rows:
        raise NotFound("not-found", f"no enforcement plan {plan_id} in your jurisdiction")
    return _plan_view(rows[0])
