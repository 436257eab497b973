"""Accident investigations (事故调查): the level, the team, the period, the findings of 一案四查, the report, its
approval, the closing conditions of 四不放过 and the evaluation a year on.

The life of an investigation (docs/rules.md R4; 493号令 第19–33条; 安全生产法 第86、87条; seed 000 §32;
狮安委〔2023〕3号 §22, §30):

    InvestigationOpened (调查组成立: the level the grade names, or the level above when escalated (提级调查); the
      │                  team; the report due 60 days after the accident)
      │ InvestigationExtended (延长, once, at most 60 days) · TechnicalAppraisalRecorded (技术鉴定: not counted)
      │ ResponsibilityFound (责任认定: a line, a unit, a person, the duty they failed as the ledger row that held it
      │                      at the time, the evidence as events of the log, the proposed disposition)
      │ InvestigationReportSubmitted ──► InvestigationReportApproved (批复, within 15 / 30 days)
      │ ClosingConditionMet ×4 (四不放过: cause found, those responsible dealt with, measures carried out, people
      │                        educated) ── MeasuresEvaluated (安全生产法 第86条: within a year of the approval)
    closed when the four conditions are met and the evaluation is published.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.calendar import local_day
from domain.errors import Conflict
from domain.references import HigherUnitRef, PersonRef, RecordRef
from domain.rules import RulesPack
from domain.rules import accidents as rules
from domain.rules.accidents import AccidentGrade, GovernmentLevel

INVESTIGATION_BASIS = "《生产安全事故报告和调查处理条例》(国务院令第493号) 第19–33条; 安全生产法 第86、87条"


class InvestigationLine(StrEnum):
    """一案四查: the lines an investigation establishes (rules pack ``investigation.lines``)."""

    entity = "entity"  # 企业主体责任
    supervisory = "supervisory"  # 部门监管责任
    territorial = "territorial"  # 属地管理责任
    leadership = "leadership"  # 党政领导责任
    intermediary = "intermediary"  # 中介机构责任


LINE_TERMS = {"entity": "企业主体责任", "supervisory": "部门监管责任", "territorial": "属地管理责任",
              "leadership": "党政领导责任", "intermediary": "中介机构责任"}


class Disposition(StrEnum):
    """What the finding proposes."""

    penalty_case = "penalty_case"  # 行政处罚
    accountability = "accountability"  # 问责 (通报、诫勉、停职检查、调整职务、责令辞职、降职、免职、处分)
    judicial_transfer = "judicial_transfer"  # 移送司法机关
    blacklist = "blacklist"  # 列入严重失信主体名单
    industry_ban = "industry_ban"  # 行业禁入
    exempted = "exempted"  # 尽职免责: every duty was performed


DISPOSITION_TERMS = {"penalty_case": "行政处罚", "accountability": "问责", "judicial_transfer": "移送司法机关",
                     "blacklist": "列入严重失信名单", "industry_ban": "行业禁入", "exempted": "尽职免责"}


class ClosingCondition(StrEnum):
    """四不放过 (docs/rules.md R4)."""

    cause_found = "cause_found"  # 事故原因未查清不放过
    responsible_dealt_with = "responsible_dealt_with"  # 责任人员未处理不放过
    measures_carried_out = "measures_carried_out"  # 整改措施未落实不放过
    people_educated = "people_educated"  # 有关人员未受到教育不放过


CONDITION_TERMS = {"cause_found": "事故原因已查清", "responsible_dealt_with": "责任人员已处理",
                   "measures_carried_out": "整改措施已落实", "people_educated": "有关人员已受到教育"}


class TeamRole(StrEnum):
    leader = "leader"  # 组长
    member = "member"  # 成员
    expert = "expert"  # 专家


class TeamMember(Frozen):
    person_id: PersonRef
    unit_id: HigherUnitRef = Field(description="the unit the member comes from")
    role: TeamRole


class EventRef(Frozen):
    """A stored event, named by its aggregate and version (its id is ``domain.base.event_id`` of the two)."""

    aggregate_id: RecordRef
    version: int = Field(ge=1)


class DutyRef(Frozen):
    """The responsibility-ledger row that held the duty at the time: the list, the duty, the list's version then."""

    list_id: UUID
    duty_id: UUID
    list_version: int = Field(ge=1, description="the list's version at the accident (filled by the system)")


class Finding(Frozen):
    no: int
    line: InvestigationLine
    unit_id: UUID
    person_id: UUID | None
    duty: DutyRef | None
    evidence: tuple[EventRef, ...]
    description: str
    disposition: Disposition


class InvestigationStatus(StrEnum):
    investigating = "investigating"  # 调查中
    reported = "reported"  # 已提交报告
    approved = "approved"  # 已批复
    closed = "closed"  # 已结案 (四不放过, 评估已公开)


class Investigation(Aggregate):
    accident_id: UUID
    grade: AccidentGrade
    level: GovernmentLevel
    escalated: bool
    government_id: UUID | None
    team: tuple[TeamMember, ...]
    occurred_on: date
    report_due: date
    extension_days: int = 0
    appraisal_days: int = 0
    findings: tuple[Finding, ...] = ()
    status: InvestigationStatus = InvestigationStatus.investigating
    submitted_on: date | None = None
    approval_due: date | None = None
    approved_on: date | None = None
    evaluation_due: date | None = None
    conditions: tuple[ClosingCondition, ...] = ()
    evaluated_on: date | None = None


# --- events -------------------------------------------------------------------------------------------------


class InvestigationOpened(DomainEvent):
    """事故调查组成立: the investigating level (by grade or escalated), its government, the team, the due date."""

    term = "事故调查组成立"
    context = "investigations"
    accident_id: UUID
    grade: AccidentGrade
    level: GovernmentLevel
    escalated: bool
    government_id: UUID | None
    team: tuple[TeamMember, ...]
    occurred_on: date
    report_due: date

    def apply(self, _: None) -> Investigation:
        return created(Investigation, self, accident_id=self.accident_id, grade=self.grade, level=self.level,
                       escalated=self.escalated, government_id=self.government_id, team=self.team,
                       occurred_on=self.occurred_on, report_due=self.report_due)


class InvestigationExtended(DomainEvent):
    """调查期限延长: once, at most 60 days (493号令 第25条)."""

    term = "调查期限延长"
    context = "investigations"
    days: int
    reason: str
    report_due: date

    def apply(self, state: Investigation) -> Investigation:
        return state.evolved(self, extension_days=self.days, report_due=self.report_due)


class TechnicalAppraisalRecorded(DomainEvent):
    """技术鉴定: its days are not counted in the investigation period (493号令 第27条)."""

    term = "技术鉴定"
    context = "investigations"
    started_on: date
    ended_on: date
    subject: str
    report_due: date

    def apply(self, state: Investigation) -> Investigation:
        days = (self.ended_on - self.started_on).days + 1
        return state.evolved(self, appraisal_days=state.appraisal_days + days, report_due=self.report_due)


class ResponsibilityFound(DomainEvent):
    """责任认定: on one line, a unit and a person, the duty they failed, the evidence and the disposition."""

    term = "责任认定"
    context = "investigations"
    finding: Finding

    def apply(self, state: Investigation) -> Investigation:
        return state.evolved(self, findings=(*state.findings, self.finding))


class InvestigationReportSubmitted(DomainEvent):
    """事故调查报告提交: the cause and the findings go to the government for approval."""

    term = "事故调查报告提交"
    context = "investigations"
    cause: str
    summary: str
    approval_due: date

    def apply(self, state: Investigation) -> Investigation:
        return state.evolved(self, status=InvestigationStatus.reported, submitted_on=local_day(self.effective_at),
                             approval_due=self.approval_due)


class InvestigationReportApproved(DomainEvent):
    """事故调查报告批复: the government approves; the one-year evaluation falls due (安全生产法 第86条)."""

    term = "事故调查报告批复"
    context = "investigations"
    document_no: str
    late: bool
    evaluation_due: date

    def apply(self, state: Investigation) -> Investigation:
        return state.evolved(self, status=InvestigationStatus.approved, approved_on=local_day(self.effective_at),
                             evaluation_due=self.evaluation_due)


class ClosingConditionMet(DomainEvent):
    """四不放过: one closing condition met, with the events that show it."""

    term = "四不放过"
    context = "investigations"
    condition: ClosingCondition
    evidence: tuple[EventRef, ...]
    note: str
    closes: bool = Field(description="the last condition, met after the evaluation: the investigation closes")

    def apply(self, state: Investigation) -> Investigation:
        status = InvestigationStatus.closed if self.closes else state.status
        return state.evolved(self, conditions=(*state.conditions, self.condition), status=status)


class MeasuresEvaluated(DomainEvent):
    """整改措施落实评估: within a year of the approval, the measures evaluated and the result published (安全生产法
    第86条: 整改和防范措施落实情况评估)."""

    term = "整改措施落实评估"
    context = "investigations"
    result: str
    publication: str
    late: bool
    closes: bool

    def apply(self, state: Investigation) -> Investigation:
        status = InvestigationStatus.closed if self.closes else state.status
        return state.evolved(self, evaluated_on=local_day(self.effective_at), status=status)


# --- decisions ----------------------------------------------------------------------------------------------


def level_for(pack: RulesPack, grade: AccidentGrade, escalated: bool) -> GovernmentLevel:
    """By grade (493号令 第19条), or the level above when escalated (第20条)."""
    level = rules.investigating_level(pack, grade)
    if not escalated:
        return level
    above = rules.level_above(level)
    require(above is not None, "no-level-above", "国务院 investigates: there is no level above to escalate to",
            field="escalated")
    assert above is not None
    return above


def open_investigation(ctx: CommandContext, investigation_id: UUID, pack: RulesPack, *, accident_id: UUID,
                       jurisdiction: str, grade: AccidentGrade, occurred_at: datetime, escalated: bool,
                       government_id: UUID | None, team: tuple[TeamMember, ...]) -> InvestigationOpened:
    require(sum(1 for m in team if m.role == TeamRole.leader) == 1, "one-leader",
            "an investigation team has exactly one leader (组长)", field="team")
    require(len({m.person_id for m in team}) == len(team), "member-twice", "a person sits on the team once",
            field="team")
    occurred_on = local_day(occurred_at)
    return first_event(
        InvestigationOpened, ctx, id=investigation_id, jurisdiction=jurisdiction,
        basis=ctx.basis or pack["accident.investigation.basis"], rules_version=pack.version_tag,
        accident_id=accident_id, grade=grade, level=level_for(pack, grade, escalated), escalated=escalated,
        government_id=government_id, team=team, occurred_on=occurred_on,
        report_due=rules.report_due(pack, occurred_on, 0, 0),
    )


def _investigating(state: Investigation) -> None:
    if state.status != InvestigationStatus.investigating:
        raise Conflict("report-submitted", "the report is submitted: the investigation no longer changes")


def extend(ctx: CommandContext, state: Investigation, pack: RulesPack, days: int, reason: str
           ) -> InvestigationExtended:
    _investigating(state)
    if state.extension_days:
        raise Conflict("already-extended", "the investigation period is extended once only (493号令 第25条)")
    limit = pack["accident.investigation.extension_max_days"]
    require(1 <= days <= limit, "extension-too-long", f"an extension is 1 to {limit} days (493号令 第25条)",
            field="days", basis=pack["accident.investigation.basis"])
    due = rules.report_due(pack, state.occurred_on, days, state.appraisal_days)
    return state.next_event(InvestigationExtended, ctx, rules_version=pack.version_tag, days=days,
                            reason=reason.strip(), report_due=due)


def record_appraisal(ctx: CommandContext, state: Investigation, pack: RulesPack, started_on: date, ended_on: date,
                     subject: str) -> TechnicalAppraisalRecorded:
    _investigating(state)
    require(state.occurred_on <= started_on <= ended_on, "appraisal-dates",
            "a technical appraisal starts after the accident and ends after it starts", field="ended_on")
    days = (ended_on - started_on).days + 1
    due = rules.report_due(pack, state.occurred_on, state.extension_days, state.appraisal_days + days)
    return state.next_event(TechnicalAppraisalRecorded, ctx, rules_version=pack.version_tag, started_on=started_on,
                            ended_on=ended_on, subject=subject.strip(), report_due=due)


def find_responsibility(ctx: CommandContext, state: Investigation, pack: RulesPack, *, line: InvestigationLine,
                        unit_id: UUID, person_id: UUID | None, duty: DutyRef | None, evidence: tuple[EventRef, ...],
                        description: str, disposition: Disposition) -> ResponsibilityFound:
    _investigating(state)
    require(line.value in pack["investigation.lines"], "unknown-line", f"the rules pack has no line {line.value}",
            field="line", basis=pack["investigation.lines.basis"])
    if disposition == Disposition.exempted:
        require(bool(evidence), "exemption-needs-evidence",
                "尽职免责 rests on the record that every duty was performed: cite it as evidence", field="evidence")
    else:
        require(duty is not None, "duty-required",
                "a finding of responsibility names the duty failed (the ledger row that held it)", field="duty")
    finding = Finding(no=len(state.findings) + 1, line=line, unit_id=unit_id, person_id=person_id, duty=duty,
                      evidence=evidence, description=description.strip(), disposition=disposition)
    return state.next_event(ResponsibilityFound, ctx, basis=ctx.basis or pack["investigation.lines.basis"],
                            rules_version=pack.version_tag, finding=finding)


def submit_report(ctx: CommandContext, state: Investigation, pack: RulesPack, cause: str, summary: str
                  ) -> InvestigationReportSubmitted:
    _investigating(state)
    require(bool(state.findings), "no-findings", "the report states who was responsible: record the findings first",
            field="findings")
    today = local_day(ctx.effective_at)
    due = today + timedelta(days=rules.approval_days(pack, state.grade))  # 自收到报告之日起 (第32条)
    return state.next_event(InvestigationReportSubmitted, ctx, rules_version=pack.version_tag, cause=cause.strip(),
                            summary=summary.strip(), approval_due=due)


def approve_report(ctx: CommandContext, state: Investigation, pack: RulesPack, document_no: str
                   ) -> InvestigationReportApproved:
    if state.status != InvestigationStatus.reported:
        raise Conflict("not-submitted", "only a submitted report is approved, once")
    assert state.approval_due is not None
    today = local_day(ctx.effective_at)
    return state.next_event(InvestigationReportApproved, ctx, rules_version=pack.version_tag,
                            document_no=document_no.strip(), late=today > state.approval_due,
                            evaluation_due=rules.evaluation_due(pack, today))


def meet_condition(ctx: CommandContext, state: Investigation, pack: RulesPack, condition: ClosingCondition,
                   evidence: tuple[EventRef, ...], note: str) -> ClosingConditionMet:
    if state.status not in (InvestigationStatus.reported, InvestigationStatus.approved):
        raise Conflict("not-reported", "the closing conditions follow the report")
    if condition in state.conditions:
        raise Conflict("condition-met", f"{CONDITION_TERMS[condition]} is already on record")
    require(bool(evidence), "evidence-required", "a closing condition is shown by events of the log", field="evidence")
    closes = state.evaluated_on is not None and {*state.conditions, condition} == set(ClosingCondition)
    return state.next_event(ClosingConditionMet, ctx, basis=pack["investigation.closing.basis"],
                            rules_version=pack.version_tag, condition=condition, evidence=evidence,
                            note=note.strip(), closes=closes)


def evaluate(ctx: CommandContext, state: Investigation, pack: RulesPack, result: str, publication: str
             ) -> MeasuresEvaluated:
    if state.status != InvestigationStatus.approved:
        raise Conflict("not-approved", "the evaluation follows the approval of the report, once")
    assert state.evaluation_due is not None
    today = local_day(ctx.effective_at)
    closes = set(state.conditions) == set(ClosingCondition)
    return state.next_event(MeasuresEvaluated, ctx, basis=pack["accident.evaluation.basis"],
                            rules_version=pack.version_tag, result=result.strip(), publication=publication.strip(),
                            late=today > state.evaluation_due, closes=closes)
