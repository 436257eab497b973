"""Acts of accountability (失职追责): slips, letters, circulars and summons to units; accountability of persons.

Sources (docs/rules.md R9; docs/glossary.md "Accountability"):

- 交办单 (assignment slip) — seed 000 ¶6: 建立安全生产重大风险和突出问题交办单制度; 督办 (supervision slip) — seed 000
  ¶6 (挂牌督办), seed 004 §五(三) (督促). A slip goes to a department, town or enterprise with a deadline and asks
  for a report-back (办结反馈); a reply late or missing is flagged once by the policy worker.
- 提醒函 / 警示函, 通报 (circular, criticism), 约谈 (summons of a unit's leaders, with its record and the
  commitments made) — seed 002 §(一)3 (警示通报、约谈提醒), seed 004 §五(三) (约谈、问责), seed 004 §三(三)4 (通报批评).
- Accountability of a person (问责) — 《地方党政领导干部安全生产责任制规定》(2018): the forms 通报、诫勉、停职检查、
  调整职务、责令辞职、降职、免职、处分 (article number unverified); no leadership liability where an investigation finds
  every duty performed (尽职免责, 第二十三条: 经查实已经全面履行了本规定第二章所规定职责…不予追究…领导责任).
  Each act names the person **as holder of a post at a time**: :func:`held_post` reads it from the post's own
  events (the appointment that began the holding), never from what a caller typed; after the person left the post
  the act still names the post held then. Each act rests on a finding: an investigation's finding, a slip's overdue
  flag, an assessment veto, an oversight flag.
- Commendation (表彰) and the bar on commendation and promotion for a leader held responsible: the act carries the
  period its decision set (``barred_until``); no seed or law figure is assumed here. The bar is the 规定's
  "在相关规定时限内，取消考核评优和评选各类先进资格，不得晋升职务、级别或者重用任职" (the pack key
  ``accountability.bar.basis``; article number unverified): a commendation is refused, and so is an appointment to a
  higher post (:func:`is_promotion`, :func:`refuse_promotion`) while the bar covers the day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.calendar import local_day
from domain.errors import Conflict, Rejected
from domain.posts import HolderAppointed, HolderRemoved, Post
from domain.references import RecordRef
from domain.rules.assessment_veto import VetoFinding as VetoJudgement
from domain.units import Unit

RECORD_NAMESPACE = UUID("3d8c2f5a-7b14-4e9d-a06c-5f2e8b1d7c43")

SLIP_BASIS = "泉港城管〔2022〕149号 ¶6 (建立安全生产重大风险和突出问题交办单制度)"
NOTICE_BASIS = "肥安发〔2024〕4号 §(一)3 (警示通报、约谈提醒); 方积政发〔2023〕11号 §五(三) (约谈、问责)"
ACCOUNTABILITY_BASIS = ("《地方党政领导干部安全生产责任制规定》(2018): 通报、诫勉、停职检查、调整职务、责令辞职、降职、"
                        "免职、处分 (article number unverified)")
EXONERATION_BASIS = "《地方党政领导干部安全生产责任制规定》第二十三条 (尽职免责)"
SLIP_TARGETS = frozenset({"department", "territorial", "enterprise", "intermediary"})
ISSUERS = frozenset({"territorial", "department", "safety_committee", "committee_office", "special_committee"})


class SlipKind(StrEnum):
    assignment = "assignment"  # 交办单
    supervision = "supervision"  # 督办单


SLIP_TERMS = {"assignment": "交办单", "supervision": "督办单"}


class NoticeKind(StrEnum):
    reminder_letter = "reminder_letter"  # 提醒函
    warning_letter = "warning_letter"  # 警示函
    circular = "circular"  # 通报 (批评)


NOTICE_TERMS = {"reminder_letter": "提醒函", "warning_letter": "警示函", "circular": "通报"}


class AccountabilityForm(StrEnum):
    """The forms of 问责 of 《地方党政领导干部安全生产责任制规定》, mildest first."""

    circular = "circular"  # 通报
    admonition = "admonition"  # 诫勉 (诫勉谈话)
    suspension = "suspension"  # 停职检查
    reassignment = "reassignment"  # 调整职务
    ordered_resignation = "ordered_resignation"  # 责令辞职
    demotion = "demotion"  # 降职
    dismissal = "dismissal"  # 免职
    sanction = "sanction"  # 处分


FORM_TERMS = {"circular": "通报", "admonition": "诫勉", "suspension": "停职检查", "reassignment": "调整职务",
              "ordered_resignation": "责令辞职", "demotion": "降职", "dismissal": "免职", "sanction": "处分"}


class FindingKind(StrEnum):
    """What an act rests on, and the kind of record that holds it."""

    investigation = "investigation"  # 事故调查认定
    slip_overdue = "slip_overdue"  # 交办/督办逾期
    assessment_veto = "assessment_veto"  # 考核一票否决
    oversight_flag = "oversight_flag"  # 督查提示


FINDING_TERMS = {"investigation": "事故调查认定", "slip_overdue": "交办督办逾期", "assessment_veto": "考核一票否决",
                 "oversight_flag": "督查提示"}
FINDING_RECORDS = {"investigation": "Investigation", "slip_overdue": "Slip", "assessment_veto": "VetoFinding",
                   "oversight_flag": "Flag"}
"""The aggregate type each kind of finding names."""


class FindingRef(Frozen):
    """The finding an act rests on: a record (and, for an investigation, the number of its finding)."""

    kind: FindingKind
    record_id: RecordRef
    finding_no: int | None = Field(default=None, ge=1, description="the investigation's finding (required there)")


class HeldPost(Frozen):
    """A person as holder of a post at a time — read from the post's events, never typed in."""

    person_id: UUID
    post_id: UUID
    post_title: str
    post_kind: str
    unit_id: UUID
    appointment_id: UUID
    """The id of the HolderAppointed event that began the holding (the responsibility ledger's row)."""
    held_from: datetime
    held_to: datetime | None
    at: datetime


def held_post(post: Post, history: list[DomainEvent], person_id: UUID, at: datetime) -> HeldPost:
    """The holding of ``post`` by ``person_id`` that covers ``at``, from the post's events in effective order."""
    spells: list[tuple[HolderAppointed, datetime | None]] = []
    for event in sorted(history, key=lambda e: (e.effective_at, e.originator_version)):
        if isinstance(event, HolderAppointed) and event.person_id == person_id:
            spells.append((event, None))
        elif isinstance(event, HolderRemoved) and event.person_id == person_id and spells and spells[-1][1] is None:
            spells[-1] = (spells[-1][0], event.effective_at)
    for appointed, until in spells:
        if appointed.effective_at <= at and (until is None or at < until):
            return HeldPost(person_id=person_id, post_id=post.id, post_title=post.title,
                            post_kind=post.definition.kind, unit_id=post.unit_id, appointment_id=appointed.id,
                            held_from=appointed.effective_at, held_to=until, at=at)
    raise Rejected("not-holder-at-time", f"the person did not hold the post {post.title} at {at.isoformat()}",
                   field="held_at")


# --- slips (交办单 / 督办单) -------------------------------------------------------------------------------------


class Slip(Aggregate):
    kind: SlipKind
    issuer_unit_id: UUID
    target_unit_id: UUID
    matter: str
    deadline: datetime
    answered_at: datetime | None = None
    report: str | None = None
    late_flagged: bool = False


class SlipIssued(DomainEvent):
    """交办单/督办单: a matter handed to a unit, with a deadline and a report-back due (seed 000 ¶6)."""

    term = "交办单/督办单"
    context = "accountability"
    kind: SlipKind
    issuer_unit_id: UUID
    target_unit_id: UUID
    matter: str
    deadline: datetime

    def apply(self, _: None) -> Slip:
        return created(Slip, self, kind=self.kind, issuer_unit_id=self.issuer_unit_id,
                       target_unit_id=self.target_unit_id, matter=self.matter, deadline=self.deadline)


class SlipAnswered(DomainEvent):
    """办结反馈: the unit reports what it did; effective when the report came in."""

    term = "办结反馈"
    context = "accountability"
    report: str
    late: bool

    def apply(self, state: Slip) -> Slip:
        return state.evolved(self, answered_at=self.effective_at, report=self.report)


class SlipReplyLate(DomainEvent):
    """办结反馈逾期: the deadline passed without a report-back, or the report came after it (policy, once)."""

    term = "办结反馈逾期"
    context = "accountability"
    deadline: datetime
    answered: bool

    def apply(self, state: Slip) -> Slip:
        return state.evolved(self, late_flagged=True)


def issue_slip(ctx: CommandContext, slip_id: UUID, kind: SlipKind, issuer: Unit, target: Unit, matter: str,
               deadline: datetime) -> SlipIssued:
    require(issuer.kind in ISSUERS, "not-an-issuer", f"{issuer.name} is a {issuer.kind}: slips come from a government, "
            "a department or a committee", field="issuer_unit_id")
    require(target.kind in SLIP_TARGETS, "not-a-slip-target",
            f"{target.name} is a {target.kind}: a slip goes to a department, town or enterprise",
            field="target_unit_id")
    require(target.closure is None, "unit-closed", f"{target.name} is closed", field="target_unit_id")
    require(bool(matter.strip()), "matter-required", "say what the slip hands over", field="matter")
    require(deadline > ctx.effective_at, "deadline-passed", "the deadline must lie after the slip is issued",
            field="deadline")
    return first_event(SlipIssued, ctx, id=slip_id, jurisdiction=target.jurisdiction, basis=ctx.basis or SLIP_BASIS,
                       kind=kind, issuer_unit_id=issuer.id, target_unit_id=target.id, matter=matter.strip(),
                       deadline=deadline)


def answer_slip(ctx: CommandContext, slip: Slip, report: str) -> SlipAnswered:
    if slip.answered_at is not None:
        raise Conflict("already-answered", "the slip was answered already")
    require(bool(report.strip()), "report-required", "the report-back says what was done", field="report")
    return slip.next_event(SlipAnswered, ctx, report=report.strip(), late=ctx.effective_at > slip.deadline)


def flag_late_reply(ctx: CommandContext, slip: Slip, now: datetime) -> SlipReplyLate | None:
    """The policy's decision: a slip whose deadline passed unanswered, or answered after it, is flagged once,
    effective at the deadline; ``None`` otherwise."""
    if slip.late_flagged or now <= slip.deadline:
        return None
    if slip.answered_at is not None and slip.answered_at <= slip.deadline:
        return None
    return slip.next_event(SlipReplyLate, ctx, basis=SLIP_BASIS, deadline=slip.deadline,
                           answered=slip.answered_at is not None, effective_at=slip.deadline)


# --- letters and circulars (提醒函 / 警示函 / 通报) ------------------------------------------------------------------


class Notice(Aggregate):
    kind: NoticeKind
    issuer_unit_id: UUID
    target_unit_ids: tuple[UUID, ...]
    matter: str
    finding: FindingRef | None


class NoticeIssued(DomainEvent):
    """提醒函/警示函/通报: a letter to a unit, or a circular naming units, on a matter (and a finding)."""

    term = "提醒函/警示函/通报"
    context = "accountability"
    kind: NoticeKind
    issuer_unit_id: UUID
    target_unit_ids: tuple[UUID, ...]
    matter: str
    finding: FindingRef | None = None

    def apply(self, _: None) -> Notice:
        return created(Notice, self, kind=self.kind, issuer_unit_id=self.issuer_unit_id,
                       target_unit_ids=self.target_unit_ids, matter=self.matter, finding=self.finding)


def issue_notice(ctx: CommandContext, notice_id: UUID, kind: NoticeKind, issuer: Unit, targets: list[Unit],
                 matter: str, finding: FindingRef | None) -> NoticeIssued:
    require(issuer.kind in ISSUERS, "not-an-issuer", f"{issuer.name} is a {issuer.kind}: letters and circulars come "
            "from a government, a department or a committee", field="issuer_unit_id")
    require(bool(targets), "targets-required", "name the unit(s) it concerns", field="target_unit_ids")
    require(len({t.id for t in targets}) == len(targets), "duplicate-target", "a unit is named twice",
            field="target_unit_ids")
    require(kind == NoticeKind.circular or len(targets) == 1, "one-addressee",
            "a letter goes to one unit; a circular may name several", field="target_unit_ids")
    require(bool(matter.strip()), "matter-required", "say what it is about", field="matter")
    return first_event(NoticeIssued, ctx, id=notice_id, jurisdiction=issuer.jurisdiction,
                       basis=ctx.basis or NOTICE_BASIS, kind=kind, issuer_unit_id=issuer.id,
                       target_unit_ids=tuple(t.id for t in targets), matter=matter.strip(), finding=finding)


# --- summons (约谈) ---------------------------------------------------------------------------------------------


class Commitment(Frozen):
    no: int
    text: str
    due: date
    kept: bool | None = None
    follow_up: str | None = None


class Summons(Aggregate):
    issuer_unit_id: UUID
    target_unit_id: UUID
    summoned: tuple[HeldPost, ...]
    record: str
    commitments: tuple[Commitment, ...]
    finding: FindingRef | None


class SummonsHeld(DomainEvent):
    """约谈: a unit's or a town's leaders summoned — who (as holders of which posts), when (the effective time), the
    record, and the commitments they made with their due dates."""

    term = "约谈"
    context = "accountability"
    issuer_unit_id: UUID
    target_unit_id: UUID
    summoned: tuple[HeldPost, ...]
    record: str
    commitments: tuple[Commitment, ...]
    finding: FindingRef | None = None

    def apply(self, _: None) -> Summons:
        return created(Summons, self, issuer_unit_id=self.issuer_unit_id, target_unit_id=self.target_unit_id,
                       summoned=self.summoned, record=self.record, commitments=self.commitments,
                       finding=self.finding)


class CommitmentFollowedUp(DomainEvent):
    """约谈承诺跟踪: whether a commitment made at a summons was kept, and what the follow-up found."""

    term = "约谈承诺跟踪"
    context = "accountability"
    no: int
    kept: bool
    note: str

    def apply(self, state: Summons) -> Summons:
        commitments = tuple(c.model_copy(update={"kept": self.kept, "follow_up": self.note}) if c.no == self.no
                            else c for c in state.commitments)
        return state.evolved(self, commitments=commitments)


def hold_summons(ctx: CommandContext, summons_id: UUID, issuer: Unit, target: Unit, summoned: list[HeldPost],
                 record: str, commitments: list[tuple[str, date]], finding: FindingRef | None) -> SummonsHeld:
    require(issuer.kind in ISSUERS, "not-an-issuer", f"{issuer.name} is a {issuer.kind}: a summons comes from a "
            "government, a department or a committee", field="issuer_unit_id")
    require(bool(summoned), "summoned-required", "name who was summoned", field="summoned")
    require(all(s.unit_id == target.id for s in summoned), "not-of-the-unit",
            f"everyone summoned holds a post of {target.name}", field="summoned")
    require(bool(record.strip()), "record-required", "the summons has its record (约谈记录)", field="record")
    for text, due in commitments:
        require(bool(text.strip()), "commitment-empty", "a commitment says what was promised", field="commitments")
        require(due >= local_day(ctx.effective_at), "commitment-due-passed",
                "a commitment falls due after the summons", field="commitments")
    return first_event(SummonsHeld, ctx, id=summons_id, jurisdiction=target.jurisdiction,
                       basis=ctx.basis or NOTICE_BASIS, issuer_unit_id=issuer.id, target_unit_id=target.id,
                       summoned=tuple(summoned), record=record.strip(), finding=finding,
                       commitments=tuple(Commitment(no=n, text=text.strip(), due=due)
                                         for n, (text, due) in enumerate(commitments, start=1)))


def follow_up(ctx: CommandContext, summons: Summons, no: int, kept: bool, note: str) -> CommitmentFollowedUp:
    commitment = next((c for c in summons.commitments if c.no == no), None)
    require(commitment is not None, "no-such-commitment", f"the summons has no commitment {no}", field="no")
    assert commitment is not None
    if commitment.kept is not None:
        raise Conflict("already-followed-up", f"commitment {no} was followed up already")
    require(bool(note.strip()), "note-required", "say what the follow-up found", field="note")
    return summons.next_event(CommitmentFollowedUp, ctx, no=no, kept=kept, note=note.strip())


# --- the assessment veto (一票否决, seed 001 ¶30) -----------------------------------------------------------------


class IllegalAct(Aggregate):
    unit_id: UUID
    territory_id: UUID
    department_id: UUID | None
    description: str
    large_impact: bool


class IllegalActRecorded(DomainEvent):
    """非法违法生产经营建设行为: an illegal production, operation or construction act of a unit, with whether it had a
    large impact (造成较大影响) — what seed 001 ¶30 counts per town and year. Effective when it happened."""

    term = "非法违法生产经营建设行为"
    context = "accountability"
    unit_id: UUID
    territory_id: UUID
    department_id: UUID | None
    description: str
    large_impact: bool

    def apply(self, _: None) -> IllegalAct:
        return created(IllegalAct, self, unit_id=self.unit_id, territory_id=self.territory_id,
                       department_id=self.department_id, description=self.description,
                       large_impact=self.large_impact)


def record_illegal_act(ctx: CommandContext, act_id: UUID, unit: Unit, territory: Unit, description: str,
                       large_impact: bool, basis: str | None) -> IllegalActRecorded:
    require(unit.kind in ("enterprise", "intermediary"), "not-a-production-unit",
            f"{unit.name} is a {unit.kind}: the acts counted are those of 生产经营单位", field="unit_id")
    require(bool(description.strip()), "description-required", "say what the act was", field="description")
    return first_event(IllegalActRecorded, ctx, id=act_id, jurisdiction=unit.jurisdiction,
                       basis=ctx.basis or basis, unit_id=unit.id, territory_id=territory.id,
                       department_id=unit.supervision.department_id if unit.supervision else None,
                       description=description.strip(), large_impact=large_impact)


class VetoFinding(Aggregate):
    territory_id: UUID
    year: int
    consequence: str


class AssessmentVetoFound(DomainEvent):
    """考核一票否决认定: a town's calendar year reached a consequence of the assessment veto (seed 001 ¶30) —
    分管领导诫勉谈话, 党政主要领导诫勉谈话 or 一票否决 of the town and the departments concerned; found once by the
    policy, with the counts that reached it. The admonitions themselves are acts of accountability resting on it."""

    term = "考核一票否决认定"
    context = "accountability"
    territory_id: UUID
    year: int
    consequence: str
    illegal_acts: int
    fatal_accidents: int
    department_ids: tuple[UUID, ...]
    reasons: tuple[str, ...]

    def apply(self, _: None) -> VetoFinding:
        return created(VetoFinding, self, territory_id=self.territory_id, year=self.year,
                       consequence=self.consequence)


def veto_finding_id(territory_id: UUID, year: int, consequence: str) -> UUID:
    return uuid5(RECORD_NAMESPACE, f"veto:{territory_id}:{year}:{consequence}")


def find_veto(ctx: CommandContext, territory: Unit, year: int, finding: VetoJudgement, consequence: str,
              department_ids: tuple[UUID, ...], rules_version: str) -> AssessmentVetoFound | None:
    """The event for one consequence the year's finding carries; ``None`` when it does not carry it."""
    if consequence not in finding.consequences:
        return None
    return first_event(AssessmentVetoFound, ctx, id=veto_finding_id(territory.id, year, consequence),
                       jurisdiction=territory.jurisdiction, basis=finding.rule.basis, rules_version=rules_version,
                       territory_id=territory.id, year=year, consequence=consequence,
                       illegal_acts=finding.illegal_acts, fatal_accidents=finding.fatal_accidents,
                       department_ids=department_ids, reasons=finding.reasons)


# --- a person's record: accountability, 尽职免责, commendation -------------------------------------------------


class Act(Frozen):
    """An act of accountability against a person as holder of a post at a time, on a finding."""

    no: int
    form: AccountabilityForm
    held: HeldPost
    finding: FindingRef
    issuer_unit_id: UUID
    decided_on: date
    document: str
    barred_until: date | None = None
    """The end of the bar on commendation and promotion the decision set (none if it set none)."""


class Exoneration(Frozen):
    """尽职免责: an investigation found every duty of the post performed."""

    no: int
    held: HeldPost
    finding: FindingRef
    decided_on: date


class Commendation(Frozen):
    no: int
    title: str
    awarded_on: date
    issuer_unit_id: UUID


class PersonalRecord(Aggregate):
    """One person's accountability record: every act, exoneration and commendation."""

    person_id: UUID
    acts: tuple[Act, ...] = ()
    exonerations: tuple[Exoneration, ...] = ()
    commendations: tuple[Commendation, ...] = ()

    def barred_on(self, day: date) -> Act | None:
        """The act whose bar on commendation and promotion covers ``day``, if any."""
        return next((a for a in self.acts if a.barred_until is not None and a.decided_on <= day < a.barred_until),
                    None)


def record_id(person_id: UUID) -> UUID:
    return uuid5(RECORD_NAMESPACE, str(person_id))


class AccountabilityImposed(DomainEvent):
    """问责: 通报、诫勉、停职检查、调整职务、责令辞职、降职、免职 or 处分 of a person as holder of a post at a time,
    on a finding (《地方党政领导干部安全生产责任制规定》)."""

    term = "问责"
    context = "accountability"
    person_id: UUID
    act: Act

    def apply(self, state: PersonalRecord | None) -> PersonalRecord:
        if state is None:
            return created(PersonalRecord, self, person_id=self.person_id, acts=(self.act,))
        return state.evolved(self, acts=(*state.acts, self.act))


class DutiesFoundPerformed(DomainEvent):
    """尽职免责: an investigation found every duty of the post performed; no leadership liability (第二十三条)."""

    term = "尽职免责"
    context = "accountability"
    person_id: UUID
    exoneration: Exoneration

    def apply(self, state: PersonalRecord | None) -> PersonalRecord:
        if state is None:
            return created(PersonalRecord, self, person_id=self.person_id, exonerations=(self.exoneration,))
        return state.evolved(self, exonerations=(*state.exonerations, self.exoneration))


class Commended(DomainEvent):
    """表彰: a commendation of the person; refused while a bar on commendation covers the day."""

    term = "表彰"
    context = "accountability"
    person_id: UUID
    commendation: Commendation

    def apply(self, state: PersonalRecord | None) -> PersonalRecord:
        if state is None:
            return created(PersonalRecord, self, person_id=self.person_id, commendations=(self.commendation,))
        return state.evolved(self, commendations=(*state.commendations, self.commendation))


def _record_event(ctx: CommandContext, record: PersonalRecord | None, person_id: UUID, jurisdiction: str,
                  cls: type[AccountabilityImposed] | type[DutiesFoundPerformed] | type[Commended], basis: str,
                  **fields: Any) -> AccountabilityImposed | DutiesFoundPerformed | Commended:
    if record is None:
        return first_event(cls, ctx, id=record_id(person_id), jurisdiction=jurisdiction, basis=ctx.basis or basis,
                           person_id=person_id, **fields)
    return record.next_event(cls, ctx, basis=ctx.basis or basis, person_id=person_id, **fields)


def _next_no(record: PersonalRecord | None) -> int:
    if record is None:
        return 1
    return len(record.acts) + len(record.exonerations) + len(record.commendations) + 1


def impose(ctx: CommandContext, record: PersonalRecord | None, jurisdiction: str, held: HeldPost,
           form: AccountabilityForm, finding: FindingRef, issuer: Unit, document: str,
           barred_until: date | None) -> AccountabilityImposed:
    require(issuer.kind in ISSUERS, "not-an-issuer", f"{issuer.name} is a {issuer.kind}: accountability is decided "
            "by a government, a department or a committee", field="issuer_unit_id")
    require(bool(document.strip()), "document-required", "name the decision (文号)", field="document")
    decided_on = local_day(ctx.effective_at)
    require(barred_until is None or barred_until > decided_on, "bar-in-the-past",
            "the bar on commendation and promotion ends after the decision", field="barred_until")
    act = Act(no=_next_no(record), form=form, held=held, finding=finding, issuer_unit_id=issuer.id,
              decided_on=decided_on, document=document.strip(), barred_until=barred_until)
    event = _record_event(ctx, record, held.person_id, jurisdiction, AccountabilityImposed, ACCOUNTABILITY_BASIS,
                          act=act)
    assert isinstance(event, AccountabilityImposed)
    return event


def exonerate(ctx: CommandContext, record: PersonalRecord | None, jurisdiction: str, held: HeldPost,
              finding: FindingRef) -> DutiesFoundPerformed:
    require(finding.kind == FindingKind.investigation, "exoneration-needs-investigation",
            "尽职免责 rests on an investigation's finding", field="finding.kind", basis=EXONERATION_BASIS)
    exoneration = Exoneration(no=_next_no(record), held=held, finding=finding, decided_on=local_day(ctx.effective_at))
    event = _record_event(ctx, record, held.person_id, jurisdiction, DutiesFoundPerformed, EXONERATION_BASIS,
                          exoneration=exoneration)
    assert isinstance(event, DutiesFoundPerformed)
    return event


def commend(ctx: CommandContext, record: PersonalRecord | None, person_id: UUID, jurisdiction: str, issuer: Unit,
            title: str) -> Commended:
    awarded_on = local_day(ctx.effective_at)
    bar = record.barred_on(awarded_on) if record is not None else None
    require(bar is None, "barred-from-commendation",
            f"the person is barred from commendation and promotion until {bar.barred_until if bar else ''} "
            f"by act {bar.no if bar else ''} ({FORM_TERMS[bar.form] if bar else ''})", field="person_id",
            basis=ACCOUNTABILITY_BASIS)
    require(bool(title.strip()), "title-required", "name the commendation", field="title")
    commendation = Commendation(no=_next_no(record), title=title.strip(), awarded_on=awarded_on,
                                issuer_unit_id=issuer.id)
    event = _record_event(ctx, record, person_id, jurisdiction, Commended, "表彰 (the issuer's decision)",
                          commendation=commendation)
    assert isinstance(event, Commended)
    return event


def is_promotion(ranks: Mapping[str, int], from_kind: str, from_jurisdiction: str, to_kind: str,
                 to_jurisdiction: str) -> bool:
    """Whether a post (``to_*``) is higher than the post held (``from_*``): a leadership rank above it at the same
    level (jurisdiction paths of the same depth), or the same or a higher rank at a higher level (a shorter path). Ranks
    are the pack's (``accountability.promotion.ranks``: a reading, the 规定 names no ranks); a post of no rank
    (an enterprise's, a position) is never a promotion."""
    to_rank, from_rank = ranks.get(to_kind, 0), ranks.get(from_kind, 0)
    if to_rank == 0:
        return False
    to_depth, from_depth = to_jurisdiction.count("/"), from_jurisdiction.count("/")
    if to_depth < from_depth:
        return to_rank >= from_rank
    return to_depth == from_depth and to_rank > from_rank


def refuse_promotion(record: PersonalRecord | None, day: date, promotion: Callable[[Act], bool],
                     basis: str) -> None:
    """Refuse an appointment on ``day`` that ``promotion`` says is higher than the post named in an act whose bar on
    commendation and promotion covers the day (the 规定: 不得晋升职务、级别或者重用任职)."""
    bar = record.barred_on(day) if record is not None else None
    if bar is None or not promotion(bar):
        return
    raise Rejected("barred-from-promotion",
                   f"the person is barred from promotion until {bar.barred_until} by act {bar.no} "
                   f"({FORM_TERMS[bar.form]}, {bar.document}, as {bar.held.post_title})", field="post_id",
                   basis=basis)
