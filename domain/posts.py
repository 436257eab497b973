"""Posts and who holds them: duties belong to the post, so a new holder inherits them (人员变更动态调整, seed 002).

- 党政同责: in a territorial unit both the party secretary and the government head are first responsible
  (《地方党政领导干部安全生产责任制规定》第四条, from cn-base@2024.9; seed 001 ¶3; the pack key
  ``posts.joint_responsibility.basis``).
- The main responsible person of an enterprise is its first responsible person (安全生产法 第5条; seed 000 §10).
- A post may require certificates (安全生产法 第27、30条); nobody is appointed without them, valid on the day.
- A person under an industry ban may not become main responsible person in that industry (安全生产法 第94条).
- 网格员: a post of a 镇/街道 or 村/社区 may be a grid member's, over the 网格 it names (the grids enterprises are
  registered in, ``EnterpriseProfile.grid``): 完善镇（街道）、村（社区）、生产经营单位三级安全生产网格化责任体系
  (seed 001 ¶13); 充分发挥网格员"巡查""宣传""报告"作用 (seed 002 ¶16).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.errors import Conflict, Rejected
from domain.people import CERTIFICATE_TERMS, CertificateKind, Person
from domain.rules import RulesPack
from domain.units import EnterpriseProfile, Unit


class PostKind(StrEnum):
    party_secretary = "party_secretary"  # 党委(党组)书记
    government_head = "government_head"  # 政府主要负责人: 区长、镇长、街道办主任、村委会主任
    deputy_leader = "deputy_leader"  # 分管领导 (一岗双责)
    department_head = "department_head"  # 部门主要负责人
    committee_head = "committee_head"  # 安委会/专委会主任
    main_responsible = "main_responsible"  # 企业主要负责人
    safety_manager = "safety_manager"  # 安全生产管理人员
    position = "position"  # 岗位 (all-staff list)


POST_TERMS = {
    "party_secretary": "党委(党组)书记", "government_head": "政府主要负责人", "deputy_leader": "分管领导",
    "department_head": "部门主要负责人", "committee_head": "安委会主任", "main_responsible": "主要负责人",
    "safety_manager": "安全生产管理人员", "position": "岗位",
}
LEADERSHIP = {"party_secretary", "government_head", "department_head", "committee_head", "main_responsible"}
"""Single-holder posts."""
FIRST_RESPONSIBLE_KINDS = {"party_secretary", "government_head", "main_responsible"}
ALLOWED_UNIT_KINDS: dict[str, set[str]] = {
    "party_secretary": {"territorial", "department"},
    "government_head": {"territorial"},
    "deputy_leader": {"territorial", "department", "enterprise", "intermediary"},
    "department_head": {"department"},
    "committee_head": {"safety_committee", "special_committee", "committee_office"},
    "main_responsible": {"enterprise", "intermediary"},
    "safety_manager": {"enterprise", "intermediary", "department"},
    "position": {"enterprise", "intermediary", "department", "territorial", "committee_office"},
}


class WorkerCategory(StrEnum):
    """全员: employees and also dispatched, flexible and intern workers (seed 000 ¶19–20; seed 004 §三(一)2(5))."""

    employee = "employee"
    dispatched = "dispatched"  # 劳务派遣
    flexible = "flexible"  # 灵活用工
    intern = "intern"  # 实习生


class RemovalReason(StrEnum):
    left = "left"
    transferred = "transferred"
    dismissed = "dismissed"
    retired = "retired"
    deceased = "deceased"
    other = "other"


class PostDefinition(Frozen):
    title: str = Field(min_length=1, max_length=100)
    kind: PostKind
    portfolio: tuple[str, ...] = Field(default=(), description="business areas (分管领域) for 一岗双责")
    requires: tuple[CertificateKind, ...] = ()
    category: WorkerCategory | None = Field(default=None, description="for all-staff positions")
    capacity: int | None = Field(default=None, ge=1, description="how many may hold it; null = unlimited")


class Holding(Frozen):
    person_id: UUID
    since: datetime


class Post(Aggregate):
    unit_id: UUID
    definition: PostDefinition
    first_responsible: bool
    holders: dict[str, Holding] = Field(default_factory=dict)
    abolished: bool = False
    grids: tuple[str, ...] = Field(default=(), description="网格 a grid member's post covers (none: not one)")

    @property
    def title(self) -> str:
        return self.definition.title


class PostEstablished(DomainEvent):
    """设立岗位: a post in a unit, with its kind, portfolio and what it requires."""

    term = "设立岗位"
    context = "responsibility"
    unit_id: UUID
    definition: PostDefinition
    first_responsible: bool

    def apply(self, _: None) -> Post:
        return created(Post, self, unit_id=self.unit_id, definition=self.definition,
                       first_responsible=self.first_responsible)


class PostRedefined(DomainEvent):
    """岗位调整: new title, portfolio (分工调整) or requirements; the duties stay with the post."""

    term = "岗位调整"
    context = "responsibility"
    definition: PostDefinition
    changed: tuple[str, ...]

    def apply(self, state: Post) -> Post:
        return state.evolved(self, definition=self.definition)


class HolderAppointed(DomainEvent):
    """任职: a person takes up the post from the effective date, and with it the post's duties."""

    term = "任职"
    context = "responsibility"
    person_id: UUID
    document: str | None = None

    def apply(self, state: Post) -> Post:
        holding = Holding(person_id=self.person_id, since=self.envelope.effective_at)
        return state.evolved(self, holders={**state.holders, str(self.person_id): holding})


class HolderRemoved(DomainEvent):
    """免职离岗: the person leaves the post; its duties stay with the post for the next holder."""

    term = "免职离岗"
    context = "responsibility"
    person_id: UUID
    reason: RemovalReason
    document: str | None = None

    def apply(self, state: Post) -> Post:
        holders = {k: v for k, v in state.holders.items() if k != str(self.person_id)}
        return state.evolved(self, holders=holders)


class PostRelocated(DomainEvent):
    """岗位随单位调整隶属: the post's unit moved in the tree, so the post now belongs to that jurisdiction."""

    term = "岗位随单位调整隶属"
    context = "responsibility"
    jurisdiction: str
    previous_jurisdiction: str

    def apply(self, state: Post) -> Post:
        return state.evolved(self, jurisdiction=self.jurisdiction)


class GridAssigned(DomainEvent):
    """网格员划定网格: the post is a grid member's (网格员) over these 网格, from the effective time; none: it is no
    longer one (seed 001 ¶13, seed 002 ¶16)."""

    term = "网格员划定网格"
    context = "responsibility"
    grids: tuple[str, ...] = Field(description="the 网格 covered, as enterprises' records name them")

    def apply(self, state: Post) -> Post:
        return state.evolved(self, grids=self.grids)


class PostAbolished(DomainEvent):
    """撤销岗位: the post no longer exists; its history stays."""

    term = "撤销岗位"
    context = "responsibility"
    reason: str

    def apply(self, state: Post) -> Post:
        return state.evolved(self, abolished=True)


def _check_definition(definition: PostDefinition, unit: Unit) -> PostDefinition:
    require(unit.kind in ALLOWED_UNIT_KINDS[definition.kind], "post-kind-not-allowed",
            f"a {POST_TERMS[definition.kind]} post does not exist in a {unit.kind}", field="definition.kind")
    if definition.kind in LEADERSHIP:
        require(definition.capacity in (None, 1), "single-holder",
                f"a {POST_TERMS[definition.kind]} post has exactly one holder", field="definition.capacity")
        definition = definition.model_copy(update={"capacity": 1})
    if definition.category is not None:
        require(definition.kind == PostKind.position, "category-for-positions",
                "worker categories apply to all-staff positions", field="definition.category")
    return definition


def establish_post(
    ctx: CommandContext, post_id: UUID, unit: Unit, definition: PostDefinition, first_responsible: bool = False,
    *, pack: RulesPack,
) -> PostEstablished:
    """Decide a new post. The party secretary and government head of a territorial unit, and an enterprise's main
    responsible person, are first responsible whatever the request says (党政同责; 安全生产法 第5条); a position
    for dispatched, flexible or intern workers belongs to 全员 (seed 000 ¶19–20). The basis comes from ``pack``."""
    require(unit.closure is None, "unit-closed", f"{unit.name} is closed", field="unit_id")
    definition = _check_definition(definition, unit)
    forced = definition.kind in FIRST_RESPONSIBLE_KINDS and (
        unit.kind == "territorial" or definition.kind == PostKind.main_responsible
    )
    basis: str | None = None
    if forced:
        key = "posts.joint_responsibility.basis" if unit.kind == "territorial" else "posts.main_responsible.basis"
        basis = pack[key]
    elif definition.category is not None and definition.category != WorkerCategory.employee:
        basis = pack["posts.all_staff.basis"]
    return first_event(
        PostEstablished, ctx, id=post_id, jurisdiction=unit.jurisdiction, basis=ctx.basis or basis,
        rules_version=pack.version_tag if basis else None,
        unit_id=unit.id, definition=definition, first_responsible=first_responsible or forced,
    )


def redefine_post(ctx: CommandContext, post: Post, unit: Unit, definition: PostDefinition) -> PostRedefined | None:
    _require_open(post)
    require(definition.kind == post.definition.kind, "kind-unchanged",
            "a post's kind does not change: abolish it and establish another", field="definition.kind")
    definition = _check_definition(definition, unit)
    if definition.capacity is not None:
        require(len(post.holders) <= definition.capacity, "capacity-below-holders",
                f"{post.title} has {len(post.holders)} holders, more than the new capacity",
                field="definition.capacity")
    old, new = post.definition.model_dump(), definition.model_dump()
    changed = tuple(k for k in new if new[k] != old[k])
    if not changed:
        return None
    return post.next_event(PostRedefined, ctx, definition=definition, changed=changed)


def _require_open(post: Post) -> None:
    if post.abolished:
        raise Conflict("post-abolished", f"the post {post.title} was abolished")


def appoint(
    ctx: CommandContext, post: Post, unit: Unit, person: Person, document: str | None = None
) -> HolderAppointed:
    """Decide an appointment effective ``ctx.effective_at``."""
    _require_open(post)
    require(unit.closure is None, "unit-closed", f"{unit.name} is closed", field="post_id")
    if str(person.id) in post.holders:
        raise Conflict("already-holds", f"{person.name} already holds {post.title}")
    capacity = post.definition.capacity
    if capacity is not None and len(post.holders) >= capacity:
        raise Conflict("post-occupied",
                       f"{post.title} is held already; remove the holder first or appoint with replaces=<person>")
    day = ctx.effective_at.date()
    for kind in post.definition.requires:
        valid = [c for c in person.certificates.values() if c.kind == kind and c.valid_on(day)]
        require(bool(valid), "certificate-required",
                f"{person.name} holds no {CERTIFICATE_TERMS[kind]} valid on {day}, which {post.title} requires",
                field="person_id", basis="安全生产法 第27、30条")
    if post.definition.kind == PostKind.main_responsible and isinstance(unit.profile, EnterpriseProfile):
        ban = person.banned_from(unit.profile.sector, day)
        if ban is not None:
            until = "for life" if ban.until is None else f"until {ban.until}"
            raise Rejected("industry-ban",
                           f"{person.name} is banned from heading a unit of {ban.industry} {until}: {ban.reason}",
                           field="person_id", basis="安全生产法 第94条")
    return post.next_event(HolderAppointed, ctx, person_id=person.id, document=document)


def remove_holder(
    ctx: CommandContext, post: Post, person_id: UUID, reason: RemovalReason, document: str | None = None
) -> HolderRemoved:
    """Decide that a person leaves a post, effective ``ctx.effective_at``."""
    holding = post.holders.get(str(person_id))
    if holding is None:
        raise Conflict("not-a-holder", f"that person does not hold {post.title}")
    require(ctx.effective_at >= holding.since, "removal-before-appointment",
            f"the removal would take effect before the appointment ({holding.since.date()})", field="effective_at")
    return post.next_event(HolderRemoved, ctx, person_id=person_id, reason=reason, document=document)


GRID_BASIS = ("惠政文〔2014〕53号 ¶13 (镇、村、生产经营单位三级网格化责任体系); "
              "肥安发〔2024〕4号 ¶16 (网格员巡查、宣传、报告)")
GRID_POST_KINDS = frozenset({PostKind.position, PostKind.deputy_leader})
"""A grid member holds a post of the territory's staff or a 村(居)委 member's (seed 001 ¶13: 安全生产协管员); the
party secretary and the head lead the grid system (党政同责网格化监管领导体制), they are not its members."""


def assign_grids(ctx: CommandContext, post: Post, unit: Unit, grids: tuple[str, ...]) -> GridAssigned:
    """Make the post a grid member's over ``grids`` (replacing the grids it had; none: no longer one): a post of a
    territorial unit — grids belong to the 镇/街道 and 村/社区 (seed 001 ¶13, seed 002 ¶16) —, of the staff or a
    member's kind, open."""
    _require_open(post)
    require(unit.kind == "territorial", "grid-outside-territory",
            f"{unit.name} is a {unit.kind}: grid members belong to a 镇/街道 or 村/社区", field="post_id",
            basis=GRID_BASIS)
    require(post.definition.kind in GRID_POST_KINDS, "grid-post-kind",
            f"a {POST_TERMS[post.definition.kind]} leads the grid system and is not a grid member",
            field="post_id", basis=GRID_BASIS)
    cleaned = tuple(dict.fromkeys(g.strip() for g in grids if g.strip()))
    if cleaned == post.grids:
        raise Conflict("grids-unchanged", f"{post.title} covers these grids already")
    return post.next_event(GridAssigned, ctx, basis=GRID_BASIS, grids=cleaned)


def abolish_post(ctx: CommandContext, post: Post, reason: str) -> PostAbolished:
    _require_open(post)
    require(not post.holders, "post-held", f"{post.title} still has holders: remove them first", field="post_id")
    require(bool(reason.strip()), "reason-required", "abolishing a post needs its reason", field="reason")
    return post.next_event(PostAbolished, ctx, reason=reason)


def relocate_post(ctx: CommandContext, post: Post, unit: Unit) -> PostRelocated | None:
    """Follow the post's unit to its new jurisdiction after a move."""
    if post.jurisdiction == unit.jurisdiction:
        return None
    return post.next_event(PostRelocated, ctx, jurisdiction=unit.jurisdiction,
                           previous_jurisdiction=post.jurisdiction)
