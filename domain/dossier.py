"""The 一案四查 dossier, derived: for a subject (an accident, a hazard or a tip) at unit U and time T, the four lines
and the two backtracks, as of T and as known at K — a pure function of logged events.

- **Entity line** (企业主体责任): U at T, its posts and holders (with their certificates and whether valid at T),
  its duty lists, its hazards found before T with their state at T, its own checks (自查) and, month by month while
  the holder at T held the post, the checks its main responsible person led or took part in (seed 004 ¶67); its
  prior penalties (cases decided before T); its people's acts of accountability.
- **Supervisory line** (部门监管责任): the department that supervised U's sector at T (as the lead-unit rule
  recorded it: ``SupervisionAssigned``, and the catalogue's ``SectorLeadDecided``), its posts and holders, its duty
  lists; every inspection of U before T (U's own checks aside) — who signed, what its checklist covered, what it
  found; for each hazard behind the subject (U's hazards open at T) every earlier inspection's reach: the hazard's
  checklist item in scope and missed, in scope and not checked, out of scope, or found; U's hazards under listed
  supervision at T and their age; the penalty cases against U and their outcome at T.
- **Territorial line** (属地管理责任): the 村/社区, 镇/街道 and county above U at T, their posts and duty lists, their
  grid members (网格员) and which of them cover U's 网格, the 交办单/督办单 to them (answered? late?) and the letters
  and circulars naming them.
- **Leadership line** (党政领导责任): in those territories, the party secretaries and government heads (党政同责) and
  the deputies whose portfolio names U's sector (一岗双责).
- **Two backtracks** (两个倒查): one timeline, newest first, of the acts on U's hazards, inspections, lists, posts,
  accidents and tips before T, each on the enterprise's side or the regulators' (by the actor's role). Of a tip
  only its existence, time, verdict and outcome are shown.
- **Gaps** as findings: a post with no holder at T, a department or territory with no duty list at T, a sector
  with no supervising department at T, U's 网格 with no grid member at T.

``derive`` reads nothing but the events it is given: every line names the positions of the events it was built
from, so deriving again from those events alone gives the same lines (this is how a saved dossier is verified).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from domain.accidents import Accident, AccidentRecorded
from domain.accountability import (
    FINDING_TERMS,
    FORM_TERMS,
    NOTICE_TERMS,
    SLIP_TERMS,
    Notice,
    NoticeIssued,
    PersonalRecord,
    Slip,
    SlipIssued,
    Summons,
    SummonsHeld,
    record_id,
)
from domain.base import Aggregate, DomainEvent
from domain.blacklist import STATUS_TERMS as LISTING_TERMS
from domain.blacklist import BlacklistEntry, ListingProposed
from domain.calendar import local_day, month_label, previous_month
from domain.cases import STATUS_TERMS as CASE_STATUS_TERMS
from domain.cases import CaseOpened, PenaltyCase
from domain.hazards import STATUS_TERMS, Hazard, HazardReported
from domain.identifiers import mask_certificate_number
from domain.inspections import Inspection, InspectionKind, InspectionOpened
from domain.investigations import DISPOSITION_TERMS, Investigation, InvestigationOpened
from domain.investigations import LINE_TERMS as FINDING_LINE_TERMS
from domain.jurisdiction import covers
from domain.outsourcing import (
    AGREEMENT_TERMS,
    CONCERN_TERMS,
    KIND_TERMS,
    OUTCOME_TERMS,
    Outsourcing,
    OutsourcingRecorded,
    Review,
)
from domain.people import Person
from domain.posts import POST_TERMS, Post, PostEstablished
from domain.responsibility import LINE_TERMS, ResponsibilityList, ResponsibilityListOpened
from domain.rules.blacklist import GROUND_TEXT
from domain.supervision import SupervisionCatalogue, catalogue_id
from domain.tips import VERDICT_TERMS, Tip, TipReceived
from domain.units import Unit

Built = tuple[dict[str, Any], list[int], list[dict[str, Any]]]
"""A line's facts, the positions it was built from, and the gaps it found."""

LINES = ("entity", "supervisory", "territorial", "leadership")
LINE_TITLES = {"entity": "企业主体责任", "supervisory": "部门监管责任", "territorial": "属地管理责任",
               "leadership": "党政领导责任", "backtracks": "两个倒查", "subject": "事由"}
GAP_TERMS = {"vacant_post": "岗位无人在岗", "no_duty_list": "未制定责任清单", "no_supervisor": "行业领域无监管部门",
             "no_grid_member": "所在网格无网格员"}
SUBJECT_TYPES: dict[str, type[Aggregate]] = {"accident": Accident, "hazard": Hazard, "tip": Tip}


@dataclass(frozen=True)
class Logged:
    """One event of the log and its position."""

    position: int
    event: DomainEvent


def _about(event: Any) -> list[Any]:
    subject = getattr(event, "subject", None)
    return [getattr(subject, "unit_id", None), getattr(subject, "hazard_id", None)]


RELATIONS: dict[type[DomainEvent], dict[str, Callable[[Any], list[Any]]]] = {
    PostEstablished: {"unit_id": lambda e: [e.unit_id]},
    ResponsibilityListOpened: {"unit_id": lambda e: [e.unit_id]},
    HazardReported: {"unit_id": lambda e: [e.unit_id]},
    InspectionOpened: {"target_unit_id": lambda e: [e.target_unit_id]},
    AccidentRecorded: {"unit_id": lambda e: [e.unit_id]},
    TipReceived: {"about": _about},
    CaseOpened: {"unit_id": lambda e: [e.unit_id]},
    SlipIssued: {"target_unit_id": lambda e: [e.target_unit_id]},
    NoticeIssued: {"target_unit_id": lambda e: list(e.target_unit_ids)},
    SummonsHeld: {"target_unit_id": lambda e: [e.target_unit_id]},
    ListingProposed: {"unit_id": lambda e: [e.unit_id]},
    InvestigationOpened: {"accident_id": lambda e: [e.accident_id]},
    OutsourcingRecorded: {"unit_id": lambda e: [e.unit_id]},
}
"""The creating events a dossier finds its records by, and the keys it asks them by (``about``: a tip's subject,
the unit or the hazard it names; a letter or circular is found by each unit it names)."""


def relations(event: DomainEvent) -> list[tuple[str, UUID]]:
    """The (key, value) pairs a creating event is found by (empty: not one a dossier looks for)."""
    return [(key, value) for key, values in RELATIONS.get(type(event), {}).items() for value in values(event)
            if isinstance(value, UUID)]


@runtime_checkable
class Source(Protocol):
    """Where a dossier reads the log known at K: the events of one record, and the records created by events of a
    type related by a key to a value (``relations``). Both answer in position order. ``prefetch`` names records and
    related values the dossier is about to ask for, so a source over a database reads them in one go (a hint only:
    what is answered never depends on it)."""

    def events(self, aggregate_id: UUID) -> list[Logged]: ...

    def prefetch(self, aggregate_ids: Iterable[UUID] = (), related_to: Iterable[UUID] = ()) -> None: ...

    def created(self, event_type: type[DomainEvent], key: str, value: UUID) -> list[Logged]: ...


@dataclass
class _Index:
    """A :class:`Source` over events in memory (the evidence of a saved dossier, or a log read whole): the events
    known at ``known_at``, by aggregate, and the creating events by relation."""

    known_at: datetime
    by_aggregate: dict[UUID, list[Logged]] = field(default_factory=lambda: defaultdict(list))
    related: dict[tuple[type, str, UUID], list[Logged]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, log: Iterable[Logged], known_at: datetime) -> _Index:
        index = cls(known_at)
        for item in sorted(log, key=lambda x: x.position):
            if item.event.timestamp > known_at:
                continue
            index.by_aggregate[item.event.originator_id].append(item)
            if item.event.originator_version == 1:
                for key, value in relations(item.event):
                    index.related[(type(item.event), key, value)].append(item)
        return index

    def events(self, aggregate_id: UUID) -> list[Logged]:
        return self.by_aggregate.get(aggregate_id, [])

    def prefetch(self, aggregate_ids: Iterable[UUID] = (), related_to: Iterable[UUID] = ()) -> None:
        """Everything is in memory already."""

    def created(self, event_type: type[DomainEvent], key: str, value: UUID) -> list[Logged]:
        return self.related.get((event_type, key, value), [])


class _Folding:
    """A :class:`Source` that remembers each record's state at each moment it was asked for (the lines ask for the
    same people, units and inspections again and again)."""

    def __init__(self, source: Source):
        self.source = source
        self.folds: dict[tuple[UUID, datetime | None], tuple[bool, Any]] = {}

    def events(self, aggregate_id: UUID) -> list[Logged]:
        return self.source.events(aggregate_id)

    def prefetch(self, aggregate_ids: Iterable[UUID] = (), related_to: Iterable[UUID] = ()) -> None:
        self.source.prefetch(aggregate_ids, related_to)

    def created(self, event_type: type[DomainEvent], key: str, value: UUID) -> list[Logged]:
        return self.source.created(event_type, key, value)

    def fold(self, aggregate_id: UUID, moment: datetime | None) -> tuple[bool, Any]:
        """Whether the record has events effective by ``moment``, and its state then (None: not created yet);
        ``moment=None``: every event known at K, whatever its effective time."""
        key = (aggregate_id, moment)
        if key not in self.folds:
            events = [x.event for x in self.source.events(aggregate_id)
                      if moment is None or x.event.effective_at <= moment]
            state: Any = None
            for event in events:
                if state is None and event.originator_version != 1:
                    break  # the creating event lies after T: the aggregate did not exist yet
                state = event.apply(state)
            self.folds[key] = (bool(events), state)
        return self.folds[key]


class _Line:
    """One line being built: its facts and the aggregates (hence positions) it read."""

    def __init__(self, index: _Folding, as_of: datetime, scope: str):
        self.index = index
        self.as_of = as_of
        self.scope = scope
        self.read: set[UUID] = set()
        self.known_read: set[UUID] = set()

    def state(self, aggregate_id: UUID, kind: type[Aggregate], as_of: datetime | None = None) -> Any:
        """The aggregate as of ``as_of`` (default: the line's T), folded from the events effective by then."""
        found, state = self.index.fold(aggregate_id, as_of or self.as_of)
        if found:
            self.read.add(aggregate_id)
        return state if isinstance(state, kind) else None

    def known(self, aggregate_id: UUID, kind: type[Aggregate]) -> Any:
        """The aggregate as known at K, whatever the effective time of its events: what follows the subject (its
        investigation's findings, the acts of accountability) is shown as the log knows it, like the subject."""
        found, state = self.index.fold(aggregate_id, None)
        if found:
            self.known_read.add(aggregate_id)
        return state if isinstance(state, kind) else None

    def created(self, event_type: type[DomainEvent], *, known: bool = False, **match: UUID) -> list[UUID]:
        """Aggregates created by ``event_type`` events related to ``key=value`` (one pair), effective by T
        (``known``: whenever effective, as known at K)."""
        ((key, value),) = match.items()
        return [item.event.originator_id for item in self.index.created(event_type, key, value)
                if known or item.event.effective_at <= self.as_of]

    def positions(self) -> list[int]:
        at_t = {x.position for a in self.read for x in self.index.events(a) if x.event.effective_at <= self.as_of}
        return sorted(at_t | {x.position for a in self.known_read for x in self.index.events(a)})


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _person(line: _Line, person_id: UUID) -> dict[str, Any]:
    person = line.state(person_id, Person)
    day = local_day(line.as_of)
    if person is None:
        return {"person_id": str(person_id), "name": None}
    return {"person_id": str(person_id), "name": person.name,
            "certificates": [{"kind": c.kind.value, "number": mask_certificate_number(c.number),
                              "expires_on": c.expires_on.isoformat(), "valid": c.valid_on(day)}
                             for c in person.certificates.values()]}


def _posts(line: _Line, unit_id: UUID, gaps: list[dict[str, Any]], unit_name: str,
           kinds: frozenset[str] | None = None, sector: str | None = None, acts: bool = False
           ) -> list[dict[str, Any]]:
    """The unit's posts at T and their holders (``acts``: with each holder's acts of accountability)."""
    posts = []
    post_ids = line.created(PostEstablished, unit_id=unit_id)
    people = [UUID(p) for post_id in post_ids for p in _holder_ids(line, post_id)]
    line.index.prefetch([*people, *(record_id(p) for p in people if acts)])
    for post_id in post_ids:
        post = line.state(post_id, Post)
        if post is None or post.abolished:
            continue
        kind = post.definition.kind.value
        if kinds is not None and kind not in kinds:
            continue
        if sector is not None and kind == "deputy_leader" and sector not in post.definition.portfolio:
            continue
        holders = [{**_person(line, UUID(pid)), "since": _iso(h.since),
                    **({"accountability": _acts(line, UUID(pid))} if acts else {})}
                   for pid, h in sorted(post.holders.items())]
        posts.append({"post_id": str(post.id), "title": post.title, "kind": kind, "kind_term": POST_TERMS[kind],
                      "portfolio": list(post.definition.portfolio), "grids": list(post.grids), "holders": holders})
        if not holders:
            gaps.append({"gap": "vacant_post", "term": GAP_TERMS["vacant_post"], "unit_id": str(unit_id),
                         "subject_id": str(post.id), "detail": f"{unit_name} 的岗位「{post.title}」在当时无人在岗"})
    return posts


def _holder_ids(line: _Line, post_id: UUID) -> list[str]:
    post = line.index.fold(post_id, line.as_of)[1]
    return list(post.holders) if isinstance(post, Post) else []


def _acts(line: _Line, person_id: UUID) -> list[dict[str, Any]]:
    """The person's acts of accountability (问责: 通报、诫勉、停职检查 … 处分) and findings of 尽职免责, as known at K
    whatever their date (they mostly follow the subject; ``after_as_of`` says which), each naming the post held and
    the finding it rests on — 《地方党政领导干部安全生产责任制规定》 (forms; 尽职免责 第二十三条), docs/rules.md R9."""
    record = line.known(record_id(person_id), PersonalRecord)
    if record is None:
        return []
    day = local_day(line.as_of)

    def finding(ref: Any) -> dict[str, Any]:
        return {"kind": ref.kind.value, "term": FINDING_TERMS[ref.kind.value], "record_id": str(ref.record_id),
                "finding_no": ref.finding_no}

    acts = [{"act": "accountability", "no": a.no, "form": a.form.value, "term": FORM_TERMS[a.form.value],
             "post_id": str(a.held.post_id), "post_title": a.held.post_title, "held_at": _iso(a.held.at),
             "issuer_unit_id": str(a.issuer_unit_id), "decided_on": a.decided_on.isoformat(),
             "document": a.document, "barred_until": a.barred_until.isoformat() if a.barred_until else None,
             "finding": finding(a.finding), "after_as_of": a.decided_on > day} for a in record.acts]
    acts += [{"act": "exoneration", "no": x.no, "form": None, "term": "尽职免责", "post_id": str(x.held.post_id),
              "post_title": x.held.post_title, "held_at": _iso(x.held.at), "issuer_unit_id": None,
              "decided_on": x.decided_on.isoformat(), "document": None, "barred_until": None,
              "finding": finding(x.finding), "after_as_of": x.decided_on > day} for x in record.exonerations]
    return sorted(acts, key=lambda a: (a["decided_on"], a["act"], a["no"]))


def _findings(line: _Line, accident_id: UUID | None, lines: tuple[str, ...]) -> list[dict[str, Any]]:
    """The findings of responsibility of the accident's investigation on these lines (一案四查: entity,
    supervisory, territorial, leadership, intermediary — seed 000 ¶32; docs/rules.md R4: 493号令 第19–32条,
    安全生产法 第87条), as known at K: each names the unit and person, the duty failed as the responsibility-list
    row that held it at T (its text as of T), the evidence (events of the log) and the proposed disposition."""
    if accident_id is None:
        return []
    found = []
    for investigation_id in line.created(InvestigationOpened, known=True, accident_id=accident_id):
        investigation = line.known(investigation_id, Investigation)
        if investigation is None:
            continue
        for f in investigation.findings:
            if f.line.value not in lines:
                continue
            unit = line.state(f.unit_id, Unit)
            duty = None
            if f.duty is not None:
                held = line.state(f.duty.list_id, ResponsibilityList)
                row = held.duties.get(str(f.duty.duty_id)) if held is not None else None
                duty = {"list_id": str(f.duty.list_id), "duty_id": str(f.duty.duty_id),
                        "list_version": f.duty.list_version, "text": row.text if row is not None else None}
            found.append({
                "investigation_id": str(investigation.id), "finding_no": f.no, "line": f.line.value,
                "line_term": FINDING_LINE_TERMS[f.line.value], "unit_id": str(f.unit_id),
                "unit": unit.name if unit is not None else None,
                "person": _person(line, f.person_id) if f.person_id is not None else None, "duty": duty,
                "evidence": [{"aggregate_id": str(e.aggregate_id), "version": e.version} for e in f.evidence],
                "description": f.description, "disposition": f.disposition.value,
                "disposition_term": DISPOSITION_TERMS[f.disposition.value]})
    return found


def _blacklist(line: _Line, unit_id: UUID) -> list[dict[str, Any]]:
    """U's history on the 严重失信主体名单 before T (应急管理部令第11号; docs/rules.md R10): every listing proposed, its
    decision (listed or declined, by which department — 谁处罚、谁决定、谁负责 — its number and term), its early
    removal, the joint-discipline notices, and whether it was in force on T's day (its term ending needs no
    event: ``expired``)."""
    day = local_day(line.as_of)
    found = []
    for listing_id in line.created(ListingProposed, unit_id=unit_id):
        entry = line.state(listing_id, BlacklistEntry)
        if entry is None:
            continue
        status = entry.status.value
        if status == "listed" and entry.expires_on is not None and entry.expires_on <= day:
            status = "expired"
        found.append({
            "listing_id": str(entry.id), "ground": entry.ground.value, "ground_text": GROUND_TEXT[entry.ground],
            "proposed_at": _iso(line.index.events(listing_id)[0].event.effective_at), "status": status,
            "status_term": LISTING_TERMS[status], "in_force": entry.in_force(day),
            "department_id": str(entry.department_id) if entry.department_id else None,
            "decision_no": entry.decision_no, "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
            "expires_on": entry.expires_on.isoformat() if entry.expires_on else None,
            "removed_on": entry.removed_on.isoformat() if entry.removed_on else None,
            "joint_discipline_notices": len(entry.notices)})
    return found


def _outsourcing(line: _Line, unit_id: UUID) -> list[dict[str, Any]]:
    """U's contracting-out and leasing-out relations in force on T's day (外包外租; 安全生产法 第49条, seed 004
    ¶(13)(14)): the contractor or lessee, the scope, how the safety duties were set out (a safety management
    agreement, the contract, or neither), the qualification shown, the period, the reviews of the contractor held
    by T (动态审核, seed 000 ¶18: 资质有效性、失信情况、安全管理情况), the last one and when the next fell due, and what
    the record lacks at T (none reviewed, the review overdue, a contractor found wanting kept on)."""
    day = local_day(line.as_of)
    found = []
    for outsourcing_id in line.created(OutsourcingRecorded, unit_id=unit_id):
        relation = line.state(outsourcing_id, Outsourcing)
        if relation is None or not relation.in_force(day):
            continue
        contractor = line.state(relation.contractor_id, Unit)
        found.append({
            "outsourcing_id": str(relation.id), "kind": relation.kind.value, "kind_term": KIND_TERMS[relation.kind],
            "contractor_id": str(relation.contractor_id),
            "contractor": contractor.name if contractor is not None else None, "scope": relation.scope,
            "agreement": relation.agreement.value, "agreement_term": AGREEMENT_TERMS[relation.agreement],
            "qualification": relation.qualification, "starts_on": relation.starts_on.isoformat(),
            "ends_on": relation.ends_on.isoformat() if relation.ends_on else None,
            "reviews": [_review(r) for r in relation.reviews],
            "last_review": _review(relation.reviews[-1]) if relation.reviews else None,
            "review_due": (relation.reviews[-1].next_due.isoformat()
                           if relation.reviews and relation.reviews[-1].next_due else None),
            "concerns": [{"concern": c, "term": CONCERN_TERMS[c]} for c in relation.concerns_on(day)]})
    return found


def _review(review: Review) -> dict[str, Any]:
    """One 动态审核 of the contractor (seed 000 ¶18): the three things it checks, what was found, what followed."""
    return {"no": review.no, "reviewed_on": review.reviewed_on.isoformat(),
            "qualification_valid": review.qualification_valid, "discredited": review.discredited,
            "safety_management_adequate": review.safety_management_adequate, "wanting": review.wanting,
            "findings": review.findings, "outcome": review.outcome.value,
            "outcome_term": OUTCOME_TERMS[review.outcome.value],
            "next_due": review.next_due.isoformat() if review.next_due else None}


def _lists(line: _Line, unit: Unit, gaps: list[dict[str, Any]], sector: str | None = None,
           require: bool = True) -> list[dict[str, Any]]:
    lists = []
    for list_id in line.created(ResponsibilityListOpened, unit_id=unit.id):
        lst = line.state(list_id, ResponsibilityList)
        if lst is None:
            continue
        duties = [{"duty_id": str(d.duty_id), "post_id": str(d.post_id), "line": d.line.value,
                   "line_term": LINE_TERMS[d.line.value], "scope": list(d.scope), "text": d.text,
                   "source_document": d.source_document}
                  for d in lst.duties.values() if sector is None or not d.scope or sector in d.scope]
        lists.append({"list_id": str(lst.id), "title": lst.title, "kind": lst.kind.value, "year": lst.year,
                      "list_version": lst.version, "published_version": lst.published_version, "duties": duties})
    if require and not lists:
        gaps.append({"gap": "no_duty_list", "term": GAP_TERMS["no_duty_list"], "unit_id": str(unit.id),
                     "subject_id": str(unit.id), "detail": f"{unit.name} 在当时没有责任清单"})
    return lists


def _hazard(line: _Line, hazard: Hazard) -> dict[str, Any]:
    listing = hazard.listing
    return {"hazard_id": str(hazard.id), "grade": hazard.grade.value, "description": hazard.description,
            "source": hazard.source.value, "found_at": _iso(hazard.found_at), "status": hazard.status.value,
            "status_term": STATUS_TERMS[hazard.status.value], "open": hazard.is_open,
            "deadline": hazard.deadline.isoformat() if hazard.deadline else None,
            "overdue_since": _iso(hazard.overdue_since), "reopened": hazard.reopened,
            "inspection_id": str(hazard.inspection_id) if hazard.inspection_id else None,
            "listing": None if listing is None else {
                "authority_id": str(listing.authority_id), "level": listing.level, "since": _iso(listing.since),
                "supervisor_id": str(listing.supervisor_id) if listing.supervisor_id else None,
                "age_days": (local_day(line.as_of) - local_day(listing.since)).days}}


def _entity(index: _Folding, unit_id: UUID, as_of: datetime, scope: str, accident_id: UUID | None) -> Built:
    line, gaps = _Line(index, as_of, scope), list[dict[str, Any]]()
    unit = line.state(unit_id, Unit)
    if unit is None:
        return {"unit": None}, line.positions(), gaps
    profile = unit.profile
    hazards = [line.state(h, Hazard) for h in line.created(HazardReported, unit_id=unit_id)]
    posts = _posts(line, unit.id, gaps, unit.name, acts=True)
    own = [i for i in _inspections_of(line, unit_id) if _own(i, unit_id)]
    facts = {
        "unit": {"unit_id": str(unit.id), "name": unit.name, "kind": unit.kind,
                 "sector": getattr(profile, "sector", None), "credit_code": getattr(profile, "credit_code", None),
                 "address": getattr(profile, "address", None), "grid": getattr(profile, "grid", None),
                 "closure": unit.closure.value if unit.closure else None},
        "posts": posts,
        "duty_lists": _lists(line, unit, gaps),
        "hazards": [_hazard(line, h) for h in hazards if h is not None],
        "self_checks": [_inspection(line, i) for i in own],
        "prior_penalties": [c for c in _cases(line, unit_id) if c["decision"] is not None],
        "blacklist": _blacklist(line, unit_id),
        "outsourcing": _outsourcing(line, unit_id),
        "main_leader_checks": _main_leader_checks(line, posts, own),
        "findings": _findings(line, accident_id, ("entity",)),
        "intermediary_findings": _findings(line, accident_id, ("intermediary",)),
    }
    return facts, line.positions(), gaps


def _inspections_of(line: _Line, unit_id: UUID) -> list[Inspection]:
    found = [line.state(i, Inspection) for i in line.created(InspectionOpened, target_unit_id=unit_id)]
    inspections = [i for i in found if i is not None]
    line.index.prefetch(p for i in inspections for p in i.inspectors)
    return inspections


def _own(inspection: Inspection, unit_id: UUID) -> bool:
    """U's own check (企业自查): by U itself, or of the self-check kind."""
    return inspection.inspecting_unit_id == unit_id or inspection.kind == InspectionKind.self_check


def _main_leader_checks(line: _Line, posts: list[dict[str, Any]], own: list[Inspection]) -> list[dict[str, Any]]:
    """For each holder at T of U's main responsible post (主要负责人), each month from when they took it up to T's
    month, the checks of U they led or took part in (主要负责人每月要带队对本单位重大事故隐患排查整治情况至少开展1次
    检查, seed 004 ¶67, during a campaign: shown, not judged)."""
    found = []
    for post in posts:
        if post["kind"] != "main_responsible":
            continue
        for holder in post["holders"]:
            person = UUID(holder["person_id"])
            mine = [i for i in own if i.led_by == person or person in i.inspectors]
            counts: dict[str, int] = defaultdict(int)
            for inspection in mine:
                counts[month_label(inspection.inspected_at)] += 1
            months, month = [], month_label(line.as_of)
            first = month_label(datetime.fromisoformat(holder["since"])) if holder["since"] else month
            while month >= first:
                months.append({"month": month, "checks": counts.get(month, 0)})
                month = previous_month(month)
            found.append({"post_id": post["post_id"], "person_id": holder["person_id"], "name": holder["name"],
                          "since": holder["since"], "months": months,
                          "inspection_ids": [str(i.id) for i in mine]})
    return found


def _ancestors(line: _Line, unit: Unit) -> list[Unit]:
    """U's parents at T, nearest first, as far up as the reader's jurisdiction reaches."""
    chain, current = [], unit
    while current.parent_id is not None:
        parent = line.state(current.parent_id, Unit)
        if parent is None or not covers(line.scope, parent.jurisdiction):
            break
        chain.append(parent)
        current = parent
    line.index.prefetch([catalogue_id(t.id) for t in chain], related_to=[t.id for t in chain])
    return chain


def _inspection(line: _Line, inspection: Inspection) -> dict[str, Any]:
    return {"inspection_id": str(inspection.id), "kind": inspection.kind.value, "title": inspection.title,
            "inspecting_unit_id": str(inspection.inspecting_unit_id), "inspected_at": _iso(inspection.inspected_at),
            "inspectors": [_person(line, p) for p in inspection.inspectors],
            "signatures": {p: _iso(at) for p, at in sorted(inspection.signatures.items())},
            "checklist": [i.code for i in inspection.checklist], "covered": list(inspection.covered),
            "findings": [{"finding_no": f.finding_no, "description": f.description,
                          "hazard_suspected": f.hazard_suspected} for f in inspection.findings],
            "completed": inspection.completed}


def _supervisory(index: _Folding, unit_id: UUID, as_of: datetime, scope: str, accident_id: UUID | None) -> Built:
    line, gaps = _Line(index, as_of, scope), list[dict[str, Any]]()
    unit = line.state(unit_id, Unit)
    if unit is None:
        return {"sector": None}, line.positions(), gaps
    sector = getattr(unit.profile, "sector", None)
    catalogue = []
    for territory in _ancestors(line, unit):
        entry = line.state(catalogue_id(territory.id), SupervisionCatalogue)
        if entry is not None and sector in entry.sectors:
            lead = entry.sectors[sector]
            catalogue.append({"territory_id": str(territory.id), "territory": territory.name,
                              "department_id": str(lead.department_id), "clause": lead.clause})
    departments = []
    if unit.supervision is None:
        gaps.append({"gap": "no_supervisor", "term": GAP_TERMS["no_supervisor"], "unit_id": str(unit.id),
                     "subject_id": str(unit.id), "detail": f"{unit.name} 的行业领域「{sector}」在当时没有监管部门"})
    else:
        department = line.state(unit.supervision.department_id, Unit)
        if department is not None:
            departments.append({"unit_id": str(department.id), "name": department.name,
                                "clause": unit.supervision.clause,
                                "posts": _posts(line, department.id, gaps, department.name, acts=True),
                                "duty_lists": _lists(line, department, gaps, sector=sector),
                                "slips": _slips(line, department.id), "notices": _notices(line, department.id),
                                "summons": _summons(line, department.id)})
    inspections = [i for i in _inspections_of(line, unit_id) if not _own(i, unit_id)]
    found = [line.state(h, Hazard) for h in line.created(HazardReported, unit_id=unit_id)]
    hazards = [h for h in found if h is not None]
    facts = {
        "sector": sector,
        "lead_rule": catalogue,
        "supervising_departments": departments,
        "inspections": [_inspection(line, i) for i in inspections],
        "hazards_behind": [_reach(line, h, inspections) for h in hazards if h.is_open],
        "cases": _cases(line, unit_id),
        "listed_supervision": [_hazard(line, h) for h in hazards if h.listing is not None],
        "findings": _findings(line, accident_id, ("supervisory",)),
    }
    return facts, line.positions(), gaps


def _cases(line: _Line, unit_id: UUID) -> list[dict[str, Any]]:
    """The penalty cases against U opened before T, with their state at T: who opened them, for what, and the
    outcome (decision, payment, transfer, bans)."""
    found = []
    for case_id in line.created(CaseOpened, unit_id=unit_id):
        case = line.state(case_id, PenaltyCase)
        if case is None:
            continue
        decision = case.decision
        found.append({
            "case_id": str(case.id), "department_id": str(case.department_id), "article": case.article,
            "violation": case.violation, "violated_at": _iso(case.violated_at), "opened_on": case.opened_on.isoformat(),
            "status": case.status.value, "status_term": CASE_STATUS_TERMS[case.status.value],
            "decision": None if decision is None else {
                "decision_no": decision.decision_no, "decided_on": decision.decided_on.isoformat(),
                "unit_yuan": str(decision.unit_yuan),
                "person_yuan": None if decision.person_yuan is None else str(decision.person_yuan),
                "late": decision.late},
            "payment_overdue": case.payment_overdue,
            "transfer": None if case.transfer is None else {"to": case.transfer.to,
                                                            "transferred_on": case.transfer.transferred_on.isoformat()},
            "bans": [str(b) for b in case.bans]})
    return found


REACH_TERMS = {"found": "本次检查发现", "in_scope_missed": "在检查表范围内、已检查而未发现",
               "in_scope_not_covered": "列入检查表但未检查该事项", "in_scope_other_finding": "该事项另有发现问题",
               "out_of_scope": "不在检查表范围内"}


def _item_of(line: _Line, hazard: Hazard) -> str | None:
    """The checklist item of the finding that reported the hazard (None: not found by an inspection's item)."""
    if hazard.inspection_id is None:
        return None
    inspection = line.state(hazard.inspection_id, Inspection)
    finding = next((f for f in inspection.findings if f.finding_no == hazard.finding_no), None) if inspection else None
    return finding.item_code if finding is not None else None


def _reach(line: _Line, hazard: Hazard, inspections: list[Inspection]) -> dict[str, Any]:
    """Whether each inspection of U up to the one that found the hazard had the hazard's checklist item in scope,
    checked it, and found it (谁检查、谁签名、谁负责: an item in scope, checked and signed, with nothing found is
    the question for the supervisory line)."""
    item = _item_of(line, hazard)
    reach = []
    for inspection in sorted(inspections, key=lambda i: (i.inspected_at, str(i.id))):
        if inspection.inspected_at > hazard.found_at or item is None:
            continue
        codes = {c.code for c in inspection.checklist}
        if inspection.id == hazard.inspection_id:
            verdict = "found"
        elif item not in codes:
            verdict = "out_of_scope"
        elif item not in inspection.covered:
            verdict = "in_scope_not_covered"
        elif any(f.item_code == item for f in inspection.findings):
            verdict = "in_scope_other_finding"
        else:
            verdict = "in_scope_missed"
        reach.append({"inspection_id": str(inspection.id), "inspected_at": _iso(inspection.inspected_at),
                      "inspecting_unit_id": str(inspection.inspecting_unit_id),
                      "signed_by": sorted(inspection.signatures), "verdict": verdict, "term": REACH_TERMS[verdict]})
    return {"hazard_id": str(hazard.id), "description": hazard.description, "grade": hazard.grade.value,
            "found_at": _iso(hazard.found_at), "item_code": item, "inspections": reach}


LEADERS = frozenset({"party_secretary", "government_head", "deputy_leader"})


def _territorial(index: _Folding, unit_id: UUID, as_of: datetime, scope: str, leadership: bool,
                 accident_id: UUID | None) -> Built:
    line, gaps = _Line(index, as_of, scope), list[dict[str, Any]]()
    unit = line.state(unit_id, Unit)
    if unit is None:
        return {"territories": []}, line.positions(), gaps
    sector = getattr(unit.profile, "sector", None)
    grid = getattr(unit.profile, "grid", None)
    territories: list[dict[str, Any]] = []
    covering: list[dict[str, Any]] = []
    for territory in _ancestors(line, unit):
        if territory.kind != "territorial":
            continue
        entry: dict[str, Any] = {"unit_id": str(territory.id), "name": territory.name,
                                 "level": getattr(territory.profile, "level", None)}
        if leadership:
            entry["leaders"] = _posts(line, territory.id, gaps, territory.name, kinds=LEADERS, sector=sector,
                                      acts=True)
        else:
            entry["posts"] = _posts(line, territory.id, gaps, territory.name, acts=True)
            entry["grid_members"] = _grid_members(entry["posts"], grid)
            covering += [{"unit_id": str(territory.id), "name": territory.name, **m}
                         for m in entry["grid_members"] if m["covers_unit"]]
            entry["duty_lists"] = _lists(line, territory, gaps)
            entry["slips"] = _slips(line, territory.id)
            entry["notices"] = _notices(line, territory.id)
            entry["summons"] = _summons(line, territory.id)
        territories.append(entry)
    findings = _findings(line, accident_id, ("leadership",) if leadership else ("territorial",))
    if leadership:
        return {"sector": sector, "territories": territories, "findings": findings}, line.positions(), gaps
    if grid is not None and not covering:
        gaps.append({"gap": "no_grid_member", "term": GAP_TERMS["no_grid_member"], "unit_id": str(unit.id),
                     "subject_id": str(unit.id), "detail": f"{unit.name} 所在网格「{grid}」在当时没有网格员"})
    return ({"sector": sector, "grid": grid, "grid_members_of_unit": covering, "territories": territories,
             "findings": findings}, line.positions(), gaps)


def _grid_members(posts: list[dict[str, Any]], grid: str | None) -> list[dict[str, Any]]:
    """The territory's grid members at T (网格员: the posts it made a grid member's, ``GridAssigned``), their
    holders and the 网格 each covers, and whether one of them is U's (seed 001 ¶13: 镇（街道）、村（社区）、生产经营
    单位三级安全生产网格化责任体系; seed 002 ¶16: 网格员"巡查""宣传""报告")."""
    return [{"post_id": p["post_id"], "title": p["title"], "grids": p["grids"],
             "covers_unit": grid is not None and grid in p["grids"], "holders": p["holders"]}
            for p in posts if p["grids"]]


def _slips(line: _Line, unit_id: UUID) -> list[dict[str, Any]]:
    """交办单/督办单 to the unit before T: the matter, the deadline, and at T whether answered and whether late."""
    found = []
    for slip_id in line.created(SlipIssued, target_unit_id=unit_id):
        slip = line.state(slip_id, Slip)
        if slip is not None:
            found.append({"slip_id": str(slip.id), "kind": slip.kind.value, "term": SLIP_TERMS[slip.kind.value],
                          "issuer_unit_id": str(slip.issuer_unit_id), "matter": slip.matter,
                          "deadline": _iso(slip.deadline), "answered_at": _iso(slip.answered_at),
                          "late_flagged": slip.late_flagged})
    return found


def _notices(line: _Line, unit_id: UUID) -> list[dict[str, Any]]:
    """提醒函/警示函/通报 naming the unit before T."""
    found = []
    for notice_id in line.created(NoticeIssued, target_unit_id=unit_id):
        notice = line.state(notice_id, Notice)
        if notice is not None:
            issued = line.index.events(notice_id)[0].event.effective_at
            found.append({"notice_id": str(notice.id), "kind": notice.kind.value,
                          "term": NOTICE_TERMS[notice.kind.value], "issuer_unit_id": str(notice.issuer_unit_id),
                          "matter": notice.matter, "issued_at": _iso(issued)})
    return found


def _summons(line: _Line, unit_id: UUID) -> list[dict[str, Any]]:
    """约谈 of the unit's leaders before T (seed 002 §(一)3, seed 004 §五(三)): who, as holders of which posts, when,
    the commitments made and, at T, whether followed up as kept."""
    found = []
    for summons_id in line.created(SummonsHeld, target_unit_id=unit_id):
        summons = line.state(summons_id, Summons)
        if summons is not None:
            found.append({"summons_id": str(summons.id), "issuer_unit_id": str(summons.issuer_unit_id),
                          "held_at": _iso(line.index.events(summons_id)[0].event.effective_at),
                          "summoned": [{"person_id": str(h.person_id), "post_title": h.post_title}
                                       for h in summons.summoned],
                          "commitments": [{"no": c.no, "text": c.text, "due": c.due.isoformat(), "kept": c.kept}
                                          for c in summons.commitments]})
    return found


def _side(event: DomainEvent) -> str:
    return "enterprise" if event.envelope.actor.role == "enterprise" else "regulator"


def _entry(item: Logged) -> dict[str, Any]:
    event = item.event
    entry: dict[str, Any] = {
        "position": item.position, "effective_at": _iso(event.effective_at), "recorded_at": _iso(event.timestamp),
        "aggregate_id": str(event.originator_id), "type": type(event).__name__, "term": event.term,
        "side": _side(event)}
    fields = vars(event)  # a field missing from the event: not through pydantic's __getattr__ and its exception
    verdict = fields.get("verdict")
    if event.context == "tips" and verdict is not None:
        entry["verdict"] = VERDICT_TERMS[verdict.value]
    outcome = fields.get("outcome")
    if outcome is not None:
        entry["outcome"] = {"kind": outcome.kind.value, "target_id": str(outcome.target_id)}
    return entry


def _backtracks(index: _Folding, unit_id: UUID, as_of: datetime, scope: str) -> tuple[dict[str, Any], list[int]]:
    line = _Line(index, as_of, scope)
    ids = {unit_id, *line.created(HazardReported, unit_id=unit_id), *line.created(AccidentRecorded, unit_id=unit_id),
           *line.created(InspectionOpened, target_unit_id=unit_id), *line.created(CaseOpened, unit_id=unit_id),
           *line.created(ResponsibilityListOpened, unit_id=unit_id), *line.created(PostEstablished, unit_id=unit_id)}
    hazards = set(line.created(HazardReported, unit_id=unit_id))
    index.prefetch(related_to=hazards)
    for about in (unit_id, *hazards):  # tips about U or one of its hazards, found by their subject
        ids.update(x.event.originator_id for x in index.created(TipReceived, "about", about))
    for aggregate_id in ids:
        line.state(aggregate_id, Aggregate)  # marks it read
    entries = [_entry(x) for a in ids for x in index.events(a) if x.event.effective_at <= as_of]
    entries.sort(key=lambda e: (e["effective_at"], e["position"]), reverse=True)
    return {"timeline": entries}, line.positions()


def _subject(index: _Folding, kind: str, subject_id: UUID) -> tuple[Aggregate | None, list[int]]:
    """The subject as known at K, whatever the effective time of its events."""
    events = index.events(subject_id)
    state: Any = None
    for item in events:
        state = item.event.apply(state)
    if not isinstance(state, SUBJECT_TYPES[kind]):
        return None, []
    return state, [x.position for x in events]


def subject_anchor(state: Aggregate) -> tuple[UUID | None, datetime]:
    """U and T of a subject: an accident's unit and time, a hazard's unit and when it was found, a tip's unit and
    when it was received."""
    if isinstance(state, Accident):
        return state.unit_id, state.occurred_at
    if isinstance(state, Hazard):
        return state.unit_id, state.found_at
    assert isinstance(state, Tip)
    return getattr(state.subject, "unit_id", None), state.received_at


def _subject_facts(state: Aggregate) -> dict[str, Any]:
    if isinstance(state, Accident):
        return {"accident_id": str(state.id), "kind": state.kind.value, "occurred_at": _iso(state.occurred_at),
                "place": state.place, "description": state.description, "grade": state.grade.value,
                "figures": state.figures.model_dump(), "known_from": state.known_from.value,
                "known_at": _iso(state.known_at), "unit_head_informed_at": _iso(state.unit_head_informed_at),
                "reports": [r.model_dump(mode="json") for r in state.reports],
                "flags": [f.model_dump(mode="json") for f in state.flags],
                "concealment_suspected": state.concealment_suspected,
                "listed_by_id": str(state.listed_by_id) if state.listed_by_id else None,
                "escalation_proposed": state.escalation_proposed.value if state.escalation_proposed else None}
    if isinstance(state, Hazard):
        return {"hazard_id": str(state.id), "grade": state.grade.value, "description": state.description,
                "found_at": _iso(state.found_at), "status": state.status.value}
    assert isinstance(state, Tip)
    return {"tip_id": str(state.id), "received_at": _iso(state.received_at),
            "verdict": state.verdict.value if state.verdict else None,
            "outcomes": [o.model_dump(mode="json") for o in state.outcomes]}


CREATING = {AccidentRecorded: "accident", HazardReported: "hazard", TipReceived: "tip"}


def kind_of(creating: DomainEvent) -> str | None:
    """The kind of subject an aggregate's creating event makes (``None``: not one a dossier is opened on)."""
    return CREATING.get(type(creating))


class NoSubject(LookupError):
    """The subject is not in the log as known at K (or has no unit)."""


def derive(kind: str, subject_id: UUID, log: Iterable[Logged] | Source, *, known_at: datetime, scope: str,
           as_of: datetime | None = None) -> dict[str, Any]:
    """The dossier's content: the subject, the four lines, the backtracks and the gaps, each line with the
    positions it was built from; the territories above U only as far as the reader's jurisdiction ``scope``.
    ``log`` is the events themselves, or a :class:`Source` that reads them as asked (known at ``known_at``)."""
    index = _Folding(log if isinstance(log, Source) else _Index.of(log, known_at))
    state, subject_positions = _subject(index, kind, subject_id)
    if state is None:
        raise NoSubject(f"no {kind} {subject_id} is known at {known_at.isoformat()}")
    unit_id, anchor = subject_anchor(state)
    if unit_id is None:
        raise NoSubject(f"the {kind} names no unit to build a dossier on")
    index.prefetch([unit_id], related_to=[unit_id])
    moment = as_of or anchor
    lines: list[dict[str, Any]] = [{"line": "subject", "title": LINE_TITLES["subject"],
                                    "facts": _subject_facts(state), "positions": subject_positions}]
    gaps: list[dict[str, Any]] = []
    accident_id = subject_id if kind == "accident" else None
    builders = {
        "entity": lambda: _entity(index, unit_id, moment, scope, accident_id),
        "supervisory": lambda: _supervisory(index, unit_id, moment, scope, accident_id),
        "territorial": lambda: _territorial(index, unit_id, moment, scope, False, accident_id),
        "leadership": lambda: _territorial(index, unit_id, moment, scope, True, accident_id),
    }
    for name in LINES:
        facts, positions, line_gaps = builders[name]()
        gaps.extend(line_gaps)
        lines.append({"line": name, "title": LINE_TITLES[name], "facts": facts, "positions": positions})
    timeline, positions = _backtracks(index, unit_id, moment, scope)
    lines.append({"line": "backtracks", "title": LINE_TITLES["backtracks"], "facts": timeline,
                  "positions": positions})
    unique = {(g["gap"], g["subject_id"]): g for g in gaps}
    return {"subject": {"kind": kind, "id": str(subject_id), "unit_id": str(unit_id), "at": _iso(anchor)},
            "as_of": _iso(moment), "known_at": _iso(known_at), "scope": scope, "lines": lines,
            "gaps": sorted(unique.values(), key=lambda g: (g["gap"], g["subject_id"]))}
