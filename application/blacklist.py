"""Blacklist context (严重失信主体名单, docs/rules.md R10; 应急管理部令第11号): propose, decide, notify, remove early.

A proposal comes from the policy (an accident ground met by the unit's accidents: the handler re-reads each accident
from the log and re-runs ``domain.rules.blacklist.accident_grounds``; a ground met by a decided penalty case: the
handler re-reads the case and re-runs ``decision_grounds``) or from an official naming the record that
shows another ground (an investigation's finding, a penalty decision). The decision is the department's
(谁处罚、谁决定、谁负责): an inspector's token names it; an admin or enforcement user names it in the body.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, Field

from application.commands import Command, Targeted
from application.service import Handler
from application.unit_of_work import UnitOfWork
from domain import blacklist as bl
from domain.accidents import Accident
from domain.base import Aggregate
from domain.bounds import FreeText
from domain.cases import PenaltyCase
from domain.errors import Conflict, Rejected
from domain.references import AccidentRef, CaseRef, ListingRef, PersonRef, RecordRef, UnitRef
from domain.rules import pack_for
from domain.rules.blacklist import AccidentFact, Ground, accident_grounds, decision_grounds
from domain.units import Unit

DECIDERS = frozenset({"admin", "enforcement", "inspector"})


class EvidenceRef(BaseModel):
    aggregate_id: RecordRef = Field(description="the record that shows the ground (a finding's investigation, …)")
    note: FreeText | None = Field(default=None, max_length=1000, description="what in it shows the ground")


class ProposeListing(Command):
    roles: ClassVar[frozenset[str]] = frozenset({"admin", "enforcement"})
    action: ClassVar[str] = "propose blacklist listings"
    unit_id: UnitRef = Field(description="the enterprise or intermediary")
    ground: Ground = Field(description="the ground of 应急管理部令第11号 that is met")
    accident_ids: list[AccidentRef] = Field(default=[], max_length=50, description="the accidents that meet it")
    evidence: list[EvidenceRef] = Field(default=[], max_length=20, description="for a ground no accident shows")
    case_id: CaseRef | None = Field(default=None, description="the decided penalty case that meets the ground (the "
                                                              "policy names it; the case is then the evidence)")


class DecideListing(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "decide blacklist listings"
    listing_id: ListingRef
    listed: bool = Field(description="list (列入) or decline (不予列入)")
    reason: FreeText = Field(min_length=1, max_length=4000)
    decision_no: str | None = Field(default=None, min_length=1, max_length=100, description="文书编号 of the decision")
    person_id: PersonRef | None = Field(default=None, description="the unit's main responsible person, listed with it")
    department_id: UnitRef | None = Field(default=None, description="the deciding department (an inspector's token "
                                                                     "names its own)")


class NotifyJointDiscipline(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "notify joint discipline"
    listing_id: ListingRef
    recipients: list[str] = Field(min_length=1, max_length=30, description="the agencies notified (联合惩戒)")
    measures: FreeText = Field(min_length=1, max_length=4000)


class RemoveListingEarly(Targeted):
    roles: ClassVar[frozenset[str]] = DECIDERS
    action: ClassVar[str] = "remove blacklist listings early"
    listing_id: ListingRef
    applied_on: date = Field(description="the day the unit applied (提前移出申请)")
    reason: FreeText = Field(min_length=1, max_length=4000)


def _entry(uow: UnitOfWork, listing_id: UUID, expected_version: int | None) -> bl.BlacklistEntry:
    return uow.load(listing_id, bl.BlacklistEntry, label="blacklist listing", field="listing_id",
                    expected_version=expected_version)


def _deciding(uow: UnitOfWork, entry: bl.BlacklistEntry, department_id: UUID | None) -> Unit:
    """The deciding department: an inspector's own (its token), else the one named (else the listing's)."""
    chosen = uow.principal.unit_id if uow.principal.role == "inspector" else department_id or entry.department_id
    if chosen is None:
        raise Rejected("department-required", "name the deciding department (谁处罚、谁决定、谁负责)",
                       field="department_id")
    if uow.principal.role == "inspector" and department_id not in (None, chosen):
        raise Rejected("own-department", "an inspector decides for its own department", field="department_id")
    department = uow.load(chosen, Unit, label="unit", field="department_id", write=False)
    uow.principal.require_scope(department.jurisdiction, f"the department {department.name}")
    return department


def propose_listing(cmd: ProposeListing, uow: UnitOfWork) -> UUID:
    unit = uow.load(cmd.unit_id, Unit, label="unit", field="unit_id")
    pack = pack_for(unit.jurisdiction)
    accidents = [uow.load(a, Accident, label="accident", field="accident_ids", write=False)
                 for a in cmd.accident_ids]
    if any(a.unit_id != unit.id for a in accidents):
        raise Rejected("accident-of-another-unit", "every accident named happened at this unit", field="accident_ids")
    facts = [AccidentFact(accident_id=a.id, occurred_at=a.occurred_at, grade=a.grade) for a in accidents]
    named = tuple(sorted(cmd.accident_ids, key=str))
    met = any(g.ground == cmd.ground and tuple(sorted(g.accident_ids, key=str)) == named
              for g in accident_grounds(pack, facts))
    evidence = tuple(bl.Evidence(aggregate_id=e.aggregate_id, note=e.note,
                                 kind=type(uow.find(e.aggregate_id, Aggregate)).__name__) for e in cmd.evidence)
    by_decision = None
    if cmd.case_id is not None:
        if cmd.accident_ids or cmd.evidence:
            raise Rejected("case-is-the-evidence", "a proposal from a penalty decision names the case alone",
                           field="case_id")
        case = uow.load(cmd.case_id, PenaltyCase, label="penalty case", field="case_id", write=False)
        if case.unit_id != unit.id:
            raise Rejected("case-of-another-unit", "the case was decided against another unit", field="case_id")
        by_decision = case.decision is not None and cmd.ground in decision_grounds(pack, case.article,
                                                                                   case.penalised)
        evidence = (bl.Evidence(aggregate_id=case.id, kind="PenaltyCase", note=(
            f"{case.article}; 行政处罚决定书 {case.decision.decision_no}" if case.decision else case.article)),)
    event = bl.propose(uow.ctx, unit, pack, cmd.ground, tuple(cmd.accident_ids), evidence, met=met,
                       by_decision=by_decision)
    if uow.find(event.originator_id, bl.BlacklistEntry) is not None:
        raise Conflict("already-proposed", "a listing on this ground for these facts was proposed already")
    uow.record(event)
    return event.originator_id


def decide_listing(cmd: DecideListing, uow: UnitOfWork) -> UUID:
    """The deciding department lists or declines; for a listing shown by penalty decisions, only the department that
    decided them (谁处罚、谁决定、谁负责, 第四条第二款)."""
    entry = _entry(uow, cmd.listing_id, cmd.expected_version)
    department = _deciding(uow, entry, cmd.department_id)
    for evidence in entry.evidence:
        case = uow.find(evidence.aggregate_id, PenaltyCase) if evidence.kind == "PenaltyCase" else None
        if case is not None and case.department_id != department.id:
            raise Rejected("not-the-penalising-department",
                           "the department that decided the penalty decides the listing (谁处罚、谁决定、谁负责)",
                           field="department_id", basis=pack_for(entry.jurisdiction)["blacklist.basis"])
    uow.record(bl.decide(uow.ctx, entry, pack_for(entry.jurisdiction), department, listed=cmd.listed,
                         reason=cmd.reason, decided_by=uow.principal.person_id, person_id=cmd.person_id,
                         decision_no=cmd.decision_no))
    return entry.id


def notify_joint_discipline(cmd: NotifyJointDiscipline, uow: UnitOfWork) -> UUID:
    entry = _entry(uow, cmd.listing_id, cmd.expected_version)
    uow.record(bl.notify(uow.ctx, entry, tuple(cmd.recipients), cmd.measures))
    return entry.id


def remove_early(cmd: RemoveListingEarly, uow: UnitOfWork) -> UUID:
    entry = _entry(uow, cmd.listing_id, cmd.expected_version)
    uow.record(bl.remove_early(uow.ctx, entry, pack_for(entry.jurisdiction), cmd.applied_on, cmd.reason,
                               uow.principal.person_id))
    return entry.id


HANDLERS: dict[type[Command], Handler] = {
    ProposeListing: propose_listing,
    DecideListing: decide_listing,
    NotifyJointDiscipline: notify_joint_discipline,
    RemoveListingEarly: remove_early,
}
