"""People: registration (identity sealed), certificates, industry bans."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status

from api.deps import (
    CorrelationId,
    IdempotencyKey,
    OfficialDep,
    PrincipalDep,
    SystemDep,
    body_of,
    command_from,
    consistent,
    run,
)
from api.problems import responses
from api.views import CertificateView, PersonView
from application import people as pp
from application.authorization import PERSONAL_DATA_ROLES, Forbidden
from application.service import CommandResult
from domain.errors import NotFound
from domain.people import Person

router = APIRouter(tags=["people"])
WRITE = responses(401, 403, 404, 409, 422)

RenameBody = body_of(pp.RenamePerson, "person_id")
CertificateBody = body_of(pp.IssueCertificate, "person_id")
RevokeBody = body_of(pp.RevokeCertificate, "person_id", "number")
BanBody = body_of(pp.ImposeIndustryBan, "person_id")
LiftBody = body_of(pp.LiftIndustryBan, "person_id", "ban_id")


@router.post("/people", status_code=status.HTTP_201_CREATED, responses=WRITE, summary="Register a person (人员登记)")
def register_person(body: pp.RegisterPerson, sys: SystemDep, who: PrincipalDep, key: IdempotencyKey = None,
                    correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, body, key, correlation)


@router.post("/people/{person_id}/name", responses=WRITE, summary="Correct a person's name")
def rename(person_id: UUID, body: RenameBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
           key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(pp.RenamePerson, body, person_id=person_id), key, correlation)


@router.post("/people/{person_id}/certificates", responses=WRITE, summary="Record a certificate (取得证书)")
def issue_certificate(person_id: UUID, body: CertificateBody, sys: SystemDep,  # type: ignore[valid-type]
                      who: PrincipalDep, key: IdempotencyKey = None,
                      correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(pp.IssueCertificate, body, person_id=person_id), key, correlation)


@router.post("/people/{person_id}/certificates/{number}/revocation", responses=WRITE,
             summary="Revoke a certificate")
def revoke_certificate(person_id: UUID, number: str, body: RevokeBody, sys: SystemDep,  # type: ignore[valid-type]
                       who: PrincipalDep, key: IdempotencyKey = None,
                       correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(pp.RevokeCertificate, body, person_id=person_id, number=number), key,
               correlation)


@router.post("/people/{person_id}/bans", responses=WRITE, summary="Impose an industry ban (行业禁入)")
def impose_ban(person_id: UUID, body: BanBody, sys: SystemDep, who: PrincipalDep,  # type: ignore[valid-type]
               key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(pp.ImposeIndustryBan, body, person_id=person_id), key, correlation)


@router.post("/people/{person_id}/bans/{ban_id}/lifting", responses=WRITE, summary="Lift an industry ban")
def lift_ban(person_id: UUID, ban_id: UUID, body: LiftBody, sys: SystemDep,  # type: ignore[valid-type]
             who: PrincipalDep, key: IdempotencyKey = None, correlation: CorrelationId = None) -> CommandResult:
    return run(sys, who, command_from(pp.LiftIndustryBan, body, person_id=person_id, ban_id=ban_id), key,
               correlation)


@router.get("/people", responses=responses(401, 403, 422, 503), dependencies=[Depends(consistent("directory"))],
            summary="List people (identity masked)")
def list_people(sys: SystemDep, who: OfficialDep, q: Annotated[str | None, Query(max_length=50)] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0)] = 0) -> list[PersonView]:
    return [PersonView(**{**r, "id_number": r["id_number_masked"]})
            for r in sys.directory.people(who.jurisdiction, q=q, limit=limit, offset=offset)]


@router.get("/people/{person_id}", responses=responses(401, 403, 404, 503),
            dependencies=[Depends(consistent("directory"))], summary="One person, with certificates")
def get_person(
    person_id: UUID, sys: SystemDep, who: OfficialDep,
    reveal: Annotated[bool, Query(description="show the 居民身份证号 whole (admin, registrar, investigator)")] = False,
) -> PersonView:
    person = sys.store.get(person_id)
    if not isinstance(person, Person) or not who.covers(person.jurisdiction):
        raise NotFound("not-found", f"no person {person_id} in your jurisdiction")
    id_number = person.id_number_masked
    if reveal:
        if who.role not in PERSONAL_DATA_ROLES:
            raise Forbidden("personal-data", f"the role {who.role} sees identity numbers masked only")
        id_number = sys.vault.open(person.id_number_sealed)
    certificates = [CertificateView(**c) for c in sys.directory.certificates(person_id)]
    return PersonView(person_id=person.id, name=person.name, id_number=id_number, jurisdiction=person.jurisdiction,
                      registered_at=person.created_on, certificates=certificates)
