"""Investigations context: open, extend, appraise, find responsibility, report, approve, close (四不放过), evaluate.

Investigators and administrators act; the investigating government is found by the rule (the accident's grade, or
the level above when escalated), never chosen by hand. A finding's duty is checked against the responsibility list
as it stood when the accident happened, and its evidence against the log: a reference to a record that does not
exist, or did not hold that duty then, is refused.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from application.commands import Command, Targeted
from application.organisation import territory_of
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import investigations as iv
from domain.accidents import Accident
from domain.base import project
from domain.bounds import FreeText
from domain.errors import Conflict, NotFound, Rejected
from domain.people import Person
from domain.references import ListRef, PersonRef, RecordRef, UnitRef
from domain.responsibility import ResponsibilityList
from domain.rules import pack_for
from domain.rules.accidents import GovernmentLevel
from domain.units import Level, Unit

INVESTIGATORS = frozenset({"admin", "investigator"})
INVESTIGATION_NAMESPACE = UUID("0d6c2f0e-9b8a-4a43-8d3c-5f1e7a2b9c64")


def investigation_id(accident_id: UUID) -> UUID:
    """One investigation per accident: its id derives from the accident's."""
    return uuid5(INVESTIGATION_NAMESPACE, str(accident_id))


class DutyReference(BaseModel):
    """The duty failed, as the responsibility list and duty ids of the ledger row; the system adds the version."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    list_id: ListRef
    duty_id: UUID


class OpenInvestigation(Command):
    roles: ClassVar[frozenset[str]] = INVESTIGATORS
    action: ClassVar[str] = "open investigations"
    accident_id: RecordRef
    escalated: bool = Field(default=False, description="提级调查: the level above the one the grade names")
    team: tuple[iv.TeamMember, ...] = Field(min_length=1, max_length=50)


class ExtendInvestigation(Targeted):
    roles: ClassVar[frozenset[str]] = INVESTIGATORS
    action: ClassVar[str] = "extend investigations"
    investigation_id: RecordRef
    days: int = Field(ge=1, le=366)
    reason: FreeText = Field(min_length=1, max_length=1000)


class RecordTechnicalAppraisal(Targeted):
    roles: ClassVar[frozenset[str]] = INVESTIGATORS
    action: ClassVar[str] = "record technical appraisals"
    investigation_id: RecordRef
    started_on: date
    ended_on: date
    subject: str = Field(min_length=1, max_length=500)


class FindResponsibility(Targeted):
    roles: ClassVar[frozenset[str]] = INVESTIGATORS
    action: ClassVar[str] = "record findings of responsibility"
    investigation_id: RecordRef
    line: iv.InvestigationLine
    unit_id: UnitRef
    person_id: PersonRef | None = None
    duty: DutyReference | None = Field(default=None, description="the duty failed; required except for 尽职免责")
    evidence: tuple[iv.EventRef, ...] = Field(default=(), max_length=100)
    description: FreeText = Field(min_length=1, max_length=4000)
    disposition: iv.Disposition


class SubmitInvestigationReport(Targeted):
    roles: ClassVar[frozenset[str]] = INVESTIGATORS
    action: ClassVar[str] = "submit investigation reports"
    investigation_id: RecordRef
    cause: FreeText = Field(min_length=1, max_length=4000)
    summary: FreeText = Field(min_length=1, max_length=8000)


class ApproveInvestigationReport(Targeted):
    roles: ClassVar[frozenset[str]] = frozenset({"admin"})
    action: ClassVar[str] = "approve investigation reports"
    investigation_id: RecordRef
    document_no: str = Field(min_length=1, max_length=100, description="批复文号")


class MeetClosingCondition(Targeted):
    roles: ClassVar[frozenset[str]] = INVESTIGATORS
    action: ClassVar[str] = "record the closing conditions"
    investigation_id: RecordRef
    condition: iv.ClosingCondition
    evidence: tuple[iv.EventRef, ...] = Field(min_length=1, max_length=100)
    note: FreeText = Field(min_length=1, max_length=2000)


class EvaluateMeasures(Targeted):
    roles: ClassVar[frozenset[str]] = INVESTIGATORS
    action: ClassVar[str] = "evaluate measures"
    investigation_id: RecordRef
    result: FreeText = Field(min_length=1, max_length=4000)
    publication: str = Field(min_length=1, max_length=500, description="where the result was published (向社会公开)")


LEVEL_OF_GOVERNMENT = {GovernmentLevel.county: Level.county, GovernmentLevel.city: Level.city,
                       GovernmentLevel.province: Level.province}


def government_at(uow: UnitOfWork, unit: Unit, level: GovernmentLevel) -> Unit | None:
    """The territorial government of ``unit`` at ``level`` (``None`` for 国务院, which the registry does not hold)."""
    wanted = LEVEL_OF_GOVERNMENT.get(level)
    if wanted is None:
        return None
    territory = territory_of(uow, unit)
    while territory is not None and getattr(territory.profile, "level", None) != wanted:
        territory = uow.find(territory.parent_id, Unit) if territory.parent_id else None
    if territory is None:
        raise Rejected("no-government", f"no {wanted.value}-level government above {unit.name} is registered",
                       field="accident_id")
    return territory


def _investigation(uow: UnitOfWork, cmd_id: UUID, expected_version: int | None) -> iv.Investigation:
    return uow.load(cmd_id, iv.Investigation, label="investigation", field="investigation_id",
                    expected_version=expected_version)


def _evidence(uow: UnitOfWork, refs: tuple[iv.EventRef, ...]) -> None:
    for n, ref in enumerate(refs):
        state = uow.log.get(ref.aggregate_id, ref.version)
        if state is None or getattr(state, "version", None) != ref.version:
            raise NotFound("evidence-not-found", f"evidence {n + 1}: no event {ref.version} of {ref.aggregate_id}",
                           field=f"evidence.{n}")
        uow.principal.require_scope(state.jurisdiction, f"evidence {n + 1}")


def open_investigation(cmd: OpenInvestigation, uow: UnitOfWork) -> UUID:
    accident = uow.load(cmd.accident_id, Accident, label="accident", field="accident_id")
    new_id = investigation_id(accident.id)
    if uow.find(new_id, iv.Investigation) is not None:
        raise Conflict("already-investigated", "the accident already has its investigation")
    pack = pack_for(accident.jurisdiction)
    level = iv.level_for(pack, accident.grade, cmd.escalated)
    unit = uow.load(accident.unit_id, Unit, label="unit", field="accident_id", write=False)
    government = government_at(uow, unit, level)
    for n, member in enumerate(cmd.team):
        uow.load(member.person_id, Person, label="person", field=f"team.{n}.person_id", write=False)
        uow.load(member.unit_id, Unit, label="unit", field=f"team.{n}.unit_id", write=False)
    jurisdiction = government.jurisdiction if government is not None else accident.jurisdiction
    uow.record(iv.open_investigation(uow.ctx, new_id, pack, accident_id=accident.id, jurisdiction=jurisdiction,
                                     grade=accident.grade, occurred_at=accident.occurred_at,
                                     escalated=cmd.escalated, government_id=government.id if government else None,
                                     team=cmd.team))
    return new_id


def extend_investigation(cmd: ExtendInvestigation, uow: UnitOfWork) -> UUID:
    state = _investigation(uow, cmd.investigation_id, cmd.expected_version)
    uow.record(iv.extend(uow.ctx, state, pack_for(state.jurisdiction), cmd.days, cmd.reason))
    return state.id


def record_appraisal(cmd: RecordTechnicalAppraisal, uow: UnitOfWork) -> UUID:
    state = _investigation(uow, cmd.investigation_id, cmd.expected_version)
    uow.record(iv.record_appraisal(uow.ctx, state, pack_for(state.jurisdiction), cmd.started_on, cmd.ended_on,
                                   cmd.subject))
    return state.id


def duty_at(uow: UnitOfWork, ref: DutyReference, accident: Accident) -> iv.DutyRef:
    """The ledger row that held the duty when the accident happened: the list folded from the events effective
    by then, and the version it had reached."""
    history = [e for e in uow.log.history(ref.list_id) if e.effective_at <= accident.occurred_at]
    if not history or not isinstance(history[0].apply(None), ResponsibilityList):
        raise NotFound("duty-not-found", f"no responsibility list {ref.list_id} existed when the accident happened",
                       field="duty.list_id")
    lst = project(None, history)
    uow.principal.require_scope(lst.jurisdiction, f"the responsibility list {ref.list_id}")
    if str(ref.duty_id) not in lst.duties:
        raise Rejected("duty-not-held", "that duty was not on the list when the accident happened",
                       field="duty.duty_id")
    return iv.DutyRef(list_id=ref.list_id, duty_id=ref.duty_id, list_version=lst.version)


def find_responsibility(cmd: FindResponsibility, uow: UnitOfWork) -> UUID:
    state = _investigation(uow, cmd.investigation_id, cmd.expected_version)
    accident = uow.load(state.accident_id, Accident, label="accident", field="investigation_id", write=False)
    uow.load(cmd.unit_id, Unit, label="unit", field="unit_id", write=False)
    if cmd.person_id is not None:
        uow.load(cmd.person_id, Person, label="person", field="person_id", write=False)
    duty = duty_at(uow, cmd.duty, accident) if cmd.duty is not None else None
    _evidence(uow, cmd.evidence)
    uow.record(iv.find_responsibility(uow.ctx, state, pack_for(state.jurisdiction), line=cmd.line,
                                      unit_id=cmd.unit_id, person_id=cmd.person_id, duty=duty,
                                      evidence=cmd.evidence, description=cmd.description,
                                      disposition=cmd.disposition))
    return state.id


def submit_report(cmd: SubmitInvestigationReport, uow: UnitOfWork) -> UUID:
    state = _investigation(uow, cmd.investigation_id, cmd.expected_version)
    uow.record(iv.submit_report(uow.ctx, state, pack_for(state.jurisdiction), cmd.cause, cmd.summary))
    return state.id


def approve_report(cmd: ApproveInvestigationReport, uow: UnitOfWork) -> UUID:
    state = _investigation(uow, cmd.investigation_id, cmd.expected_version)
    uow.record(iv.approve_report(uow.ctx, state, pack_for(state.jurisdiction), cmd.document_no))
    return state.id


def meet_condition(cmd: MeetClosingCondition, uow: UnitOfWork) -> UUID:
    state = _investigation(uow, cmd.investigation_id, cmd.expected_version)
    _evidence(uow, cmd.evidence)
    uow.record(iv.meet_condition(uow.ctx, state, pack_for(state.jurisdiction), cmd.condition, cmd.evidence,
                                 cmd.note))
    return state.id


def evaluate_measures(cmd: EvaluateMeasures, uow: UnitOfWork) -> UUID:
    state = _investigation(uow, cmd.investigation_id, cmd.expected_version)
    uow.record(iv.evaluate(uow.ctx, state, pack_for(state.jurisdiction), cmd.result, cmd.publication))
    return state.id


HANDLERS: dict[type[Command], Handler] = {
    OpenInvestigation: open_investigation,
    ExtendInvestigation: extend_investigation,
    RecordTechnicalAppraisal: record_appraisal,
    FindResponsibility: find_responsibility,
    SubmitInvestigationReport: submit_report,
    ApproveInvestigationReport: approve_report,
    MeetClosingCondition: meet_condition,
    EvaluateMeasures: evaluate_measures,
}
