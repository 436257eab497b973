"""The 一案四查 dossier over HTTP: investigators, auditors and administrators of the subject's jurisdiction.

``GET /dossiers/{subject_id}`` builds the dossier of an accident, a hazard or a tip from the events the latest
signed tree head seals, as of ``as_of`` (default: the subject's own moment) as known at ``known_at`` (default: now),
for the caller's jurisdiction; ``format=html`` returns the printable Chinese report, ``format=pdf`` the same as PDF
(docs/dossier.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query
from fastapi.responses import HTMLResponse, Response

from api.deps import AsOf, KnownAt, PrincipalDep, SystemDep
from api.dossier_pdf import render_pdf
from api.dossier_report import render
from api.problems import responses
from api.routing import Router
from application.authorization import Forbidden, Principal, Role

router = Router(tags=["dossiers"])
DOSSIER_ROLES = frozenset({Role.investigator, Role.auditor, Role.admin})


def dossier_reader(principal: PrincipalDep) -> Principal:
    if principal.role not in DOSSIER_ROLES:
        raise Forbidden("role-not-allowed", f"the role {principal.role} may not read dossiers (investigators, "
                        "auditors and administrators only)")
    return principal


@router.get("/dossiers/{subject_id}", responses=responses(401, 403, 404), response_model=None,
            summary="The 一案四查 dossier of an accident, hazard or tip, every line proven against a signed head")
def dossier(subject_id: UUID, sys: SystemDep, who: Annotated[Principal, Depends(dossier_reader)],
            as_of: AsOf = None, known_at: KnownAt = None,
            format: Annotated[Literal["json", "html", "pdf"],
                              Query(description="json (verifiable), html or pdf (printable)")] = "json",
            ) -> dict[str, Any] | Response:
    built = sys.dossiers.build(subject_id, scope=who.jurisdiction, known_at=known_at or sys.service.clock.now(),
                  as_of=as_of)
    if format == "html":
        return HTMLResponse(render(built))
    if format == "pdf":
        return Response(render_pdf(built), media_type="application/pdf")
    return built
