"""Responsibility context: posts and their holders, responsibility lists and their duties."""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from application.commands import Command, Targeted
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import accountability as ac
from domain import posts as ps
from domain import responsibility as r
from domain.bounds import FreeText
from domain.calendar import local_day
from domain.people import Person
from domain.references import ListRef, PersonRef, PostRef, UnitRef
from domain.rules import pack_for
from domain.units import Unit

REGISTRY = frozenset({"admin", "registrar"})


class EstablishPost(Command):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "establish posts"
    unit_id: UnitRef
    definition: ps.PostDefinition
    first_responsible: bool = Field(default=False, description="forced true where the law makes it so (党政同责)")


class RedefinePost(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "redefine posts"
    post_id: PostRef
    definition: ps.PostDefinition


class AbolishPost(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "abolish posts"
    post_id: PostRef
    reason: FreeText = Field(min_length=1, max_length=1000)


class AssignGrids(Targeted):
    """网格员划定网格 (seed 001 ¶13, seed 002 ¶16): the post is a grid member's over these 网格; none: no longer."""

    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "assign grids"
    post_id: PostRef
    grids: tuple[Annotated[str, Field(max_length=100)], ...] = Field(
        max_length=50, description="the 网格 covered, as enterprises' records name them")


class AppointHolder(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "appoint people"
    post_id: PostRef
    person_id: PersonRef
    replaces: PersonRef | None = Field(default=None, description="the current holder who leaves at the same moment")
    replaced_because: ps.RemovalReason = Field(default=ps.RemovalReason.transferred,
                                               description="why the replaced holder leaves")
    document: str | None = Field(default=None, max_length=200, description="任职文件")


class RemoveHolder(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "remove people from posts"
    post_id: PostRef
    person_id: PersonRef
    reason: ps.RemovalReason
    document: str | None = Field(default=None, max_length=200)


class TransferPerson(Command):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "transfer people"
    person_id: PersonRef
    from_post_id: PostRef
    to_post_id: PostRef
    document: str | None = Field(default=None, max_length=200)


class OpenResponsibilityList(Command):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "open responsibility lists"
    unit_id: UnitRef
    kind: r.ListKind
    year: int | None = None
    title: str = Field(min_length=1, max_length=200)


class AssignDuty(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "assign duties"
    list_id: ListRef
    terms: r.DutyTerms


class ReviseDuty(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "revise duties"
    list_id: ListRef
    duty_id: UUID
    terms: r.DutyTerms


class RevokeDuty(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "revoke duties"
    list_id: ListRef
    duty_id: UUID
    reason: FreeText = Field(min_length=1, max_length=1000)


class PublishList(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "publish responsibility lists"
    list_id: ListRef
    document_no: str = Field(min_length=1, max_length=100, description="文号, e.g. 泉港城管〔2023〕12号")


def _post(uow: UnitOfWork, post_id: UUID, *, field: str = "post_id", expected_version: int | None = None) -> ps.Post:
    return uow.load(post_id, ps.Post, label="post", field=field, expected_version=expected_version)


def _unit(uow: UnitOfWork, unit_id: UUID, *, write: bool = False) -> Unit:
    return uow.load(unit_id, Unit, label="unit", field="unit_id", write=write)


def _person(uow: UnitOfWork, person_id: UUID) -> Person:
    return uow.load(person_id, Person, label="person", field="person_id", write=False)


def refuse_barred_promotion(uow: UnitOfWork, person: Person, post: ps.Post, unit: Unit) -> None:
    """A leader held responsible is not promoted while the bar the decision set covers the day (《地方党政领导干部安全
    生产责任制规定》: 不得晋升职务、级别或者重用任职; ``domain.accountability.refuse_promotion``)."""
    record = uow.find(ac.record_id(person.id), ac.PersonalRecord)
    if record is None:
        return
    pack = pack_for(unit.jurisdiction)

    def higher(act: ac.Act) -> bool:
        held_unit = uow.find(act.held.unit_id, Unit)
        return held_unit is not None and ac.is_promotion(
            pack["accountability.promotion.ranks"], act.held.post_kind, held_unit.jurisdiction,
            post.definition.kind, unit.jurisdiction)

    ac.refuse_promotion(record, local_day(uow.ctx.effective_at), higher, pack["accountability.bar.basis"])


def establish_post(cmd: EstablishPost, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, write=True)
    event = ps.establish_post(uow.ctx, uow.ids.new(), unit, cmd.definition, cmd.first_responsible,
                              pack=pack_for(unit.jurisdiction))
    uow.record(event)
    return event.originator_id


def redefine_post(cmd: RedefinePost, uow: UnitOfWork) -> UUID:
    post = _post(uow, cmd.post_id, expected_version=cmd.expected_version)
    uow.record(ps.redefine_post(uow.ctx, post, _unit(uow, post.unit_id), cmd.definition))
    return post.id


def abolish_post(cmd: AbolishPost, uow: UnitOfWork) -> UUID:
    post = _post(uow, cmd.post_id, expected_version=cmd.expected_version)
    uow.record(ps.abolish_post(uow.ctx, post, cmd.reason))
    return post.id


def assign_grids(cmd: AssignGrids, uow: UnitOfWork) -> UUID:
    post = _post(uow, cmd.post_id, expected_version=cmd.expected_version)
    uow.record(ps.assign_grids(uow.ctx, post, _unit(uow, post.unit_id), cmd.grids))
    return post.id


def appoint_holder(cmd: AppointHolder, uow: UnitOfWork) -> UUID:
    post = _post(uow, cmd.post_id, expected_version=cmd.expected_version)
    person = _person(uow, cmd.person_id)
    if cmd.replaces is not None:
        uow.record(ps.remove_holder(uow.ctx, post, cmd.replaces, cmd.replaced_because, cmd.document))
        post = _post(uow, cmd.post_id)
    unit = _unit(uow, post.unit_id)
    refuse_barred_promotion(uow, person, post, unit)
    uow.record(ps.appoint(uow.ctx, post, unit, person, cmd.document))
    return post.id


def remove_holder(cmd: RemoveHolder, uow: UnitOfWork) -> UUID:
    post = _post(uow, cmd.post_id, expected_version=cmd.expected_version)
    uow.record(ps.remove_holder(uow.ctx, post, cmd.person_id, cmd.reason, cmd.document))
    return post.id


def transfer_person(cmd: TransferPerson, uow: UnitOfWork) -> UUID:
    """Leave one post and take up another at the same moment (one transaction: never both, never neither)."""
    source = _post(uow, cmd.from_post_id, field="from_post_id")
    target = _post(uow, cmd.to_post_id, field="to_post_id")
    person = _person(uow, cmd.person_id)
    unit = _unit(uow, target.unit_id)
    refuse_barred_promotion(uow, person, target, unit)
    uow.record(ps.remove_holder(uow.ctx, source, person.id, ps.RemovalReason.transferred, cmd.document))
    uow.record(ps.appoint(uow.ctx, target, unit, person, cmd.document))
    return target.id


def open_list(cmd: OpenResponsibilityList, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, write=True)
    event = r.open_list(uow.ctx, uow.ids.new(), unit, cmd.kind, cmd.year, cmd.title)
    uow.record(event)
    return event.originator_id


def _list(uow: UnitOfWork, list_id: UUID, expected_version: int | None) -> r.ResponsibilityList:
    return uow.load(list_id, r.ResponsibilityList, label="responsibility list", field="list_id",
                    expected_version=expected_version)


def assign_duty(cmd: AssignDuty, uow: UnitOfWork) -> UUID:
    lst = _list(uow, cmd.list_id, cmd.expected_version)
    post = _post(uow, cmd.terms.post_id, field="terms.post_id")
    duty_id = uow.ids.new()
    uow.record(r.assign_duty(uow.ctx, lst, _unit(uow, lst.unit_id), post, duty_id, cmd.terms))
    uow.created["duty_id"] = duty_id
    return lst.id


def revise_duty(cmd: ReviseDuty, uow: UnitOfWork) -> UUID:
    lst = _list(uow, cmd.list_id, cmd.expected_version)
    post = _post(uow, cmd.terms.post_id, field="terms.post_id")
    uow.record(r.revise_duty(uow.ctx, lst, _unit(uow, lst.unit_id), post, cmd.duty_id, cmd.terms))
    return lst.id


def revoke_duty(cmd: RevokeDuty, uow: UnitOfWork) -> UUID:
    lst = _list(uow, cmd.list_id, cmd.expected_version)
    uow.record(r.revoke_duty(uow.ctx, lst, cmd.duty_id, cmd.reason))
    return lst.id


def publish_list(cmd: PublishList, uow: UnitOfWork) -> UUID:
    lst = _list(uow, cmd.list_id, cmd.expected_version)
    uow.record(r.publish_list(uow.ctx, lst, cmd.document_no))
    return lst.id


HANDLERS: dict[type[Command], Handler] = {
    EstablishPost: establish_post,
    RedefinePost: redefine_post,
    AbolishPost: abolish_post,
    AssignGrids: assign_grids,
    AppointHolder: appoint_holder,
    RemoveHolder: remove_holder,
    TransferPerson: transfer_person,
    OpenResponsibilityList: open_list,
    AssignDuty: assign_duty,
    ReviseDuty: revise_duty,
    RevokeDuty: revoke_duty,
    PublishList: publish_list,
}
