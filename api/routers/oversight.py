"""Oversight: the flags the policies raised (零执法, missing leader inspections) and enforcement counts per month."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from api.deps import KnownAt, OfficialDep, PageDep, SystemDep, consistent, moment
from api.problems import READ_PROBLEMS
from api.routers.oversight_views import EnforcementRow, FlagView
from api.routing import Router
from domain.bounds import Month
from domain.calendar import month_bounds
from domain.oversight import FLAG_TERMS, FlagKind

router = Router(tags=["oversight"])

MonthQuery = Annotated[Month, Query(description="a calendar month, YYYY-MM")]


@router.get("/oversight-flags", responses=READ_PROBLEMS, dependencies=[Depends(consistent("oversight_flags"))],
            summary="Oversight flags (零执法; a committee head's missing monthly inspection), as known at known_at")
def oversight_flags(system: SystemDep, who: OfficialDep, page: PageDep, known_at: KnownAt = None,
                    kind: FlagKind | None = None, period: MonthQuery | None = None,
                    active: Annotated[bool, Query(description="leave out withdrawn flags")] = False) -> list[FlagView]:
    rows = system.queries.oversight.flags(who.jurisdiction, known_at=moment(known_at),
                                          kind=kind.value if kind else None, period=period, active_only=active)
    return [FlagView(**r, term=FLAG_TERMS[r["kind"]]) for r in page.of(rows)]


@router.get("/statistics/enforcement", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("inspection_ledger", "oversight_flags", "directory", "case_ledger"))],
            summary="Per department that supervised something in a month: inspections, penalties, 零执法 and 零处罚")
def enforcement_statistics(system: SystemDep, who: OfficialDep, month: MonthQuery,
                           page: PageDep) -> list[EnforcementRow]:
    start, end = month_bounds(month)
    flags = system.queries.oversight.flags(who.jurisdiction, known_at=moment(None), period=month, active_only=True)
    flagged = {(f["kind"], f["subject_id"]) for f in flags}
    return [EnforcementRow(**r, zero_enforcement=(FlagKind.zero_enforcement, str(r["department_id"])) in flagged,
                           zero_penalty=(FlagKind.zero_penalty, str(r["department_id"])) in flagged)
            for r in page.of(system.queries.oversight.enforcement(who.jurisdiction, start=start, end=end))]
