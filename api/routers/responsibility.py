"""Responsibility: posts and holders, responsibility lists and duties, the bitemporal ledger, coverage gaps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status

from api.deps import (
    AsOf,
    CorrelationId,
    IdempotencyKey,
    KnownAt,
    PrincipalDep,
    ReaderDep,
    SystemDep,
    body_of,
    command_from,
    consistent,
    moment,
    own_unit,
    run,
)
from api.problems import responses
from api.views import DutyInForce, DutyInterval, Gap, Holding, ListView, PostView
from application import responsibility as rs
from application.service import CommandResult

router = APIRouter(tags=["responsibility"])
WRITE = responses(401, 403, 404, 409, 422)
READ = responses(401, 403, 422, 503)

RedefineBody = body_of(rs.RedefinePost, "post_id")
AbolishBody = body_of(rs.AbolishPost, "post_id")
AppointBody = body_of(rs.AppointHolder, "post_id")
RemoveBody = body_of(rs.RemoveHolder, "post_id")
DutyBody = body_of(rs.AssignDuty, "list_id")
ReviseBody = body_of(rs.ReviseDuty, "list_id", "duty_id")
RevokeBody = body_of(rs.RevokeDuty, "list_id", "duty_id")
PublishBody = body_of(rs.PublishList, "list_id")


@router.post("/posts", status_code=status.HTTP_201_CREATED, responses=WRITE, summary="Establish a post (设立岗位)")
def establish_post(body: rs.EstablishPost, sys: SystemDep, who: PrincipalDep, key: IdempotencyKey = None,
                   correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, body, key, correlation)


@router.post("/posts/{post_id}/redefinition", responses=WRITE, summary="Redefine a post (岗位调整, 分工调整)")
def redefine_post(post_id: UUID, body: RedefineBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
                  key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(rs.RedefinePost, body, post_id=post_id), key, correlation)


@router.post("/posts/{post_id}/abolition", responses=WRITE, summary="Abolish a post (撤销岗位)")
def abolish_post(post_id: UUID, body: AbolishBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
                 key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(rs.AbolishPost, body, post_id=post_id), key, correlation)


@router.post("/posts/{post_id}/appointments", responses=WRITE, summary="Appoint a holder (任职)")
def appoint(post_id: UUID, body: AppointBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
            key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(rs.AppointHolder, body, post_id=post_id), key, correlation)


@router.post("/posts/{post_id}/removals", responses=WRITE, summary="Remove a holder (免职离岗)")
def remove(post_id: UUID, body: RemoveBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
           key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(rs.RemoveHolder, body, post_id=post_id), key, correlation)


@router.post("/transfers", responses=WRITE, summary="Transfer a person from one post to another (调任)")
def transfer(body: rs.TransferPerson, sys: SystemDep, who: PrincipalDep, key: IdempotencyKey = None,
             correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, body, key, correlation)


@router.post("/responsibility-lists", status_code=status.HTTP_201_CREATED, responses=WRITE,
             summary="Open a responsibility list (编制清单)")
def open_list(body: rs.OpenResponsibilityList, sys: SystemDep, who: PrincipalDep, key: IdempotencyKey = None,
              correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, body, key, correlation)


@router.post("/responsibility-lists/{list_id}/duties", responses=WRITE,
             summary="Assign a duty to a post (明确职责); the new duty id is in created.duty_id")
def assign_duty(list_id: UUID, body: DutyBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
                key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(rs.AssignDuty, body, list_id=list_id), key, correlation)


@router.post("/responsibility-lists/{list_id}/duties/{duty_id}/revision", responses=WRITE,
             summary="Revise a duty (修订职责)")
def revise_duty(list_id: UUID, duty_id: UUID, body: ReviseBody, sys: SystemDep,  # type: ignore[valid-type]
                who: PrincipalDep, key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(rs.ReviseDuty, body, list_id=list_id, duty_id=duty_id), key, correlation)


@router.post("/responsibility-lists/{list_id}/duties/{duty_id}/revocation", responses=WRITE,
             summary="Revoke a duty (撤销职责)")
def revoke_duty(list_id: UUID, duty_id: UUID, body: RevokeBody, sys: SystemDep,  # type: ignore[valid-type]
                who: PrincipalDep, key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(rs.RevokeDuty, body, list_id=list_id, duty_id=duty_id), key, correlation)


@router.post("/responsibility-lists/{list_id}/publications", responses=WRITE,
             summary="Publish the list as a new version (清单印发)")
def publish(list_id: UUID, body: PublishBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
            key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(rs.PublishList, body, list_id=list_id), key, correlation)


@router.get("/posts", responses=READ, dependencies=[Depends(consistent("directory"))], summary="List posts")
def list_posts(sys: SystemDep, who: ReaderDep, unit_id: UUID | None = None) -> list[PostView]:
    return [PostView(**{**r, "portfolio": r["portfolio_json"], "requires": r["requires_json"]})
            for r in sys.directory.posts(who.jurisdiction, unit_id=own_unit(who, unit_id))]


@router.get("/responsibility-lists", responses=READ, dependencies=[Depends(consistent("directory"))],
            summary="List responsibility lists")
def list_lists(sys: SystemDep, who: ReaderDep, unit_id: UUID | None = None) -> list[ListView]:
    return [ListView(**r) for r in sys.directory.lists(who.jurisdiction, unit_id=own_unit(who, unit_id))]


Filters = Annotated[UUID | None, Query()]


@router.get("/ledger/duties", responses=READ, dependencies=[Depends(consistent("responsibility_ledger"))],
            summary="Duties in force on a day and who held them (责任台账, bitemporal)")
def duties_in_force(sys: SystemDep, who: ReaderDep, as_of: AsOf = None, known_at: KnownAt = None,
                    unit_id: Filters = None, post_id: Filters = None, person_id: Filters = None) -> list[DutyInForce]:
    rows = sys.ledger.duties(who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at),
                             unit_id=own_unit(who, unit_id),
                             post_id=post_id, person_id=person_id)
    return [DutyInForce(**{**r, "scope": r["scope_json"]}) for r in rows]


@router.get("/ledger/history", responses=READ, dependencies=[Depends(consistent("responsibility_ledger"))],
            summary="Who held which duty from when to when, as recorded by known_at")
def duty_history(sys: SystemDep, who: ReaderDep, known_at: KnownAt = None, unit_id: Filters = None,
                 post_id: Filters = None, person_id: Filters = None) -> list[DutyInterval]:
    rows = sys.ledger.history(who.jurisdiction, known_at=moment(known_at), unit_id=own_unit(who, unit_id),
                              post_id=post_id,
                              person_id=person_id)
    return [DutyInterval(**{**r, "scope": r["scope_json"]}) for r in rows]


@router.get("/ledger/holdings", responses=READ, dependencies=[Depends(consistent("responsibility_ledger"))],
            summary="Who held which post from when to when, as recorded by known_at")
def holdings(sys: SystemDep, who: ReaderDep, known_at: KnownAt = None, unit_id: Filters = None,
             post_id: Filters = None, person_id: Filters = None) -> list[Holding]:
    return [Holding(**r) for r in sys.ledger.holdings(who.jurisdiction, known_at=moment(known_at),
                                                      unit_id=own_unit(who, unit_id),
                                                      post_id=post_id, person_id=person_id)]


@router.get("/coverage-gaps", responses=READ,
            dependencies=[Depends(consistent("directory", "responsibility_ledger"))],
            summary="Where the responsibility system leaves something without an owner")
def coverage_gaps(sys: SystemDep, who: ReaderDep, as_of: AsOf = None, known_at: KnownAt = None) -> list[Gap]:
    found = sys.gaps.find(who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at))
    if who.role == "enterprise":
        found = [g for g in found if g["unit_id"] == str(who.unit_id)]
    return [Gap(**g) for g in found]
