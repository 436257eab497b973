"""The blacklist (严重失信主体名单, docs/rules.md R10; 应急管理部令第11号): a listing proposed when a ground is met,
decided by the department that answers for it, in force for its term, removed early on application.

    proposed ──ListingDecided (listed)──► listed ──(term ends: expires_on)──► expired (no event: the term is data)
       │                                    │ JointDisciplineNotified (联合惩戒, any number)
       └──ListingDecided (declined)──► declined   └──RemovedEarly (提前移出, on application, after the wait)──► removed

Principle (第四条第二款): "谁处罚、谁决定、谁负责" — the deciding department is named on the decision and answers for
it. A listing's id derives from the unit, the ground and the facts that met it, so a ground is proposed once.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID, uuid5

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.calendar import local_day
from domain.errors import Conflict
from domain.rules import RulesPack
from domain.rules.blacklist import ACCIDENT_GROUNDS, Ground, basis_of, early_removal_from, expires_on
from domain.units import Unit

LISTING_NAMESPACE = UUID("9b1f0c52-6f0e-4d55-9a53-3c1c1d2e7a10")


class ListingStatus(StrEnum):
    proposed = "proposed"  # 建议列入
    listed = "listed"  # 列入
    declined = "declined"  # 不予列入
    removed = "removed"  # 提前移出


STATUS_TERMS = {"proposed": "建议列入", "listed": "已列入", "declined": "不予列入", "removed": "已提前移出",
                "expired": "期满移出"}


class Evidence(Frozen):
    """A stored record that shows the ground: an accident, an investigation's finding, a penalty decision."""

    aggregate_id: UUID
    kind: str = Field(description="Accident, Investigation, …: the record's kind")
    note: str | None = Field(default=None, max_length=1000, description="what in it shows the ground")


class Notice(Frozen):
    """联合惩戒: to whom the listing was notified and the measures asked of them."""

    recipients: tuple[str, ...]
    measures: str
    notified_on: date


class BlacklistEntry(Aggregate):
    unit_id: UUID
    ground: Ground
    accident_ids: tuple[UUID, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    status: ListingStatus = ListingStatus.proposed
    department_id: UUID | None = None
    person_id: UUID | None = None
    decision_no: str | None = None
    listed_on: date | None = None
    expires_on: date | None = None
    removed_on: date | None = None
    notices: tuple[Notice, ...] = ()

    def in_force(self, day: date) -> bool:
        """Listed on ``day``: decided by then, its term not over, not removed early by then."""
        return (self.listed_on is not None and self.expires_on is not None and self.listed_on <= day < self.expires_on
                and (self.removed_on is None or day < self.removed_on))


def listing_id(unit_id: UUID, ground: Ground, facts: tuple[UUID, ...]) -> UUID:
    """The listing's id: one per unit, ground and the facts that met it (a policy firing twice proposes once)."""
    return uuid5(LISTING_NAMESPACE, f"{unit_id}:{ground.value}:{','.join(sorted(str(f) for f in facts))}")


# --- events -------------------------------------------------------------------------------------------------


class ListingProposed(DomainEvent):
    """列入严重失信主体名单建议: a ground of the order is met by these facts; the deciding department decides."""

    term = "列入严重失信主体名单建议"
    context = "blacklist"
    unit_id: UUID
    ground: Ground
    accident_ids: tuple[UUID, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def apply(self, _: None) -> BlacklistEntry:
        return created(BlacklistEntry, self, unit_id=self.unit_id, ground=self.ground,
                       accident_ids=self.accident_ids, evidence=self.evidence)


class ListingDecided(DomainEvent):
    """列入严重失信主体名单决定 (列入 / 不予列入): the deciding department's decision; a listing runs for the term
    from its day."""

    term = "列入严重失信主体名单决定"
    context = "blacklist"
    listed: bool
    department_id: UUID = Field(description="the deciding department (谁处罚、谁决定、谁负责)")
    decided_by: UUID | None = Field(default=None, description="the person who signed, from the token")
    person_id: UUID | None = Field(default=None, description="the main responsible person listed with the unit")
    decision_no: str | None = None
    reason: str
    listed_on: date | None = None
    expires_on: date | None = None

    def apply(self, state: BlacklistEntry) -> BlacklistEntry:
        if not self.listed:
            return state.evolved(self, status=ListingStatus.declined, department_id=self.department_id)
        return state.evolved(self, status=ListingStatus.listed, department_id=self.department_id,
                             person_id=self.person_id, decision_no=self.decision_no, listed_on=self.listed_on,
                             expires_on=self.expires_on)


class JointDisciplineNotified(DomainEvent):
    """联合惩戒通报: the listing notified to the agencies that apply the joint discipline, with the measures."""

    term = "联合惩戒通报"
    context = "blacklist"
    notice: Notice

    def apply(self, state: BlacklistEntry) -> BlacklistEntry:
        return state.evolved(self, notices=(*state.notices, self.notice))


class RemovedEarly(DomainEvent):
    """提前移出严重失信主体名单: removed before the term ends, on the listed unit's application (信用修复)."""

    term = "提前移出严重失信主体名单"
    context = "blacklist"
    applied_on: date
    reason: str
    decided_by: UUID | None = None

    def apply(self, state: BlacklistEntry) -> BlacklistEntry:
        return state.evolved(self, status=ListingStatus.removed, removed_on=local_day(self.envelope.effective_at))


# --- decisions ----------------------------------------------------------------------------------------------


def propose(ctx: CommandContext, unit: Unit, pack: RulesPack, ground: Ground, accident_ids: tuple[UUID, ...],
            evidence: tuple[Evidence, ...], *, met: bool, by_decision: bool | None = None) -> ListingProposed:
    """Propose a listing: an accident ground only when the accidents meet it (``met``, from
    ``domain.rules.blacklist.accident_grounds``); a penalty decision named (``by_decision``: whether it meets the
    ground, ``domain.rules.blacklist.decision_grounds``) only when it does; any other ground names the record that
    shows it."""
    require(unit.kind in ("enterprise", "intermediary"), "not-a-production-unit",
            f"{unit.name} is a {unit.kind}: the list names 生产经营单位 and 机构", field="unit_id")
    if by_decision is not None:
        require(by_decision, "ground-not-met", f"the decision named does not meet the ground: {basis_of(ground)}",
                field="case_id", basis=basis_of(ground))
    elif ground in ACCIDENT_GROUNDS:
        require(met, "ground-not-met", f"the accidents named do not meet the ground: {basis_of(ground)}",
                field="accident_ids", basis=basis_of(ground))
    else:
        require(bool(evidence), "evidence-required",
                "this ground is shown by a finding or a decision: name the record as evidence", field="evidence",
                basis=basis_of(ground))
    return first_event(ListingProposed, ctx, id=listing_id(unit.id, ground, accident_ids or
                                                           tuple(e.aggregate_id for e in evidence)),
                       jurisdiction=unit.jurisdiction, basis=basis_of(ground), rules_version=pack.version_tag,
                       unit_id=unit.id, ground=ground, accident_ids=accident_ids, evidence=evidence)


def decide(ctx: CommandContext, entry: BlacklistEntry, pack: RulesPack, department: Unit, *, listed: bool,
           reason: str, decided_by: UUID | None, person_id: UUID | None, decision_no: str | None) -> ListingDecided:
    """The deciding department lists the unit (and its main responsible person) for the term, or declines."""
    if entry.status != ListingStatus.proposed:
        raise Conflict("already-decided", f"the proposal was already decided ({STATUS_TERMS[entry.status]})")
    require(department.kind == "department", "not-a-department",
            f"{department.name} is a {department.kind}: a department decides (谁处罚、谁决定、谁负责)",
            field="department_id", basis=pack["blacklist.basis"])
    require(bool(reason.strip()), "reason-required", "a decision states its reasons", field="reason")
    require(not listed or bool(decision_no and decision_no.strip()), "decision-no-required",
            "a listing is a written decision: give its number", field="decision_no")
    day = local_day(ctx.effective_at)
    return entry.next_event(
        ListingDecided, ctx, basis=f"{pack['blacklist.basis']}; {pack['blacklist.term.basis']}",
        rules_version=pack.version_tag, listed=listed, department_id=department.id, decided_by=decided_by,
        person_id=person_id if listed else None, decision_no=decision_no if listed else None, reason=reason.strip(),
        listed_on=day if listed else None, expires_on=expires_on(pack, day) if listed else None)


def notify(ctx: CommandContext, entry: BlacklistEntry, recipients: tuple[str, ...], measures: str) -> (
        JointDisciplineNotified):
    day = local_day(ctx.effective_at)
    require(entry.in_force(day), "not-in-force", "only a listing in force is notified for joint discipline",
            field="listing_id")
    require(bool(recipients) and all(r.strip() for r in recipients), "recipients-required",
            "name the agencies notified", field="recipients")
    require(bool(measures.strip()), "measures-required", "say what the agencies are asked to do", field="measures")
    return entry.next_event(JointDisciplineNotified, ctx, notice=Notice(
        recipients=tuple(r.strip() for r in recipients), measures=measures.strip(), notified_on=day))


def remove_early(ctx: CommandContext, entry: BlacklistEntry, pack: RulesPack, applied_on: date, reason: str,
                 decided_by: UUID | None) -> RemovedEarly:
    """提前移出 on the unit's application, decided no earlier than ``blacklist.early_removal.after_months`` after the
    listing (local practice, docs/rules.md R10)."""
    day = local_day(ctx.effective_at)
    require(entry.in_force(day), "not-in-force", "only a listing in force can be removed early", field="listing_id")
    assert entry.listed_on is not None
    first = early_removal_from(pack, entry.listed_on)
    require(day >= first, "too-early",
            f"an early removal is decided from {first} ({pack['blacklist.early_removal.after_months']} months after "
            f"the listing on {entry.listed_on})", field="effective_at", basis=pack["blacklist.early_removal.basis"])
    require(entry.listed_on <= applied_on <= day, "application-date",
            f"the application ({applied_on}) lies between the listing ({entry.listed_on}) and the decision ({day})",
            field="applied_on")
    require(bool(reason.strip()), "reason-required", "say why the unit is removed early (信用修复)", field="reason")
    return entry.next_event(RemovedEarly, ctx, basis=pack["blacklist.early_removal.basis"],
                            rules_version=pack.version_tag, applied_on=applied_on, reason=reason.strip(),
                            decided_by=decided_by)
