"""Penalty cases (行政处罚案件): opening, notice, hearing, legal review, decision, service, payment, daily fines,
transfer to the judiciary, 第113条 closure and industry bans; the case ledger, penalty statistics and counters."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query

from api.commands import command_route
from api.deps import AsOf, KnownAt, OfficialDep, PageDep, SystemDep, consistent, sort_query
from api.problems import READ_PROBLEMS, responses
from api.routers.cases_views import CaseView, ClosureCounter, ClosureView, PenaltyStatisticsRow
from api.routing import Router
from application import cases as c
from domain.calendar import local_day
from domain.cases import STATUS_TERMS, CaseStatus
from domain.errors import NotFound
from projections.cases import SORTS

router = Router(tags=["cases"])

command_route(router, "/cases", c.OpenCase, "Open a penalty case (立案), with the proposal of the rules pack",
              created=True)
command_route(router, "/cases/{case_id}/notice", c.ServePenaltyNotice,
              "Serve the prior notice and rights (行政处罚告知: 陈述、申辩、听证)")
command_route(router, "/cases/{case_id}/hearing-request", c.RequestHearing, "Record a hearing request (申请听证)")
command_route(router, "/cases/{case_id}/hearing", c.HoldHearing, "Record the hearing (听证)")
command_route(router, "/cases/{case_id}/legal-review", c.CompleteLegalReview, "Record the legal review (法制审核)")
command_route(router, "/cases/{case_id}/decision", c.DecideCase, "Decide the case (行政处罚决定; 一案双罚)")
command_route(router, "/cases/{case_id}/service", c.ServeDecision, "Serve the decision (送达)")
command_route(router, "/cases/{case_id}/payments", c.PayFine, "Record a payment with any late surcharge (缴纳罚款)")
command_route(router, "/cases/{case_id}/daily-fines", c.ImposeDailyFine,
              "Impose a daily continuous fine (按日连续处罚)")
command_route(router, "/cases/{case_id}/transfer", c.TransferCase, "Transfer to the judiciary (移送司法机关)")
command_route(router, "/cases/{case_id}/transfer/receipt", c.RecordTransferReceipt, "Record the receipt (移送回执)")
command_route(router, "/cases/{case_id}/industry-bans", c.BarResponsiblePerson,
              "Bar the responsible person after a closure (行业禁入, 第113条)")
command_route(router, "/closures/{closure_id}/decision", c.DecideClosure, "Decide a closure proposal (第113条)")


def case_view(row: dict[str, Any]) -> CaseView:
    return CaseView(**{**row, "facts": row["facts_json"] or [], "status_term": STATUS_TERMS[row["status"]]})


@router.get("/cases", responses=READ_PROBLEMS, dependencies=[Depends(consistent("case_ledger"))],
            summary="The case ledger (行政处罚案件台账) as it stood at as_of, as recorded by known_at: status, "
                    "deadlines, amounts, tier and why, days left on as_of's day")
def case_ledger(system: SystemDep, who: OfficialDep, page: PageDep, as_of: AsOf = None, known_at: KnownAt = None,
                status: CaseStatus | None = None, unit_id: UUID | None = None,
                department_id: Annotated[UUID | None, Query(description="the department that opened it")] = None,
                sort: Annotated[str | None, sort_query(SORTS)] = None) -> list[CaseView]:
    today = local_day(as_of or system.service.clock.now())
    rows = system.queries.cases.ledger(who.jurisdiction, today, as_of=as_of, known_at=known_at, role=who.role,
                                       unit_of_role=who.unit_id, status=status.value if status else None,
                                       unit_id=unit_id, department_id=department_id, sort=sort, limit=page.limit,
                                       offset=page.offset)
    return [case_view(r) for r in rows]


@router.get("/cases/{case_id}", responses=responses(401, 403, 404, 422, 503),
            dependencies=[Depends(consistent("case_ledger"))], summary="One penalty case")
def case(system: SystemDep, who: OfficialDep, case_id: UUID) -> CaseView:
    row = system.queries.cases.case(who.jurisdiction, case_id, local_day(system.service.clock.now()),
                                    role=who.role, unit_of_role=who.unit_id)
    if row is None:
        raise NotFound("not-found", f"no penalty case with id {case_id}", field="case_id")
    return case_view(row)


@router.get("/statistics/penalties", responses=READ_PROBLEMS, dependencies=[Depends(consistent("case_ledger"))],
            summary="Decided penalty cases per department, sector or month")
def penalty_statistics(system: SystemDep, who: OfficialDep, page: PageDep,
                       by: Annotated[Literal["department", "sector", "month"], Query()] = "month",
                       ) -> list[PenaltyStatisticsRow]:
    return [PenaltyStatisticsRow(**r) for r in page.of(system.queries.cases.statistics(who.jurisdiction, by))]


@router.get("/closures/counters", responses=READ_PROBLEMS, dependencies=[Depends(consistent("case_ledger"))],
            summary="第113条(一) counters: units with a major hazard and their penalties in 180 days / a year")
def closure_counters(system: SystemDep, who: OfficialDep, page: PageDep) -> list[ClosureCounter]:
    today = local_day(system.service.clock.now())
    return [ClosureCounter(**r) for r in page.of(system.queries.cases.closure_counters(who.jurisdiction, today))]


@router.get("/closures", responses=READ_PROBLEMS, dependencies=[Depends(consistent("case_ledger"))],
            summary="Closure proposals (提请关闭, 第113条) and their decisions")
def closures(system: SystemDep, who: OfficialDep, page: PageDep) -> list[ClosureView]:
    rows = system.queries.cases.closures(who.jurisdiction)
    return [ClosureView(**{**r, "cases": r["cases_json"] or []}) for r in page.of(rows)]
