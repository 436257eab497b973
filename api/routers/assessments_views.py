"""Response models of ``api.routers.assessments``: the scheme, the year's results and the project vetoes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class SchemeItemView(BaseModel):
    code: str
    title: str
    weight: str = Field(description="points out of 100 (a decimal as text)")


class RatingBandView(BaseModel):
    rating: str = Field(description="excellent (优秀) or passed (合格); below the lowest band: failed (不合格)")
    term: str
    minimum: str = Field(description="the lowest score of the band (a decimal as text)")


class SchemeView(BaseModel):
    """The assessment scheme in force for the caller's jurisdiction — PLACEHOLDER figures unless a local pack set its
    own: no seed or law gives the items, weights or bands (docs/rules.md R9)."""

    placeholder: bool = Field(description="true: the shipped placeholder figures, not a jurisdiction's decision")
    source: str
    items: list[SchemeItemView]
    bands: list[RatingBandView]
    veto_basis: str | None = Field(description="the veto rule that overrides the rating (seed 001 ¶30), where a "
                                               "local pack sets one")
    rules_version: str


class AssessmentRow(BaseModel):
    """A unit's year (年度考核结果): its scores, the weighted score, and the rating with the veto applied."""

    assessment_id: UUID
    unit_id: UUID
    unit_name: str | None
    year: int
    score: str = Field(description="weighted score out of 100 (a decimal as text)")
    rating: str = Field(description="excellent, passed, failed, or vetoed (一票否决: whatever the score)")
    rating_term: str
    vetoed: bool
    veto_finding_ids: list[UUID] = Field(description="the veto findings (seed 001 ¶30) applied to it")
    item_scores: dict[str, str]
    items: list[SchemeItemView] = Field(description="the scheme's items and weights as they were when scored")
    placeholder: bool = Field(description="scored under the shipped placeholder scheme")
    recorded_at: datetime
    basis: str | None
    rules_version: str | None


class ProjectVetoRow(BaseModel):
    """项目一票否决 (seed 003 ¶31): a project or plan with a major safety risk refused at approval."""

    veto_id: UUID
    issuer_unit_id: UUID
    issuer_name: str | None
    kind: str = Field(description="project (项目) or plan (规划)")
    name: str
    applicant_unit_id: UUID | None
    risk: str
    document: str
    jurisdiction: str
    decided_at: datetime
    year: int
    basis: str | None
