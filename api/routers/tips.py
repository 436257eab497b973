"""Tips (举报): receive, verify, link outcomes, reward, pay, feedback; recorded disclosures; the tip ledger.

Tip officers only (and administrators for the ledger). The reporter's identity is never in a GET: it is returned
by ``POST /tips/{tip_id}/identity-disclosures`` alone, with a required reason, after that disclosure is recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query, Response
from pydantic import BaseModel

from api.commands import command_route
from api.deps import AsOf, CorrelationId, KnownAt, PageDep, PrincipalDep, SystemDep, body_of, consistent, sort_query
from api.problems import READ_PROBLEMS, responses
from api.routers.tips_views import TipCount, TipView
from api.routing import Router
from application import tips as tp
from application.authorization import Forbidden, Principal
from domain.bounds import Month, Position
from domain.errors import NotFound
from domain.tips import STATUS_TERMS, Channel, IdentityShredded, TipStatus
from infrastructure.vault import Shredded
from projections.tips import SORTS

router = Router(tags=["tips"])

command_route(router, "/tips", tp.ReceiveTip,
              "Receive a tip (举报受理): the reporter and the original text are stored sealed", created=True)
command_route(router, "/tips/{tip_id}/verification", tp.VerifyTip, "Verify a tip: 属实 or 不属实 (举报核实)")
command_route(router, "/tips/{tip_id}/outcomes", tp.LinkTipOutcome, "Link what the tip led to (举报关联查处结果)")
command_route(router, "/tips/{tip_id}/reward-proposal", tp.ProposeTipReward,
              "Propose the reward R11 gives the first valid reporter of the matter (举报奖励拟定)")
command_route(router, "/tips/{tip_id}/reward-payment", tp.PayTipReward, "Record the reward paid (举报奖励发放)")
command_route(router, "/tips/{tip_id}/feedback", tp.GiveTipFeedback, "Record the feedback given (举报反馈)")


def tip_reader(principal: PrincipalDep) -> Principal:
    """The tip ledger is for tip officers and administrators (docs/rules.md R11: 在做好保密工作的前提下)."""
    if principal.role not in ("tip_officer", "admin"):
        raise Forbidden("role-not-allowed", f"the role {principal.role} may not read the tip ledger (举报台账)")
    return principal


TipReaderDep = Annotated[Principal, Depends(tip_reader)]
if TYPE_CHECKING:  # the request model is made at import time from the command; a type checker sees its base
    DisclosureRequest = BaseModel
else:
    DisclosureRequest = body_of(tp.DiscloseReporterIdentity, "tip_id")


@router.post("/tips/{tip_id}/identity-disclosures", responses=responses(401, 403, 404, 409, 410, 422),
             summary="Open the reporter's identity and original text, recorded first: who, when, why (举报人信息查阅)",
             openapi_extra={"x-command": tp.DiscloseReporterIdentity.__name__})
def disclose_identity(tip_id: UUID, body: DisclosureRequest, system: SystemDep, who: PrincipalDep,
                      response: Response, correlation: CorrelationId = None) -> tp.DisclosedIdentity:
    """Tip officers of the tip's jurisdiction only. Every call is a new recorded disclosure (no Idempotency-Key)."""
    command = tp.DiscloseReporterIdentity(tip_id=tip_id, **body.model_dump(exclude_unset=True))
    response.headers["Cache-Control"] = "no-store"
    try:
        return tp.disclose_identity(system.service, who, command, correlation_id=correlation)
    except Shredded:
        raise IdentityShredded("identity-shredded", "the identity was shredded: its data key is gone") from None


def _view(row: dict[str, Any]) -> TipView:
    return TipView(**row)


@router.get("/tips", responses=READ_PROBLEMS, dependencies=[Depends(consistent("tip_ledger", "directory"))],
            summary="The tip ledger (举报台账) as it stood at as_of, as recorded by known_at, in the order received; "
                    "never the reporter's identity")
def tip_ledger(
    system: SystemDep, who: TipReaderDep, as_of: AsOf = None, known_at: KnownAt = None,
    status: TipStatus | None = None,
    channel: Channel | None = None,
    subject_kind: Literal["unit", "hazard", "concealed_accident"] | None = None,
    jurisdiction: Annotated[str | None, Query(description="a sub-jurisdiction of yours")] = None,
    outcome_id: Annotated[UUID | None, Query(description="only tips that led to this record (the same matter)")]
    = None,
    start: Annotated[Month | None, Query(alias="from", description="received from this month, YYYY-MM")] = None,
    end: Annotated[Month | None, Query(alias="to", description="received by this month, YYYY-MM, inclusive")] = None,
    sort: Annotated[str | None, sort_query(SORTS)] = None,
    limit: Annotated[Position, Query(ge=1, le=1000)] = 100, offset: Annotated[Position, Query(ge=0)] = 0,
) -> list[TipView]:
    rows = system.queries.tips.ledger(who.jurisdiction, as_of=as_of, known_at=known_at, status=status,
                                      channel=channel.value if channel else None,
                                      subject_kind=subject_kind, jurisdiction=jurisdiction, outcome_id=outcome_id,
                                      start=start, end=end, sort=sort, limit=limit, offset=offset)
    return [_view(r) for r in rows]


@router.get("/statistics/tips", responses=READ_PROBLEMS, dependencies=[Depends(consistent("tip_ledger"))],
            summary="Tips by the month received and their status now, counted in SQL (the dashboard's tips)")
def tip_counts(
    system: SystemDep, who: TipReaderDep, page: PageDep,
    start: Annotated[Month | None, Query(alias="from", description="first month, YYYY-MM")] = None,
    end: Annotated[Month | None, Query(alias="to", description="last month, YYYY-MM, inclusive")] = None,
    jurisdiction: Annotated[str | None, Query(description="a sub-jurisdiction of yours")] = None,
) -> list[TipCount]:
    rows = system.queries.tips.counts(who.jurisdiction, jurisdiction=jurisdiction, start=start, end=end)
    return [TipCount(**r, status_term=STATUS_TERMS[r["status"]]) for r in page.of(rows)]


@router.get("/tips/{tip_id}", responses=responses(401, 403, 404, 503),
            dependencies=[Depends(consistent("tip_ledger", "directory"))],
            summary="One tip: verification, outcomes, reward, feedback, disclosures; never the reporter's identity")
def get_tip(tip_id: UUID, system: SystemDep, who: TipReaderDep) -> TipView:
    rows = system.queries.tips.ledger(who.jurisdiction, tip_id=tip_id)
    if not rows:
        raise NotFound("not-found", f"no tip {tip_id} in your jurisdiction")
    return _view(rows[0])
