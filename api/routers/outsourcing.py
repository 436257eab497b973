"""Outsourcing (外包外租; 安全生产法 第49条, seed 004 ¶(13)(14)): record a unit's contracting-out or leasing-out
relation, end it early, and list a unit's relations (all recorded by a day, or those in force on it; as known at a
time)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import AsOf, KnownAt, ReaderDep, SystemDep, consistent, moment
from api.problems import READ_PROBLEMS
from api.routers.outsourcing_views import OutsourcingView
from api.routing import Router
from application import outsourcing as o
from domain.bounds import Position
from domain.calendar import local_day

router = Router(tags=["outsourcing"])

command_route(router, "/outsourcing", o.RecordOutsourcing,
              "Record a contracting-out or leasing-out relation (外包外租登记): contractor, scope, agreement, period",
              created=True)
command_route(router, "/outsourcing/{outsourcing_id}/end", o.EndOutsourcing,
              "End a relation before its agreed end (外包外租终止)")
command_route(router, "/outsourcing/{outsourcing_id}/reviews", o.ReviewContractor,
              "Record a review of the contractor (承包单位动态审核, seed 000 ¶18): qualification, credit, safety "
              "management; kept on or cleared out (清退)")

Limit = Annotated[Position, Query(ge=1, le=1000)]
Offset = Annotated[Position, Query(ge=0)]


@router.get("/outsourcing", responses=READ_PROBLEMS, dependencies=[Depends(consistent("outsourcing", "directory"))],
            summary="The relations recorded by as_of's day, each as it stood then as recorded by known_at (history), "
                    "or in_force=true: those in force on it")
def relations(system: SystemDep, who: ReaderDep, as_of: AsOf = None, known_at: KnownAt = None,
              unit_id: UUID | None = None,
              in_force: Annotated[bool, Query(description="only the relations in force on the day")] = False,
              limit: Limit = 100, offset: Offset = 0) -> list[OutsourcingView]:
    rows = system.queries.outsourcing.relations(who.jurisdiction, role=who.role, unit_of_role=who.unit_id,
                                                unit_id=unit_id, day=local_day(moment(as_of)),
                                                known_at=moment(known_at), in_force=in_force,
                                                limit=limit, offset=offset)
    return [OutsourcingView(**r) for r in rows]
