"""The blacklist (严重失信主体名单, 应急管理部令第11号; docs/rules.md R10): propose, decide, notify joint discipline,
remove early; the public list (only what may be published) and the officials' full record."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import AsOf, KnownAt, OfficialDep, ReaderDep, SystemDep, consistent, moment, sort_query
from api.problems import READ_PROBLEMS
from api.routers.blacklist_views import ListingView, PublicListing
from api.routing import Router
from application import blacklist as b
from domain.bounds import Position
from domain.calendar import local_day
from projections.blacklist import SORTS

router = Router(tags=["blacklist"])

command_route(router, "/blacklist", b.ProposeListing,
              "Propose a listing on a ground of 应急管理部令第11号 (列入严重失信主体名单建议)", created=True)
command_route(router, "/blacklist/{listing_id}/decision", b.DecideListing,
              "The deciding department lists (for the 3-year term) or declines (谁处罚、谁决定、谁负责)")
command_route(router, "/blacklist/{listing_id}/joint-discipline", b.NotifyJointDiscipline,
              "Notify a listing in force to the agencies of joint discipline (联合惩戒)")
command_route(router, "/blacklist/{listing_id}/early-removal", b.RemoveListingEarly,
              "Remove a listing early on the unit's application (提前移出, 信用修复)")

Limit = Annotated[Position, Query(ge=1, le=1000)]
Offset = Annotated[Position, Query(ge=0)]


@router.get("/blacklist/public", responses=READ_PROBLEMS, dependencies=[Depends(consistent("blacklist", "directory"))],
            summary="The list in force on as_of's day, as it may be published (公示): no personal data")
def public_list(system: SystemDep, who: ReaderDep, as_of: AsOf = None, limit: Limit = 100,
                offset: Offset = 0) -> list[PublicListing]:
    rows = system.queries.blacklist.public(who.jurisdiction, local_day(moment(as_of)), limit=limit, offset=offset)
    return [PublicListing(**r) for r in rows]


@router.get("/blacklist", responses=READ_PROBLEMS, dependencies=[Depends(consistent("blacklist", "directory"))],
            summary="Every listing with its state on as_of's day as recorded by known_at (history), or in_force=true: "
                    "those in force")
def listings(system: SystemDep, who: OfficialDep, as_of: AsOf = None, known_at: KnownAt = None,
             unit_id: UUID | None = None,
             in_force: Annotated[bool, Query(description="only the listings in force on the day")] = False,
             sort: Annotated[str | None, sort_query(SORTS)] = None, limit: Limit = 100,
             offset: Offset = 0) -> list[ListingView]:
    rows = system.queries.blacklist.entries(who.jurisdiction, role=who.role, unit_of_role=who.unit_id,
                                            unit_id=unit_id, day=local_day(moment(as_of)), known_at=moment(known_at),
                                            in_force=in_force,
                                            sort=sort, limit=limit, offset=offset)
    return [ListingView(**r) for r in rows]
