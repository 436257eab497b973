"""Organisation context: register, amend, move and close units; risk colours; 三管三必须 supervision."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from application.commands import Command, Targeted
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import units as u
from domain.bounds import FreeText
from domain.errors import Conflict
from domain.posts import Post, relocate_post
from domain.references import UnitRef
from domain.responsibility import ResponsibilityList, relocate_list
from domain.rules import pack_for
from domain.supervision import LeadCandidate, SupervisionCatalogue, catalogue_id, decide_sector_lead

REGISTRY = frozenset({"admin", "registrar"})


class RegisterUnit(Command):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "register units"
    profile: u.Profile
    parent_id: UnitRef | None = Field(default=None, description="the unit it hangs under; null only for a top unit")


class AmendUnit(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "amend units"
    unit_id: UnitRef
    profile: u.Profile


class MoveUnit(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "move units"
    unit_id: UnitRef
    parent_id: UnitRef


class CloseUnit(Targeted):
    roles: ClassVar[frozenset[str]] = frozenset({"admin", "registrar", "enforcement"})
    action: ClassVar[str] = "close units"
    unit_id: UnitRef
    closure: u.Closure
    reason: FreeText = Field(min_length=1, max_length=1000)


class GradeRiskColour(Targeted):
    roles: ClassVar[frozenset[str]] = frozenset({"admin", "registrar", "inspector", "enforcement"})
    action: ClassVar[str] = "grade risk colours"
    unit_id: UnitRef
    colour: u.RiskColour
    reason: FreeText = Field(min_length=1, max_length=1000)


class AssignSupervision(Targeted):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "assign supervising departments"
    unit_id: UnitRef
    department_id: UnitRef
    sector: str | None = Field(default=None, description="defaults to the enterprise's sector")


class DecideSectorLead(Command):
    roles: ClassVar[frozenset[str]] = REGISTRY
    action: ClassVar[str] = "decide sector leads"
    territory_id: UnitRef
    sector: str = Field(min_length=1, max_length=50)
    candidates: list[LeadCandidate] = Field(min_length=1)
    committee_choice: UnitRef | None = Field(default=None, description="the safety committee's decision, for a tie")


def _unit(uow: UnitOfWork, unit_id: UUID, *, field: str, write: bool = True,
          expected_version: int | None = None) -> u.Unit:
    return uow.load(unit_id, u.Unit, label="unit", field=field, write=write, expected_version=expected_version)


def territory_of(uow: UnitOfWork, unit: u.Unit) -> u.Unit | None:
    """The nearest territorial unit at or above ``unit``."""
    current: u.Unit | None = unit
    while current is not None and current.kind != "territorial":
        current = uow.find(current.parent_id, u.Unit) if current.parent_id else None
    return current


def _lead_in_catalogues(uow: UnitOfWork, unit: u.Unit, sector: str) -> tuple[UUID, str] | None:
    """The sector's lead department from the nearest catalogue up the tree (a town falls back to its county)."""
    territory = territory_of(uow, unit)
    while territory is not None:
        catalogue = uow.find(catalogue_id(territory.id), SupervisionCatalogue)
        if catalogue is not None and sector in catalogue.sectors:
            lead = catalogue.sectors[sector]
            return lead.department_id, f"三管三必须: {lead.clause}"
        territory = uow.find(territory.parent_id, u.Unit) if territory.parent_id else None
    return None


def _auto_supervise(uow: UnitOfWork, unit: u.Unit) -> None:
    """Give a newly registered (or re-sectored) enterprise the department that leads its sector, if one does."""
    if not isinstance(unit.profile, u.EnterpriseProfile):
        return
    found = _lead_in_catalogues(uow, unit, unit.profile.sector)
    if found is None:
        return
    department_id, clause = found
    department = _unit(uow, department_id, field="profile.sector", write=False)
    pack = pack_for(unit.jurisdiction)
    uow.record(u.assign_supervision(uow.ctx, unit, department, unit.profile.sector, clause,
                                    basis=uow.ctx.basis or pack.three_musts_basis, rules_version=pack.version_tag))


def register_unit(cmd: RegisterUnit, uow: UnitOfWork) -> UUID:
    parent = _unit(uow, cmd.parent_id, field="parent_id", write=False) if cmd.parent_id else None
    if cmd.parent_id is None:
        uow.principal.require_role(frozenset({"admin"}), "register a top-level unit")
    profile = cmd.profile
    coded = profile if isinstance(profile, u.CodedProfile) else None
    unit_id = u.unit_id_for(coded) if coded else uow.ids.new()
    event = u.register_unit(uow.ctx, unit_id, profile, parent)
    if coded and uow.find(unit_id, u.Unit) is not None:
        raise Conflict("already-registered", f"a unit with code {u.national_code(coded)} is already registered",
                       field="profile")
    uow.record(event)
    unit = uow.find(event.originator_id, u.Unit)
    assert unit is not None
    _auto_supervise(uow, unit)
    return event.originator_id


def amend_unit(cmd: AmendUnit, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, field="unit_id", expected_version=cmd.expected_version)
    event = u.amend_unit(uow.ctx, unit, cmd.profile)
    uow.record(event)
    if event is not None and "sector" in event.changed:
        amended = uow.find(unit.id, u.Unit)
        assert amended is not None
        _auto_supervise(uow, amended)
    return unit.id


def move_unit(cmd: MoveUnit, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, field="unit_id", expected_version=cmd.expected_version)
    parent = _unit(uow, cmd.parent_id, field="parent_id")
    uow.record(u.move_unit(uow.ctx, unit, parent))
    moved = uow.find(unit.id, u.Unit)
    assert moved is not None
    for post_id in uow.directory.posts_of(unit.id):
        post = uow.find(post_id, Post)
        if post is not None:
            uow.record(relocate_post(uow.ctx, post, moved))
    for list_id in uow.directory.lists_of(unit.id):
        lst = uow.find(list_id, ResponsibilityList)
        if lst is not None:
            uow.record(relocate_list(uow.ctx, lst, moved))
    return unit.id


def close_unit(cmd: CloseUnit, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, field="unit_id", expected_version=cmd.expected_version)
    pack = pack_for(unit.jurisdiction)
    uow.record(u.close_unit(uow.ctx, unit, cmd.closure, cmd.reason, ban_basis=pack["unit.ban.basis"],
                            rules_version=pack.version_tag))
    return unit.id


def grade_risk_colour(cmd: GradeRiskColour, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, field="unit_id", expected_version=cmd.expected_version)
    uow.record(u.grade_risk_colour(uow.ctx, unit, cmd.colour, cmd.reason))
    return unit.id


def assign_supervision(cmd: AssignSupervision, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, field="unit_id", expected_version=cmd.expected_version)
    department = _unit(uow, cmd.department_id, field="department_id", write=False)
    sector = cmd.sector or getattr(unit.profile, "sector", None) or "中介服务"
    uow.record(u.assign_supervision(uow.ctx, unit, department, sector, "三管三必须: 登记机关指定"))
    return unit.id


def decide_lead(cmd: DecideSectorLead, uow: UnitOfWork) -> UUID:
    territory = _unit(uow, cmd.territory_id, field="territory_id")
    departments = {c.department_id: uow.find(c.department_id, u.Unit) for c in cmd.candidates}
    catalogue = uow.find(catalogue_id(territory.id), SupervisionCatalogue)
    pack = pack_for(territory.jurisdiction)
    event = decide_sector_lead(uow.ctx, territory, catalogue, cmd.sector, cmd.candidates,
                               {k: v for k, v in departments.items() if v is not None}, cmd.committee_choice, pack)
    uow.record(event)
    for unit_id in uow.directory.unsupervised_enterprises(territory.jurisdiction, cmd.sector):
        unit = uow.find(unit_id, u.Unit)
        if unit is not None and unit.supervision is None and unit.closure is None:
            _auto_supervise(uow, unit)
    return event.originator_id


HANDLERS: dict[type[Command], Handler] = {
    RegisterUnit: register_unit,
    AmendUnit: amend_unit,
    MoveUnit: move_unit,
    CloseUnit: close_unit,
    GradeRiskColour: grade_risk_colour,
    AssignSupervision: assign_supervision,
    DecideSectorLead: decide_lead,
}
