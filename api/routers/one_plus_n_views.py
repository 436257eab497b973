"""Response models of ``api.routers.one_plus_n``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.routers.accountability_views import ActView, NoticeRow, SlipRow, SummonsRow
from api.routers.blacklist_views import ListingView
from api.routers.hazards_views import HazardView
from api.routers.inspections_views import InspectionView
from api.routers.orders_views import OrderView, SuspensionView
from api.routers.organisation_views import UnitView
from api.routers.people_views import CertificateView
from api.routers.responsibility_views import DutyInForce


class CertificateThen(CertificateView):
    valid: bool = Field(description="valid on the as_of day (not revoked, issued, not expired)")


class PersonInPost(BaseModel):
    """Someone holding a post of the enterprise at ``as_of``, with their certificates."""

    person_id: UUID
    name: str | None
    post_id: UUID
    post_title: str | None
    post_kind: str | None
    requires: list[str] = Field(description="certificates the post requires (安全生产法 第27、30条)")
    held_from: datetime
    certificates: list[CertificateThen]


class OnePlusNSummary(BaseModel):
    hazards_open: int
    hazards_overdue: int
    major_hazards_open: int
    inspections: int
    last_inspected_at: datetime | None
    duties: int
    posts_vacant: int = Field(description="posts with duties and nobody holding them")
    certificates_invalid: int
    orders: int = Field(description="orders on the spot (现场处理措施) made on it by as_of")
    orders_open: int = Field(description="of them, not yet complied with")
    suspended: bool = Field(description="work suspended (停产停业) at as_of")
    blacklisted: bool = Field(description="on the blacklist (严重失信主体名单) on as_of's day")
    slips_open: int = Field(description="交办单/督办单 to it without a report-back at as_of")
    slips_late: int = Field(description="of its slips, late at as_of (unanswered past the deadline, or answered after)")
    summons: int = Field(description="约谈 of its leaders by as_of")
    notices: int = Field(description="提醒函/警示函/通报 naming it by as_of")
    accountability_acts: int = Field(description="问责 of people as holders of its posts, decided by as_of")


class UnitAccountability(BaseModel):
    """The acts of accountability that target the unit by as_of (seed 000 ¶6; docs/rules.md R9)."""

    slips: list[SlipRow]
    notices: list[NoticeRow]
    summons: list[SummonsRow]
    acts: list[ActView] = Field(description="问责 of people as holders of its posts, naming the post held then")


class OnePlusN(BaseModel):
    """The enterprise "1+N" ledger ("1+N" 电子台账): the master record and its thematic ledgers at one moment."""

    unit: UnitView
    summary: OnePlusNSummary
    hazards: list[HazardView]
    inspections: list[InspectionView]
    people: list[PersonInPost]
    duties: list[DutyInForce]
    orders: list[OrderView] = Field(description="its enforcement record: the orders made on it")
    suspensions: list[SuspensionView]
    blacklist: list[ListingView] = Field(description="its listings, with their state on as_of's day")
    accountability: UnitAccountability
