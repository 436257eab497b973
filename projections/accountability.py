"""Accountability: every act (slips, letters and circulars, summons; accountability, 尽职免责 and commendation of
persons) as rows, for a person's record and a jurisdiction's board per year (docs/rules.md R9).

A person's acts name the post they held at the time the act concerns, as the event recorded it (the post's title
then, the appointment that began the holding): a later change of post changes nothing here.
:class:`AccountabilityQueries` also answers the policy worker's question (``application.ports.Slips``): the slips
whose report-back is late or missing and not yet flagged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    insert,
    or_,
    select,
    update,
)

from application.ports import VetoCount
from domain import accidents as acc
from domain import accountability as ac
from domain import assessments as asm
from domain import investigations as inv
from domain.calendar import local_day
from domain.rules.assessment_veto import VetoConsequence
from projections.columns import Json, Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, on
from projections.scope import within
from projections.sorting import ordering
from projections.states import states_table
from projections.timeline import Decided, Timeline, changes_table, history_of, known, standing, valid

METADATA = MetaData()
SLIPS = Table(
    "accountability_slips", METADATA,
    Column("slip_id", Key, primary_key=True), Column("kind", Key, nullable=False),
    Column("issuer_unit_id", Key, nullable=False), Column("target_unit_id", Key, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("matter", Text, nullable=False),
    Column("issued_at", Timestamp, nullable=False), Column("year", Integer, nullable=False),
    Column("deadline", Timestamp, nullable=False), Column("answered_at", Timestamp), Column("report", Text),
    Column("late_flagged", Boolean, nullable=False), Column("basis", Text),
    Index("accountability_slips_due", "late_flagged", "deadline"),
)
SLIP_HISTORY = history_of(SLIPS, "accountability_slip_history", "slip_id", METADATA)
"""Each slip's row over effective time as known over recorded time (``projections.timeline``; issue #14)."""
SLIP_CHANGES = changes_table("accountability_slip_history", METADATA, events=True)
SLIP_STATES = states_table("accountability_slip_states", METADATA)
SLIP_EVENTS = (ac.SlipIssued, ac.SlipAnswered, ac.SlipReplyLate)
SLIP_SORTS = {name: SLIP_HISTORY.c[name] for name in ("issued_at", "kind", "deadline", "answered_at")}
"""The keys the slips sort by (``projections.sorting``)."""


def slip_columns(slip: ac.Slip) -> dict[str, Any]:
    """The slip's columns: the domain's state (``domain.accountability.Slip``) after the event."""
    return {"kind": slip.kind, "issuer_unit_id": slip.issuer_unit_id, "target_unit_id": slip.target_unit_id,
            "jurisdiction": slip.jurisdiction, "matter": slip.matter, "deadline": slip.deadline,
            "answered_at": slip.answered_at, "report": slip.report, "late_flagged": slip.late_flagged}


NOTICES = Table(
    "accountability_notices", METADATA,
    Column("notice_id", Key, primary_key=True), Column("kind", Key, nullable=False),
    Column("issuer_unit_id", Key, nullable=False), Column("target_unit_ids", Json, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("matter", Text, nullable=False),
    Column("issued_at", Timestamp, nullable=False), Column("year", Integer, nullable=False),
    Column("finding", Json), Column("basis", Text),
)
SUMMONS = Table(
    "accountability_summons", METADATA,
    Column("summons_id", Key, primary_key=True), Column("issuer_unit_id", Key, nullable=False),
    Column("target_unit_id", Key, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("held_at", Timestamp, nullable=False), Column("year", Integer, nullable=False),
    Column("record", Text, nullable=False), Column("summoned", Json, nullable=False),
    Column("commitments", Json, nullable=False), Column("finding", Json), Column("basis", Text),
)
ACTS = Table(
    "accountability_acts", METADATA,
    Column("person_id", Key, primary_key=True), Column("no", Integer, primary_key=True, autoincrement=False),
    Column("kind", Key, nullable=False), Column("form", Key), Column("title", Text),
    Column("post_id", Key), Column("post_title", Text), Column("unit_id", Key), Column("held_at", Timestamp),
    Column("held_from", Timestamp), Column("held_to", Timestamp), Column("appointment_id", Key),
    Column("finding", Json), Column("issuer_unit_id", Key), Column("decided_on", Date, nullable=False),
    Column("barred_until", Date), Column("document", Text), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("recorded_at", Timestamp, nullable=False), Column("basis", Text),
)
ILLEGAL_ACTS = Table(
    "accountability_illegal_acts", METADATA,
    Column("act_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("territory_id", Key, nullable=False), Column("department_id", Key),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("occurred_at", Timestamp, nullable=False),
    Column("year", Integer, nullable=False), Column("large_impact", Boolean, nullable=False),
    Column("description", Text, nullable=False),
)
ACCIDENTS = Table(
    "accountability_accidents", METADATA,
    Column("accident_id", Key, primary_key=True), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("unit_id", Key, nullable=False), Column("year", Integer, nullable=False),
    Column("grade", Key, nullable=False), Column("deaths", Integer, nullable=False),
    Column("liable", Boolean, nullable=False),
)
"""Accidents as the veto counts them: grade, deaths, and whether an investigation found responsibility (责任事故)."""
INVESTIGATIONS = Table(
    "accountability_investigations", METADATA,
    Column("investigation_id", Key, primary_key=True), Column("accident_id", Key, nullable=False),
)
VETOES = Table(
    "accountability_vetoes", METADATA,
    Column("finding_id", Key, primary_key=True), Column("territory_id", Key, nullable=False),
    Column("year", Integer, nullable=False), Column("consequence", Key, nullable=False),
    Column("illegal_acts", Integer, nullable=False), Column("fatal_accidents", Integer, nullable=False),
    Column("department_ids", Json, nullable=False), Column("reasons", Json, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("found_at", Timestamp, nullable=False),
    Column("basis", Text), Column("rules_version", Key),
)

ASSESSMENTS = Table(
    "accountability_assessments", METADATA,
    Column("assessment_id", Key, primary_key=True), Column("unit_id", Key, nullable=False),
    Column("year", Integer, nullable=False), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("score", Text, nullable=False), Column("rating", Key, nullable=False),
    Column("vetoed", Boolean, nullable=False), Column("veto_finding_ids", Json, nullable=False),
    Column("items", Json, nullable=False), Column("item_scores", Json, nullable=False),
    Column("placeholder", Boolean, nullable=False), Column("recorded_at", Timestamp, nullable=False),
    Column("basis", Text), Column("rules_version", Key),
    Index("accountability_assessments_year", "year"),
)
"""The year's assessment of a town or department (年度考核结果), its rating with the veto applied."""
PROJECT_VETOES = Table(
    "accountability_project_vetoes", METADATA,
    Column("veto_id", Key, primary_key=True), Column("issuer_unit_id", Key, nullable=False),
    Column("kind", Key, nullable=False), Column("name", Text, nullable=False), Column("applicant_unit_id", Key),
    Column("risk", Text, nullable=False), Column("document", Text, nullable=False),
    Column("jurisdiction", Jurisdiction, nullable=False), Column("decided_at", Timestamp, nullable=False),
    Column("year", Integer, nullable=False), Column("basis", Text),
)
"""项目一票否决 (seed 003 ¶31): projects and plans refused at approval for a major safety risk."""
ASSESSMENT_HISTORY = history_of(ASSESSMENTS, "accountability_assessment_history", "assessment_id", METADATA)
"""Each assessment's row over effective time as known over recorded time (``projections.timeline``): the results on
a past day as known then, a veto applied later absent before it took effect or was recorded (issue #14)."""
ASSESSMENT_CHANGES = changes_table("accountability_assessment_history", METADATA, events=True)
ASSESSMENT_STATES = states_table("accountability_assessment_states", METADATA)
ASSESSMENT_EVENTS = (asm.AssessmentRecorded, asm.AssessmentVetoApplied)
PROJECT_VETO_HISTORY = history_of(PROJECT_VETOES, "accountability_project_veto_history", "veto_id", METADATA)
"""Each project veto over effective time as known over recorded time (``projections.timeline``; issue #14)."""
PROJECT_VETO_CHANGES = changes_table("accountability_project_veto_history", METADATA, events=True)
PROJECT_VETO_STATES = states_table("accountability_project_veto_states", METADATA)


def assessment_columns(assessment: asm.Assessment) -> dict[str, Any]:
    """The assessment's columns the domain decides: its state (``domain.assessments.Assessment``) after the event —
    a veto applied later (``AssessmentVetoApplied``) turns the rating to 一票否决 (seed 001 ¶30)."""
    return {"unit_id": assessment.unit_id, "year": assessment.year, "jurisdiction": assessment.jurisdiction,
            "score": str(assessment.score), "rating": assessment.rating, "vetoed": assessment.vetoed,
            "veto_finding_ids": [str(v) for v in assessment.veto_finding_ids]}


def project_veto_columns(veto: asm.ProjectVeto) -> dict[str, Any]:
    """The project veto's columns: its state (``domain.assessments.ProjectVeto``)."""
    return {"issuer_unit_id": veto.issuer_unit_id, "kind": veto.kind, "name": veto.name,
            "applicant_unit_id": veto.applicant_unit_id, "risk": veto.risk, "document": veto.document,
            "jurisdiction": veto.jurisdiction, "year": veto.decided_on.year}


def _finding(finding: ac.FindingRef | None) -> dict[str, Any] | None:
    return None if finding is None else finding.model_dump(mode="json")


def _held(held: ac.HeldPost) -> dict[str, Any]:
    return {"post_id": held.post_id, "post_title": held.post_title, "unit_id": held.unit_id, "held_at": held.at,
            "held_from": held.held_from, "held_to": held.held_to, "appointment_id": held.appointment_id}


class AccountabilityRecords(Projection):
    name = "accountability"
    # 3: the slips' bitemporal history; 4: the assessments' and project vetoes' (issue #14);
    # 5: jurisdictions in collation "C"
    version = 5
    slips = SLIPS
    slip_history = SLIP_HISTORY
    slip_changes = SLIP_CHANGES
    slip_states = SLIP_STATES
    notices = NOTICES
    summons = SUMMONS
    acts = ACTS
    illegal_acts = ILLEGAL_ACTS
    accidents = ACCIDENTS
    investigations = INVESTIGATIONS
    vetoes = VETOES
    assessments = ASSESSMENTS
    assessment_history = ASSESSMENT_HISTORY
    assessment_changes = ASSESSMENT_CHANGES
    assessment_states = ASSESSMENT_STATES
    project_vetoes = PROJECT_VETOES
    project_veto_history = PROJECT_VETO_HISTORY
    project_veto_changes = PROJECT_VETO_CHANGES
    project_veto_states = PROJECT_VETO_STATES

    @property
    def assessment_timeline(self) -> Timeline:
        return Timeline(self.assessment_history, self.assessment_changes, "assessment_id",
                        decided=Decided(asm.Assessment, ASSESSMENT_EVENTS, assessment_columns,
                                        self.assessment_states))

    @property
    def project_veto_timeline(self) -> Timeline:
        return Timeline(self.project_veto_history, self.project_veto_changes, "veto_id",
                        decided=Decided(asm.ProjectVeto, (asm.ProjectVetoed,), project_veto_columns,
                                        self.project_veto_states))

    @on(asm.AssessmentRecorded)
    def _assessed(self, conn: Connection, e: asm.AssessmentRecorded, _: int) -> None:
        own = {"items": [i.model_dump(mode="json") for i in e.items],
               "item_scores": {k: str(v) for k, v in e.item_scores.items()}, "placeholder": e.placeholder,
               "recorded_at": e.effective_at, "basis": e.envelope.basis, "rules_version": e.envelope.rules_version}
        row = {"unit_id": e.unit_id, "year": e.year, "jurisdiction": e.envelope.jurisdiction, "score": str(e.score),
               "rating": e.rating, "vetoed": e.vetoed, "veto_finding_ids": [str(v) for v in e.veto_finding_ids],
               "items": [i.model_dump(mode="json") for i in e.items],
               "item_scores": {k: str(v) for k, v in e.item_scores.items()}, "placeholder": e.placeholder,
               "recorded_at": e.effective_at, "basis": e.envelope.basis, "rules_version": e.envelope.rules_version}
        t = self.assessments
        if conn.execute(select(t.c.assessment_id).where(t.c.assessment_id == e.originator_id)).first() is None:
            conn.execute(insert(t).values(assessment_id=e.originator_id, **row))
        else:
            conn.execute(update(t).where(t.c.assessment_id == e.originator_id).values(**row))
        self.assessment_timeline.record_event(conn, e, own)

    @on(asm.AssessmentVetoApplied)
    def _assessment_vetoed(self, conn: Connection, e: asm.AssessmentVetoApplied, _: int) -> None:
        t = self.assessments
        vetoes = conn.execute(select(t.c.veto_finding_ids).where(t.c.assessment_id == e.originator_id)).scalar_one()
        conn.execute(update(t).where(t.c.assessment_id == e.originator_id).values(
            rating="vetoed", vetoed=True, veto_finding_ids=[*vetoes, str(e.veto_finding_id)]))
        self.assessment_timeline.record_event(conn, e, {})

    @on(asm.ProjectVetoed)
    def _project_vetoed(self, conn: Connection, e: asm.ProjectVetoed, _: int) -> None:
        conn.execute(insert(self.project_vetoes).values(
            veto_id=e.originator_id, issuer_unit_id=e.issuer_unit_id, kind=e.kind, name=e.name,
            applicant_unit_id=e.applicant_unit_id, risk=e.risk, document=e.document,
            jurisdiction=e.envelope.jurisdiction, decided_at=e.effective_at, year=local_day(e.effective_at).year,
            basis=e.envelope.basis))
        self.project_veto_timeline.record_event(conn, e, {"decided_at": e.effective_at, "basis": e.envelope.basis})

    @on(ac.IllegalActRecorded)
    def _illegal(self, conn: Connection, e: ac.IllegalActRecorded, _: int) -> None:
        conn.execute(insert(self.illegal_acts).values(
            act_id=e.originator_id, unit_id=e.unit_id, territory_id=e.territory_id, department_id=e.department_id,
            jurisdiction=e.envelope.jurisdiction, occurred_at=e.effective_at, year=local_day(e.effective_at).year,
            large_impact=e.large_impact, description=e.description))

    @on(ac.AssessmentVetoFound)
    def _veto(self, conn: Connection, e: ac.AssessmentVetoFound, _: int) -> None:
        conn.execute(insert(self.vetoes).values(
            finding_id=e.originator_id, territory_id=e.territory_id, year=e.year, consequence=e.consequence,
            illegal_acts=e.illegal_acts, fatal_accidents=e.fatal_accidents,
            department_ids=[str(d) for d in e.department_ids], reasons=list(e.reasons),
            jurisdiction=e.envelope.jurisdiction, found_at=e.effective_at, basis=e.envelope.basis,
            rules_version=e.envelope.rules_version))

    @on(acc.AccidentRecorded)
    def _accident(self, conn: Connection, e: acc.AccidentRecorded, _: int) -> None:
        conn.execute(insert(self.accidents).values(
            accident_id=e.originator_id, jurisdiction=e.envelope.jurisdiction, unit_id=e.unit_id,
            year=local_day(e.occurred_at).year,
            grade=e.grade, deaths=e.figures.deaths, liable=False))

    @on(acc.AccidentReported)
    def _reported(self, conn: Connection, e: acc.AccidentReported, _: int) -> None:
        conn.execute(update(self.accidents).where(self.accidents.c.accident_id == e.originator_id)
                     .values(deaths=e.report.figures.deaths))

    @on(acc.AccidentRegraded)
    def _regraded(self, conn: Connection, e: acc.AccidentRegraded, _: int) -> None:
        conn.execute(update(self.accidents).where(self.accidents.c.accident_id == e.originator_id)
                     .values(grade=e.grade))

    @on(inv.InvestigationOpened)
    def _investigation(self, conn: Connection, e: inv.InvestigationOpened, _: int) -> None:
        conn.execute(insert(self.investigations).values(investigation_id=e.originator_id,
                                                        accident_id=e.accident_id))

    @on(inv.ResponsibilityFound)
    def _liable(self, conn: Connection, e: inv.ResponsibilityFound, _: int) -> None:
        i = self.investigations.c
        accident = select(i.accident_id).where(i.investigation_id == e.originator_id).scalar_subquery()
        conn.execute(update(self.accidents).where(self.accidents.c.accident_id == accident).values(liable=True))

    @property
    def slip_timeline(self) -> Timeline:
        return Timeline(self.slip_history, self.slip_changes, "slip_id",
                        decided=Decided(ac.Slip, SLIP_EVENTS, slip_columns, self.slip_states))

    @on(ac.SlipIssued)
    def _slip(self, conn: Connection, e: ac.SlipIssued, _: int) -> None:
        conn.execute(insert(self.slips).values(
            slip_id=e.originator_id, kind=e.kind, issuer_unit_id=e.issuer_unit_id, target_unit_id=e.target_unit_id,
            jurisdiction=e.envelope.jurisdiction, matter=e.matter, issued_at=e.effective_at,
            year=local_day(e.effective_at).year, deadline=e.deadline, late_flagged=False, basis=e.envelope.basis))
        self.slip_timeline.record_event(conn, e, {"issued_at": e.effective_at, "year": local_day(e.effective_at).year,
                                                  "basis": e.envelope.basis})

    @on(ac.SlipAnswered)
    def _answered(self, conn: Connection, e: ac.SlipAnswered, _: int) -> None:
        conn.execute(update(self.slips).where(self.slips.c.slip_id == e.originator_id).values(
            answered_at=e.effective_at, report=e.report))
        self.slip_timeline.record_event(conn, e, {})

    @on(ac.SlipReplyLate)
    def _late(self, conn: Connection, e: ac.SlipReplyLate, _: int) -> None:
        conn.execute(update(self.slips).where(self.slips.c.slip_id == e.originator_id).values(late_flagged=True))
        self.slip_timeline.record_event(conn, e, {})

    @on(ac.NoticeIssued)
    def _notice(self, conn: Connection, e: ac.NoticeIssued, _: int) -> None:
        conn.execute(insert(self.notices).values(
            notice_id=e.originator_id, kind=e.kind, issuer_unit_id=e.issuer_unit_id,
            target_unit_ids=[str(t) for t in e.target_unit_ids], jurisdiction=e.envelope.jurisdiction,
            matter=e.matter, issued_at=e.effective_at, year=local_day(e.effective_at).year,
            finding=_finding(e.finding), basis=e.envelope.basis))

    @on(ac.SummonsHeld)
    def _summons(self, conn: Connection, e: ac.SummonsHeld, _: int) -> None:
        conn.execute(insert(self.summons).values(
            summons_id=e.originator_id, issuer_unit_id=e.issuer_unit_id, target_unit_id=e.target_unit_id,
            jurisdiction=e.envelope.jurisdiction, held_at=e.effective_at, year=local_day(e.effective_at).year,
            record=e.record, summoned=[s.model_dump(mode="json") for s in e.summoned],
            commitments=[c.model_dump(mode="json") for c in e.commitments], finding=_finding(e.finding),
            basis=e.envelope.basis))

    @on(ac.CommitmentFollowedUp)
    def _followed(self, conn: Connection, e: ac.CommitmentFollowedUp, _: int) -> None:
        s = self.summons.c
        commitments = conn.execute(select(s.commitments).where(s.summons_id == e.originator_id)).scalar_one()
        changed = [{**c, "kept": e.kept, "follow_up": e.note} if c["no"] == e.no else c for c in commitments]
        conn.execute(update(self.summons).where(s.summons_id == e.originator_id).values(commitments=changed))

    def _act(self, conn: Connection, e: ac.AccountabilityImposed | ac.DutiesFoundPerformed | ac.Commended,
             **columns: Any) -> None:
        conn.execute(insert(self.acts).values(person_id=e.person_id, jurisdiction=e.envelope.jurisdiction,
                                              recorded_at=e.timestamp, basis=e.envelope.basis, **columns))

    @on(ac.AccountabilityImposed)
    def _imposed(self, conn: Connection, e: ac.AccountabilityImposed, _: int) -> None:
        a = e.act
        self._act(conn, e, no=a.no, kind="accountability", form=a.form, finding=_finding(a.finding),
                  issuer_unit_id=a.issuer_unit_id, decided_on=a.decided_on, barred_until=a.barred_until,
                  document=a.document, **_held(a.held))

    @on(ac.DutiesFoundPerformed)
    def _exonerated(self, conn: Connection, e: ac.DutiesFoundPerformed, _: int) -> None:
        x = e.exoneration
        self._act(conn, e, no=x.no, kind="exoneration", finding=_finding(x.finding), decided_on=x.decided_on,
                  **_held(x.held))

    @on(ac.Commended)
    def _commended(self, conn: Connection, e: ac.Commended, _: int) -> None:
        c = e.commendation
        self._act(conn, e, no=c.no, kind="commendation", title=c.title, issuer_unit_id=c.issuer_unit_id,
                  decided_on=c.awarded_on)


def _at(history: Table, as_of: datetime | None, known_at: datetime | None) -> list[Any]:
    """The rows of ``history`` in force at ``as_of`` as recorded by ``known_at`` (both default: now)."""
    if as_of is None and known_at is None:
        return [standing(history)]
    return [valid(history, as_of or datetime.now(UTC)), known(history, known_at or datetime.now(UTC))]


class AccountabilityQueries:
    """A person's record, a jurisdiction's board per year, and the slips the worker must flag."""

    def __init__(self, db: Any, directory: DirectoryQueries):
        self.db = db
        self.directory = directory

    def _named(self, rows: list[dict[str, Any]], unit: str, label: str) -> list[dict[str, Any]]:
        """Each row with the name of its unit ``unit`` (the directory's answer) as ``label``."""
        names = self.directory.unit_names({r[unit] for r in rows})
        return [{**r, label: names.get(r[unit], {}).get("name")} for r in rows]

    def person_record(self, scope: str, person_id: UUID) -> list[dict[str, Any]]:
        """Every act about the person, in order, each with the post held then and its unit's name."""
        a = ACTS.c
        query = select(ACTS).where(a.person_id == person_id, within(a.jurisdiction, scope)).order_by(a.no)
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        people = self.directory.person_names({r["person_id"] for r in rows})
        return [{**r, "person_name": people.get(r["person_id"])} for r in self._named(rows, "unit_id", "unit_name")]

    def board(self, scope: str, year: int, *, now: datetime) -> dict[str, list[dict[str, Any]]]:
        """The year's slips (with open and late ones marked as of ``now``), summons and letters/circulars."""
        s, n, m = SLIPS.c, NOTICES.c, SUMMONS.c
        with self.db.read() as conn:
            slips = [dict(r) for r in conn.execute(
                select(SLIPS).where(within(s.jurisdiction, scope), s.year == year)
                .order_by(s.issued_at, s.slip_id)).mappings()]
            summons = [dict(r) for r in conn.execute(
                select(SUMMONS).where(within(m.jurisdiction, scope), m.year == year)
                .order_by(m.held_at, m.summons_id)).mappings()]
            notices = [dict(r) for r in conn.execute(
                select(NOTICES).where(within(n.jurisdiction, scope), n.year == year)
                .order_by(n.issued_at, n.notice_id)).mappings()]
        slips = self._named(slips, "target_unit_id", "target_name")
        summons = self._named(summons, "target_unit_id", "target_name")
        for slip in slips:
            answered, deadline = slip["answered_at"], slip["deadline"]
            slip["open"] = answered is None
            slip["late"] = (answered is None and now > deadline) or (answered is not None and answered > deadline)
        return {"slips": slips, "summons": summons, "notices": notices}

    def slips(self, scope: str, *, as_of: datetime, known_at: datetime, year: int | None = None,
              kind: str | None = None, target_unit_id: UUID | None = None, open_only: bool | None = None,
              sort: str | None = None, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        """Each slip as it stood at ``as_of``, as recorded by ``known_at`` (``projections.timeline``), open and late as
        of ``as_of``; in the order issued, or by ``sort`` (a key of ``SLIP_SORTS``). ``open_only``: unanswered
        (``True``) or answered (``False``) then."""
        s = SLIP_HISTORY.c
        conditions = [within(s.jurisdiction, scope), valid(SLIP_HISTORY, as_of), known(SLIP_HISTORY, known_at)]
        filters = {s.year: year, s.kind: kind, s.target_unit_id: target_unit_id}
        conditions += [c == value for c, value in filters.items() if value is not None]
        if open_only is not None:
            conditions.append(s.answered_at.is_(None) if open_only else s.answered_at.is_not(None))
        order = ordering(SLIP_SORTS, sort, (s.issued_at, s.slip_id), s.slip_id)
        query = select(*(s[c.name] for c in SLIPS.columns)).where(*conditions).order_by(*order)
        with self.db.read() as conn:
            slips = [dict(r) for r in conn.execute(query.limit(limit).offset(offset)).mappings()]
        slips = self._named(slips, "target_unit_id", "target_name")
        for slip in slips:
            answered, deadline = slip["answered_at"], slip["deadline"]
            slip["open"] = answered is None
            slip["late"] = (answered is None and as_of > deadline) or (answered is not None and answered > deadline)
        return slips

    def vetoes(self, scope: str, year: int) -> list[dict[str, Any]]:
        """The year's veto findings (seed 001 ¶30) in ``scope``, with the town's name."""
        v = VETOES.c
        query = (select(VETOES).where(within(v.jurisdiction, scope), v.year == year)
                 .order_by(v.territory_id, v.consequence))
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        return self._named(rows, "territory_id", "territory_name")

    def department_vetoes(self, scope: str, year: int) -> list[dict[str, Any]]:
        """The year's veto board per department (行业主管部门, seed 001 ¶30): each department the findings name, with
        the towns and consequences that name it and whether it is vetoed (一票否决)."""
        boards: dict[str, dict[str, Any]] = {}
        for row in self.vetoes(scope, year):
            for department in row["department_ids"]:
                board = boards.setdefault(department, {"department_id": department, "year": year, "vetoed": False,
                                                       "findings": []})
                board["findings"].append({key: row[key] for key in (
                    "finding_id", "territory_id", "territory_name", "consequence", "illegal_acts",
                    "fatal_accidents", "found_at")})
                board["vetoed"] = board["vetoed"] or row["consequence"] == VetoConsequence.assessment_veto
        rows = self._named(sorted(boards.values(), key=lambda b: b["department_id"]), "department_id",
                           "department_name")
        return [{**r, "department_id": UUID(r["department_id"])} for r in rows]

    def vetoes_naming(self, unit_id: UUID, year: int) -> list[UUID]:
        """The year's 一票否决 findings naming the unit: a town's own, or a finding naming it among the departments."""
        v = VETOES.c
        query = select(v.finding_id, v.territory_id, v.department_ids).where(
            v.year == year, v.consequence == VetoConsequence.assessment_veto)
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [UUID(f) for f, territory, departments in rows
                if territory == str(unit_id) or str(unit_id) in departments]

    def assessments_of(self, scope: str, year: int, *, as_of: datetime | None = None,
                       known_at: datetime | None = None, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        """The year's assessment results in ``scope`` as they stood at ``as_of``, as recorded by ``known_at`` (both
        default: now; ``projections.timeline``), with each unit's name."""
        t = ASSESSMENT_HISTORY.c
        query = (select(*(t[col.name] for col in ASSESSMENTS.columns))
                 .where(within(t.jurisdiction, scope), t.year == year, *_at(ASSESSMENT_HISTORY, as_of, known_at))
                 .order_by(t.unit_id, t.assessment_id).limit(limit).offset(offset))
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        return self._named(rows, "unit_id", "unit_name")

    def project_vetoes_of(self, scope: str, year: int, *, as_of: datetime | None = None,
                          known_at: datetime | None = None, limit: int = 500,
                          offset: int = 0) -> list[dict[str, Any]]:
        """The year's projects and plans refused for a major safety risk (seed 003 ¶31) as they stood at ``as_of``,
        as recorded by ``known_at`` (both default: now; ``projections.timeline``), with the issuer's name."""
        p = PROJECT_VETO_HISTORY.c
        query = (select(*(p[col.name] for col in PROJECT_VETOES.columns))
                 .where(within(p.jurisdiction, scope), p.year == year, *_at(PROJECT_VETO_HISTORY, as_of, known_at))
                 .order_by(p.decided_at, p.veto_id).limit(limit).offset(offset))
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        return self._named(rows, "issuer_unit_id", "issuer_name")

    def unit_acts(self, scope: str, unit_id: UUID, *, until: datetime) -> dict[str, Any]:
        """The acts of accountability a unit's 1+N ledger shows by ``until``: slips to it, letters and circulars
        naming it, summons of its leaders, and acts against people as holders of its posts (the post held then)."""
        s, n, m, a = SLIPS.c, NOTICES.c, SUMMONS.c, ACTS.c
        with self.db.read() as conn:
            slips = [dict(r) for r in conn.execute(
                select(SLIPS).where(within(s.jurisdiction, scope), s.target_unit_id == unit_id, s.issued_at <= until)
                .order_by(s.issued_at, s.slip_id)).mappings()]
            notices = [dict(r) for r in conn.execute(
                select(NOTICES).where(within(n.jurisdiction, scope), n.issued_at <= until)
                .order_by(n.issued_at, n.notice_id)).mappings() if str(unit_id) in r["target_unit_ids"]]
            summons = [dict(r) for r in conn.execute(
                select(SUMMONS).where(within(m.jurisdiction, scope), m.target_unit_id == unit_id,
                                      m.held_at <= until).order_by(m.held_at, m.summons_id)).mappings()]
            acts = [dict(r) for r in conn.execute(
                select(ACTS).where(within(a.jurisdiction, scope), a.unit_id == unit_id,
                                   a.kind == "accountability").order_by(a.decided_on, a.person_id, a.no)).mappings()]
        for slip in slips:
            answered, deadline = slip["answered_at"], slip["deadline"]
            slip["open"] = answered is None or answered > until
            slip["late"] = ((answered is None or answered > until) and until > deadline) or (
                answered is not None and answered <= until and answered > deadline)
        people = self.directory.person_names({r["person_id"] for r in acts})
        acts = [{**r, "person_name": people.get(r["person_id"])} for r in acts
                if local_day(until) >= r["decided_on"]]
        return {"slips": slips, "notices": notices, "summons": summons, "acts": acts}

    # --- application.ports.Vetoes ---------------------------------------------------------------------------
    def veto_counts(self, scope: str, year: int, grades: tuple[str, ...]) -> list[VetoCount]:
        """Per town (镇/街道) in ``scope``: the year's illegal acts with large impact, the fatal liability accidents of
        ``grades``, and the departments concerned (行业主管部门): those supervising the units of the acts (as recorded
        with each act) and of the accidents (the directory's answer)."""
        i, x = ILLEGAL_ACTS.c, ACCIDENTS.c
        towns = sorted((u["unit_id"], u["jurisdiction"]) for u in self.directory.units(
            scope, kind="territorial", limit=1_000_000) if u["level"] == "town")
        with self.db.read() as conn:
            acts = conn.execute(select(i.territory_id, i.department_id).where(
                within(i.jurisdiction, scope), i.year == year, i.large_impact.is_(True))).all()
            deaths = conn.execute(select(x.jurisdiction, x.unit_id).where(
                within(x.jurisdiction, scope), x.year == year, x.grade.in_(grades), x.deaths >= 1,
                x.liable.is_(True))).all()
        supervising = self.directory.supervising_departments({unit for _, unit in deaths})
        counts = []
        for town, path in towns:
            mine = [department for territory, department in acts if territory == town]
            fatal = [unit for where, unit in deaths if where == path or where.startswith(f"{path}/")]
            departments = {*mine, *(supervising.get(unit) for unit in fatal)}
            counts.append(VetoCount(UUID(town), len(mine), len(fatal),
                                    tuple(sorted({UUID(d) for d in departments if d is not None}, key=str))))
        return counts

    # --- application.ports.Slips ----------------------------------------------------------------------------
    def late_slips(self, now: datetime) -> list[UUID]:
        """Slips past their deadline, unanswered or answered after it, not yet flagged."""
        s = SLIPS.c
        query = (select(s.slip_id).where(s.late_flagged.is_(False), s.deadline < now,
                                         or_(s.answered_at.is_(None), and_(s.answered_at > s.deadline)))
                 .order_by(s.deadline, s.slip_id))
        with self.db.read() as conn:
            return [UUID(slip_id) for slip_id in conn.execute(query).scalars()]
