"""Hazards: report, rectify, accept, close out, review; listed supervision; the hazard ledger and its board."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query
from fastapi.responses import Response

from api.commands import command_route
from api.deps import AsOf, KnownAt, PageDep, ReaderDep, SystemDep, consistent, moment, own_unit, sort_query
from api.problems import READ_PROBLEMS, responses
from api.routers.hazards_views import HazardFact, HazardView, ListingBoard, StatisticsRow
from api.routing import Router
from api.rows import Rows
from api.short_way import ReadRoute
from application import hazards as h
from application.authorization import Forbidden
from domain.bounds import Day, Position
from domain.calendar import local_day
from domain.errors import NotFound, Rejected
from domain.hazards import STATUS_TERMS, HazardGrade, HazardStatus
from domain.units import RiskColour
from projections.hazard_ledger import SORTS

router = Router(tags=["hazards"])

command_route(router, "/hazards", h.ReportHazard, "Report a hazard (隐患登记)", created=True)
command_route(router, "/hazards/{hazard_id}/regrading", h.RegradeHazard, "Regrade a hazard (隐患等级调整)")
command_route(router, "/hazards/{hazard_id}/on-the-spot-fix", h.RectifyOnTheSpot,
              "Record a fix on the spot, witnessed by the token's person (即知即改)")
command_route(router, "/hazards/{hazard_id}/rectification-plan", h.PlanRectification,
              "Plan the rectification under the five assurances (限期整改 / 停产停业整顿, 五落实)")
command_route(router, "/hazards/{hazard_id}/deadline-extensions", h.ExtendDeadline, "Extend the deadline (整改延期)")
command_route(router, "/hazards/{hazard_id}/submission", h.SubmitRectification,
              "Report the rectification done and ask for acceptance (整改完成申请验收)")
command_route(router, "/hazards/{hazard_id}/acceptance", h.InspectAcceptance,
              "On-site acceptance, signed by the token's person (现场验收)")
command_route(router, "/hazards/{hazard_id}/close-out", h.CloseOutHazard, "Strike the hazard off (闭环销号)")
command_route(router, "/hazards/{hazard_id}/follow-up-reviews", h.ReviewHazard,
              "Follow-up review after close-out; may reopen (回头看)")
command_route(router, "/hazards/{hazard_id}/listing", h.ListHazard,
              "Put a major hazard under listed supervision (挂牌督办)")
command_route(router, "/hazards/{hazard_id}/listing/supervisor", h.NameListedSupervisor,
              "Name the listing's supervisor (明确督办责任人)")

Jurisdiction = Annotated[str | None, Query(description="a sub-jurisdiction of yours, e.g. a town's path")]
Limit = Annotated[Position, Query(ge=1, le=1000)]
Offset = Annotated[Position, Query(ge=0)]


def hazard_row(row: dict[str, Any]) -> dict[str, Any]:
    """A ledger row with the fields of :class:`HazardView` it names otherwise or lacks."""
    return {**row, "criterion": row["criterion_json"], "status_term": STATUS_TERMS[row["status"]]}


def hazard_view(row: dict[str, Any]) -> HazardView:
    return HazardView(**hazard_row(row))


HAZARDS = Rows(HazardView)


def hazard_ledger(
    system: SystemDep, who: ReaderDep, as_of: AsOf = None, known_at: KnownAt = None, jurisdiction: Jurisdiction = None,
    unit_id: UUID | None = None, sector: Annotated[str | None, Query(max_length=50)] = None,
    grade: HazardGrade | None = None, status: HazardStatus | None = None,
    open_only: Annotated[bool, Query(alias="open", description="only hazards not yet struck off")] = False,
    listed: Annotated[bool | None, Query(description="under listed supervision (挂牌督办) or not")] = None,
    sort: Annotated[str | None, sort_query(SORTS)] = None, limit: Limit = 100, offset: Offset = 0,
) -> Response:
    rows = system.queries.hazards.ledger(
        who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at), role=who.role, unit_of_role=who.unit_id,
        jurisdiction=jurisdiction, unit_id=own_unit(who, unit_id), sector=sector,
        grade=grade.value if grade else None, status=status.value if status else None, open_only=open_only,
        listed=listed, sort=sort, limit=limit, offset=offset)
    return HAZARDS.response(hazard_row(r) for r in rows)


LEDGER: dict[str, Any] = {
    "methods": ["GET"], "responses": READ_PROBLEMS, "response_model": list[HazardView],
    "dependencies": [Depends(consistent("hazard_ledger", "directory"))], "route_class_override": ReadRoute}
"""The ledger pages' routes: read the short way (``api.short_way``), the page's CPU being issue #15's figure."""
router.add_api_route("/hazards", hazard_ledger, **LEDGER,
                     summary="The hazard ledger (隐患台账) as it stood at as_of, as recorded by known_at")


def major_hazard_ledger(system: SystemDep, who: ReaderDep, as_of: AsOf = None, known_at: KnownAt = None,
                        jurisdiction: Jurisdiction = None, open_only: Annotated[bool, Query(alias="open")] = False,
                        limit: Limit = 100, offset: Offset = 0) -> Response:
    return hazard_ledger(system, who, as_of=as_of, known_at=known_at, jurisdiction=jurisdiction,
                         grade=HazardGrade.major, open_only=open_only, limit=limit, offset=offset)


router.add_api_route("/hazards/major", major_hazard_ledger, **LEDGER,
                     summary="The major-hazard ledger (重大事故隐患台账): the hazard ledger's major hazards")


@router.get("/hazards/{hazard_id}", responses=responses(401, 403, 404, 503),
            dependencies=[Depends(consistent("hazard_ledger", "directory"))],
            summary="One hazard as it stood at as_of, as recorded by known_at")
def get_hazard(hazard_id: UUID, system: SystemDep, who: ReaderDep, as_of: AsOf = None,
               known_at: KnownAt = None) -> HazardView:
    rows = system.queries.hazards.ledger(who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at),
                                         role=who.role, unit_of_role=who.unit_id, hazard_id=hazard_id)
    if not rows:
        raise NotFound("not-found", f"no hazard {hazard_id} in your jurisdiction at that time")
    return hazard_view(rows[0])


@router.get("/listed-supervision", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("hazard_ledger", "directory"))],
            summary="The listed-supervision board (挂牌督办): open listings per authority, with their age")
def listing_board(system: SystemDep, who: ReaderDep, page: PageDep, as_of: AsOf = None,
                  known_at: KnownAt = None) -> list[ListingBoard]:
    boards = system.queries.hazards.board(who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at),
                                          role=who.role, unit_of_role=who.unit_id)
    return [ListingBoard(**b) for b in page.of(boards)]


@router.get("/statistics/hazards", responses=READ_PROBLEMS, dependencies=[Depends(consistent("hazard_statistics"))],
            summary="Hazard counts per day, week or month (日记录、周调度、月分析), by grade, sector or colour")
def hazard_statistics(
    system: SystemDep, who: ReaderDep, page: PageDep,
    period: Annotated[Literal["day", "week", "month"], Query()] = "month",
    by: Annotated[Literal["none", "grade", "sector", "colour"], Query(description="breakdown")] = "none",
    start: Annotated[Day | None, Query(alias="from", description="first day (default: 90 days ago)")] = None,
    end: Annotated[Day | None, Query(alias="to", description="last day, inclusive (default: today)")] = None,
    known_at: KnownAt = None, jurisdiction: Jurisdiction = None,
) -> list[StatisticsRow]:
    if who.role == "enterprise":
        raise Forbidden("role-not-allowed", "statistics are for officials and dashboards")
    today = local_day(moment(None))
    last = end or today
    first = start or last - timedelta(days=90)
    if first > last:
        raise Rejected("empty-range", f"from {first} lies after to {last}", field="from")
    rows = system.queries.statistics.hazards(who.jurisdiction, period=period, breakdown=by, start=first, end=last,
                                             known_at=moment(known_at), jurisdiction=jurisdiction)
    return [StatisticsRow(**r) for r in page.of(rows)]


@router.get("/statistics/hazards/facts", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("hazard_statistics", "hazard_ledger", "directory"))],
            summary="The facts behind a hazard count: each counted event with its hazard (a dashboard's drill-down)")
def hazard_facts(
    system: SystemDep, who: ReaderDep,
    metric: Annotated[Literal["found", "fixed", "overdue", "listed", "escalated", "reopened"] | None, Query()] = None,
    start: Annotated[Day | None, Query(alias="from", description="first day (default: 90 days ago)")] = None,
    end: Annotated[Day | None, Query(alias="to", description="last day, inclusive (default: today)")] = None,
    grade: HazardGrade | None = None, sector: Annotated[str | None, Query(max_length=50)] = None,
    colour: Annotated[RiskColour | None, Query(description="the unit's risk colour then")] = None,
    known_at: KnownAt = None, jurisdiction: Jurisdiction = None, limit: Limit = 100, offset: Offset = 0,
) -> list[HazardFact]:
    if who.role == "enterprise":
        raise Forbidden("role-not-allowed", "statistics are for officials and dashboards")
    now = moment(None)
    last = end or local_day(now)
    first = start or last - timedelta(days=90)
    if first > last:
        raise Rejected("empty-range", f"from {first} lies after to {last}", field="from")
    rows = system.queries.statistics.facts(
        who.jurisdiction, start=first, end=last, known_at=moment(known_at), now=now, metric=metric,
        grade=grade.value if grade else None, sector=sector, colour=colour.value if colour else None,
        jurisdiction=jurisdiction, limit=limit, offset=offset)
    return [HazardFact(**r, status_term=STATUS_TERMS.get(r["status"]) if r["status"] else None) for r in rows]
