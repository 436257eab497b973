"""Organisation: units (territories, departments, committees, enterprises, intermediaries) and supervision."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status

from api.deps import (
    CorrelationId,
    IdempotencyKey,
    OfficialDep,
    PrincipalDep,
    ReaderDep,
    SystemDep,
    body_of,
    command_from,
    consistent,
    run,
)
from api.problems import responses
from api.views import SectorLeadView, UnitView
from application import organisation as o
from application.service import CommandResult
from domain.errors import NotFound

router = APIRouter(tags=["organisation"])
WRITE = responses(401, 403, 404, 409, 422)
READ = responses(401, 403, 422, 503)

AmendBody = body_of(o.AmendUnit, "unit_id")
MoveBody = body_of(o.MoveUnit, "unit_id")
CloseBody = body_of(o.CloseUnit, "unit_id")
ColourBody = body_of(o.GradeRiskColour, "unit_id")
SuperviseBody = body_of(o.AssignSupervision, "unit_id")


def _unit_view(row: dict) -> UnitView:
    return UnitView(**{k: v for k, v in row.items() if k != "profile_json"}, profile=row["profile_json"])


@router.post("/units", status_code=status.HTTP_201_CREATED, responses=WRITE, summary="Register a unit (单位登记)")
def register_unit(body: o.RegisterUnit, sys: SystemDep, who: PrincipalDep, key: IdempotencyKey = None,
                  correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, body, key, correlation)


@router.post("/units/{unit_id}/amendments", responses=WRITE, summary="Amend a unit's profile (单位信息变更)")
def amend_unit(unit_id: UUID, body: AmendBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
               key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(o.AmendUnit, body, unit_id=unit_id), key, correlation)


@router.post("/units/{unit_id}/moves", responses=WRITE, summary="Move a unit in the tree (隶属关系调整)")
def move_unit(unit_id: UUID, body: MoveBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
              key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(o.MoveUnit, body, unit_id=unit_id), key, correlation)


@router.post("/units/{unit_id}/closure", responses=WRITE, summary="Close or ban a unit (关闭取缔)")
def close_unit(unit_id: UUID, body: CloseBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
               key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(o.CloseUnit, body, unit_id=unit_id), key, correlation)


@router.post("/units/{unit_id}/risk-colour", responses=WRITE, summary="Grade an enterprise's risk colour (红橙黄蓝)")
def grade_colour(unit_id: UUID, body: ColourBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
                 key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(o.GradeRiskColour, body, unit_id=unit_id), key, correlation)


@router.post("/units/{unit_id}/supervision", responses=WRITE,
             summary="Assign the supervising department (三管三必须)")
def assign_supervision(unit_id: UUID, body: SuperviseBody, sys: SystemDep,  # type: ignore[valid-type]
                       who: PrincipalDep, key: IdempotencyKey = None,
                       correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(o.AssignSupervision, body, unit_id=unit_id), key, correlation)


@router.post("/sector-leads", responses=WRITE,
             summary="Decide a sector's lead department by the lead-unit rule (谁主管谁牵头…)")
def decide_lead(body: o.DecideSectorLead, sys: SystemDep, who: PrincipalDep, key: IdempotencyKey = None,
                correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, body, key, correlation)


@router.get("/units", responses=READ, dependencies=[Depends(consistent("directory"))], summary="List units")
def list_units(
    sys: SystemDep, who: ReaderDep,
    kind: Annotated[str | None, Query(description="territorial, department, enterprise …")] = None,
    parent_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=50, description="part of the name")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[UnitView]:
    rows = sys.directory.units(who.jurisdiction, kind=kind, parent_id=parent_id, q=q, limit=limit, offset=offset)
    if who.role == "enterprise":
        rows = [r for r in rows if str(who.unit_id) == r["unit_id"]]
    return [_unit_view(r) for r in rows]


@router.get("/units/{unit_id}", responses=responses(401, 403, 404, 503),
            dependencies=[Depends(consistent("directory"))], summary="One unit")
def get_unit(unit_id: UUID, sys: SystemDep, who: ReaderDep) -> UnitView:
    row = sys.directory.unit(who.jurisdiction, unit_id)
    if row is None or (who.role == "enterprise" and str(who.unit_id) != row["unit_id"]):
        raise NotFound("not-found", f"no unit {unit_id} in your jurisdiction")
    return _unit_view(row)


@router.get("/sector-leads", responses=READ, dependencies=[Depends(consistent("directory"))],
            summary="Sectors and their lead departments")
def sector_leads(sys: SystemDep, who: OfficialDep) -> list[SectorLeadView]:
    return [SectorLeadView(**r) for r in sys.directory.sector_leads(who.jurisdiction)]
