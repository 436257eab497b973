"""Units: territorial governments, departments, safety committees, enterprises and intermediaries.

Territorial units form the tree of jurisdictions (区/县 → 镇/街道 → 村/社区, with the city and province above for
escalation). Departments, committees, enterprises and intermediaries hang under a territorial unit and share its
jurisdiction. Sources: seed 000 §4, §7, §9–11 (三管三必须, 红橙黄蓝, 法定代表人/实际控制人); seed 002 §1 (专委会);
seed 001 ¶13 and seed 002 §(三)16 (网格); seed 003 (中介机构).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID, uuid5

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.errors import Conflict, Rejected
from domain.identifiers import validate_credit_code, validate_division_code
from domain.jurisdiction import child_path
from domain.references import UnitRef

UNIT_NAMESPACE = UUID("6f1c3a52-7d0e-4b8e-9a57-2c1f0b6f2a10")


class Level(StrEnum):
    """Levels of territorial government; the issue's three (county, town, village) plus city and province above."""

    province = "province"
    city = "city"
    county = "county"
    town = "town"
    village = "village"


LEVEL_ORDER = [Level.province, Level.city, Level.county, Level.town, Level.village]
LEVEL_TERMS = {"province": "省", "city": "市", "county": "区/县", "town": "镇/街道", "village": "村/社区"}


class RiskColour(StrEnum):
    """红橙黄蓝 four-level risk grading (seed 000 §9; seed 003)."""

    red = "red"
    orange = "orange"
    yellow = "yellow"
    blue = "blue"


class ServiceKind(StrEnum):
    """What an intermediary (中介/技术服务机构) is engaged for (安全生产法 第72、92条)."""

    safety_assessment = "safety_assessment"
    testing = "testing"
    standardisation = "standardisation"
    training = "training"
    consulting = "consulting"


class Closure(StrEnum):
    """关闭 (an ordered or voluntary closure) or 取缔 (banning an illegal operation), seed 000 ¶22 (四个一律)."""

    closed = "closed"
    banned = "banned"


class TerritorialProfile(Frozen):
    kind: Literal["territorial"] = "territorial"
    name: str = Field(min_length=1, max_length=100)
    level: Level
    code: str = Field(description="行政区划代码: 6 digits (county and above) or 12 digits (town, village)")


class DepartmentProfile(Frozen):
    kind: Literal["department"] = "department"
    name: str = Field(min_length=1, max_length=100)
    functions: tuple[str, ...] = Field(default=(), description="business areas it administers (管行业)")


class CommitteeProfile(Frozen):
    """安委会 (safety committee), 安办 (its office) or a 专委会 (special committee of a sector)."""

    kind: Literal["safety_committee", "committee_office", "special_committee"]
    name: str = Field(min_length=1, max_length=100)
    sectors: tuple[str, ...] = ()
    lead_department_id: UnitRef | None = None


class EnterpriseProfile(Frozen):
    kind: Literal["enterprise"] = "enterprise"
    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field(description="统一社会信用代码 (GB 32100-2015)")
    sector: str = Field(min_length=1, max_length=50)
    address: str = Field(min_length=1, max_length=200)
    grid: str | None = Field(default=None, description="网格 the enterprise belongs to")
    legal_representative: str = Field(min_length=1, max_length=50)
    actual_controller: str | None = Field(default=None, description="实际控制人, when not the legal representative")
    staff_count: int = Field(ge=0)


class IntermediaryProfile(Frozen):
    kind: Literal["intermediary"] = "intermediary"
    name: str = Field(min_length=1, max_length=200)
    credit_code: str
    services: tuple[ServiceKind, ...] = Field(min_length=1)
    qualification: str | None = None
    address: str | None = None


Profile = Annotated[
    TerritorialProfile | DepartmentProfile | CommitteeProfile | EnterpriseProfile | IntermediaryProfile,
    Field(discriminator="kind"),
]


class Supervision(Frozen):
    """The department that supervises an enterprise's sector, and the clause that decided it (三管三必须)."""

    department_id: UUID
    sector: str
    clause: str


class Unit(Aggregate):
    profile: Profile
    parent_id: UUID | None
    closure: Closure | None = None
    risk_colour: RiskColour | None = None
    supervision: Supervision | None = None

    @property
    def kind(self) -> str:
        return self.profile.kind

    @property
    def name(self) -> str:
        return self.profile.name


class UnitRegistered(DomainEvent):
    """单位登记: a unit enters the register with its profile and its place in the tree."""

    term = "单位登记"
    context = "organisation"
    profile: Profile
    parent_id: UUID | None

    def apply(self, _: None) -> Unit:
        return created(Unit, self, profile=self.profile, parent_id=self.parent_id)


class UnitAmended(DomainEvent):
    """单位信息变更: the unit's profile as it now stands (name, address, legal representative …)."""

    term = "单位信息变更"
    context = "organisation"
    profile: Profile
    changed: tuple[str, ...]

    def apply(self, state: Unit) -> Unit:
        return state.evolved(self, profile=self.profile)


class UnitMoved(DomainEvent):
    """隶属关系调整: the unit now hangs under another parent, and so belongs to that jurisdiction."""

    term = "隶属关系调整"
    context = "organisation"
    parent_id: UUID
    previous_parent_id: UUID | None
    jurisdiction: str
    previous_jurisdiction: str

    def apply(self, state: Unit) -> Unit:
        return state.evolved(self, parent_id=self.parent_id, jurisdiction=self.jurisdiction)


class UnitClosed(DomainEvent):
    """关闭取缔: the unit is closed (关闭) or banned (取缔); it accepts no further changes."""

    term = "关闭取缔"
    context = "organisation"
    closure: Closure
    reason: str

    def apply(self, state: Unit) -> Unit:
        return state.evolved(self, closure=self.closure)


class RiskColourGraded(DomainEvent):
    """风险分级(红橙黄蓝): the enterprise's risk colour, which sets how closely it is supervised (seed 000 §9)."""

    term = "风险分级"
    context = "organisation"
    colour: RiskColour
    previous: RiskColour | None
    reason: str

    def apply(self, state: Unit) -> Unit:
        return state.evolved(self, risk_colour=self.colour)


class SupervisionAssigned(DomainEvent):
    """监管部门明确(三管三必须): a department answers for this enterprise's sector (seed 000 §4, §7)."""

    term = "监管部门明确"
    context = "organisation"
    department_id: UUID
    sector: str
    clause: str
    previous_department_id: UUID | None

    def apply(self, state: Unit) -> Unit:
        return state.evolved(
            self, supervision=Supervision(department_id=self.department_id, sector=self.sector, clause=self.clause)
        )


ALLOWED_PARENTS: dict[str, set[str]] = {
    "territorial": {"territorial"},
    "department": {"territorial"},
    "safety_committee": {"territorial"},
    "committee_office": {"safety_committee"},
    "special_committee": {"safety_committee"},
    "enterprise": {"territorial"},
    "intermediary": {"territorial"},
}
SUPERVISED_KINDS = {"enterprise", "intermediary"}


CodedProfile = TerritorialProfile | EnterpriseProfile | IntermediaryProfile
"""The profiles of units with a national code: 行政区划代码 or 统一社会信用代码."""


def national_code(profile: CodedProfile) -> str:
    return profile.code if isinstance(profile, TerritorialProfile) else profile.credit_code.upper()


def unit_id_for(profile: CodedProfile) -> UUID:
    """Units with a national code get an id derived from it, so the same code cannot be registered twice.

    A 统一社会信用代码 is for life (GB 32100-2015 §4); a 行政区划代码 changes only when the division changes,
    which makes a new unit.
    """
    return uuid5(UNIT_NAMESPACE, f"{profile.kind}:{national_code(profile)}")


def _check_profile(profile: Profile, parent: Unit | None) -> Profile:
    """Validate identifiers and normalise them."""
    if isinstance(profile, TerritorialProfile):
        parent_ref = None
        if parent is not None and isinstance(parent.profile, TerritorialProfile):
            parent_ref = (parent.profile.code, parent.profile.level.value)
            parent_rank = LEVEL_ORDER.index(parent.profile.level)
            require(
                LEVEL_ORDER.index(profile.level) == parent_rank + 1,
                "wrong-level",
                f"a {profile.level.value} cannot sit directly under a {parent.profile.level.value}",
                field="level",
            )
        validate_division_code(profile.code, profile.level.value, parent_ref)
    elif isinstance(profile, EnterpriseProfile | IntermediaryProfile):
        code = validate_credit_code(profile.credit_code, field="profile.credit_code")
        profile = profile.model_copy(update={"credit_code": code})
    return profile


def _check_parent(kind: str, parent: Unit | None) -> None:
    if parent is None:
        require(kind == "territorial", "parent-required", f"a unit of kind {kind} must name its parent unit",
                field="parent_id")
        return
    require(parent.closure is None, "parent-closed", f"the parent unit {parent.name} is closed", field="parent_id")
    require(
        parent.kind in ALLOWED_PARENTS[kind],
        "wrong-parent",
        f"a unit of kind {kind} cannot sit under a {parent.kind} ({parent.name})",
        field="parent_id",
    )


def register_unit(ctx: CommandContext, unit_id: UUID, profile: Profile, parent: Unit | None) -> UnitRegistered:
    """Decide the registration of a unit under ``parent``."""
    _check_parent(profile.kind, parent)
    profile = _check_profile(profile, parent)
    if isinstance(profile, TerritorialProfile):
        jurisdiction = child_path(parent.jurisdiction if parent else "", profile.code)
    else:
        assert parent is not None
        jurisdiction = parent.jurisdiction
    return first_event(
        UnitRegistered, ctx, id=unit_id, jurisdiction=jurisdiction, profile=profile,
        parent_id=parent.id if parent else None,
    )


def _require_open(unit: Unit) -> None:
    if unit.closure is not None:
        raise Conflict("unit-closed", f"{unit.name} was {unit.closure.value}; it accepts no further changes")


def amend_unit(ctx: CommandContext, unit: Unit, profile: Profile) -> UnitAmended | None:
    """Decide an amendment; ``None`` when nothing changes. Kind and national codes never change."""
    _require_open(unit)
    require(profile.kind == unit.kind, "kind-unchanged", f"a {unit.kind} cannot become a {profile.kind}",
            field="profile.kind")
    old = unit.profile
    if isinstance(old, TerritorialProfile):
        assert isinstance(profile, TerritorialProfile)
        require(profile.code == old.code and profile.level == old.level, "code-unchanged",
                "a territorial unit's 行政区划代码 and level do not change: register the new division instead",
                field="profile.code")
    if isinstance(old, EnterpriseProfile | IntermediaryProfile):
        assert isinstance(profile, EnterpriseProfile | IntermediaryProfile)
        require(profile.credit_code.upper() == old.credit_code, "code-unchanged",
                "a 统一社会信用代码 is for life (GB 32100-2015 §4): register the new legal entity instead",
                field="profile.credit_code", basis="GB 32100-2015 §4")
        profile = profile.model_copy(update={"credit_code": old.credit_code})
    old_fields, new_fields = old.model_dump(), profile.model_dump()
    changed = tuple(k for k in new_fields if new_fields[k] != old_fields.get(k))
    if not changed:
        return None
    return unit.next_event(UnitAmended, ctx, profile=profile, changed=changed)


def move_unit(ctx: CommandContext, unit: Unit, new_parent: Unit) -> UnitMoved:
    """Decide a move in the tree. Territorial units do not move: a re-division gets new codes (GB/T 2260)."""
    _require_open(unit)
    if unit.kind == "territorial":
        raise Rejected("territorial-unit-fixed",
                       "a territorial unit does not move: a change of division gets a new 行政区划代码; "
                       "register the new unit and close the old one", basis="GB/T 2260")
    _check_parent(unit.kind, new_parent)
    if new_parent.id == unit.parent_id:
        raise Conflict("already-there", f"{unit.name} already sits under {new_parent.name}")
    return unit.next_event(
        UnitMoved, ctx, parent_id=new_parent.id, previous_parent_id=unit.parent_id,
        jurisdiction=new_parent.jurisdiction, previous_jurisdiction=unit.jurisdiction,
    )


def close_unit(ctx: CommandContext, unit: Unit, closure: Closure, reason: str, *,
               ban_basis: str | None = None, rules_version: str | None = None) -> UnitClosed:
    """Decide a closure (关闭) or ban (取缔); a ban cites ``ban_basis`` (四个一律, seed 000 ¶22) unless the command
    gave its own."""
    _require_open(unit)
    require(bool(reason.strip()), "reason-required", "a closure needs its reason", field="reason")
    basis = ctx.basis or (ban_basis if closure == Closure.banned else None)
    return unit.next_event(UnitClosed, ctx, closure=closure, reason=reason, basis=basis,
                           rules_version=rules_version if basis and not ctx.basis else None)


def grade_risk_colour(ctx: CommandContext, unit: Unit, colour: RiskColour, reason: str) -> RiskColourGraded | None:
    """Decide an enterprise's 红橙黄蓝 colour (seed 000 §9); ``None`` when it is unchanged."""
    _require_open(unit)
    require(unit.kind == "enterprise", "not-an-enterprise", "only enterprises are risk-graded", field="unit_id")
    require(bool(reason.strip()), "reason-required", "a risk grading needs its reason", field="reason")
    if unit.risk_colour == colour:
        return None
    return unit.next_event(RiskColourGraded, ctx, colour=colour, previous=unit.risk_colour, reason=reason)


def assign_supervision(
    ctx: CommandContext, unit: Unit, department: Unit, sector: str, clause: str, *,
    basis: str | None = None, rules_version: str | None = None,
) -> SupervisionAssigned | None:
    """Decide which department supervises an enterprise or intermediary (三管三必须, seed 000 §4)."""
    _require_open(unit)
    require(unit.kind in SUPERVISED_KINDS, "not-supervised", f"a {unit.kind} has no supervising department",
            field="unit_id")
    require(department.kind == "department", "not-a-department", f"{department.name} is not a department",
            field="department_id")
    require(department.closure is None, "department-closed", f"{department.name} is closed", field="department_id")
    current = unit.supervision
    if current and current.department_id == department.id and current.sector == sector:
        return None
    return unit.next_event(
        SupervisionAssigned, ctx, basis=basis, rules_version=rules_version,
        department_id=department.id, sector=sector, clause=clause,
        previous_department_id=current.department_id if current else None,
    )
