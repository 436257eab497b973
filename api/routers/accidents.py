"""Accidents (生产安全事故): record one, record the reports of its chain; read it back with its grade and flags; the
accident ledger (事故台账) on a day as known then, and the accidents by grade (the dashboard's figure).

Officials of the jurisdiction record (admin, investigator, enforcement, inspector); the grade, the irregularities of
the reporting chain and the suspicion of concealment are decided by the rules in the same command (docs/rules.md R1–R3).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import AsOf, KnownAt, OfficialDep, PageDep, SystemDep, consistent, moment, sort_query
from api.problems import READ_PROBLEMS, responses
from api.routers.accidents_views import AccidentRow, AccidentsByGrade
from api.routing import Router
from application import accidents as a
from domain.accidents import KIND_TERMS, Accident
from domain.bounds import Day, Position
from domain.errors import NotFound, Rejected
from domain.rules.accidents import GRADE_TERMS, AccidentGrade
from projections.accident_ledger import SORTS

router = Router(tags=["accidents"])

command_route(router, "/accidents", a.RecordAccident, "Record an accident (事故登记)", created=True)
command_route(router, "/accidents/{accident_id}/reports", a.ReportAccident,
              "Record a report of the chain: 首报, 逐级上报 or 补报 (事故报告)")


Jurisdiction = Annotated[str | None, Query(description="a sub-jurisdiction of yours, e.g. a town's path")]
From = Annotated[Day | None, Query(alias="from", description="the period's first day (when it occurred)")]
To = Annotated[Day | None, Query(alias="to", description="the period's last day, inclusive")]
LEDGER = [Depends(consistent("accident_ledger", "directory"))]


def _period(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise Rejected("empty-range", f"from {start} lies after to {end}", field="from")


@router.get("/accidents", responses=READ_PROBLEMS, dependencies=LEDGER,
            summary="The accident ledger (事故台账) as it stood at as_of, as recorded by known_at, latest first")
def accident_ledger(
    system: SystemDep, who: OfficialDep, as_of: AsOf = None, known_at: KnownAt = None,
    jurisdiction: Jurisdiction = None, grade: AccidentGrade | None = None, unit_id: UUID | None = None,
    start: From = None, end: To = None, sort: Annotated[str | None, sort_query(SORTS)] = None,
    limit: Annotated[Position, Query(ge=1, le=1000)] = 100, offset: Annotated[Position, Query(ge=0)] = 0,
) -> list[AccidentRow]:
    _period(start, end)
    rows = system.queries.accidents.ledger(
        who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at), jurisdiction=jurisdiction,
        unit_id=unit_id, grade=grade.value if grade else None, start=start, end=end, sort=sort, limit=limit,
        offset=offset)
    return [AccidentRow(**r, kind_term=KIND_TERMS[r["kind"]], grade_term=GRADE_TERMS[r["grade"]]) for r in rows]


@router.get("/statistics/accidents", responses=READ_PROBLEMS, dependencies=LEDGER,
            summary="Accidents by grade (事故等级) in a period, with their dead, injured and loss, counted in SQL")
def accidents_by_grade(system: SystemDep, who: OfficialDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
                       jurisdiction: Jurisdiction = None, start: From = None,
                       end: To = None) -> list[AccidentsByGrade]:
    _period(start, end)
    rows = system.queries.accidents.by_grade(who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at),
                                             jurisdiction=jurisdiction, start=start, end=end)
    return [AccidentsByGrade(**r, grade_term=GRADE_TERMS[r["grade"]]) for r in page.of(rows)]


@router.get("/accidents/{accident_id}", responses=responses(401, 403, 404),
            summary="An accident with its reports, grade and flags, as recorded now")
def accident(accident_id: UUID, sys: SystemDep, who: OfficialDep) -> Accident:
    state = sys.store.get(accident_id)
    if not isinstance(state, Accident) or not who.covers(state.jurisdiction):
        raise NotFound("not-found", f"no accident {accident_id} in your jurisdiction")
    return state
