"""The audit seal over HTTP (docs/architecture.md §8; docs/audit.md): signed heads, proofs, the bundle export, the
check.

For the ``auditor`` role (read and export, no writes) and ``admin``. Proofs and exports are limited to the events of
the caller's jurisdiction; heads and the check concern the one tree of the whole log and show no event content.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query
from fastapi.responses import StreamingResponse

from api.catalogue import event_classes
from api.deps import PrincipalDep, SystemDep
from api.problems import responses
from api.routers.audit_views import (
    AuditCheckView,
    ConsistencyProofView,
    InclusionProofView,
    PublicKeyView,
    SignedHeadPage,
    SignedHeadView,
)
from api.routing import Router
from application.authorization import Forbidden, Principal, Role
from application.visibility import withheld_from_bundles
from domain.bounds import Position
from infrastructure.audit.export import Selection
from infrastructure.audit.signing import key_id, public_pem

router = Router(prefix="/audit", tags=["audit"])
AUDIT_ROLES = frozenset({Role.auditor, Role.admin})


def auditor(principal: PrincipalDep) -> Principal:
    """A caller who may read the audit seal: ``auditor`` or ``admin``."""
    if principal.role not in AUDIT_ROLES:
        raise Forbidden("role-not-allowed", f"the role {principal.role} may not read the audit seal "
                        "(auditor and admin only)")
    return principal


AuditorDep = Annotated[Principal, Depends(auditor)]


@router.get("/heads/latest", responses=responses(401, 403, 404), summary="The latest signed tree head")
def latest_head(system: SystemDep, _: AuditorDep) -> SignedHeadView:
    return SignedHeadView(**system.audit.latest_head().to_json())


@router.get("/heads", responses=responses(401, 403, 422), summary="Every signed tree head, by tree size, paginated")
def heads(system: SystemDep, _: AuditorDep,
          after: Annotated[Position, Query(ge=0, description="tree size to continue after")] = 0,
          limit: Annotated[Position, Query(ge=1, le=1000)] = 100) -> SignedHeadPage:
    found = system.audit.heads(after=after, limit=limit + 1)
    items = [SignedHeadView(**h.to_json()) for h in found[:limit]]
    return SignedHeadPage(items=items, next_after=items[-1].tree_size if len(found) > limit else None)


@router.get("/public-key", responses=responses(401, 403), summary="The public key the heads are signed with")
def public_key(system: SystemDep, _: AuditorDep) -> PublicKeyView:
    return PublicKeyView(key_id=key_id(system.audit.public_key).hex(), pem=public_pem(system.audit.public_key))


@router.get("/proofs/inclusion", responses=responses(401, 403, 404, 422),
            summary="Inclusion proof of the event at a log position in the tree of a size (RFC 9162 §2.1.3)")
def inclusion_proof(
    system: SystemDep, who: AuditorDep,
    position: Annotated[Position, Query(ge=1, description="the event's log position")],
    tree_size: Annotated[Position | None, Query(ge=1, description="default: the latest signed head's")] = None,
) -> InclusionProofView:
    return InclusionProofView(**system.audit.inclusion(position, tree_size, who.jurisdiction))


@router.get("/proofs/consistency", responses=responses(401, 403, 404, 422),
            summary="Consistency proof between two tree sizes (RFC 9162 §2.1.4)")
def consistency_proof(
    system: SystemDep, _: AuditorDep, first: Annotated[Position, Query(ge=1, description="the older tree size")],
    second: Annotated[Position | None,
                      Query(ge=1, description="the newer tree size; default: the latest head's")] = None,
) -> ConsistencyProofView:
    return ConsistencyProofView(**system.audit.consistency(first, second))


@router.get(
    "/export", response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}},
                     "description": "The audit bundle (ZIP), streamed: verify it with `zeren audit verify`"},
               **responses(401, 403, 409, 422)},
    summary="Export an audit bundle of the events of your jurisdiction, with proofs (streamed ZIP)",
)
def export(
    system: SystemDep, who: AuditorDep,
    jurisdiction: Annotated[str | None, Query(description="a sub-jurisdiction of yours")] = None,
    from_position: Annotated[Position | None, Query(ge=0, description="first log position")] = None,
    to_position: Annotated[Position | None, Query(ge=0, description="last log position")] = None,
    aggregate_id: Annotated[UUID | None, Query(description="only the events of this aggregate")] = None,
) -> StreamingResponse:
    if jurisdiction is not None:
        who.require_scope(jurisdiction, "the requested jurisdiction")
    plan = system.audit.export(Selection(scope=who.jurisdiction, jurisdiction=jurisdiction, from_position=from_position,
                                         to_position=to_position, aggregate_id=aggregate_id,
                                         withheld=withheld_from_bundles(who.role, event_classes())))
    name = f"zeren-audit-{plan.head.tree_size}.zip"
    return StreamingResponse(plan.chunks(), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/check", responses=responses(401, 403),
            summary="Compare the live store with its seals: the first altered, inserted or missing event")
def check(system: SystemDep, _: AuditorDep) -> AuditCheckView:
    report = system.audit.check()
    return AuditCheckView(**report.to_json(), summary=report.summary())
