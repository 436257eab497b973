"""Responsibility: posts and holders, responsibility lists and duties, the bitemporal ledger, coverage gaps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import (
    AsOf,
    KnownAt,
    PageDep,
    ReaderDep,
    SystemDep,
    consistent,
    moment,
    own_unit,
    sort_query,
)
from api.problems import READ_PROBLEMS, responses
from api.routers.responsibility_views import (
    DutyInForce,
    DutyInterval,
    Gap,
    Holding,
    ListDetail,
    ListView,
    PostView,
    Publication,
)
from api.routing import Router
from application import responsibility as rs
from domain.errors import NotFound
from projections.responsibility_ledger import SORTS

router = Router(tags=["responsibility"])

command_route(router, "/posts", rs.EstablishPost, "Establish a post (设立岗位)", created=True)
command_route(router, "/posts/{post_id}/redefinition", rs.RedefinePost, "Redefine a post (岗位调整, 分工调整)")
command_route(router, "/posts/{post_id}/abolition", rs.AbolishPost, "Abolish a post (撤销岗位)")
command_route(router, "/posts/{post_id}/grids", rs.AssignGrids,
              "Make the post a grid member's over these 网格 (网格员划定网格); none: no longer one")
command_route(router, "/posts/{post_id}/appointments", rs.AppointHolder, "Appoint a holder (任职)")
command_route(router, "/posts/{post_id}/removals", rs.RemoveHolder, "Remove a holder (免职离岗)")
command_route(router, "/transfers", rs.TransferPerson, "Transfer a person from one post to another (调任)")
command_route(router, "/responsibility-lists", rs.OpenResponsibilityList, "Open a responsibility list (编制清单)",
              created=True)
command_route(router, "/responsibility-lists/{list_id}/duties", rs.AssignDuty,
              "Assign a duty to a post (明确职责); the new duty id is in created.duty_id")
command_route(router, "/responsibility-lists/{list_id}/duties/{duty_id}/revision", rs.ReviseDuty,
              "Revise a duty (修订职责)")
command_route(router, "/responsibility-lists/{list_id}/duties/{duty_id}/revocation", rs.RevokeDuty,
              "Revoke a duty (撤销职责)")
command_route(router, "/responsibility-lists/{list_id}/publications", rs.PublishList,
              "Publish the list as a new version (清单印发)")


@router.get("/posts", responses=READ_PROBLEMS, dependencies=[Depends(consistent("directory"))], summary="List posts")
def list_posts(system: SystemDep, who: ReaderDep, page: PageDep, unit_id: UUID | None = None) -> list[PostView]:
    return [PostView(**{**r, "portfolio": r["portfolio_json"], "requires": r["requires_json"]})
            for r in page.of(system.queries.directory.posts(who.jurisdiction, unit_id=own_unit(who, unit_id)))]


@router.get("/responsibility-lists", responses=READ_PROBLEMS, dependencies=[Depends(consistent("directory"))],
            summary="List responsibility lists")
def list_lists(system: SystemDep, who: ReaderDep, page: PageDep, unit_id: UUID | None = None) -> list[ListView]:
    return [ListView(**r) for r in
            page.of(system.queries.directory.lists(who.jurisdiction, unit_id=own_unit(who, unit_id)))]


Filters = Annotated[UUID | None, Query()]


def duty_view(row: dict) -> DutyInForce:
    return DutyInForce(**{**row, "scope": row["scope_json"]})


@router.get("/responsibility-lists/{list_id}", responses=responses(401, 403, 404, 503),
            dependencies=[Depends(consistent("directory", "responsibility_ledger"))],
            summary="One list: its duties in force and its published versions")
def get_list(list_id: UUID, system: SystemDep, who: ReaderDep, as_of: AsOf = None,
             known_at: KnownAt = None) -> ListDetail:
    found = system.queries.directory.responsibility_list(who.jurisdiction, list_id)
    if found is None or own_unit(who, None) not in (None, UUID(found["unit_id"])):
        raise NotFound("not-found", f"no responsibility list {list_id} in your jurisdiction")
    duties = system.queries.ledger.duties(who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at),
                                          list_id=list_id)
    publications = [Publication(**{**p, "duty_ids": p["duty_ids_json"]})
                    for p in system.queries.ledger.publications(list_id)]
    return ListDetail(list=ListView(**found), duties=[duty_view(r) for r in duties], publications=publications)


@router.get("/ledger/duties", responses=READ_PROBLEMS, dependencies=[Depends(consistent("responsibility_ledger"))],
            summary="Duties in force on a day and who held them (责任台账, bitemporal)")
def duties_in_force(system: SystemDep, who: ReaderDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
                    unit_id: Filters = None, post_id: Filters = None, person_id: Filters = None,
                    sort: Annotated[str | None, sort_query(SORTS)] = None) -> list[DutyInForce]:
    rows = system.queries.ledger.duties(who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at),
                                        unit_id=own_unit(who, unit_id), post_id=post_id, person_id=person_id,
                                        sort=sort, limit=page.limit, offset=page.offset)
    return [duty_view(r) for r in rows]


@router.get("/ledger/history", responses=READ_PROBLEMS, dependencies=[Depends(consistent("responsibility_ledger"))],
            summary="Who held which duty from when to when, as recorded by known_at")
def duty_history(system: SystemDep, who: ReaderDep, page: PageDep, known_at: KnownAt = None, unit_id: Filters = None,
                 post_id: Filters = None, person_id: Filters = None) -> list[DutyInterval]:
    rows = system.queries.ledger.history(who.jurisdiction, known_at=moment(known_at), unit_id=own_unit(who, unit_id),
                                         post_id=post_id, person_id=person_id)
    return [DutyInterval(**{**r, "scope": r["scope_json"]}) for r in page.of(rows)]


@router.get("/ledger/holdings", responses=READ_PROBLEMS, dependencies=[Depends(consistent("responsibility_ledger"))],
            summary="Who held which post from when to when, as recorded by known_at")
def holdings(system: SystemDep, who: ReaderDep, page: PageDep, known_at: KnownAt = None, unit_id: Filters = None,
             post_id: Filters = None, person_id: Filters = None) -> list[Holding]:
    return [Holding(**r) for r in page.of(system.queries.ledger.holdings(
        who.jurisdiction, known_at=moment(known_at), unit_id=own_unit(who, unit_id), post_id=post_id,
        person_id=person_id))]


@router.get("/coverage-gaps", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("directory", "responsibility_ledger"))],
            summary="Where the responsibility system leaves something without an owner")
def coverage_gaps(system: SystemDep, who: ReaderDep, page: PageDep, as_of: AsOf = None,
                  known_at: KnownAt = None) -> list[Gap]:
    found = system.queries.gaps.find(who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at))
    if who.role == "enterprise":
        found = [g for g in found if g["unit_id"] == str(who.unit_id)]
    return [Gap(**g) for g in page.of(found)]
