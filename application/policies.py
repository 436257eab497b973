"""Policies (process managers): they watch the clock and the read models and issue ordinary commands
(docs/architecture.md §6).

- A hazard past its deadline becomes overdue; an overdue major hazard is escalated to listed supervision one level
  up where a local pack sets it (local practice: docs/rules.md R8; overdue aggravates a penalty, seed 000 ¶27); a
  listing that names no supervisor (as an escalation leaves it) is flagged once (seed 004 §三(二)3(1)).
- A department that supervised something in a month and decided no penalty and issued no order in it is flagged
  zero-enforcement (零执法), and one that decided no penalty zero-penalty (零处罚), seed 000 §25 — inspections are not
  enforcement acts (以检查代替执法; ``domain.rules.oversight``); a committee head who led no inspection in a month
  is flagged (seed 002 §(一)3: only inspections in the sectors their committee covers count; docs/rules.md R12);
  during a campaign of a local pack, an enterprise's main responsible person who led no check of their own unit in
  a month is flagged (seed 004 §三(一)1(4)). A month is judged ``oversight.grace_days`` after it ends, and re-judged for
  ``oversight.lookback_months``: a flag that later records contradict is withdrawn, never deleted.
- An accident's reporting chain is judged against 493号令 (docs/rules.md R2–R3): 迟报 — including a first report that
  never came within the head's hour and a level that never passed the report on within its two hours — 漏报,
  逾期补报; an accident first known from a tip, a police or hospital record before the unit reported it is suspected
  concealed, listed and an escalated investigation proposed, each once (seed 000 §32). A lateness flag that a report
  recorded later (received in time) contradicts is withdrawn.
- A slip (交办单/督办单) whose report-back is late or missing is flagged once (seed 000 ¶6).
- Where a local pack sets the assessment veto (seed 001 ¶30, 惠济区), each town's calendar year is judged: every
  consequence its counts reach (admonitions of the deputies, of the main leaders; the veto) is found once.
- A blacklist ground the unit's accidents meet (a 特别重大/重大 accident; 2 较大 ones within 12 months,
  应急管理部令第11号; docs/rules.md R10), or a decided penalty case meets (a fine of 2–5 × under 安全生产法
  第114条第二款), is proposed for listing, once; the deciding department — for a case, the one that penalised — decides.

Every policy command carries a deterministic ``Idempotency-Key`` (``policy:<kind>:<subject>:<due>``) and its
decision re-checks the aggregate, so firing twice — or two workers at once — writes once. The worker's clock is
injectable: tests and the demo move time instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from application.accidents import FlagAccidentReporting, SuspectConcealment, WithdrawAccidentFlag
from application.accountability import FlagLateSlip, RecordVetoFinding
from application.authorization import SYSTEM_PRINCIPAL
from application.blacklist import ProposeListing
from application.cases import CloseHearingWindow, MarkDecisionOverdue, MarkPaymentOverdue, ProposeClosure
from application.commands import Command
from application.following import HealthLog, follow
from application.hazards import EscalateListing, MarkHazardOverdue
from application.oversight import (
    DEPARTMENT_KINDS,
    RaiseCampaignCheckFlag,
    RaiseDepartmentFlag,
    RaiseLeaderInspectionFlag,
    RaiseUnsupervisedListingFlag,
    WithdrawFlag,
)
from application.ports import (
    AccidentChecks,
    BlacklistCandidates,
    CaseDeadlines,
    Clock,
    Deadlines,
    Oversight,
    Slips,
    Vetoes,
)
from application.service import Zeren
from domain.accidents import CONCEALMENT, AccidentReported, Irregularity
from domain.calendar import local_day, month_bounds, month_label, previous_month
from domain.errors import Conflict
from domain.hazards import HazardBecameOverdue, HazardGrade, HazardStatus
from domain.oversight import FlagKind
from domain.rules import local, pack_for
from domain.rules.assessment_veto import judge_veto, veto_rule
from domain.rules.blacklist import Ground
from domain.rules.campaigns import campaigns_in
from domain.rules.oversight import FLAGGED, MonthCounts, acts_found

log = logging.getLogger(__name__)


@dataclass
class Worker:
    """``zeren worker``: one :meth:`tick` fires what is due at the clock's now."""

    service: Zeren
    clock: Clock
    deadlines: Deadlines
    oversight: Oversight
    accidents: AccidentChecks
    cases: CaseDeadlines
    slips: Slips
    vetoes: Vetoes
    blacklist: BlacklistCandidates | None = None
    wake: threading.Event = field(default_factory=threading.Event)

    def tick(self) -> int:
        """Fire every due policy; returns how many commands wrote events."""
        now = self.clock.now()
        return (self._deadlines(now) + self._cases(now) + self._oversee(now) + self._accidents(now) + self._slips(now)
                + self._veto(now) + self._propose_listings())

    def _cases(self, now: datetime) -> int:
        """Penalty cases: the hearing window closed (行政处罚法 第64条), the decision overdue (第60条), the payment
        overdue (第67条, 第72条), and the 第113条 closure proposal; each fires once (the decision re-checks)."""
        today = local_day(now)
        written = 0
        for case_id in self.cases.hearing_windows_closed(today):
            written += self._fire(CloseHearingWindow(case_id=case_id), f"policy:hearing-window:{case_id}")
        for case_id in self.cases.decisions_overdue(today):
            written += self._fire(MarkDecisionOverdue(case_id=case_id), f"policy:decision-overdue:{case_id}")
        for case_id in self.cases.payments_overdue(today):
            written += self._fire(MarkPaymentOverdue(case_id=case_id), f"policy:payment-overdue:{case_id}")
        for unit_id, hazard_id in self.cases.closure_candidates(today):
            written += self._fire(ProposeClosure(unit_id=unit_id, hazard_id=hazard_id),
                                  f"policy:closure:{unit_id}:{hazard_id}:{today}")
        return written

    def _veto(self, now: datetime) -> int:
        """The assessment veto of each local pack that sets one (seed 001 ¶30): each town's current and previous
        calendar year, each consequence reached found once (the decision re-checks: a consequence found at 1 act is
        not found again at 3)."""
        written = 0
        year = local_day(now).year
        for scope in sorted({p.scope for p in local.LOCAL_PACKS if "assessment_veto.basis" in p.rules}):
            rule = veto_rule(pack_for(scope))
            if rule is None:
                continue
            for judged in (year - 1, year):
                for count in self.vetoes.veto_counts(scope, judged, rule.accident_grades):
                    finding = judge_veto(rule, count.illegal_acts, count.fatal_accidents)
                    for consequence in finding.consequences:
                        written += self._fire(RecordVetoFinding(
                            territory_id=count.territory_id, year=judged, consequence=consequence,
                            illegal_acts=count.illegal_acts, fatal_accidents=count.fatal_accidents,
                            department_ids=list(count.department_ids)),
                            f"policy:veto:{count.territory_id}:{judged}:{consequence}:{count.illegal_acts}:"
                            f"{count.fatal_accidents}")  # the counts grow over the year: in the key
        return written

    def _slips(self, now: datetime) -> int:
        """A slip whose report-back (办结反馈) is late or missing is flagged once (seed 000 ¶6)."""
        return sum(self._fire(FlagLateSlip(slip_id=slip_id), f"policy:late-slip:{slip_id}")
                   for slip_id in self.slips.late_slips(now))

    def _propose_listings(self) -> int:
        """Propose each blacklist ground met with no listing yet — by the unit's accidents (caused by the accident's
        grading event) or by a decided penalty case (caused by the decision) — once."""
        written = 0
        for found in self.blacklist.candidates() if self.blacklist else []:
            if found.case_id is not None:
                written += self._fire(ProposeListing(unit_id=found.unit_id, ground=Ground(found.ground),
                                                     case_id=found.case_id),
                                      f"policy:blacklist:{found.unit_id}:{found.ground}:{found.case_id}", found.cause)
                continue
            written += self._fire(ProposeListing(unit_id=found.unit_id, ground=Ground(found.ground),
                                                 accident_ids=list(found.accident_ids)),
                                  f"policy:blacklist:{found.unit_id}:{found.ground}:"
                                  f"{','.join(sorted(str(a) for a in found.accident_ids))}", found.cause)
        return written

    def _deadlines(self, now: datetime) -> int:
        written = 0
        for hazard_id, deadline in self.deadlines.due(now):
            written += self._fire(MarkHazardOverdue(hazard_id=hazard_id, deadline=deadline),
                                  f"policy:overdue:{hazard_id}:{deadline}")
            written += self._escalate(hazard_id)
        for hazard_id in self.deadlines.unescalated():  # overdue before a crash, not yet escalated
            written += self._escalate(hazard_id)
        for hazard_id, since in self.deadlines.unsupervised():  # a listing must name its supervisor
            written += self._fire(RaiseUnsupervisedListingFlag(hazard_id=hazard_id),
                                  f"policy:unsupervised-listing:{hazard_id}:{since.isoformat()}")
        return written

    def _escalate(self, hazard_id: UUID) -> int:
        """An overdue major hazard goes one level up, caused by the event that made it overdue."""
        history = self.service.log.history(hazard_id)
        overdue = next((e for e in reversed(history) if isinstance(e, HazardBecameOverdue)), None)
        state = self.service.log.get(hazard_id)
        if overdue is None or state is None or state.status != HazardStatus.overdue or state.grade != HazardGrade.major:
            return 0
        if not pack_for(state.jurisdiction)["hazard.escalation.levels"]:
            return 0  # only a local pack escalates (local practice, docs/rules.md R8)
        return self._fire(EscalateListing(hazard_id=hazard_id), f"policy:escalate:{hazard_id}:{overdue.deadline}",
                          overdue.id)

    def _oversee(self, now: datetime) -> int:
        """Judge the months that have ended (after the grace days), newest first, within the look-back."""
        pack = pack_for("")  # the base pack: the months are judged alike everywhere
        period = previous_month(month_label(now - timedelta(days=pack["oversight.grace_days"])))
        written = 0
        for _ in range(pack["oversight.lookback_months"]):
            written += self._judge(period, pack["oversight.leader_inspection.per_month"],
                                   pack["oversight.leader_inspection.unit_kinds"])
            period = previous_month(period)
        return written

    def _judge(self, period: str, per_month: int, unit_kinds: tuple[str, ...]) -> int:
        start, end = month_bounds(period)
        enforcement = self.oversight.enforcement_counts(start, end)
        penalties = self.oversight.penalty_counts(start, end)
        orders = self.oversight.order_counts(start, end)
        led = self.oversight.led_counts(start, end)
        written = 0
        for department in self.oversight.supervising_departments(start, end):
            # inspections and orders inform the flags; in the key, as they may grow late
            counts = MonthCounts(penalties=penalties.get(department, 0), orders=orders.get(department, 0),
                                 inspections=enforcement.get(department, 0))
            for flag in DEPARTMENT_KINDS:
                if FLAGGED[flag](counts):
                    written += self._fire(
                        RaiseDepartmentFlag(kind=flag, department_id=department, period=period,
                                            inspections=counts.inspections, penalties=counts.penalties,
                                            orders=counts.orders),
                        f"policy:{flag.replace('_', '-')}:{department}:{period}:{counts.inspections}:{counts.orders}")
        # 专委会主任: only inspections within the sectors their committee covers count (seed 002 §(一)3)
        in_sector: dict[UUID, int] = {}
        for leader in self.oversight.monthly_leaders(start, end, unit_kinds):
            n = in_sector[leader.person_id] = sum(count for (person, sector, _), count in led.items()
                                                  if person == leader.person_id and sector in leader.sectors)
            if n < per_month:
                written += self._fire(RaiseLeaderInspectionFlag(person_id=leader.person_id, post_id=leader.post_id,
                                                                period=period, led=n),
                                      f"policy:leader-inspection:{leader.person_id}:{period}")
        # an enterprise's main responsible person during a campaign: checks of their own unit (seed 004 §三(一)1(4))
        own_unit: dict[UUID, int] = {}
        for campaign in campaigns_in(period):
            for leader in self.oversight.main_leaders(start, end, campaign.scope):
                n = own_unit[leader.person_id] = sum(count for (person, _, target), count in led.items()
                                                     if person == leader.person_id and target == leader.unit_id)
                if n < campaign.per_month:
                    written += self._fire(RaiseCampaignCheckFlag(person_id=leader.person_id, post_id=leader.post_id,
                                                                 period=period, campaign=campaign.code, led=n),
                                          f"policy:campaign-check:{leader.person_id}:{period}")
        for flag_id, kind, subject in self.oversight.raised(period):
            judged: dict[str, tuple[int, int]] = {
                FlagKind.leader_inspection_missed: (in_sector.get(subject, 0), per_month),
                FlagKind.campaign_check_missed: (own_unit.get(subject, 0), 1)}
            if kind in FLAGGED:
                judged[kind] = (acts_found(kind, MonthCounts(penalties=penalties.get(subject, 0),
                                                             orders=orders.get(subject, 0))), 1)
            found, needed = judged.get(kind, (0, 1))
            if found >= needed:
                written += self._fire(WithdrawFlag(flag_id=flag_id, found=found,
                                                   reason=f"records made later show {found} for {period}"),
                                      f"policy:withdraw:{flag_id}")
        return written

    def _accidents(self, now: datetime) -> int:
        """Judge each accident's reporting chain (and the suspicion of concealment) as it falls due."""
        written = 0
        for accident_id, kind, report_no, due_at in self.accidents.due(now):
            cause = self._cause(accident_id, report_no)
            if kind == CONCEALMENT:
                written += self._fire(SuspectConcealment(accident_id=accident_id), f"policy:concealment:{accident_id}",
                                      cause)
            else:
                flag = FlagAccidentReporting(accident_id=accident_id, irregularity=Irregularity(kind),
                                             report_no=report_no)
                written += self._fire(
                    flag, f"policy:accident-flag:{accident_id}:{kind}:{report_no or 0}:{due_at.isoformat()}", cause)
        for accident_id, kind, report_no in self.accidents.unwarranted():
            written += self._fire(
                WithdrawAccidentFlag(accident_id=accident_id, irregularity=Irregularity(kind), report_no=report_no),
                f"policy:accident-withdraw:{accident_id}:{kind}:{report_no or 0}", self._cause(accident_id, None, True))
        return written

    def _cause(self, accident_id: UUID, report_no: int | None, latest: bool = False) -> UUID | None:
        """The event that made a judgement due: the report it concerns, the latest report (a withdrawal), or the
        accident's record."""
        history = self.service.log.history(accident_id)
        reports = [e for e in history if isinstance(e, AccidentReported)]
        chosen = (reports[-1:] if latest else [e for e in reports if e.report.no == report_no]) or history[:1]
        return chosen[0].id if chosen else None

    def _fire(self, command: Command, key: str, cause: UUID | None = None) -> int:
        """Execute a policy command once; 1 when it wrote events now, 0 when there was nothing (more) to write."""
        try:
            result = self.service.execute(command, SYSTEM_PRINCIPAL, idempotency_key=key, causation_id=cause)
        except Conflict as exc:  # another worker fired it at the same moment: it is done
            log.info("policy %s: %s", key, exc.detail)
            return 0
        return int(bool(result.events) and not result.replayed)

    def run(self, stop: threading.Event, poll_seconds: float = 60.0, health: HealthLog | None = None) -> None:
        """Tick until ``stop`` is set (woken early by local writes); a failing tick is reported to ``health``."""
        follow(self.tick, stop, self.wake, poll_seconds, "worker", health)
