"""考核 — the year's assessment of a town (镇/街道) or a department, and 项目一票否决 (docs/rules.md R9).

- **Assessment** (年度考核结果): a unit's calendar year scored item by item under its pack's scheme
  (:mod:`domain.rules.assessment`). The seeds demand the assessment but give no items, weights or bands: the shipped
  scheme is a PLACEHOLDER that a jurisdiction replaces, and every result says whether it was scored under one. The
  veto (一票否决, seed 001 ¶30: 5 起以上 … 1 起以上一般生产安全责任事故且造成人员死亡的，对镇（街道）和行业主管部门
  "一票否决") is applied to the result: a unit the policy found vetoed for the year — the town itself, or a department
  the finding names — is rated 一票否决, never 优秀 or 合格, whatever its points; a veto found after the result was
  recorded is applied to it by a later event (:class:`AssessmentVetoApplied`), never by editing it.
- **Project veto** (项目一票否决, seed 003 ¶31: 实行重大安全风险"一票否决" … 严把项目审批安全关，不得"边审批、边设计、
  边施工"; 不达安全标准的不能上马和开工): a project or plan with a major safety risk refused at approval by the
  department that approves it. It is its own record, never an assessment result.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from domain.base import Aggregate, CommandContext, DomainEvent, created, first_event, require
from domain.calendar import local_day
from domain.errors import Conflict
from domain.rules.assessment import AssessmentItem, AssessmentScheme, Rating, assess
from domain.rules.rewards import Exact
from domain.units import Level, TerritorialProfile, Unit

NAMESPACE = UUID("5b0e7c2d-94a1-4f37-b8d6-2c71e3a9f058")
ASSESSMENT_BASIS = ("惠政文〔2014〕53号 ¶30 (一票否决); scheme and bands: placeholders of the pack "
                    "(assessment.scheme.*), not law")
PROJECT_VETO_BASIS = ("狮安委〔2023〕3号 ¶31 (实行重大安全风险\"一票否决\"; 严把项目审批安全关，不得\"边审批、边设计、"
                      "边施工\"; 不达安全标准的不能上马和开工)")


def assessment_id(unit_id: UUID, year: int) -> UUID:
    """One assessment per unit and calendar year."""
    return uuid5(NAMESPACE, f"assessment:{unit_id}:{year}")


def assessable(unit: Unit) -> bool:
    """A town (镇/街道) or a department: what seed 001 ¶30 names (镇（街道）和行业主管部门)."""
    profile = unit.profile
    return unit.kind == "department" or (isinstance(profile, TerritorialProfile) and profile.level == Level.town)


class Assessment(Aggregate):
    unit_id: UUID
    year: int
    score: Exact
    rating: Rating
    vetoed: bool
    veto_finding_ids: tuple[UUID, ...] = ()


class AssessmentRecorded(DomainEvent):
    """年度考核结果: a unit's year scored item by item under the pack's scheme (its items and weights as they were),
    the weighted score, and the rating with the veto applied (一票否决 whatever the points, seed 001 ¶30). A later
    one for the same unit and year records a corrected scoring."""

    term = "年度考核结果"
    context = "accountability"
    unit_id: UUID
    year: int
    items: tuple[AssessmentItem, ...]
    item_scores: dict[str, Exact]
    score: Exact
    rating: Rating
    vetoed: bool
    veto_finding_ids: tuple[UUID, ...]
    placeholder: bool
    """True when the scheme was the shipped placeholder, not a jurisdiction's own."""

    def apply(self, state: Assessment | None) -> Assessment:
        fields = {"score": self.score, "rating": self.rating, "vetoed": self.vetoed,
                  "veto_finding_ids": self.veto_finding_ids}
        if state is None:
            return created(Assessment, self, unit_id=self.unit_id, year=self.year, **fields)
        return state.evolved(self, **fields)


class AssessmentVetoApplied(DomainEvent):
    """考核一票否决适用: a veto found after the year's result was recorded turns it to 一票否决 (seed 001 ¶30)."""

    term = "考核一票否决适用"
    context = "accountability"
    veto_finding_id: UUID
    previous_rating: Rating

    def apply(self, state: Assessment) -> Assessment:
        return state.evolved(self, rating=Rating.vetoed, vetoed=True,
                             veto_finding_ids=(*state.veto_finding_ids, self.veto_finding_id))


def record_assessment(ctx: CommandContext, state: Assessment | None, unit: Unit, year: int,
                      scheme: AssessmentScheme, scores: dict[str, Decimal], veto_finding_ids: tuple[UUID, ...],
                      rules_version: str) -> AssessmentRecorded:
    """Score ``unit``'s ``year``; ``veto_finding_ids`` are the veto findings (一票否决) that name it for the year."""
    require(assessable(unit), "not-assessable", f"{unit.name} is a {unit.kind}: the year's assessment is of a town "
            "(镇/街道) or a department", field="unit_id")
    require(year <= local_day(ctx.effective_at).year, "year-not-begun", f"{year} has not begun", field="year")
    result = assess(scheme, scores, vetoed=bool(veto_finding_ids))
    fields: dict[str, Any] = {"unit_id": unit.id, "year": year, "items": scheme.items,
                              "item_scores": result.item_scores,
                              "score": result.score, "rating": result.rating, "vetoed": result.vetoed,
                              "veto_finding_ids": veto_finding_ids, "placeholder": result.placeholder}
    basis = ctx.basis or ASSESSMENT_BASIS
    if state is None:
        return first_event(AssessmentRecorded, ctx, id=assessment_id(unit.id, year), jurisdiction=unit.jurisdiction,
                           basis=basis, rules_version=rules_version, **fields)
    return state.next_event(AssessmentRecorded, ctx, basis=basis, rules_version=rules_version, **fields)


def apply_veto(ctx: CommandContext, state: Assessment, finding_id: UUID, basis: str,
               rules_version: str) -> AssessmentVetoApplied | None:
    """The veto finding ``finding_id`` applied to a recorded result; ``None`` when it is applied already."""
    if finding_id in state.veto_finding_ids:
        return None
    return state.next_event(AssessmentVetoApplied, ctx, basis=basis, rules_version=rules_version,
                            veto_finding_id=finding_id, previous_rating=state.rating)


# --- 项目一票否决 (seed 003 ¶31) -----------------------------------------------------------------------------------


class ProjectKind(StrEnum):
    project = "project"  # 项目 (重大工程项目, 新上产业项目, 承接转移项目)
    plan = "plan"  # 规划 (国土空间规划, 产业发展规划)


PROJECT_KIND_TERMS = {"project": "项目", "plan": "规划"}
APPROVERS = frozenset({"department", "territorial", "safety_committee", "committee_office"})


class ProjectVeto(Aggregate):
    issuer_unit_id: UUID
    kind: ProjectKind
    name: str
    applicant_unit_id: UUID | None
    risk: str
    document: str
    decided_on: date


class ProjectVetoed(DomainEvent):
    """项目一票否决: a project or plan with a major safety risk refused at approval (seed 003 ¶31: 实行重大安全风险
    "一票否决"; 不达安全标准的不能上马和开工) — by the approving department, with the risk and the decision's 文号."""

    term = "项目一票否决"
    context = "accountability"
    issuer_unit_id: UUID
    kind: ProjectKind
    name: str
    applicant_unit_id: UUID | None
    risk: str
    document: str

    def apply(self, _: None) -> ProjectVeto:
        return created(ProjectVeto, self, issuer_unit_id=self.issuer_unit_id, kind=self.kind, name=self.name,
                       applicant_unit_id=self.applicant_unit_id, risk=self.risk, document=self.document,
                       decided_on=local_day(self.effective_at))


def veto_project(ctx: CommandContext, veto_id: UUID, issuer: Unit, kind: ProjectKind, name: str,
                 applicant: Unit | None, risk: str, document: str) -> ProjectVetoed:
    require(issuer.kind in APPROVERS, "not-an-approver", f"{issuer.name} is a {issuer.kind}: a project or plan is "
            "refused by the department or government that approves it", field="issuer_unit_id")
    if issuer.closure is not None:
        raise Conflict("unit-closed", f"{issuer.name} is closed")
    require(bool(name.strip()), "name-required", "name the project or plan", field="name")
    require(bool(risk.strip()), "risk-required", "state the major safety risk (重大安全风险) that refuses it",
            field="risk")
    require(bool(document.strip()), "document-required", "name the decision (文号)", field="document")
    return first_event(ProjectVetoed, ctx, id=veto_id, jurisdiction=issuer.jurisdiction,
                       basis=ctx.basis or PROJECT_VETO_BASIS, issuer_unit_id=issuer.id, kind=kind,
                       name=name.strip(), applicant_unit_id=applicant.id if applicant else None, risk=risk.strip(),
                       document=document.strip())
