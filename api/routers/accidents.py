"""Accidents (生产安全事故): record one, record the reports of its chain; read it back with its grade and flags.

Officials of the jurisdiction record (admin, investigator, enforcement, inspector); the grade, the irregularities of
the reporting chain and the suspicion of concealment are decided by the rules in the same command (docs/rules.md R1–R3).
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.commands import command_route
from api.deps import OfficialDep, SystemDep
from api.problems import responses
from application import accidents as a
from domain.accidents import Accident
from domain.errors import NotFound

router = APIRouter(tags=["accidents"])

command_route(router, "/accidents", a.RecordAccident, "Record an accident (事故登记)", created=True)
command_route(router, "/accidents/{accident_id}/reports", a.ReportAccident,
              "Record a report of the chain: 首报, 逐级上报 or 补报 (事故报告)")


@router.get("/accidents/{accident_id}", responses=responses(401, 403, 404),
            summary="An accident with its reports, grade and flags, as recorded now")
def accident(accident_id: UUID, sys: SystemDep, who: OfficialDep) -> Accident:
    state = sys.store.get(accident_id)
    if not isinstance(state, Accident) or not who.covers(state.jurisdiction):
        raise NotFound("not-found", f"no accident {accident_id} in your jurisdiction")
    return state
