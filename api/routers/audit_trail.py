"""Audit trail: the events of an entity or a jurisdiction, in order; replay of one aggregate."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.deps import AsOf, KnownAt, OfficialDep, SystemDep, consistent
from api.problems import responses
from api.replay import Replay, replay
from api.routers.audit_trail_views import AuditEvent, AuditPage
from api.routing import Router
from application.visibility import shown
from domain.bounds import Position
from domain.errors import NotFound

router = Router(tags=["audit trail"])


@router.get("/audit-trail", responses=responses(401, 403, 422, 503), dependencies=[Depends(consistent("audit_trail"))],
            summary="Events of an entity or of a jurisdiction, in log order, paginated")
def audit_trail(
    system: SystemDep, who: OfficialDep, aggregate_id: UUID | None = None,
    jurisdiction: Annotated[str | None, Query(description="a sub-jurisdiction of yours")] = None,
    after: Annotated[Position, Query(ge=0, description="log position to continue after")] = 0,
    limit: Annotated[Position, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    rows = system.queries.audit_trail.page(who.jurisdiction, aggregate_id=aggregate_id, jurisdiction=jurisdiction,
                                           after=after, limit=limit + 1)
    items = [AuditEvent(**{**r, "data": shown(r["context"], who.role, r["data_json"])}) for r in rows[:limit]]
    return AuditPage(items=items, next_after=items[-1].position if len(rows) > limit else None)


@router.get("/aggregates/{aggregate_id}/replay", responses=responses(401, 403, 404, 422),
            summary="Replay one aggregate: its state and the events that made it, as of a time")
def replay_aggregate(aggregate_id: UUID, system: SystemDep, who: OfficialDep, as_of: AsOf = None,
                     known_at: KnownAt = None) -> Replay:
    result = replay(system.store, aggregate_id, as_of=as_of, known_at=known_at, role=who.role, scope=who.jurisdiction)
    if result is None:
        raise NotFound("not-found", f"no aggregate {aggregate_id} in your jurisdiction")
    return result
