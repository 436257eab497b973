"""People: who they are (identity kept encrypted), their certificates, their safety trainings and their industry bans.

- 居民身份证号 is personal data: the event stores it sealed (encrypted by the application), masked and as a keyed
  digest for finding duplicates; only roles that need it see it whole.
- Certificates, with expiry: 安全生产知识和管理能力考核合格证 (安全生产法 第27条) and 特种作业操作证
  (安全生产法 第30条).
- Safety trainings (安全教育培训): the record the law asks for — when, what, how long and the assessment's result
  (安全生产法 第28条: 如实记录安全生产教育和培训的时间、内容、参加人员以及考核结果). New and moved workers get the
  three-level induction before they start (三级安全教育: seed 001 ¶18; dispatched and flexible workers too, seed 000
  ¶19); everyone in post at least one training a year (seed 001 ¶24).
- Industry bans (行业禁入): a main responsible person of a 重大/特别重大 liability accident may never again head a
  unit of the same industry (安全生产法 第94条; seed 000 §11); 5 years after a criminal penalty or dismissal
  (安全生产法 第94条; 493号令 第40条).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.calendar import local_day
from domain.errors import Conflict, NotFound
from domain.identifiers import mask_certificate_number

PERSON_NAMESPACE = UUID("a3d5e2f4-1b6c-4e8f-9d0a-7c5b3e1f2d44")
BAN_BASIS = "安全生产法 第94条"
TRAINING_BASIS = "安全生产法 第28条 (安全生产教育和培训档案)"


class CertificateKind(StrEnum):
    safety_management = "safety_management"
    """安全生产知识和管理能力考核合格证 (安全生产法 第27条)"""
    special_operation = "special_operation"
    """特种作业操作证 (安全生产法 第30条)"""


CERTIFICATE_TERMS = {"safety_management": "安全生产知识和管理能力考核合格证", "special_operation": "特种作业操作证"}


class Certificate(Frozen):
    number: str = Field(min_length=1, max_length=50)
    kind: CertificateKind
    operation: str | None = Field(default=None, description="特种作业类别, e.g. 电工作业, 焊接与热切割作业")
    issuer: str = Field(min_length=1)
    issued_on: date
    expires_on: date
    revoked: bool = False

    def valid_on(self, day: date) -> bool:
        return not self.revoked and self.issued_on <= day <= self.expires_on


class TrainingKind(StrEnum):
    induction = "induction"
    """三级安全教育: before a new or moved worker starts (seed 001 ¶18; seed 000 ¶19)"""
    refresher = "refresher"
    """在职人员每年至少接受一次安全知识培训 (seed 001 ¶24)"""
    campaign = "campaign"
    """a campaign's training and test of all staff (e.g. 组织全员集中培训和考试, seed 004 §三(一)1(1))"""


class Training(Frozen):
    """One safety training a person took part in, as the law asks it to be recorded (安全生产法 第28条)."""

    kind: TrainingKind
    course: str = Field(description="内容: what was taught")
    hours: int = Field(description="学时: hours of instruction")
    completed_on: date
    passed: bool = Field(description="考核结果: whether the person passed the training's assessment")


def trained_on(last: date | None, training: Training) -> date | None:
    """The last day a person completed a training they passed, after ``training`` (a failed one changes nothing)."""
    if not training.passed or (last is not None and last >= training.completed_on):
        return last
    return training.completed_on


class IndustryBan(Frozen):
    ban_id: UUID
    industry: str
    starts_on: date
    until: date | None = Field(description="last day of the ban; null for a lifetime ban (终身禁入)")
    reason: str
    lifted: bool = False

    def in_force_on(self, day: date) -> bool:
        return not self.lifted and self.starts_on <= day and (self.until is None or day <= self.until)


class Person(Aggregate):
    name: str
    id_number_masked: str
    id_number_sealed: str
    id_number_digest: str
    certificates: dict[str, Certificate] = Field(default_factory=dict)
    bans: tuple[IndustryBan, ...] = ()
    last_trained_on: date | None = None
    """The last day of a safety training the person passed (:func:`trained_on`)."""

    def shown(self, hidden: set[str]) -> dict[str, Any]:
        """Certificate numbers masked (``mask_certificate_number``): a 特种作业操作证 number embeds the 身份证号."""
        data = super().shown(hidden)
        data["certificates"] = {mask_certificate_number(number): {**c, "number": mask_certificate_number(number)}
                                for number, c in data["certificates"].items()}
        return data

    def banned_from(self, industry: str, day: date) -> IndustryBan | None:
        """The ban, if any, that keeps this person from heading a unit of ``industry`` on ``day``."""
        return next((b for b in self.bans if b.industry in (industry, "*") and b.in_force_on(day)), None)


class PersonRegistered(DomainEvent):
    """人员登记: a person known to the system; the identity number only sealed, masked and digested."""

    term = "人员登记"
    context = "people"
    redacted = frozenset({"id_number_sealed", "id_number_digest"})
    name: str
    id_number_masked: str
    id_number_sealed: str
    id_number_digest: str

    def apply(self, _: None) -> Person:
        return created(
            Person, self, name=self.name, id_number_masked=self.id_number_masked,
            id_number_sealed=self.id_number_sealed, id_number_digest=self.id_number_digest,
        )


class PersonRenamed(DomainEvent):
    """人员姓名变更: a corrected or changed name."""

    term = "人员姓名变更"
    context = "people"
    name: str

    def apply(self, state: Person) -> Person:
        return state.evolved(self, name=self.name)


class CertificateIssued(DomainEvent):
    """取得证书: a competence or special-operation certificate, with its validity."""

    term = "取得证书"
    context = "people"
    masked = frozenset({"certificate.number"})
    certificate: Certificate

    def apply(self, state: Person) -> Person:
        return state.evolved(self, certificates={**state.certificates, self.certificate.number: self.certificate})


class CertificateRevoked(DomainEvent):
    """证书撤销: the certificate is withdrawn or cancelled (注销)."""

    term = "证书撤销"
    context = "people"
    masked = frozenset({"number"})
    number: str
    reason: str

    def apply(self, state: Person) -> Person:
        cert = state.certificates[self.number].model_copy(update={"revoked": True})
        return state.evolved(self, certificates={**state.certificates, self.number: cert})


class TrainingRecorded(DomainEvent):
    """安全教育培训记录: a safety training the person took part in — kind, content, hours, day and the result of
    its assessment (安全生产法 第28条)."""

    term = "安全教育培训记录"
    context = "people"
    training: Training

    def apply(self, state: Person) -> Person:
        return state.evolved(self, last_trained_on=trained_on(state.last_trained_on, self.training))


class IndustryBanImposed(DomainEvent):
    """行业禁入: the person may not head a unit of the industry for the term, or for life."""

    term = "行业禁入"
    context = "people"
    ban: IndustryBan

    def apply(self, state: Person) -> Person:
        return state.evolved(self, bans=(*state.bans, self.ban))


class IndustryBanLifted(DomainEvent):
    """行业禁入解除: the ban ends early (e.g. the decision behind it was overturned)."""

    term = "行业禁入解除"
    context = "people"
    ban_id: UUID
    reason: str

    def apply(self, state: Person) -> Person:
        bans = tuple(b.model_copy(update={"lifted": True}) if b.ban_id == self.ban_id else b for b in state.bans)
        return state.evolved(self, bans=bans)


def person_id_for(id_number_digest: str) -> UUID:
    """A person's id follows from the digest of their identity number, so nobody is registered twice."""
    return uuid5(PERSON_NAMESPACE, id_number_digest)


def register_person(
    ctx: CommandContext, name: str, jurisdiction: str, sealed: str, masked: str, digest: str
) -> PersonRegistered:
    require(bool(name.strip()), "name-required", "a person needs a name", field="name")
    return first_event(
        PersonRegistered, ctx, id=person_id_for(digest), jurisdiction=jurisdiction, name=name.strip(),
        id_number_masked=masked, id_number_sealed=sealed, id_number_digest=digest,
    )


def rename_person(ctx: CommandContext, person: Person, name: str) -> PersonRenamed | None:
    require(bool(name.strip()), "name-required", "a person needs a name", field="name")
    if name.strip() == person.name:
        return None
    return person.next_event(PersonRenamed, ctx, name=name.strip())


def issue_certificate(ctx: CommandContext, person: Person, certificate: Certificate) -> CertificateIssued:
    if certificate.number in person.certificates:
        raise Conflict("certificate-exists",  # a refusal names the number masked, as every answer does
                       f"certificate {mask_certificate_number(certificate.number)} is already on record")
    require(certificate.expires_on > certificate.issued_on, "expiry-before-issue",
            "a certificate expires after it is issued", field="certificate.expires_on")
    require(certificate.kind != CertificateKind.special_operation or bool(certificate.operation),
            "operation-required", "a 特种作业操作证 names its operation (e.g. 电工作业)",
            field="certificate.operation", basis="安全生产法 第30条")
    return person.next_event(CertificateIssued, ctx, certificate=certificate.model_copy(update={"revoked": False}))


def revoke_certificate(ctx: CommandContext, person: Person, number: str, reason: str) -> CertificateRevoked:
    cert = person.certificates.get(number)
    if cert is None:
        raise NotFound("certificate-not-found", f"{person.name} has no certificate {mask_certificate_number(number)}")
    if cert.revoked:
        raise Conflict("certificate-revoked", f"certificate {mask_certificate_number(number)} is already revoked")
    require(bool(reason.strip()), "reason-required", "a revocation needs its reason", field="reason")
    return person.next_event(CertificateRevoked, ctx, number=number, reason=reason)


def record_training(ctx: CommandContext, person: Person, training: Training) -> TrainingRecorded:
    """Record a training once it has taken place (安全生产法 第28条: 如实记录)."""
    course = training.course.strip()
    require(bool(course), "course-required", "say what the training taught", field="training.course")
    require(training.hours >= 1, "hours-required", "a training lasts at least one hour", field="training.hours")
    require(training.completed_on <= local_day(ctx.effective_at), "training-not-held-yet",
            f"a training is recorded once it has taken place: {training.completed_on} is after "
            f"{local_day(ctx.effective_at)}", field="training.completed_on", basis=TRAINING_BASIS)
    return person.next_event(TrainingRecorded, ctx, training=training.model_copy(update={"course": course}),
                             basis=ctx.basis or TRAINING_BASIS)


def impose_industry_ban(
    ctx: CommandContext, person: Person, ban_id: UUID, industry: str, starts_on: date, years: int | None, reason: str
) -> IndustryBanImposed:
    """A term ban of ``years`` years, or a lifetime ban when ``years`` is ``None`` (安全生产法 第94条)."""
    require(bool(industry.strip()), "industry-required", "name the industry, or * for all", field="industry")
    require(years is None or years >= 1, "term-positive", "a ban lasts at least one year", field="years")
    require(bool(reason.strip()), "reason-required", "a ban needs its reason", field="reason")
    until = None if years is None else _add_years(starts_on, years)
    ban = IndustryBan(ban_id=ban_id, industry=industry, starts_on=starts_on, until=until, reason=reason)
    return person.next_event(IndustryBanImposed, ctx, ban=ban, basis=ctx.basis or BAN_BASIS)


def lift_industry_ban(ctx: CommandContext, person: Person, ban_id: UUID, reason: str) -> IndustryBanLifted:
    ban = next((b for b in person.bans if b.ban_id == ban_id), None)
    if ban is None:
        raise NotFound("ban-not-found", f"{person.name} has no ban {ban_id}")
    if ban.lifted:
        raise Conflict("ban-lifted", "this ban is already lifted")
    require(bool(reason.strip()), "reason-required", "lifting a ban needs its reason", field="reason")
    return person.next_event(IndustryBanLifted, ctx, ban_id=ban_id, reason=reason)


def _add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later, minus one day (a ban of 5 years from 2024-03-01 ends 2029-02-28)."""
    try:
        end = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + years, day=28)
    return end - timedelta(days=1)
