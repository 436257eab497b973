"""People: registration (identity sealed), certificates, industry bans."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import (
    OfficialDep,
    SystemDep,
    consistent,
)
from api.problems import responses
from api.routers.people_views import CertificateView, PersonView
from api.routing import Router
from application import people as pp
from application.authorization import PERSONAL_DATA_ROLES, Forbidden
from domain.bounds import Position
from domain.errors import NotFound
from domain.people import Person

router = Router(tags=["people"])

command_route(router, "/people", pp.RegisterPerson, "Register a person (人员登记)", created=True)
command_route(router, "/people/{person_id}/name", pp.RenamePerson, "Correct a person's name (人员姓名变更)")
command_route(router, "/people/{person_id}/certificates", pp.IssueCertificate, "Record a certificate (取得证书)")
command_route(router, "/people/{person_id}/certificates/revocation", pp.RevokeCertificate,
              "Revoke a certificate (证书撤销); its number in the body, never in the URL (it may embed a 身份证号)")
command_route(router, "/people/{person_id}/trainings", pp.RecordTraining,
              "Record a safety training: kind, content, hours, day, assessment (安全教育培训记录)")
command_route(router, "/people/{person_id}/bans", pp.ImposeIndustryBan, "Impose an industry ban (行业禁入)")
command_route(router, "/people/{person_id}/bans/{ban_id}/lifting", pp.LiftIndustryBan,
              "Lift an industry ban (行业禁入解除)")


@router.get("/people", responses=responses(401, 403, 422, 503), dependencies=[Depends(consistent("directory"))],
            summary="List people (identity masked)")
def list_people(system: SystemDep, who: OfficialDep, q: Annotated[str | None, Query(max_length=50)] = None,
                limit: Annotated[Position, Query(ge=1, le=500)] = 100,
                offset: Annotated[Position, Query(ge=0)] = 0) -> list[PersonView]:
    return [PersonView(**{**r, "id_number": r["id_number_masked"]})
            for r in system.queries.directory.people(who.jurisdiction, q=q, limit=limit, offset=offset)]


@router.get("/people/{person_id}", responses=responses(401, 403, 404, 503),
            dependencies=[Depends(consistent("directory"))], summary="One person, with certificates")
def get_person(
    person_id: UUID, system: SystemDep, who: OfficialDep,
    reveal: Annotated[bool, Query(description="show the 居民身份证号 and certificate numbers whole "
                                              "(admin, registrar, investigator)")] = False,
) -> PersonView:
    person = system.store.get(person_id)
    if not isinstance(person, Person) or not who.covers(person.jurisdiction):
        raise NotFound("not-found", f"no person {person_id} in your jurisdiction")
    id_number = person.id_number_masked
    if reveal:
        if who.role not in PERSONAL_DATA_ROLES:
            raise Forbidden("personal-data", f"the role {who.role} sees identity numbers masked only")
        id_number = system.vault.open(person.id_number_sealed)
    certificates = [CertificateView(**c) for c in system.queries.directory.certificates(person_id)]
    if reveal:  # whole numbers, from the record itself, for a role that may see identity numbers
        certificates = [CertificateView(**c.model_dump()) for c in sorted(person.certificates.values(),
                                                                          key=lambda c: c.expires_on)]
    return PersonView(person_id=person.id, name=person.name, id_number=id_number, jurisdiction=person.jurisdiction,
                      registered_at=person.created_on, last_trained_on=person.last_trained_on,
                      certificates=certificates)
