"""三管三必须 and the lead-unit rule: which department answers for a sector.

Seed 000 §4: 管行业必须管安全、管业务必须管安全、管生产经营必须管安全 — every sector has a supervising department.
Seed 000 §7 and seed 002: for new or cross-cutting sectors (新业态) the lead department is chosen by
谁主管谁牵头、谁为主谁牵头、谁靠近谁牵头 — the competent one, else the main one, else the closest one; where even
that leaves a tie, the safety committee decides (安委会研究确定) — local practice: neither seed says who decides a
tie (docs/rules.md, corrections).

The catalogue is one aggregate per territorial unit: its sectors and their lead departments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid5

from pydantic import Field

from domain.base import Aggregate, CommandContext, DomainEvent, Frozen, created, first_event, require
from domain.errors import Rejected
from domain.references import UnitRef
from domain.rules import RulesPack
from domain.units import Unit

CATALOGUE_NAMESPACE = UUID("0c7f9f0e-5d3b-4c61-8a47-3b2d9e6c1f21")

CLAUSE_COMPETENT = "谁主管谁牵头"
CLAUSE_MAIN = "谁为主谁牵头"
CLAUSE_CLOSEST = "谁靠近谁牵头"
CLAUSE_COMMITTEE = "安委会研究确定"
LEAD_RULE_BASIS = "泉港城管〔2022〕149号 ¶7; 肥安发〔2024〕4号 ¶9"
"""What a refusal cites; a decision cites the pack (``supervision.lead.basis``, or for the committee's tie-break
``supervision.lead.committee.basis``: local practice)."""


class LeadCandidate(Frozen):
    """A department that could lead a sector, with what it claims: competent (主管), main (为主), how close."""

    department_id: UnitRef
    competent: bool = False
    main: bool = False
    proximity: int | None = Field(default=None, ge=0, description="0 = closest; compared only when needed")


class LeadDecision(Frozen):
    department_id: UUID
    clause: str


def decide_lead(candidates: list[LeadCandidate], committee_choice: UUID | None = None) -> LeadDecision:
    """Apply the lead-unit rule: competent → main → closest, each narrowing the field left by the one before.

    Returns the department and the clause that decided it; refuses when the rule cannot decide and the safety
    committee has not either.
    """
    require(bool(candidates), "no-candidates", "the lead-unit rule needs at least one candidate department",
            field="candidates")
    ids = [c.department_id for c in candidates]
    require(len(set(ids)) == len(ids), "duplicate-candidate", "a department is listed twice", field="candidates")
    field = candidates
    claims: tuple[tuple[str, Callable[[LeadCandidate], bool]], ...] = (
        (CLAUSE_COMPETENT, lambda c: c.competent),
        (CLAUSE_MAIN, lambda c: c.main),
    )
    for clause, keep in claims:
        narrowed = [c for c in field if keep(c)]
        if len(narrowed) == 1:
            return LeadDecision(department_id=narrowed[0].department_id, clause=clause)
        if narrowed:
            field = narrowed
    ranked = [c for c in field if c.proximity is not None]
    if ranked:
        best = min(c.proximity for c in ranked if c.proximity is not None)
        closest = [c for c in ranked if c.proximity == best]
        if len(closest) == 1:
            return LeadDecision(department_id=closest[0].department_id, clause=CLAUSE_CLOSEST)
        field = closest
    if committee_choice is not None:
        require(committee_choice in {c.department_id for c in field}, "committee-choice-not-tied",
                "the safety committee can only choose among the departments the rule left tied",
                field="committee_choice")
        return LeadDecision(department_id=committee_choice, clause=CLAUSE_COMMITTEE)
    raise Rejected(
        "lead-undecided",
        f"the lead-unit rule cannot choose among {len(field)} department(s): none is uniquely competent, main "
        "or closest; the safety committee must decide (pass committee_choice with its decision as basis)",
        field="candidates",
        basis=LEAD_RULE_BASIS,
    )


class SectorLead(Frozen):
    department_id: UUID
    clause: str


class SupervisionCatalogue(Aggregate):
    """The sectors of one territory and the department that leads each."""

    territory_id: UUID
    sectors: dict[str, SectorLead] = Field(default_factory=dict)


class SectorLeadDecided(DomainEvent):
    """行业领域牵头部门确定: a sector's lead (supervising) department, by the clause of the lead-unit rule."""

    term = "行业领域牵头部门确定"
    context = "organisation"
    territory_id: UUID
    sector: str
    department_id: UUID
    clause: str
    candidates: tuple[LeadCandidate, ...]
    previous_department_id: UUID | None

    def apply(self, state: SupervisionCatalogue | None) -> SupervisionCatalogue:
        lead = SectorLead(department_id=self.department_id, clause=self.clause)
        if state is None:
            return created(SupervisionCatalogue, self, territory_id=self.territory_id, sectors={self.sector: lead})
        return state.evolved(self, sectors={**state.sectors, self.sector: lead})


def catalogue_id(territory_id: UUID) -> UUID:
    return uuid5(CATALOGUE_NAMESPACE, str(territory_id))


def decide_sector_lead(
    ctx: CommandContext,
    territory: Unit,
    catalogue: SupervisionCatalogue | None,
    sector: str,
    candidates: list[LeadCandidate],
    departments: dict[UUID, Unit],
    committee_choice: UUID | None = None,
    pack: RulesPack | None = None,
) -> SectorLeadDecided:
    """Record who leads ``sector`` in ``territory``. Candidates must be open departments of that territory."""
    require(territory.kind == "territorial", "not-a-territory", f"{territory.name} is not a territorial unit",
            field="territory_id")
    require(bool(sector.strip()), "sector-required", "name the sector", field="sector")
    for candidate in candidates:
        dept = departments.get(candidate.department_id)
        require(dept is not None and dept.kind == "department", "not-a-department",
                f"candidate {candidate.department_id} is not a registered department", field="candidates")
        assert dept is not None
        require(dept.closure is None, "department-closed", f"{dept.name} is closed", field="candidates")
        require(dept.parent_id == territory.id, "foreign-department",
                f"{dept.name} is not a department of {territory.name}", field="candidates")
    decision = decide_lead(candidates, committee_choice)
    rules_version = pack.version_tag if pack else None
    basis = LEAD_RULE_BASIS if pack is None else pack[
        "supervision.lead.committee.basis" if decision.clause == CLAUSE_COMMITTEE else "supervision.lead.basis"]
    previous = catalogue.sectors.get(sector) if catalogue else None
    fields: dict[str, Any] = {
        "territory_id": territory.id, "sector": sector, "department_id": decision.department_id,
        "clause": decision.clause,
        "candidates": tuple(candidates), "previous_department_id": previous.department_id if previous else None,
    }
    if catalogue is None:
        return first_event(SectorLeadDecided, ctx, id=catalogue_id(territory.id),
                           jurisdiction=territory.jurisdiction, basis=ctx.basis or basis,
                           rules_version=rules_version, **fields)
    return catalogue.next_event(SectorLeadDecided, ctx, basis=ctx.basis or basis,
                                rules_version=rules_version, **fields)
