"""A tip desk for the tests: a county that receives tips, an inspector who finds hazards, a safety committee."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from api.bootstrap import System
from application import cases as c
from application import hazards as h
from application import organisation as o
from application import tips as tp
from application.authorization import Principal
from application.service import CommandResult
from domain import cases as cs
from domain import hazards as hz
from domain import tips as t
from domain.errors import DomainError
from domain.units import CommitteeProfile
from tests.builders import World, state_of
from tests.conftest import COUNTY, REGISTRAR, TOWN_B

GAS_CRITERION = hz.Criterion(standard="《城镇燃气经营安全重大隐患判定标准》(建城规〔2023〕4号)", item="第六条第(二)项")
REPORTER = t.Reporter(name="郑秀珍", contact="13805951234")


class TipDesk:
    """泉港区城市管理局 receives tips; its tip officer (a registered person) works them; an inspector reports."""

    def __init__(self, system: System):
        self.system = system
        self.world = World(system)
        self.officer_person = self.world.person(21, "周受理")
        self.officer = Principal("tips@county", "tip_officer", COUNTY, person_id=self.officer_person)
        self.town_officer = Principal("tips@nanpu", "tip_officer", TOWN_B)
        self.inspector = Principal("insp", "inspector", COUNTY, unit_id=self.world.department,
                                   person_id=self.world.person(22, "林检查"))
        self.committee = self.world.run(REGISTRAR, o.RegisterUnit(
            profile=CommitteeProfile(kind="safety_committee", name="泉港区安全生产委员会"),
            parent_id=self.world.county))

    def run(self, command, who: Principal | None = None) -> CommandResult:
        return self.system.service.execute(command, who or self.officer)

    def receive(self, reporter: t.Reporter | None = REPORTER, **fields) -> UUID:
        defaults = {"channel": t.Channel.hotline_12345, "receiving_unit_id": self.world.department,
                    "subject": t.UnitSubject(unit_id=self.world.enterprise, description="疑似违规充装液化石油气"),
                    "summary": "群众反映某燃气企业违规充装", "original_text": "我看到他们晚上偷偷给钢瓶倒气",
                    "reporter": reporter}
        return self.run(tp.ReceiveTip(**{**defaults, **fields})).id

    def verify(self, tip_id: UUID, verdict: t.Verdict = t.Verdict.substantiated, **fields) -> None:
        self.run(tp.VerifyTip(tip_id=tip_id, verdict=verdict, finding=fields.pop("finding", "现场核查属实"),
                              **fields))

    def hazard(self, tip_id: UUID | None = None, grade: hz.HazardGrade = hz.HazardGrade.general) -> UUID:
        """A hazard the inspector found, through ``tip_id`` when given (which links the two)."""
        source = hz.HazardSource.tip if tip_id else hz.HazardSource.grid_patrol
        return self.run(h.ReportHazard(
            unit_id=self.world.enterprise, grade=grade, description="钢瓶违规倒灌充装", source=source, tip_id=tip_id,
            criterion=GAS_CRITERION if grade == hz.HazardGrade.major else None), self.inspector).id

    def link(self, tip_id: UUID, hazard_id: UUID) -> None:
        self.run(tp.LinkTipOutcome(tip_id=tip_id, outcome=t.Outcome(kind=t.OutcomeKind.hazard, target_id=hazard_id)))

    def decided_case(self, tip_id: UUID, fine: Decimal = Decimal(50000),
                     decision: str = "泉港城管罚决字〔2026〕第15号") -> UUID:
        """A penalty case from the tip (安全生产法 第102条), noticed now and decided 20 days on with ``fine``."""
        officer = Principal("test:enforcement", "enforcement", COUNTY)
        now = self.system.service.clock.now()
        case_id = self.run(c.OpenCase(
            unit_id=self.world.enterprise, department_id=self.world.department, article="安全生产法 第102条",
            violation="钢瓶违规倒灌充装", violated_at=now - timedelta(days=1), source_kind=cs.SourceKind.tip,
            source_id=tip_id), officer).id
        self.run(c.ServePenaltyNotice(case_id=case_id), officer)
        later = now + timedelta(days=20)
        self.run(c.CompleteLegalReview(case_id=case_id, opinion="同意", effective_at=later), officer)
        proposed = state_of(self.system, case_id, cs.PenaltyCase).proposal.unit.amount_yuan
        self.run(c.DecideCase(case_id=case_id, decision_no=decision, unit_yuan=fine, effective_at=later,
                              departure_reason=None if fine == proposed else "情节较重"), officer)
        return case_id

    def propose(self, tip_id: UUID, hazard_id: UUID, fine: Decimal = Decimal(50000),
                decision: str = "泉港城管罚决字〔2026〕第15号") -> CommandResult:
        """The reward for the matter, read from the decision of a case opened from the tip."""
        case_id = self.decided_case(tip_id, fine, decision)
        self.system.runner.catch_up()  # the reward rule asks the tip ledger which tips reported the same matter
        return self.run(tp.ProposeTipReward(tip_id=tip_id, outcome_id=hazard_id, case_id=case_id))

    def reward_refused(self, tip_id: UUID, hazard_id: UUID) -> DomainError:
        """The proposal of a reward that must be refused (and writes nothing)."""
        case_id = self.decided_case(tip_id)
        self.system.runner.catch_up()
        head = self.system.store.head()
        with pytest.raises(DomainError) as caught:
            self.run(tp.ProposeTipReward(tip_id=tip_id, outcome_id=hazard_id, case_id=case_id))
        assert self.system.store.head() == head
        return caught.value

    def tip(self, tip_id: UUID) -> t.Tip:
        return state_of(self.system, tip_id, t.Tip)

    def events(self, tip_id: UUID) -> list[str]:
        return [type(e).__name__ for e in self.system.store.history(tip_id)]


def refused(desk: TipDesk, command, who: Principal | None = None, error: type = Exception):
    """Run a command that must be refused; it writes nothing."""
    head = desk.system.store.head()
    with pytest.raises(error) as caught:
        desk.run(command, who)
    assert desk.system.store.head() == head, "a refused command writes nothing"
    return caught.value
