"""Organisation: units (territories, departments, committees, enterprises, intermediaries) and supervision."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import (
    AsOf,
    KnownAt,
    OfficialDep,
    PageDep,
    ReaderDep,
    SystemDep,
    consistent,
)
from api.problems import READ_PROBLEMS, responses
from api.routers.organisation_views import ColourCount, SectorLeadView, UnitView
from api.routing import Router
from application import organisation as o
from application.authorization import Forbidden
from domain.bounds import Position
from domain.errors import NotFound

router = Router(tags=["organisation"])

command_route(router, "/units", o.RegisterUnit, "Register a unit (单位登记)", created=True)
command_route(router, "/units/{unit_id}/amendments", o.AmendUnit, "Amend a unit's profile (单位信息变更)")
command_route(router, "/units/{unit_id}/moves", o.MoveUnit, "Move a unit in the tree (隶属关系调整)")
command_route(router, "/units/{unit_id}/closure", o.CloseUnit, "Close or ban a unit (关闭取缔)")
command_route(router, "/units/{unit_id}/risk-colour", o.GradeRiskColour, "Grade an enterprise's risk colour (红橙黄蓝)")
command_route(router, "/units/{unit_id}/supervision", o.AssignSupervision,
              "Assign the supervising department (三管三必须)")
command_route(router, "/sector-leads", o.DecideSectorLead,
              "Decide a sector's lead department by the lead-unit rule (谁主管谁牵头…)")


def unit_view(row: dict) -> UnitView:
    return UnitView(**{k: v for k, v in row.items() if k != "profile_json"}, profile=row["profile_json"])


@router.get("/units", responses=READ_PROBLEMS, dependencies=[Depends(consistent("directory"))],
            summary="List units; with as_of or known_at, as they stood at as_of, as recorded by known_at")
def list_units(
    system: SystemDep, who: ReaderDep, as_of: AsOf = None, known_at: KnownAt = None,
    kind: Annotated[str | None, Query(description="territorial, department, enterprise …")] = None,
    parent_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=50, description="part of the name")] = None,
    colour: Annotated[Literal["red", "orange", "yellow", "blue", "none"] | None,
                      Query(description="risk colour (红橙黄蓝); none: not yet graded")] = None,
    jurisdiction: Annotated[str | None, Query(description="a sub-jurisdiction of yours")] = None,
    limit: Annotated[Position, Query(ge=1, le=500)] = 100,
    offset: Annotated[Position, Query(ge=0)] = 0,
) -> list[UnitView]:
    rows = system.queries.directory.units(who.jurisdiction, as_of=as_of, known_at=known_at, kind=kind,
                                          parent_id=parent_id, q=q, colour=colour,
                                          jurisdiction=jurisdiction, limit=limit, offset=offset)
    if who.role == "enterprise":
        rows = [r for r in rows if str(who.unit_id) == r["unit_id"]]
    return [unit_view(r) for r in rows]


@router.get("/statistics/enterprises", responses=READ_PROBLEMS, dependencies=[Depends(consistent("directory"))],
            summary="Enterprises by jurisdiction and risk colour (红橙黄蓝), counted in SQL (the dashboard's risk map)")
def enterprise_colours(
    system: SystemDep, who: ReaderDep, page: PageDep,
    jurisdiction: Annotated[str | None, Query(description="a sub-jurisdiction of yours")] = None,
) -> list[ColourCount]:
    if who.role == "enterprise":
        raise Forbidden("role-not-allowed", "statistics are for officials and dashboards")
    rows = system.queries.directory.colours(who.jurisdiction, jurisdiction=jurisdiction)
    return [ColourCount(**r) for r in page.of(rows)]


@router.get("/units/{unit_id}", responses=responses(401, 403, 404, 503),
            dependencies=[Depends(consistent("directory"))], summary="One unit")
def get_unit(unit_id: UUID, system: SystemDep, who: ReaderDep) -> UnitView:
    row = system.queries.directory.unit(who.jurisdiction, unit_id)
    if row is None or (who.role == "enterprise" and str(who.unit_id) != row["unit_id"]):
        raise NotFound("not-found", f"no unit {unit_id} in your jurisdiction")
    return unit_view(row)


@router.get("/sector-leads", responses=READ_PROBLEMS, dependencies=[Depends(consistent("directory"))],
            summary="Sectors and their lead departments")
def sector_leads(system: SystemDep, who: OfficialDep, page: PageDep) -> list[SectorLeadView]:
    return [SectorLeadView(**r) for r in page.of(system.queries.directory.sector_leads(who.jurisdiction))]
