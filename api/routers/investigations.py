"""Accident investigations (事故调查): open (by grade or escalated), extend, appraise, find responsibility, report,
approve, the closing conditions of 四不放过 and the one-year evaluation (docs/rules.md R4)."""

from __future__ import annotations

from uuid import UUID

from api.commands import command_route
from api.deps import OfficialDep, SystemDep
from api.problems import responses
from api.routing import Router
from application import investigations as inv
from domain.errors import NotFound
from domain.investigations import Investigation

router = Router(tags=["investigations"])

command_route(router, "/investigations", inv.OpenInvestigation,
              "Open the investigation of an accident: the level by its grade, or the level above (事故调查组成立)",
              created=True)
command_route(router, "/investigations/{investigation_id}/extension", inv.ExtendInvestigation,
              "Extend the investigation once, by at most 60 days (调查期限延长)")
command_route(router, "/investigations/{investigation_id}/appraisals", inv.RecordTechnicalAppraisal,
              "Record a technical appraisal, not counted in the period (技术鉴定)")
command_route(router, "/investigations/{investigation_id}/findings", inv.FindResponsibility,
              "Record a finding of responsibility: line, unit, person, the duty failed, evidence, disposition")
command_route(router, "/investigations/{investigation_id}/report", inv.SubmitInvestigationReport,
              "Submit the investigation report (事故调查报告)")
command_route(router, "/investigations/{investigation_id}/approval", inv.ApproveInvestigationReport,
              "Approve the report (批复)")
command_route(router, "/investigations/{investigation_id}/closing-conditions", inv.MeetClosingCondition,
              "Record a closing condition of 四不放过 met, with the events that show it")
command_route(router, "/investigations/{investigation_id}/evaluation", inv.EvaluateMeasures,
              "Record the evaluation of the measures, within a year of the approval (安全生产法 第86条)")


@router.get("/investigations/{investigation_id}", responses=responses(401, 403, 404),
            summary="An investigation with its team, due dates, findings and closing conditions")
def investigation(investigation_id: UUID, sys: SystemDep, who: OfficialDep) -> Investigation:
    state = sys.store.get(investigation_id)
    if not isinstance(state, Investigation) or not who.covers(state.jurisdiction):
        raise NotFound("not-found", f"no investigation {investigation_id} in your jurisdiction")
    return state
