"""Accountability context: slips, letters, circulars and summons to units; accountability, 尽职免责 and commendation
of persons (domain/accountability.py; docs/rules.md R9).

A person is always named as holder of a post at a time: the command gives the person, the post and the moment, and
the handler reads the holding from the post's events (``domain.accountability.held_post``) — it refuses when the
person did not hold that post then. A finding an act rests on must exist, be of its kind and lie in the caller's
jurisdiction (a declared reference).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from application.commands import Command, Targeted
from application.organisation import territory_of
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import accountability as ac
from domain import assessments as asm
from domain.base import Aggregate, Frozen
from domain.bounds import FreeText, Moment
from domain.errors import NotFound, Rejected
from domain.investigations import Investigation
from domain.people import Person
from domain.posts import Post
from domain.references import PersonRef, PostRef, RecordRef, UnitRef
from domain.rules import pack_for
from domain.rules.assessment import assessment_scheme
from domain.rules.assessment_veto import VetoConsequence, judge_veto, veto_rule
from domain.units import Unit

ISSUING = frozenset({"admin", "registrar", "enforcement"})
"""Who records slips, letters, circulars and summons (for the government, department or committee issuing them)."""
ANSWERING = ISSUING | {"enterprise", "inspector"}
ACCOUNTABLE = frozenset({"admin", "registrar", "investigator"})
"""Who records accountability decisions, exonerations and commendations (纪检监察、组织人事 and 安全生产监管部门
decide them; the system records the decision)."""
POLICY: frozenset[str] = frozenset()

SlipRef = RecordRef


class IssueSlip(Command):
    roles: ClassVar[frozenset[str]] = ISSUING
    action: ClassVar[str] = "issue assignment and supervision slips"
    kind: ac.SlipKind
    issuer_unit_id: UnitRef
    target_unit_id: UnitRef
    matter: FreeText = Field(min_length=1, max_length=4000)
    deadline: Moment = Field(description="when the report-back (办结反馈) is due")


class AnswerSlip(Targeted):
    roles: ClassVar[frozenset[str]] = ANSWERING
    action: ClassVar[str] = "answer slips"
    slip_id: SlipRef
    report: FreeText = Field(min_length=1, max_length=4000)


class FlagLateSlip(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "flag late slips"
    slip_id: SlipRef


class IssueNotice(Command):
    roles: ClassVar[frozenset[str]] = ISSUING
    action: ClassVar[str] = "issue letters and circulars"
    kind: ac.NoticeKind
    issuer_unit_id: UnitRef
    target_unit_ids: list[UnitRef] = Field(min_length=1, max_length=50)
    matter: FreeText = Field(min_length=1, max_length=4000)
    finding: ac.FindingRef | None = None


class Summoned(Frozen):
    """Someone summoned: the person and the post they hold at the summons (read from the post's events)."""

    person_id: PersonRef
    post_id: PostRef


class Promise(Frozen):
    text: FreeText = Field(min_length=1, max_length=1000)
    due: date


class HoldSummons(Command):
    roles: ClassVar[frozenset[str]] = ISSUING
    action: ClassVar[str] = "record summons"
    issuer_unit_id: UnitRef
    target_unit_id: UnitRef
    summoned: list[Summoned] = Field(min_length=1, max_length=20)
    record: FreeText = Field(min_length=1, max_length=8000)
    commitments: list[Promise] = Field(default_factory=list, max_length=50)
    finding: ac.FindingRef | None = None


class FollowUpCommitment(Targeted):
    roles: ClassVar[frozenset[str]] = ISSUING
    action: ClassVar[str] = "follow up summons commitments"
    summons_id: RecordRef
    no: int = Field(ge=1, le=50)
    kept: bool
    note: FreeText = Field(min_length=1, max_length=2000)


class ImposeAccountability(Command):
    roles: ClassVar[frozenset[str]] = ACCOUNTABLE
    action: ClassVar[str] = "record accountability decisions"
    person_id: PersonRef
    post_id: PostRef
    held_at: Moment = Field(description="the moment the finding concerns: the post held then is named")
    form: ac.AccountabilityForm
    finding: ac.FindingRef
    issuer_unit_id: UnitRef
    document: str = Field(min_length=1, max_length=200, description="the decision's document number (文号)")
    barred_until: date | None = Field(default=None, description="end of the bar on commendation and promotion the "
                                                                "decision set")


class RecordDutiesPerformed(Command):
    roles: ClassVar[frozenset[str]] = ACCOUNTABLE
    action: ClassVar[str] = "record 尽职免责"
    person_id: PersonRef
    post_id: PostRef
    held_at: Moment
    finding: ac.FindingRef


class Commend(Command):
    roles: ClassVar[frozenset[str]] = ACCOUNTABLE
    action: ClassVar[str] = "record commendations"
    person_id: PersonRef
    issuer_unit_id: UnitRef
    title: str = Field(min_length=1, max_length=200)


class RecordIllegalAct(Command):
    roles: ClassVar[frozenset[str]] = ISSUING | {"inspector"}
    action: ClassVar[str] = "record illegal production acts"
    unit_id: UnitRef = Field(description="the 生产经营单位 that committed it")
    description: FreeText = Field(min_length=1, max_length=4000)
    large_impact: bool = Field(description="造成较大影响 (what seed 001 ¶30 counts)")


class RecordVetoFinding(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "record assessment veto findings"
    territory_id: UnitRef
    year: int = Field(ge=2000, le=2100)
    consequence: VetoConsequence
    illegal_acts: int = Field(ge=0)
    fatal_accidents: int = Field(ge=0)
    department_ids: list[UnitRef] = Field(default_factory=list, max_length=200)


class ItemScore(Frozen):
    """One item of the assessment scheme and its score."""

    code: str = Field(min_length=1, max_length=50, description="the item's code in the pack's scheme")
    score: Decimal = Field(ge=0, le=100, decimal_places=2)


class RecordAssessment(Command):
    roles: ClassVar[frozenset[str]] = ISSUING
    action: ClassVar[str] = "record assessment results"
    unit_id: UnitRef = Field(description="the town (镇/街道) or department assessed")
    year: int = Field(ge=2000, le=2100)
    scores: list[ItemScore] = Field(min_length=1, max_length=50,
                                    description="each item of the pack's scheme scored 0–100, once")


class VetoProject(Command):
    roles: ClassVar[frozenset[str]] = ISSUING
    action: ClassVar[str] = "refuse projects with a major safety risk"
    issuer_unit_id: UnitRef = Field(description="the department or government that approves the project or plan")
    kind: asm.ProjectKind
    name: str = Field(min_length=1, max_length=300)
    applicant_unit_id: UnitRef | None = Field(default=None, description="the unit that applied, if registered")
    risk: FreeText = Field(min_length=1, max_length=4000, description="the major safety risk (重大安全风险)")
    document: str = Field(min_length=1, max_length=200, description="the decision's document number (文号)")


def _unit(uow: UnitOfWork, unit_id: UUID, field: str, *, write: bool = False) -> Unit:
    return uow.load(unit_id, Unit, label="unit", field=field, write=write)


def holding(uow: UnitOfWork, person_id: UUID, post_id: UUID, at: datetime, field: str) -> ac.HeldPost:
    """The person as holder of the post at ``at``, from the post's events (never from the request)."""
    post = uow.load(post_id, Post, label="post", field=field, write=False)
    return ac.held_post(post, uow.log.history(post_id), person_id, at)


def check_finding(uow: UnitOfWork, finding: ac.FindingRef | None) -> None:
    """The finding names a record of its kind (the reference check already placed it in the caller's reach)."""
    if finding is None:
        return
    record = uow.find(finding.record_id, Aggregate)
    if record is None or type(record).__name__ != ac.FINDING_RECORDS[finding.kind]:
        raise NotFound("not-found", f"no {ac.FINDING_TERMS[finding.kind]} with id {finding.record_id}",
                       field="finding.record_id")
    if isinstance(record, Investigation) and (finding.finding_no is None
                                              or all(f.no != finding.finding_no for f in record.findings)):
        raise Rejected("no-such-finding", "name the investigation's finding (finding_no) the act rests on",
                       field="finding.finding_no")
    if isinstance(record, ac.Slip) and not record.late_flagged:
        raise Rejected("slip-not-overdue", "the slip's report-back is not overdue", field="finding.record_id")


def issue_slip(cmd: IssueSlip, uow: UnitOfWork) -> UUID:
    issuer = _unit(uow, cmd.issuer_unit_id, "issuer_unit_id")
    target = _unit(uow, cmd.target_unit_id, "target_unit_id", write=True)
    event = ac.issue_slip(uow.ctx, uow.ids.new(), cmd.kind, issuer, target, cmd.matter, cmd.deadline)
    uow.record(event)
    return event.originator_id


def answer_slip(cmd: AnswerSlip, uow: UnitOfWork) -> UUID:
    slip = uow.load(cmd.slip_id, ac.Slip, label="slip", field="slip_id", expected_version=cmd.expected_version)
    uow.principal.require_target(_unit(uow, slip.target_unit_id, "slip_id"), "answer this slip")
    uow.record(ac.answer_slip(uow.ctx, slip, cmd.report))
    return slip.id


def flag_late_slip(cmd: FlagLateSlip, uow: UnitOfWork) -> UUID:
    slip = uow.load(cmd.slip_id, ac.Slip, label="slip", field="slip_id")
    uow.record(ac.flag_late_reply(uow.ctx, slip, uow.clock.now()))
    return slip.id


def issue_notice(cmd: IssueNotice, uow: UnitOfWork) -> UUID:
    issuer = _unit(uow, cmd.issuer_unit_id, "issuer_unit_id", write=True)
    targets = [_unit(uow, t, "target_unit_ids") for t in cmd.target_unit_ids]
    check_finding(uow, cmd.finding)
    event = ac.issue_notice(uow.ctx, uow.ids.new(), cmd.kind, issuer, targets, cmd.matter, cmd.finding)
    uow.record(event)
    return event.originator_id


def hold_summons(cmd: HoldSummons, uow: UnitOfWork) -> UUID:
    issuer = _unit(uow, cmd.issuer_unit_id, "issuer_unit_id")
    target = _unit(uow, cmd.target_unit_id, "target_unit_id", write=True)
    check_finding(uow, cmd.finding)
    summoned = [holding(uow, s.person_id, s.post_id, uow.ctx.effective_at, "summoned") for s in cmd.summoned]
    event = ac.hold_summons(uow.ctx, uow.ids.new(), issuer, target, summoned, cmd.record,
                            [(c.text, c.due) for c in cmd.commitments], cmd.finding)
    uow.record(event)
    return event.originator_id


def follow_up_commitment(cmd: FollowUpCommitment, uow: UnitOfWork) -> UUID:
    summons = uow.load(cmd.summons_id, ac.Summons, label="summons", field="summons_id",
                       expected_version=cmd.expected_version)
    uow.record(ac.follow_up(uow.ctx, summons, cmd.no, cmd.kept, cmd.note))
    return summons.id


def record_illegal_act(cmd: RecordIllegalAct, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, "unit_id", write=True)
    territory = territory_of(uow, unit)
    if territory is None:
        raise Rejected("no-territory", f"{unit.name} lies in no registered territory", field="unit_id")
    pack = pack_for(unit.jurisdiction)
    event = ac.record_illegal_act(uow.ctx, uow.ids.new(), unit, territory, cmd.description, cmd.large_impact,
                                  pack.rules.get("assessment_veto.basis"))
    uow.record(event)
    return event.originator_id


def record_veto_finding(cmd: RecordVetoFinding, uow: UnitOfWork) -> UUID:
    """One consequence of a town's year under the local pack's veto rule (seed 001 ¶30), once; nothing where no
    local pack sets the rule or the counts do not reach it."""
    territory = _unit(uow, cmd.territory_id, "territory_id")
    finding_id = ac.veto_finding_id(territory.id, cmd.year, cmd.consequence)
    pack = pack_for(territory.jurisdiction)
    rule = veto_rule(pack)
    if rule is not None and uow.find(finding_id, ac.VetoFinding) is None:
        judgement = judge_veto(rule, cmd.illegal_acts, cmd.fatal_accidents)
        event = ac.find_veto(uow.ctx, territory, cmd.year, judgement, cmd.consequence, tuple(cmd.department_ids),
                             pack.version_tag)
        if event is not None:
            uow.record(event)
            if judgement.vetoed and cmd.consequence == VetoConsequence.assessment_veto:
                _apply_veto(uow, (territory.id, *cmd.department_ids), cmd.year, finding_id, rule.basis,
                            pack.version_tag)
    return finding_id


def _apply_veto(uow: UnitOfWork, unit_ids: tuple[UUID, ...], year: int, finding_id: UUID, basis: str,
                rules_version: str) -> None:
    """The veto applied to the year's results already recorded for the town and the departments it names."""
    for unit_id in unit_ids:
        assessment = uow.find(asm.assessment_id(unit_id, year), asm.Assessment)
        if assessment is not None:
            applied = asm.apply_veto(uow.ctx, assessment, finding_id, basis, rules_version)
            if applied is not None:
                uow.record(applied)


def record_assessment(cmd: RecordAssessment, uow: UnitOfWork) -> UUID:
    """Score the unit's year under its pack's scheme, with every veto finding that names it applied."""
    unit = _unit(uow, cmd.unit_id, "unit_id", write=True)
    pack = pack_for(unit.jurisdiction)
    vetoes = tuple(sorted(uow.directory.vetoes_naming(unit.id, cmd.year), key=str))
    scores = {item.code: item.score for item in cmd.scores}
    if len(scores) != len(cmd.scores):
        raise Rejected("item-scored-twice", "score each item once", field="scores")
    state = uow.find(asm.assessment_id(unit.id, cmd.year), asm.Assessment)
    event = asm.record_assessment(uow.ctx, state, unit, cmd.year, assessment_scheme(pack), scores, vetoes,
                                  pack.version_tag)
    uow.record(event)
    return event.originator_id


def veto_project(cmd: VetoProject, uow: UnitOfWork) -> UUID:
    issuer = _unit(uow, cmd.issuer_unit_id, "issuer_unit_id", write=True)
    applicant = _unit(uow, cmd.applicant_unit_id, "applicant_unit_id") if cmd.applicant_unit_id else None
    event = asm.veto_project(uow.ctx, uow.ids.new(), issuer, cmd.kind, cmd.name, applicant, cmd.risk,
                             cmd.document)
    uow.record(event)
    return event.originator_id


def _person(uow: UnitOfWork, person_id: UUID) -> Person:
    return uow.load(person_id, Person, label="person", field="person_id", write=False)


def impose_accountability(cmd: ImposeAccountability, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id)
    held = holding(uow, person.id, cmd.post_id, cmd.held_at, "post_id")
    check_finding(uow, cmd.finding)
    issuer = _unit(uow, cmd.issuer_unit_id, "issuer_unit_id")
    record = uow.find(ac.record_id(person.id), ac.PersonalRecord)
    uow.record(ac.impose(uow.ctx, record, person.jurisdiction, held, cmd.form, cmd.finding, issuer, cmd.document,
                         cmd.barred_until))
    return ac.record_id(person.id)


def record_duties_performed(cmd: RecordDutiesPerformed, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id)
    held = holding(uow, person.id, cmd.post_id, cmd.held_at, "post_id")
    check_finding(uow, cmd.finding)
    record = uow.find(ac.record_id(person.id), ac.PersonalRecord)
    uow.record(ac.exonerate(uow.ctx, record, person.jurisdiction, held, cmd.finding))
    return ac.record_id(person.id)


def commend(cmd: Commend, uow: UnitOfWork) -> UUID:
    person = _person(uow, cmd.person_id)
    issuer = _unit(uow, cmd.issuer_unit_id, "issuer_unit_id")
    record = uow.find(ac.record_id(person.id), ac.PersonalRecord)
    uow.record(ac.commend(uow.ctx, record, person.id, person.jurisdiction, issuer, cmd.title))
    return ac.record_id(person.id)


HANDLERS: dict[type[Command], Handler] = {
    IssueSlip: issue_slip,
    AnswerSlip: answer_slip,
    FlagLateSlip: flag_late_slip,
    IssueNotice: issue_notice,
    HoldSummons: hold_summons,
    FollowUpCommitment: follow_up_commitment,
    ImposeAccountability: impose_accountability,
    RecordDutiesPerformed: record_duties_performed,
    Commend: commend,
    RecordIllegalAct: record_illegal_act,
    RecordVetoFinding: record_veto_finding,
    RecordAssessment: record_assessment,
    VetoProject: veto_project,
}
