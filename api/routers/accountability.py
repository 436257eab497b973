"""Accountability: slips (交办单/督办单) and their report-back, letters and circulars, summons (约谈) and their
commitments; accountability, 尽职免责 and commendation of a person as holder of a post at a time (docs/rules.md R9)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import AsOf, KnownAt, OfficialDep, PageDep, SystemDep, consistent, moment, sort_query
from api.problems import READ_PROBLEMS
from api.routers.accountability_views import (
    ActView,
    BoardView,
    DepartmentVetoRow,
    NoticeRow,
    SlipRow,
    SummonsRow,
    VetoRow,
)
from api.routing import Router
from application import accountability as a
from domain.accountability import FORM_TERMS, SlipKind
from domain.bounds import Position
from domain.rules.assessment_veto import CONSEQUENCE_TERMS, VetoConsequence
from projections.accountability import SLIP_SORTS

router = Router(tags=["accountability"])

command_route(router, "/slips", a.IssueSlip, "Issue an assignment or supervision slip (交办单/督办单)", created=True)
command_route(router, "/slips/{slip_id}/report-back", a.AnswerSlip, "Report back on a slip (办结反馈)")
command_route(router, "/notices", a.IssueNotice,
              "Issue a reminder or warning letter, or a circular (提醒函/警示函/通报)", created=True)
command_route(router, "/summons", a.HoldSummons,
              "Record a summons of a unit's leaders, its record and commitments (约谈)", created=True)
command_route(router, "/summons/{summons_id}/follow-ups", a.FollowUpCommitment,
              "Follow up a commitment made at a summons (约谈承诺跟踪)")
command_route(router, "/illegal-acts", a.RecordIllegalAct,
              "Record an illegal production, operation or construction act (非法违法生产经营建设行为)", created=True)
command_route(router, "/people/{person_id}/accountability", a.ImposeAccountability,
              "Record an accountability decision against the person as holder of a post at a time (问责)",
              created=True)
command_route(router, "/people/{person_id}/duties-performed", a.RecordDutiesPerformed,
              "Record that an investigation found every duty of the post performed (尽职免责)", created=True)
command_route(router, "/people/{person_id}/commendations", a.Commend,
              "Record a commendation, refused while a bar covers the day (表彰)", created=True)


@router.get("/people/{person_id}/accountability-record", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("accountability", "directory"))],
            summary="A person's accountability record: every act, as holder of which post, on which finding")
def accountability_record(system: SystemDep, who: OfficialDep, page: PageDep, person_id: UUID) -> list[ActView]:
    rows = system.queries.accountability.person_record(who.jurisdiction, person_id)
    return [ActView(**r, form_term=FORM_TERMS.get(r["form"] or "")) for r in page.of(rows)]


@router.get("/accountability/board", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("accountability", "directory"))],
            summary="A jurisdiction's year: slips open and late, summons, letters, circulars, veto status")
def accountability_board(system: SystemDep, who: OfficialDep,
                         year: Annotated[Position, Query(ge=2000, le=2100)]) -> BoardView:
    board = system.queries.accountability.board(who.jurisdiction, year, now=moment(None))
    slips = [SlipRow(**s) for s in board["slips"]]
    return BoardView(year=year, slips=slips, slips_open=sum(s.open for s in slips),
                     slips_late=sum(s.late for s in slips), summons=[SummonsRow(**s) for s in board["summons"]],
                     notices=[NoticeRow(**n) for n in board["notices"]],
                     vetoes=[VetoRow(**v, term=CONSEQUENCE_TERMS[VetoConsequence(v["consequence"])])
                             for v in system.queries.accountability.vetoes(who.jurisdiction, year)])


@router.get("/accountability/slips", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("accountability", "directory"))],
            summary="The slips (交办单/督办单) as they stood at as_of, as recorded by known_at, open or late then")
def slips(system: SystemDep, who: OfficialDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
          year: Annotated[Position | None, Query(ge=2000, le=2100, description="the year issued")] = None,
          kind: SlipKind | None = None, target_unit_id: UUID | None = None,
          open: Annotated[bool | None, Query(description="unanswered (true) or answered (false) at as_of")] = None,
          sort: Annotated[str | None, sort_query(SLIP_SORTS)] = None) -> list[SlipRow]:
    rows = system.queries.accountability.slips(
        who.jurisdiction, as_of=moment(as_of), known_at=moment(known_at), year=year,
        kind=kind.value if kind else None, target_unit_id=target_unit_id, open_only=open, sort=sort,
        limit=page.limit, offset=page.offset)
    return [SlipRow(**r) for r in rows]


@router.get("/accountability/board/departments", responses=READ_PROBLEMS,
            dependencies=[Depends(consistent("accountability", "directory"))],
            summary="The year's veto board per department: the findings naming each and whether it is vetoed")
def department_board(system: SystemDep, who: OfficialDep, page: PageDep,
                     year: Annotated[Position, Query(ge=2000, le=2100)]) -> list[DepartmentVetoRow]:
    return [DepartmentVetoRow(**r) for r in page.of(system.queries.accountability.department_vetoes(who.jurisdiction,
                                                                                                   year))]
