"""考核: the year's assessment of towns and departments under the pack's scheme (placeholder figures unless a
jurisdiction set its own), with the veto applied (一票否决, seed 001 ¶30); and 项目一票否决 (seed 003 ¶31), a project or
plan refused at approval, which is no assessment result (docs/rules.md R9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import AsOf, KnownAt, OfficialDep, PageDep, SystemDep, consistent
from api.problems import READ_PROBLEMS
from api.routers.assessments_views import (
    AssessmentRow,
    ProjectVetoRow,
    RatingBandView,
    SchemeItemView,
    SchemeView,
)
from api.routing import Router
from application import accountability as a
from domain.bounds import Position
from domain.rules import pack_for
from domain.rules.assessment import RATING_TERMS, Rating, assessment_scheme
from domain.rules.assessment_veto import veto_rule

router = Router(tags=["assessments"])

Year = Annotated[Position, Query(ge=2000, le=2100)]

command_route(router, "/assessments", a.RecordAssessment,
              "Record a town's or department's year (年度考核结果): item scores under the pack's scheme; a unit "
              "vetoed for the year (一票否决) is rated vetoed whatever its score", created=True)
command_route(router, "/project-vetoes", a.VetoProject,
              "Refuse a project or plan with a major safety risk at approval (项目一票否决, seed 003 ¶31)",
              created=True)


@router.get("/assessments/scheme", responses=READ_PROBLEMS,
            summary="The assessment scheme in force here: items, weights and rating bands (placeholders unless set)")
def assessment_scheme_view(who: OfficialDep) -> SchemeView:
    pack = pack_for(who.jurisdiction)
    scheme = assessment_scheme(pack)
    rule = veto_rule(pack)
    return SchemeView(placeholder=scheme.placeholder, source=scheme.source,
                      items=[SchemeItemView(code=i.code, title=i.title, weight=str(i.weight)) for i in scheme.items],
                      bands=[RatingBandView(rating=r, term=RATING_TERMS[r], minimum=str(m)) for r, m in scheme.bands],
                      veto_basis=rule.basis if rule else None, rules_version=pack.version_tag)


@router.get("/assessments", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("accountability", "directory"))],
            summary="The year's assessment results of towns and departments, with the veto applied, as they stood "
                    "at as_of, as recorded by known_at")
def assessments(system: SystemDep, who: OfficialDep, page: PageDep, year: Year, as_of: AsOf = None,
                known_at: KnownAt = None) -> list[AssessmentRow]:
    rows = system.queries.accountability.assessments_of(
        who.jurisdiction, year, as_of=as_of,
        known_at=known_at, limit=page.limit, offset=page.offset)
    return [AssessmentRow(**r, rating_term=RATING_TERMS[Rating(r["rating"])]) for r in rows]


@router.get("/project-vetoes", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("accountability", "directory"))],
            summary="The year's projects and plans refused for a major safety risk (项目一票否决, seed 003 ¶31), as "
                    "recorded by known_at and decided by as_of")
def project_vetoes(system: SystemDep, who: OfficialDep, page: PageDep, year: Year, as_of: AsOf = None,
                   known_at: KnownAt = None) -> list[ProjectVetoRow]:
    rows = system.queries.accountability.project_vetoes_of(
        who.jurisdiction, year, as_of=as_of,
        known_at=known_at, limit=page.limit, offset=page.offset)
    return [ProjectVetoRow(**r) for r in rows]
