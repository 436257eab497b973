"""People context: register people (identity sealed), certificates, safety trainings, industry bans."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from application.commands import Command, Targeted
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import people as p
from domain.bounds import FreeText
from domain.errors import Conflict
from domain.identifiers import mask_resident_id, validate_resident_id
from domain.references import PersonRef

REGISTRY = frozenset({"admin", "registrar"})


class RegisterPerson(Command):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "register people"
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=18, description="居民身份证号 (GB 11643); stored encrypted")
    jurisdiction: str | None = Field(default=None, description="where the person is registered; default: yours")


class RenamePerson(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "rename people"
    person_id: PersonRef
    name: str = Field(min_length=1, max_length=50)


class IssueCertificate(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "record certificates"
    person_id: PersonRef
    certificate: p.Certificate


class RevokeCertificate(Targeted):
    roles: ClassVar[frozenset[str]] = frozenset({"admin", "registrar", "enforcement"})
    action: ClassVar[str] = "revoke certificates"
    person_id: PersonRef
    number: str = Field(min_length=1, max_length=50, description=(
        "the certificate's number, as recorded; sent in the body, not the path, so that no URL (access logs, "
        "proxies) carries a number that may embed a 身份证号"))
    reason: FreeText = Field(min_length=1, max_length=1000)


class RecordTraining(Targeted):
    """Record a safety training a person took part in (安全教育培训记录, 安全生产法 第28条)."""

    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "record trainings"
    person_id: PersonRef
    training: p.Training


class ImposeIndustryBan(Targeted):
    roles: ClassVar[frozenset[str]] = frozenset({"admin", "enforcement"})
    action: ClassVar[str] = "impose industry bans"
    person_id: PersonRef
    industry: str = Field(min_length=1, max_length=50, description="the sector, or * for every sector")
    starts_on: date
    years: int | None = Field(default=None, ge=1, le=50, description="term in years; null = lifetime (终身)")
    reason: FreeText = Field(min_length=1, max_length=1000)


class LiftIndustryBan(Targeted):
    roles: ClassVar[frozenset[str]] = frozenset({"admin", "enforcement"})
    action: ClassVar[str] = "lift industry bans"
    person_id: PersonRef
    ban_id: UUID
    reason: FreeText = Field(min_length=1, max_length=1000)


def _person(uow: UnitOfWork, person_id: UUID, expected_version: int | None = None) -> p.Person:
    return uow.load(person_id, p.Person, label="person", field="person_id", expected_version=expected_version)


def register_person(cmd: RegisterPerson, uow: UnitOfWork) -> UUID:
    number = validate_resident_id(cmd.id_number)
    jurisdiction = cmd.jurisdiction or uow.principal.jurisdiction
    uow.principal.require_scope(jurisdiction, "the person's registration")
    digest = uow.sealer.digest("resident-id", number)
    person_id = p.person_id_for(digest)
    if uow.find(person_id, p.Person) is not None:
        raise Conflict("already-registered", "a person with this 居民身份证号 is already registered",
                       field="id_number")
    sealed = uow.sealer.seal(f"person:{person_id}", number)
    uow.record(p.register_person(uow.ctx, cmd.name, jurisdiction, sealed, mask_resident_id(number), digest))
    return person_id


def rename_person(cmd: RenamePerson, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id, cmd.expected_version)
    uow.record(p.rename_person(uow.ctx, person, cmd.name))
    return person.id


def issue_certificate(cmd: IssueCertificate, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id, cmd.expected_version)
    uow.record(p.issue_certificate(uow.ctx, person, cmd.certificate))
    return person.id


def revoke_certificate(cmd: RevokeCertificate, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id, cmd.expected_version)
    uow.record(p.revoke_certificate(uow.ctx, person, cmd.number, cmd.reason))
    return person.id


def record_training(cmd: RecordTraining, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id, cmd.expected_version)
    uow.record(p.record_training(uow.ctx, person, cmd.training))
    return person.id


def impose_ban(cmd: ImposeIndustryBan, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id, cmd.expected_version)
    uow.record(p.impose_industry_ban(uow.ctx, person, uow.ids.new(), cmd.industry, cmd.starts_on, cmd.years,
                                     cmd.reason))
    return person.id


def lift_ban(cmd: LiftIndustryBan, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id, cmd.expected_version)
    uow.record(p.lift_industry_ban(uow.ctx, person, cmd.ban_id, cmd.reason))
    return person.id


HANDLERS: dict[type[Command], Handler] = {
    RegisterPerson: register_person,
    RenamePerson: rename_person,
    IssueCertificate: issue_certificate,
    RevokeCertificate: revoke_certificate,
    RecordTraining: record_training,
    ImposeIndustryBan: impose_ban,
    LiftIndustryBan: lift_ban,
}
