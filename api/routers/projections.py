"""The read models' progress (issue #14: long operations show progress): each projection's position against the log's
head, and whether it is being rebuilt behind its old tables, with the rebuild's own position as it fills its shadow
tables — what ``/healthz`` reports, for the web UI's 系统状态.

For ``auditor`` and ``admin``: names, positions and errors of the system's own followers, no event content and
nothing of any jurisdiction. The answer is one object holding every registered read model (a fixed set of a few
dozen, not a list that grows), so it is not paged.
"""

from __future__ import annotations

from api.deps import SystemDep
from api.problems import responses
from api.routers.audit import AuditorDep
from api.routers.projections_views import ProjectionStatusView, ReadModelsView
from api.routing import Router

router = Router(tags=["health"])


@router.get("/projections", responses=responses(401, 403),
            summary="Each read model's position, lag behind the log's head, rebuild and failure (auditor, admin)")
def projections(system: SystemDep, _: AuditorDep) -> ReadModelsView:
    runner = system.runner
    stale = set(runner.stale)
    items = [ProjectionStatusView(**s, rebuilding=s["name"] in stale or s["rebuild"] is not None)
             for s in sorted(runner.status(), key=lambda s: s["name"])]
    return ReadModelsView(head=items[0].head if items else runner.log.head(), items=items)
