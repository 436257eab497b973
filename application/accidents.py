"""Accidents context: record an accident, receive the reports of its chain (首报, 逐级上报, 补报).

Who may do what (docs/architecture.md §9): the officials of the jurisdiction record accidents and the reports they
receive (an investigator, an enforcement officer, an inspector of the supervising department, an administrator).
The grade is recomputed with every report, in the same transaction (R1). The irregularities of the chain and the
suspicion of concealment with its listing and the proposal to escalate are raised by the accident policies
(``application/policies.py``), which send the last three commands here as the system: each decision re-checks the
aggregate (``domain.accidents.checks``), so it is written once however often the worker looks again. """

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from application.commands import Command, Targeted
from application.hazards import level_of
from application.organisation import territory_of
from application.service import Handler
from application.tips import link_to_tip
from application.unit_of_work import UnitOfWork
from domain import accidents as ac
from domain.bounds import FreeText
from domain.errors import Rejected
from domain.references import HigherUnitRef, RecordRef, TipRef, UnitRef
from domain.rules import pack_for
from domain.rules.accidents import Figures, GovernmentLevel
from domain.tips import Outcome, OutcomeKind
from domain.units import Level, Unit

OFFICIALS = frozenset({"admin", "investigator", "enforcement", "inspector"})


class RecordAccident(Command):
    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "record accidents"
    unit_id: UnitRef = Field(description="the unit where it happened (事故发生单位)")
    sector: str | None = Field(default=None, max_length=50, description="the sector, when the unit has none")
    kind: ac.AccidentKind
    occurred_at: AwareDatetime = Field(description="when it happened")
    place: str = Field(min_length=1, max_length=500)
    description: FreeText = Field(min_length=1, max_length=4000)
    unit_head_informed_at: AwareDatetime | None = Field(
        default=None, description="when the unit's head learned of it (单位负责人接到报告); null when unknown — "
                                  "itself a finding")
    known_from: ac.KnownFrom = Field(description="how the authorities first learned of it")
    known_at: AwareDatetime = Field(description="when they learned of it that way")
    tip_id: TipRef | None = Field(default=None, description="the tip it was first known from")
    figures: Figures = Field(default=Figures(), description="the figures known at recording")


class ReportAccident(Targeted):
    roles: ClassVar[frozenset[str]] = OFFICIALS
    action: ClassVar[str] = "record accident reports"
    accident_id: RecordRef
    kind: ac.ReportKind
    sender_unit_id: UnitRef = Field(description="who sent it: the unit (首报) or the government level passing it on")
    receiving_unit_id: HigherUnitRef = Field(description="the department or government that received it")
    received_at: AwareDatetime
    items: tuple[ac.ReportItem, ...] = Field(max_length=8, description="the mandatory items it carries (第12条)")
    figures: Figures
    summary: FreeText = Field(min_length=1, max_length=4000)
    unit_head_informed_at: AwareDatetime | None = Field(
        default=None, description="when the unit's head learned of it, as the first report states it (only when "
                                  "unknown so far)")


def _unit(uow: UnitOfWork, unit_id: UUID, field: str) -> Unit:
    return uow.load(unit_id, Unit, label="unit", field=field, write=False)


GOVERNMENT_OF_LEVEL = {Level.county: GovernmentLevel.county, Level.city: GovernmentLevel.city,
                       Level.province: GovernmentLevel.province}


def government_level(uow: UnitOfWork, receiver: Unit, field: str) -> GovernmentLevel:
    """The level at which a unit receives a report: its own territory's (a department answers at its county's)."""
    _, level = level_of(uow, receiver)
    government = GOVERNMENT_OF_LEVEL.get(Level(level))
    if government is None:
        raise Rejected("not-a-reporting-level", f"{receiver.name} is at {level} level: reports go to county-level "
                                                "departments and governments and above (493号令 第9–10条)",
                       field=field)
    return government


def safety_committee(uow: UnitOfWork, unit: Unit) -> Unit | None:
    """The safety committee (安委会) of the county the unit lies in, the first one up the tree."""
    territory = territory_of(uow, unit)
    while territory is not None and uow.directory is not None:
        county_or_above = getattr(territory.profile, "level", None) not in (Level.town, Level.village)
        committees = uow.directory.units_under(territory.id, "safety_committee") if county_or_above else []
        if committees:
            return _unit(uow, committees[0], "unit_id")
        territory = uow.find(territory.parent_id, Unit) if territory.parent_id else None
    return None


def record_accident(cmd: RecordAccident, uow: UnitOfWork) -> UUID:
    unit = _unit(uow, cmd.unit_id, "unit_id")
    uow.principal.require_scope(unit.jurisdiction, unit.name)
    events = ac.record(uow.ctx, uow.ids.new(), unit, pack_for(unit.jurisdiction), kind=cmd.kind,
                       occurred_at=cmd.occurred_at, place=cmd.place, description=cmd.description,
                       unit_head_informed_at=cmd.unit_head_informed_at, known_from=cmd.known_from,
                       known_at=cmd.known_at, tip_id=cmd.tip_id, figures=cmd.figures, sector=cmd.sector)
    uow.record(*events)
    accident_id = events[0].originator_id
    if cmd.tip_id is not None:  # the tip led to this accident: linked in the same transaction
        link_to_tip(uow, cmd.tip_id, Outcome(kind=OutcomeKind.accident, target_id=accident_id))
    return accident_id


def report_accident(cmd: ReportAccident, uow: UnitOfWork) -> UUID:
    accident = uow.load(cmd.accident_id, ac.Accident, label="accident", field="accident_id",
                        expected_version=cmd.expected_version)
    sender = _unit(uow, cmd.sender_unit_id, "sender_unit_id")
    receiver = _unit(uow, cmd.receiving_unit_id, "receiving_unit_id")
    level = government_level(uow, receiver, "receiving_unit_id")
    uow.record(*ac.report(uow.ctx, accident, pack_for(accident.jurisdiction), kind=cmd.kind, sender=sender,
                          receiver=receiver, receiving_level=level, received_at=cmd.received_at,
                          items=frozenset(cmd.items), figures=cmd.figures, summary=cmd.summary,
                          unit_head_informed_at=cmd.unit_head_informed_at))
    return accident.id


POLICY: frozenset[str] = frozenset()
"""Only the system (the accident policies) sends the commands below."""


class FlagAccidentReporting(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "flag accident reporting"
    accident_id: RecordRef
    irregularity: ac.Irregularity
    report_no: int | None = Field(default=None, ge=1, description="the report it concerns; null: the accident")


class WithdrawAccidentFlag(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "withdraw accident reporting flags"
    accident_id: RecordRef
    irregularity: ac.Irregularity
    report_no: int | None = Field(default=None, ge=1)


class SuspectConcealment(Command):
    roles: ClassVar[frozenset[str]] = POLICY
    action: ClassVar[str] = "suspect concealed accidents"
    accident_id: RecordRef


def _accident(uow: UnitOfWork, accident_id: UUID) -> ac.Accident:
    return uow.load(accident_id, ac.Accident, label="accident", field="accident_id")


def flag_accident_reporting(cmd: FlagAccidentReporting, uow: UnitOfWork) -> UUID:
    accident = _accident(uow, cmd.accident_id)
    flag = ac.raise_flag(uow.ctx, accident, pack_for(accident.jurisdiction), cmd.irregularity, cmd.report_no)
    if flag is not None:
        uow.record(flag)
    return accident.id


def withdraw_accident_flag(cmd: WithdrawAccidentFlag, uow: UnitOfWork) -> UUID:
    accident = _accident(uow, cmd.accident_id)
    withdrawn = ac.withdraw_flag(uow.ctx, accident, pack_for(accident.jurisdiction), cmd.irregularity,
                                 cmd.report_no)
    if withdrawn is not None:
        uow.record(withdrawn)
    return accident.id


def suspect_concealment(cmd: SuspectConcealment, uow: UnitOfWork) -> UUID:
    accident = _accident(uow, cmd.accident_id)
    unit = _unit(uow, accident.unit_id, "unit_id")
    uow.record(*ac.suspect_concealment(uow.ctx, accident, pack_for(accident.jurisdiction),
                                       safety_committee(uow, unit)))
    return accident.id


HANDLERS: dict[type[Command], Handler] = {
    RecordAccident: record_accident,
    ReportAccident: report_accident,
    FlagAccidentReporting: flag_accident_reporting,
    WithdrawAccidentFlag: withdraw_accident_flag,
    SuspectConcealment: suspect_concealment,
}
