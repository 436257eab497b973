"""Responsibility lists: the duties of posts, each on a line of responsibility, published as versions.

- 责任清单 / 工作清单 (seed 000 §3–4; seed 002 §(一)–(三); seed 003): duties assigned to posts, revised, revoked.
- 全员安全生产责任制 (seed 001 §20; seed 002; seed 004): every position of an enterprise, including dispatched
  workers and interns, has its duties.
- Lines: entity (企业主体), supervisory (部门监管), territorial (属地), intermediary (中介, 安全生产法 第92条).
- A duty change takes effect at its effective time; publishing stamps the list's content as a numbered version
  with its document number (公开接受社会监督, seed 000 §4).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from uuid import UUID

import orjson
from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.bounds import FreeText
from domain.errors import Conflict, NotFound
from domain.posts import Post
from domain.references import PostRef
from domain.units import Unit


class Line(StrEnum):
    entity = "entity"
    supervisory = "supervisory"
    territorial = "territorial"
    intermediary = "intermediary"


LINE_TERMS = {"entity": "企业主体责任", "supervisory": "部门监管责任", "territorial": "属地管理责任",
              "intermediary": "中介机构责任"}
LINES_BY_UNIT_KIND: dict[str, set[str]] = {
    "territorial": {"territorial"},
    "department": {"supervisory"},
    "safety_committee": {"territorial", "supervisory"},
    "committee_office": {"territorial", "supervisory"},
    "special_committee": {"supervisory"},
    "enterprise": {"entity"},
    "intermediary": {"intermediary"},
}


class ListKind(StrEnum):
    duty_list = "duty_list"  # 责任清单/职责清单
    work_list = "work_list"  # 年度工作清单
    all_staff = "all_staff"  # 全员安全生产责任清单


LIST_TERMS = {"duty_list": "责任清单", "work_list": "工作清单", "all_staff": "全员安全生产责任清单"}


class DutyTerms(Frozen):
    """What a duty says: whose post, on which line, over what, and on which document it rests."""

    post_id: PostRef
    line: Line
    scope: tuple[str, ...] = Field(default=(), description="areas or sectors it covers (一岗双责 matching)")
    text: FreeText = Field(min_length=1, max_length=2000)
    source_document: str = Field(min_length=1, max_length=200, description="e.g. 泉港城管〔2022〕149号 §16")


class Duty(DutyTerms):
    duty_id: UUID


class ResponsibilityList(Aggregate):
    unit_id: UUID
    kind: ListKind
    year: int | None
    title: str
    duties: dict[str, Duty] = Field(default_factory=dict)
    published_version: int = 0
    published_digest: str | None = None


class ResponsibilityListOpened(DomainEvent):
    """编制清单: a unit starts a duty list, a year's work list or its all-staff list."""

    term = "编制清单"
    context = "responsibility"
    unit_id: UUID
    kind: ListKind
    year: int | None
    title: str

    def apply(self, _: None) -> ResponsibilityList:
        return created(ResponsibilityList, self, unit_id=self.unit_id, kind=self.kind, year=self.year,
                       title=self.title)


class DutyAssigned(DomainEvent):
    """明确职责: a duty given to a post from the effective date."""

    term = "明确职责"
    context = "responsibility"
    duty: Duty

    def apply(self, state: ResponsibilityList) -> ResponsibilityList:
        return state.evolved(self, duties={**state.duties, str(self.duty.duty_id): self.duty})


class DutyRevised(DomainEvent):
    """修订职责: the duty as it reads from the effective date."""

    term = "修订职责"
    context = "responsibility"
    duty: Duty
    changed: tuple[str, ...]

    def apply(self, state: ResponsibilityList) -> ResponsibilityList:
        return state.evolved(self, duties={**state.duties, str(self.duty.duty_id): self.duty})


class DutyRevoked(DomainEvent):
    """撤销职责: the duty ends at the effective date (it stays in the ledger for the time it held)."""

    term = "撤销职责"
    context = "responsibility"
    duty_id: UUID
    post_id: PostRef
    reason: str

    def apply(self, state: ResponsibilityList) -> ResponsibilityList:
        return state.evolved(self, duties={k: v for k, v in state.duties.items() if k != str(self.duty_id)})


class ResponsibilityListRelocated(DomainEvent):
    """清单随单位调整隶属: the list's unit moved in the tree, so the list now belongs to that jurisdiction."""

    term = "清单随单位调整隶属"
    context = "responsibility"
    jurisdiction: str
    previous_jurisdiction: str

    def apply(self, state: ResponsibilityList) -> ResponsibilityList:
        return state.evolved(self, jurisdiction=self.jurisdiction)


class ResponsibilityListPublished(DomainEvent):
    """清单印发: the list's current duties published as version N under a document number."""

    term = "清单印发"
    context = "responsibility"
    version: int
    document_no: str
    duty_ids: tuple[UUID, ...]
    digest: str

    def apply(self, state: ResponsibilityList) -> ResponsibilityList:
        return state.evolved(self, published_version=self.version, published_digest=self.digest)


def open_list(
    ctx: CommandContext, list_id: UUID, unit: Unit, kind: ListKind, year: int | None, title: str
) -> ResponsibilityListOpened:
    require(unit.closure is None, "unit-closed", f"{unit.name} is closed", field="unit_id")
    require(bool(title.strip()), "title-required", "a list needs a title", field="title")
    if kind == ListKind.all_staff:
        require(unit.kind in ("enterprise", "intermediary"), "all-staff-for-enterprises",
                "an all-staff list (全员安全生产责任清单) belongs to an enterprise", field="kind")
    if kind == ListKind.work_list:
        require(year is not None, "year-required", "a work list (工作清单) is for a year", field="year")
    if year is not None:
        require(2000 <= year <= 2100, "year-range", "the year must be between 2000 and 2100", field="year")
    return first_event(ResponsibilityListOpened, ctx, id=list_id, jurisdiction=unit.jurisdiction, unit_id=unit.id,
                       kind=kind, year=year, title=title.strip())


def _check_terms(lst: ResponsibilityList, unit: Unit, post: Post, terms: DutyTerms) -> None:
    require(post.unit_id == lst.unit_id, "post-of-other-unit",
            f"the post {post.title} belongs to another unit than this list's", field="post_id")
    require(not post.abolished, "post-abolished", f"the post {post.title} was abolished", field="post_id")
    allowed = LINES_BY_UNIT_KIND[unit.kind]
    require(terms.line.value in allowed, "wrong-line",
            f"a {unit.kind}'s duties lie on the {', '.join(sorted(allowed))} line, not {terms.line.value}",
            field="line")


def assign_duty(
    ctx: CommandContext, lst: ResponsibilityList, unit: Unit, post: Post, duty_id: UUID, terms: DutyTerms
) -> DutyAssigned:
    _check_terms(lst, unit, post, terms)
    duty = Duty(duty_id=duty_id, **terms.model_dump())
    return lst.next_event(DutyAssigned, ctx, duty=duty, basis=ctx.basis or terms.source_document)


def revise_duty(
    ctx: CommandContext, lst: ResponsibilityList, unit: Unit, post: Post, duty_id: UUID, terms: DutyTerms
) -> DutyRevised | None:
    current = lst.duties.get(str(duty_id))
    if current is None:
        raise NotFound("duty-not-found", f"the list has no current duty {duty_id}")
    _check_terms(lst, unit, post, terms)
    duty = Duty(duty_id=duty_id, **terms.model_dump())
    old, new = current.model_dump(), duty.model_dump()
    changed = tuple(k for k in new if new[k] != old[k])
    if not changed:
        return None
    return lst.next_event(DutyRevised, ctx, duty=duty, changed=changed, basis=ctx.basis or terms.source_document)


def revoke_duty(ctx: CommandContext, lst: ResponsibilityList, duty_id: UUID, reason: str) -> DutyRevoked:
    current = lst.duties.get(str(duty_id))
    if current is None:
        raise NotFound("duty-not-found", f"the list has no current duty {duty_id}")
    require(bool(reason.strip()), "reason-required", "revoking a duty needs its reason", field="reason")
    return lst.next_event(DutyRevoked, ctx, duty_id=duty_id, post_id=current.post_id, reason=reason)


def content_digest(duties: dict[str, Duty]) -> str:
    """SHA-256 over the list's duties in a canonical order: what exactly version N said."""
    canonical = [d.model_dump(mode="json") for _, d in sorted(duties.items())]
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def publish_list(ctx: CommandContext, lst: ResponsibilityList, document_no: str) -> ResponsibilityListPublished:
    require(bool(document_no.strip()), "document-required", "publishing needs the document number (文号)",
            field="document_no")
    require(bool(lst.duties), "empty-list", "a list without duties cannot be published", field="list_id")
    digest = content_digest(lst.duties)
    if digest == lst.published_digest:
        raise Conflict("unchanged-since-publication",
                       f"version {lst.published_version} already says exactly this; revise a duty first")
    return lst.next_event(
        ResponsibilityListPublished, ctx, version=lst.published_version + 1, document_no=document_no.strip(),
        duty_ids=tuple(d.duty_id for _, d in sorted(lst.duties.items())), digest=digest,
        basis=ctx.basis or document_no.strip(),
    )


def relocate_list(ctx: CommandContext, lst: ResponsibilityList, unit: Unit) -> ResponsibilityListRelocated | None:
    """Follow the list's unit to its new jurisdiction after a move."""
    if lst.jurisdiction == unit.jurisdiction:
        return None
    return lst.next_event(ResponsibilityListRelocated, ctx, jurisdiction=unit.jurisdiction,
                          previous_jurisdiction=lst.jurisdiction)
