"""Accidents (生产安全事故): the occurrence, the reports that climb the chain, the grade, and what the system flags.

The life of an accident (docs/rules.md R1–R3; 《生产安全事故报告和调查处理条例》(国务院令第493号) 第3、9–13条;
seed 000 ¶32):

    AccidentRecorded (事故登记: time, place, unit, sector, kind, when the unit's head learned of it, how it first
      │               became known — the unit's own report, a tip, a police or hospital record)
      │ AccidentReported (首报 / 逐级上报 / 补报, each with sender, receiving unit and level, time received, the items
      │                   it carries and the figures it states)
      │ AccidentRegraded (the latest figures reach another grade: R1 recomputed on every report)
      │ ReportingIrregularityFlagged (迟报, 漏报, 逾期补报, unknown time the head learned of it — flags, never verdicts)
      │ ReportingFlagWithdrawn (a lateness flag raised because nothing had arrived, contradicted by a report recorded
      │                         later that was received in time)
      │ ConcealmentSuspected (疑似瞒报: first known from a tip, police or hospital record before the unit reported it)
      │ AccidentListed (移送安委会挂牌督办) and EscalatedInvestigationProposed (提级调查建议), each once (seed 000 §32)

The flags and the suspicion are raised by the accident policies (``application/policies.py``), never by the command
that records a fact: :func:`checks` says, from the aggregate alone, which judgements the record warrants and from
when — including those that fall due because nothing arrived (no first report within the head's hour, a level that
never passed the report on within its two hours) — and the decisions :func:`raise_flag`, :func:`withdraw_flag` and
:func:`suspect_concealment` re-check the aggregate, so a policy firing twice, late or in two workers writes once.

谎报 and 瞒报 are confirmed only by an investigator's finding (应急管理部令第14号; docs/rules.md R2), never by these
flags.
Decisions here are pure: the application resolves units and passes them in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.errors import Conflict
from domain.rules import RulesPack
from domain.rules import accidents as rules
from domain.rules.accidents import GOVERNMENT_ORDER, GOVERNMENT_TERMS, AccidentGrade, Figures, GovernmentLevel
from domain.units import Unit

ACCIDENT_BASIS = "《生产安全事故报告和调查处理条例》(国务院令第493号)"


class AccidentKind(StrEnum):
    """The kind decides the supplementary-report window (493号令 第13条): road traffic and fire 7 days, others 30."""

    work = "work"  # 生产经营活动中的事故
    road_traffic = "road_traffic"  # 道路交通事故
    fire = "fire"  # 火灾事故


KIND_TERMS = {"work": "生产安全事故", "road_traffic": "道路交通事故", "fire": "火灾事故"}


class KnownFrom(StrEnum):
    """How the authorities first learned of the accident."""

    unit_report = "unit_report"  # 事故单位报告
    tip = "tip"  # 举报
    police = "police"  # 公安(110/交警)记录
    hospital = "hospital"  # 医院(120/救治)记录


KNOWN_FROM_TERMS = {"unit_report": "事故单位报告", "tip": "举报", "police": "公安记录", "hospital": "医院记录"}


class ReportKind(StrEnum):
    first = "first"  # 首报: the unit to the county department(s)
    upward = "upward"  # 逐级上报: one government level to the next
    supplementary = "supplementary"  # 补报: changed figures


REPORT_TERMS = {"first": "首报", "upward": "逐级上报", "supplementary": "补报"}


class ReportItem(StrEnum):
    """The mandatory content of a report (493号令 第12条)."""

    unit = "unit"  # 事故发生单位概况
    time = "time"  # 事故发生的时间
    place = "place"  # 地点
    scene = "scene"  # 事故现场情况
    sequence = "sequence"  # 事故的简要经过
    casualties = "casualties"  # 伤亡人数(包括下落不明的人数)
    loss = "loss"  # 初步估计的直接经济损失
    measures = "measures"  # 已经采取的措施


ITEM_TERMS = {"unit": "单位概况", "time": "时间", "place": "地点", "scene": "现场情况", "sequence": "简要经过",
              "casualties": "伤亡人数", "loss": "直接经济损失", "measures": "已采取措施"}


class Irregularity(StrEnum):
    late_first_report = "late_first_report"  # 迟报: the unit's first report after the head's hour
    late_upward_report = "late_upward_report"  # 迟报: a level passed it on after its two hours
    omitted_items = "omitted_items"  # 漏报: mandatory items left out
    omitted_casualties = "omitted_casualties"  # 漏报: casualties raised by a later report
    late_supplementary = "late_supplementary"  # 逾期补报: casualties changed after the 30-day (7-day) window
    head_informed_unknown = "head_informed_unknown"  # when the unit's head learned of it is not recorded


IRREGULARITY_TERMS = {"late_first_report": "迟报(首报)", "late_upward_report": "迟报(逐级上报)",
                      "omitted_items": "漏报(缺少法定内容)", "omitted_casualties": "漏报(伤亡人数)",
                      "late_supplementary": "逾期补报", "head_informed_unknown": "单位负责人获知时间不明"}


class Report(Frozen):
    """One report of the chain: who sent it, which unit received it at which level, and when."""

    no: int
    kind: ReportKind
    sender_unit_id: UUID
    receiving_unit_id: UUID
    receiving_level: GovernmentLevel
    received_at: datetime
    items: tuple[ReportItem, ...]
    figures: Figures
    summary: str


class Flag(Frozen):
    irregularity: Irregularity
    report_no: int | None
    detail: str


class Accident(Aggregate):
    unit_id: UUID
    sector: str
    kind: AccidentKind
    occurred_at: datetime
    place: str
    description: str
    unit_head_informed_at: datetime | None
    known_from: KnownFrom
    known_at: datetime
    tip_id: UUID | None = None
    recorded_figures: Figures = Figures()
    """The figures known when the accident was recorded (before any report)."""
    informed_time_reported: bool = False
    """The time the head learned of it was unknown at recording and stated later by the first report."""
    figures: Figures = Figures()
    grade: AccidentGrade = AccidentGrade.general
    reports: tuple[Report, ...] = ()
    flags: tuple[Flag, ...] = ()
    concealment_suspected: bool = False
    listed_by_id: UUID | None = None
    escalation_proposed: GovernmentLevel | None = None

    def flagged(self, irregularity: Irregularity, report_no: int | None) -> bool:
        return any(f.irregularity == irregularity and f.report_no == report_no for f in self.flags)

    @property
    def unit_reported_at(self) -> datetime | None:
        """When the unit's own first report reached an authority."""
        return next((r.received_at for r in self.reports if r.kind == ReportKind.first), None)


# --- events -------------------------------------------------------------------------------------------------


class AccidentRecorded(DomainEvent):
    """事故登记: an accident, where and when it happened, and how the authorities first learned of it."""

    term = "事故登记"
    context = "accidents"
    unit_id: UUID
    sector: str
    kind: AccidentKind
    occurred_at: datetime
    place: str
    description: str
    unit_head_informed_at: datetime | None
    known_from: KnownFrom
    known_at: datetime
    tip_id: UUID | None = None
    figures: Figures
    grade: AccidentGrade

    def apply(self, _: None) -> Accident:
        return created(Accident, self, unit_id=self.unit_id, sector=self.sector, kind=self.kind,
                       occurred_at=self.occurred_at, place=self.place, description=self.description,
                       unit_head_informed_at=self.unit_head_informed_at, known_from=self.known_from,
                       known_at=self.known_at, tip_id=self.tip_id, figures=self.figures,
                       recorded_figures=self.figures, grade=self.grade)


class AccidentReported(DomainEvent):
    """事故报告: a first report (首报), a report passed up a level (逐级上报) or a supplementary report (补报)."""

    term = "事故报告"
    context = "accidents"
    report: Report
    unit_head_informed_at: datetime | None = Field(
        default=None, description="when the unit's head learned of it, as the first report states (unknown before)")

    def apply(self, state: Accident) -> Accident:
        informed = state.unit_head_informed_at or self.unit_head_informed_at
        return state.evolved(self, reports=(*state.reports, self.report), figures=self.report.figures,
                             unit_head_informed_at=informed,
                             informed_time_reported=state.informed_time_reported
                             or (state.unit_head_informed_at is None and informed is not None))


class AccidentRegraded(DomainEvent):
    """事故等级调整: the latest figures reach another grade (493号令 第3条, recomputed on every report)."""

    term = "事故等级调整"
    context = "accidents"
    grade: AccidentGrade
    previous: AccidentGrade
    reached_by: tuple[str, ...]
    report_no: int

    def apply(self, state: Accident) -> Accident:
        return state.evolved(self, grade=self.grade)


class ReportingIrregularityFlagged(DomainEvent):
    """事故报告问题: 迟报, 漏报, 逾期补报 or an unknown time the head learned of it — a flag for the investigation."""

    term = "事故报告问题"
    context = "accidents"
    flag: Flag

    def apply(self, state: Accident) -> Accident:
        return state.evolved(self, flags=(*state.flags, self.flag))


class ReportingFlagWithdrawn(DomainEvent):
    """事故报告问题撤销: a lateness flag raised because no report had arrived by its deadline, withdrawn when a report
    recorded later shows it was received in time (the flag was right as known then; the record now contradicts it)."""

    term = "事故报告问题撤销"
    context = "accidents"
    irregularity: Irregularity
    report_no: int | None
    reason: str

    def apply(self, state: Accident) -> Accident:
        kept = tuple(f for f in state.flags if (f.irregularity, f.report_no) != (self.irregularity, self.report_no))
        return state.evolved(self, flags=kept)


class ConcealmentSuspected(DomainEvent):
    """疑似瞒报: the accident became known from a tip, a police or hospital record before the unit reported it."""

    term = "疑似瞒报"
    context = "accidents"
    known_from: KnownFrom
    known_at: datetime
    unit_reported_at: datetime | None

    def apply(self, state: Accident) -> Accident:
        return state.evolved(self, concealment_suspected=True)


class AccidentListed(DomainEvent):
    """事故挂牌督办: a suspected concealed accident goes to the safety committee (移送安委会挂牌督办, seed 000 §32)."""

    term = "事故挂牌督办"
    context = "accidents"
    committee_id: UUID

    def apply(self, state: Accident) -> Accident:
        return state.evolved(self, listed_by_id=self.committee_id)


class EscalatedInvestigationProposed(DomainEvent):
    """提级调查建议: the level above the one the grade names is proposed to investigate (493号令 第20条; seed 000
    §32 必要时提级调查)."""

    term = "提级调查建议"
    context = "accidents"
    proposed_level: GovernmentLevel
    by_grade: GovernmentLevel

    def apply(self, state: Accident) -> Accident:
        return state.evolved(self, escalation_proposed=self.proposed_level)


# --- decisions ----------------------------------------------------------------------------------------------


def record(ctx: CommandContext, accident_id: UUID, unit: Unit, pack: RulesPack, *, kind: AccidentKind,
           occurred_at: datetime, place: str, description: str, unit_head_informed_at: datetime | None,
           known_from: KnownFrom, known_at: datetime, tip_id: UUID | None, figures: Figures,
           sector: str | None) -> list[DomainEvent]:
    """事故登记: the fact only; what it warrants (:func:`checks`) the accident policies raise."""
    require(unit.closure is None, "unit-closed", f"{unit.name} is closed", field="unit_id")
    unit_sector = getattr(unit.profile, "sector", None) or sector
    require(bool(unit_sector), "sector-required", f"{unit.name} has no sector: name the sector of the accident",
            field="sector")
    require(known_at >= occurred_at, "known-before-occurred", "the accident cannot be known before it occurred",
            field="known_at")
    require(known_at <= ctx.recorded_at, "known-in-the-future", "the accident is recorded as known by now, not later",
            field="known_at")
    if unit_head_informed_at is not None:
        require(unit_head_informed_at >= occurred_at, "informed-before-occurred",
                "the unit's head cannot learn of the accident before it occurred", field="unit_head_informed_at")
    require((known_from == KnownFrom.tip) == (tip_id is not None), "tip-reference",
            "an accident first known from a tip names that tip (tip_id), and only then", field="tip_id")
    decision = rules.grade(pack, figures)
    recorded = first_event(
        AccidentRecorded, ctx, id=accident_id, jurisdiction=unit.jurisdiction, effective_at=occurred_at,
        basis=ctx.basis or ACCIDENT_BASIS, rules_version=pack.version_tag, unit_id=unit.id, sector=unit_sector,
        kind=kind, occurred_at=occurred_at, place=place.strip(), description=description.strip(),
        unit_head_informed_at=unit_head_informed_at, known_from=known_from, known_at=known_at, tip_id=tip_id,
        figures=figures, grade=decision.grade,
    )
    return [recorded]


def _flag(ctx: CommandContext, state: Accident, pack: RulesPack, irregularity: Irregularity, report_no: int | None,
          detail: str, *, effective_at: datetime | None = None) -> ReportingIrregularityFlagged:
    flag = Flag(irregularity=irregularity, report_no=report_no, detail=detail)
    return state.next_event(ReportingIrregularityFlagged, ctx, basis=pack["accident.report.basis"],
                            rules_version=pack.version_tag, effective_at=effective_at, flag=flag)


def report(ctx: CommandContext, state: Accident, pack: RulesPack, *, kind: ReportKind, sender: Unit,
           receiver: Unit, receiving_level: GovernmentLevel, received_at: datetime, items: frozenset[ReportItem],
           figures: Figures, summary: str, unit_head_informed_at: datetime | None = None) -> list[DomainEvent]:
    """A report of the chain, and the grade its figures reach (R1 recomputed on every report: a change of grade is
    an ``AccidentRegraded`` event). What it warrants beyond that (迟报, 漏报, 逾期补报) the policies raise."""
    require(state.occurred_at <= received_at <= ctx.recorded_at, "received-out-of-time",
            "a report is received after the accident occurred and by the time it is recorded", field="received_at")
    if kind == ReportKind.first:
        if state.unit_reported_at is not None:
            raise Conflict("already-reported", "the unit's first report is on record: send a supplementary report")
        require(sender.id == state.unit_id, "first-report-by-unit",
                "the first report comes from the unit where the accident happened", field="sender_unit_id")
        require(receiving_level == GovernmentLevel.county, "first-report-to-county",
                "the unit reports to the county-level departments (493号令 第9条)", field="receiving_level")
    else:
        require(bool(state.reports), "no-first-report",
                "no report is on record yet: the chain starts with a first report", field="kind")
    if unit_head_informed_at is not None:
        require(kind == ReportKind.first and state.unit_head_informed_at is None, "informed-time-known",
                "the time the unit's head learned of it is given once, with the first report when it was unknown",
                field="unit_head_informed_at")
        require(state.occurred_at <= unit_head_informed_at <= received_at, "informed-time-out-of-order",
                "the unit's head learns of it after it occurred and before reporting it",
                field="unit_head_informed_at")
    no = len(state.reports) + 1
    reported = state.next_event(
        AccidentReported, ctx, effective_at=received_at, basis=ctx.basis or pack["accident.report.basis"],
        rules_version=pack.version_tag, unit_head_informed_at=unit_head_informed_at,
        report=Report(no=no, kind=kind, sender_unit_id=sender.id, receiving_unit_id=receiver.id,
                      receiving_level=receiving_level, received_at=received_at,
                      items=tuple(i for i in ReportItem if i in items), figures=figures, summary=summary.strip()),
    )
    state_after = reported.apply(state)
    events: list[DomainEvent] = [reported]
    decision = rules.grade(pack, figures)
    if decision.grade != state_after.grade:
        regraded = state_after.next_event(
            AccidentRegraded, ctx, effective_at=received_at, basis=decision.source, rules_version=pack.version_tag,
            grade=decision.grade, previous=state_after.grade, reached_by=decision.reached_by, report_no=no)
        events.append(regraded)
        state_after = regraded.apply(state_after)
    return events


CONCEALMENT = "concealment"
"""The check behind :func:`suspect_concealment` (the other checks are named by their :class:`Irregularity`)."""


PAST = timedelta(microseconds=1)
"""A deadline is kept up to and including its instant ("1小时内"): a lateness is due from the next instant."""


class Check(Frozen):
    """A judgement the accident policies owe the record: a flag — for one report, or (``report_no`` None) for the
    accident as a whole — or the suspicion of concealment (``kind`` :data:`CONCEALMENT`), effective at
    ``effective_at`` (a deadline, a report's receipt, the moment it became known) and due from ``due_at``."""

    kind: str
    report_no: int | None
    effective_at: datetime
    due_at: datetime
    detail: str


def _check(kind: str, report_no: int | None, at: datetime, detail: str, *, deadline: bool = False) -> Check:
    return Check(kind=kind, report_no=report_no, effective_at=at, due_at=at + PAST if deadline else at, detail=detail)


def checks(state: Accident, pack: RulesPack) -> list[Check]:
    """Every judgement the record warrants, as the log now shows it, and the moment each fell (or falls) due.

    - 单位负责人获知时间不明: the time the head learned of it was not recorded with the accident;
    - 迟报 (首报): no first report within the head's hour, or one received after it (493号令 第9条);
    - 迟报 (逐级上报): a level that received the report and, while the grade needs a level above it (第10条), did
      not pass it on within two hours of receiving it — or of the report that raised the grade (第11条);
    - 漏报: a first or upward report without the mandatory items (第12条); casualties raised by a 补报;
    - 逾期补报: casualties raised after the 30-day (road traffic, fire: 7-day) window (第13条);
    - 疑似瞒报: first known from a tip, a police or hospital record before the unit reported it (seed 000 §32).

    A lateness check on something that has not arrived is due at its deadline and stops being warranted when a
    report received in time is recorded (then a flag it raised is withdrawn). The other checks rest on reports on
    record, which never change.
    """
    found: list[Check] = []
    if state.unit_head_informed_at is None or state.informed_time_reported:
        found.append(_check(Irregularity.head_informed_unknown, None, state.known_at,
                            "单位负责人接到报告的时间未随事故登记: the one-hour clock of 第9条 was not known"))
    found += _first_report_checks(state, pack)
    found += _upward_checks(state, pack)
    previous = state.recorded_figures
    for r in state.reports:
        missing = rules.missing_items(pack, frozenset(i.value for i in r.items))
        if r.kind != ReportKind.supplementary and missing:
            found.append(_check(Irregularity.omitted_items, r.no, r.received_at,
                                "缺少法定内容: " + "、".join(ITEM_TERMS[m] for m in missing) + " (493号令 第12条)"))
        if r.kind == ReportKind.supplementary and _casualties(r.figures) > _casualties(previous):
            window = rules.supplementary_window_days(pack, state.kind.value)
            if r.received_at.date() > (state.occurred_at + timedelta(days=window)).date():
                found.append(_check(Irregularity.late_supplementary, r.no, r.received_at,
                                    f"伤亡人数在事故发生{window}日后才补报 (493号令 第13条)"))
            raised = f"伤亡人数由 {_casualties(previous)} 增至 {_casualties(r.figures)}"
            found.append(_check(Irregularity.omitted_casualties, r.no, r.received_at,
                                f"{raised}: 前次报告漏报伤亡的嫌疑"))
        previous = r.figures
    if suspects_concealment(state) and not state.concealment_suspected:
        found.append(_check(CONCEALMENT, None, state.known_at,
                            "事故首先由举报、公安或医院记录获知, 早于事故单位报告: 疑似瞒报 (seed 000 §32)"))
    return found


def _first_report_checks(state: Accident, pack: RulesPack) -> list[Check]:
    informed = state.unit_head_informed_at
    if informed is None:
        return []
    due = rules.first_report_due(pack, informed)
    first = state.unit_reported_at
    if first is None:
        detail = f"单位负责人 {informed.isoformat()} 获知, 至 {due.isoformat()} 未见首报 (493号令 第9条)"
    elif first > due:
        detail = f"首报 {first.isoformat()} 晚于单位负责人获知后1小时 ({due.isoformat()}, 493号令 第9条)"
    else:
        return []
    return [_check(Irregularity.late_first_report, None, due, detail, deadline=True)]


def _upward_checks(state: Accident, pack: RulesPack) -> list[Check]:
    """Each level below the one the grade must reach (第10条) passes the report on within two hours (第11条)."""
    rank = GOVERNMENT_ORDER.index
    top = rank(rules.top_report_level(pack, state.grade))
    found: list[Check] = []
    for level in GOVERNMENT_ORDER[:top]:
        received = [r for r in state.reports if r.receiving_level == level]
        if not received:
            continue
        first = min(received, key=lambda r: (r.received_at, r.no))
        raised = [r.received_at for r in state.reports
                  if rank(rules.top_report_level(pack, rules.grade(pack, r.figures).grade)) > rank(level)]
        since = max(first.received_at, min(raised)) if raised else first.received_at
        due = rules.upward_report_due(pack, since)
        passed = min((r.received_at for r in state.reports if rank(r.receiving_level) > rank(level)), default=None)
        term = GOVERNMENT_TERMS[level.value]
        if passed is None:
            detail = f"{term}于 {since.isoformat()} 应报, 至 {due.isoformat()} 未见上报 (493号令 第10、11条)"
        elif passed > due:
            detail = f"{term}于 {since.isoformat()} 应报, 上报 {passed.isoformat()}: 超过2小时 (493号令 第11条)"
        else:
            continue
        found.append(_check(Irregularity.late_upward_report, first.no, due, detail, deadline=True))
    return found


def raise_flag(ctx: CommandContext, state: Accident, pack: RulesPack, irregularity: Irregularity,
               report_no: int | None) -> ReportingIrregularityFlagged | None:
    """The flag, effective when it fell due — if the record warrants it now, it is due and not raised yet."""
    if state.flagged(irregularity, report_no):
        return None
    check = next((c for c in checks(state, pack) if (c.kind, c.report_no) == (irregularity, report_no)), None)
    if check is None or check.due_at > ctx.recorded_at:
        return None
    return _flag(ctx, state, pack, irregularity, report_no, check.detail, effective_at=check.effective_at)


def withdraw_flag(ctx: CommandContext, state: Accident, pack: RulesPack, irregularity: Irregularity,
                  report_no: int | None) -> ReportingFlagWithdrawn | None:
    """A raised flag the record no longer warrants (a report received in time, recorded after the flag)."""
    if not state.flagged(irregularity, report_no) or any(
            (c.kind, c.report_no) == (irregularity, report_no) for c in checks(state, pack)):
        return None
    return state.next_event(ReportingFlagWithdrawn, ctx, basis=pack["accident.report.basis"],
                            rules_version=pack.version_tag, irregularity=irregularity, report_no=report_no,
                            reason="报告已在时限内收到 (事后登记): 此前据当时记录提出的迟报标记撤销")


def unwarranted(state: Accident, pack: RulesPack) -> list[Flag]:
    """The raised flags the record no longer warrants."""
    warranted = {(c.kind, c.report_no) for c in checks(state, pack)}
    return [f for f in state.flags if (f.irregularity, f.report_no) not in warranted]


def _casualties(figures: Figures) -> int:
    return figures.deaths + figures.missing + figures.serious_injuries


def suspects_concealment(state: Accident) -> bool:
    """Known from a tip, a police or hospital record before the unit's own first report reached an authority."""
    if state.known_from == KnownFrom.unit_report:
        return False
    reported = state.unit_reported_at
    return reported is None or state.known_at < reported


def suspect_concealment(ctx: CommandContext, state: Accident, pack: RulesPack, committee: Unit | None
                        ) -> list[DomainEvent]:
    """疑似瞒报 → 移送安委会挂牌督办 and 提级调查建议, each once (seed 000 §32). Nothing when it was already decided or
    the accident was first known from the unit itself."""
    events: list[DomainEvent] = []
    if not suspects_concealment(state):
        return events
    basis = pack["accident.concealment.basis"]
    current = state
    if not current.concealment_suspected:
        suspected = current.next_event(ConcealmentSuspected, ctx, basis=basis, rules_version=pack.version_tag,
                                       effective_at=state.known_at, known_from=state.known_from,
                                       known_at=state.known_at, unit_reported_at=state.unit_reported_at)
        events.append(suspected)
        current = suspected.apply(current)
    if current.listed_by_id is None and committee is not None:
        require(committee.kind in ("safety_committee", "committee_office"), "not-a-safety-committee",
                f"{committee.name} is not a safety committee (安委会) or its office", basis=basis)
        listed = current.next_event(AccidentListed, ctx, basis=basis, rules_version=pack.version_tag,
                                    effective_at=state.known_at, committee_id=committee.id)
        events.append(listed)
        current = listed.apply(current)
    if current.escalation_proposed is None:
        by_grade = rules.investigating_level(pack, current.grade)
        above = rules.level_above(by_grade)
        if above is not None:
            proposed = current.next_event(EscalatedInvestigationProposed, ctx, basis=basis,
                                          rules_version=pack.version_tag, effective_at=state.known_at,
                                          proposed_level=above, by_grade=by_grade)
            events.append(proposed)
    return events
