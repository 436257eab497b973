"""Orders on the spot (现场处理措施): the authority's order on a hazard it found, the resumption of suspended work,
and the read side — orders by enterprise or department, the open ones, the units whose work stands suspended."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import AsOf, ReaderDep, SystemDep, consistent, moment, own_unit
from api.problems import READ_PROBLEMS, responses
from api.routers.orders_views import OrderView, SuspensionView
from api.routing import Router
from application import hazards as h
from domain.bounds import Position
from domain.errors import NotFound

router = Router(tags=["orders"])

command_route(router, "/hazards/{hazard_id}/order", h.OrderRectification,
              "Order the rectification, with the deadline, signed by the token's person "
              "(责令限期整改 / 责令暂时停产停业, 安全生产法 第65条第一款)")
command_route(router, "/hazards/{hazard_id}/resumption", h.ResumeProduction,
              "Let suspended work resume after the authority's review (经审查同意，方可恢复生产经营)")

Limit = Annotated[Position, Query(ge=1, le=1000)]
Offset = Annotated[Position, Query(ge=0)]


@router.get("/orders", responses=READ_PROBLEMS, dependencies=[Depends(consistent("orders", "directory"))],
            summary="Orders on the spot (现场处理措施), by enterprise or ordering department")
def orders(
    system: SystemDep, who: ReaderDep, unit_id: UUID | None = None,
    authority_id: Annotated[UUID | None, Query(description="the ordering department")] = None,
    open_only: Annotated[bool, Query(alias="open", description="only orders not yet complied with")] = False,
    as_of: AsOf = None, limit: Limit = 100, offset: Offset = 0,
) -> list[OrderView]:
    rows = system.queries.orders.orders(who.jurisdiction, role=who.role, unit_of_role=who.unit_id,
                                        unit_id=own_unit(who, unit_id), authority_id=authority_id,
                                        open_only=open_only, as_of=moment(as_of), limit=limit, offset=offset)
    return [OrderView(**r) for r in rows]


@router.get("/orders/{order_id}", responses=responses(401, 403, 404, 422, 503),
            dependencies=[Depends(consistent("orders", "directory"))],
            summary="One order on the spot, with its 文书编号, deadline in force and re-inspection due")
def order(system: SystemDep, who: ReaderDep, order_id: UUID) -> OrderView:
    row = system.queries.orders.order(who.jurisdiction, order_id, role=who.role, unit_of_role=who.unit_id)
    if row is None:
        raise NotFound("not-found", f"no order with id {order_id}", field="order_id")
    return OrderView(**row)


@router.get("/suspensions", responses=READ_PROBLEMS, dependencies=[Depends(consistent("orders", "directory"))],
            summary="Suspensions (停产停业): in_force=true gives the units whose work stood suspended at as_of")
def suspensions(
    system: SystemDep, who: ReaderDep, unit_id: UUID | None = None, as_of: AsOf = None,
    in_force: Annotated[bool, Query(description="only those in force at as_of")] = False,
    limit: Limit = 100, offset: Offset = 0,
) -> list[SuspensionView]:
    rows = system.queries.orders.suspensions(who.jurisdiction, role=who.role, unit_of_role=who.unit_id,
                                             unit_id=own_unit(who, unit_id), as_of=moment(as_of), in_force=in_force,
                                             limit=limit, offset=offset)
    return [SuspensionView(**r) for r in rows]
