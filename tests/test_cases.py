"""Penalty cases: opening (time-barred refused), 一案双罚 as of the violation, the proposal from the history, the
procedure and its deadlines, the policies firing once, 第113条 closure; on SQLite and PostgreSQL.

Sources: 行政处罚法 (2021) 第36条 ("违法行为在二年内未被发现的，不再给予行政处罚；涉及公民生命健康安全…且有危害后果的，
上述期限延长至五年"), 第60条 (90 days), 第64条/第85条 (5 working days), 第67条 (15 days), 第72条 (3 % a day, capped at
the fine); 安全生产法 第102条 (≤ 50,000 yuan for the unit), 第113条(一) (3 in 180 days); seed 000 ¶27 (逾期未整改 →
从重, 泉港区's pack); seed 004 §三(二)3(3) (一案双罚: the enterprise and its 主要负责人).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import System
from application import cases as c
from application import hazards as h
from application import responsibility as rs
from application.authorization import Forbidden, Principal
from domain import cases as cs
from domain import hazards as hz
from domain.calendar import CST
from domain.errors import Conflict, Rejected
from domain.people import Person
from domain.posts import PostKind
from tests.builders import World, run_zeren, state_of
from tests.conftest import COUNTY, REGISTRAR

OFFICER = Principal("test:enforcement", "enforcement", COUNTY)
CRITERION = hz.Criterion(standard="《城镇燃气经营安全重大隐患判定标准》(建城规〔2023〕4号)", item="第六条第(二)项")
ART_102 = "安全生产法 第102条"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CST)


class Bench:
    """An enterprise of 泉港区 with its 主要负责人 post, the supervising department and an enforcement officer."""

    def __init__(self, system: System):
        self.system = system
        self.world = World(system)
        self.post = self.world.post(self.world.enterprise, PostKind.main_responsible, "总经理")
        self.first = self.world.person(21, "王一")
        self.second = self.world.person(22, "王二")
        self.run(rs.AppointHolder(post_id=self.post, person_id=self.first,
                                  effective_at=at(date(2024, 6, 1))), REGISTRAR)

    @property
    def clock(self) -> Any:
        return self.system.service.clock

    def run(self, command, who: Principal = OFFICER):
        return self.system.service.execute(command, who)

    def hazard(self, grade: hz.HazardGrade = hz.HazardGrade.general, **fields) -> UUID:
        return self.run(h.ReportHazard(unit_id=self.world.enterprise, grade=grade, description="燃气管道腐蚀",
                                       source=fields.pop("source", hz.HazardSource.grid_patrol),
                                       criterion=CRITERION if grade == hz.HazardGrade.major else None,
                                       **fields)).id

    def open(self, source: UUID, **fields) -> UUID:
        defaults: dict[str, Any] = {"unit_id": self.world.enterprise, "department_id": self.world.department,
                                    "article": ART_102, "violation": "未采取措施消除事故隐患",
                                    "violated_at": at(date(2024, 12, 20)), "source_kind": cs.SourceKind.hazard,
                                    "source_id": source}
        return self.run(c.OpenCase(**{**defaults, **fields})).id

    def case(self, case_id: UUID) -> cs.PenaltyCase:
        return state_of(self.system, case_id, cs.PenaltyCase)

    def to_decision(self, case_id: UUID) -> None:
        """Notice now; the hearing window passes (across the Spring Festival too); review; decide the proposal."""
        self.run(c.ServePenaltyNotice(case_id=case_id))
        self.clock.advance(timedelta(days=16))
        self.run(c.CompleteLegalReview(case_id=case_id, opinion="事实清楚、证据确凿、适用依据正确"))
        case = self.case(case_id)
        self.run(c.DecideCase(case_id=case_id, decision_no=f"泉港应急罚〔2025〕{case.version}号",
                              unit_yuan=case.proposal.unit.amount_yuan,
                              person_yuan=case.proposal.person.amount_yuan if case.proposal.person else None))


@pytest.fixture
def bench(system: System) -> Bench:
    return Bench(system)


def refused(bench: Bench, command, error: type = Rejected, who: Principal = OFFICER):
    head = bench.system.store.head()
    with pytest.raises(error) as caught:
        bench.run(command, who)
    assert bench.system.store.head() == head, "a refused command writes nothing"
    return caught.value


def test_the_dual_penalty_names_the_holder_on_the_violation_day_though_replaced_since(bench: Bench) -> None:
    """seed 004 §三(二)3(3): 一案双罚 — the enterprise and its 主要负责人; the one in post when the act happened."""
    bench.run(rs.AppointHolder(post_id=bench.post, person_id=bench.second, replaces=bench.first,
                               effective_at=at(date(2025, 1, 1))), REGISTRAR)
    case_id = bench.open(bench.hazard(), violated_at=at(date(2024, 12, 20)))
    case = bench.case(case_id)
    assert case.responsible is not None
    assert case.responsible.person_id == bench.first
    assert case.responsible.post_id == bench.post
    assert case.proposal.person is None, "第102条 fines the person only where the unit refuses (拒不执行)"
    later = bench.case(bench.open(bench.hazard(), violated_at=at(date(2025, 1, 3)), article="安全生产法 第105条"))
    assert later.responsible is not None
    assert later.responsible.person_id == bench.second
    assert later.proposal.person is not None, "第105条 fines the person too: up to 10,000 yuan"
    assert later.proposal.person.amount_yuan == Decimal(2_500)


@pytest.mark.parametrize(("violated", "endangered", "opens"), [
    # 第36条: 2 years from the act; discovered on the last day: in time; the day after: barred
    (date(2023, 1, 6), False, True),   # n: discovered 2025-01-06, last day 2025-01-06
    (date(2023, 1, 5), False, False),  # n+1: last day 2025-01-05
    (date(2023, 1, 7), False, True),   # n-1
    (date(2020, 1, 6), True, True),    # 5 years where life or health was endangered and harm followed
    (date(2020, 1, 5), True, False),
])
def test_a_time_barred_violation_is_refused_and_writes_nothing(bench: Bench, violated: date, endangered: bool,
                                                               opens: bool) -> None:
    hazard = bench.hazard()
    command = c.OpenCase(unit_id=bench.world.enterprise, department_id=bench.world.department, article=ART_102,
                         violation="未采取措施消除事故隐患", violated_at=at(violated), source_kind=cs.SourceKind.hazard,
                         source_id=hazard, endangered_with_harm=endangered)
    if opens:
        assert bench.case(bench.run(command).id).limitation.barred is False
    else:
        error = refused(bench, command)
        assert error.code == "time-barred"
        assert error.basis == "行政处罚法 第36条"


def test_an_uncorrected_hazard_moves_the_case_up_a_tier_citing_seed_000(bench: Bench) -> None:
    """seed 000 ¶27 (泉港区's pack): 对违法行为逾期未整改的…依法从重查处 → the upper tier, the article's maximum."""
    hazard = bench.hazard()
    bench.run(h.OrderRectification(hazard_id=hazard, mode=hz.RectificationMode.deadline, deadline=date(2025, 1, 10),
                                   requirements="更换管段"),  # the authority's order: a grid patrol found it
              Principal("test:signer", "enforcement", COUNTY, unit_id=bench.world.department,
                        person_id=bench.world.person(23, "执法员")))
    bench.clock.advance(timedelta(days=6))
    bench.system.runner.catch_up()
    bench.system.worker.tick()
    case = bench.case(bench.open(hazard))
    assert case.proposal.tier == "aggravated"
    fact = next(f for f in case.proposal.facts if f.code == "not_corrected_by_deadline")
    assert fact.evidence == (hazard,)
    assert "149号 ¶27" in fact.basis
    assert case.proposal.unit.amount_yuan == Decimal(50_000)
    plain = bench.case(bench.open(bench.hazard()))
    assert plain.proposal.tier == "standard"
    assert plain.proposal.unit.amount_yuan == Decimal(12_500)


def test_the_procedure_from_notice_to_payment_with_its_deadlines(bench: Bench) -> None:
    case_id = bench.open(bench.hazard())  # opened Monday 2025-01-06
    assert bench.case(case_id).decision_due == date(2025, 4, 6), "第60条: 90 days after opening"
    error = refused(bench, c.ServePenaltyNotice(case_id=case_id, unit_yuan=Decimal(30_000)))
    assert error.code == "departure-reason-required"
    error = refused(bench, c.ServePenaltyNotice(case_id=case_id, unit_yuan=Decimal(60_000), departure_reason="x"))
    assert error.code == "fine-out-of-range"
    bench.run(c.ServePenaltyNotice(case_id=case_id))
    notice = bench.case(case_id).notice
    assert notice is not None
    assert notice.hearing_due == date(2025, 1, 13), "5 working days after Monday 6 January"
    refused(bench, c.RequestHearing(case_id=case_id, effective_at=at(date(2025, 1, 14))))
    bench.clock.set(at(date(2025, 1, 13), 16))
    bench.run(c.RequestHearing(case_id=case_id))
    refused(bench, c.CompleteLegalReview(case_id=case_id, opinion="同意"), Conflict)
    bench.run(c.HoldHearing(case_id=case_id, findings="当事人陈述已采纳部分"))
    bench.run(c.CompleteLegalReview(case_id=case_id, opinion="同意"))
    error = refused(bench, c.DecideCase(case_id=case_id, decision_no="泉港应急罚〔2025〕1号",
                                        unit_yuan=Decimal(10_000)))
    assert error.code == "departure-reason-required"
    bench.run(c.DecideCase(case_id=case_id, decision_no="泉港应急罚〔2025〕1号", unit_yuan=Decimal(10_000),
                           departure_reason="听证采纳当事人已部分整改的陈述"))
    bench.run(c.ServeDecision(case_id=case_id))
    case = bench.case(case_id)
    assert case.payment_due == date(2025, 1, 28), "第67条: 15 days after service on 13 January"
    bench.clock.set(at(date(2025, 1, 30)))
    bench.system.runner.catch_up()
    assert bench.system.worker.tick() == 1, "the payment overdue, recorded once"
    assert bench.system.worker.tick() == 0
    assert bench.case(case_id).payment_overdue
    error = refused(bench, c.PayFine(case_id=case_id, party="unit", amount_yuan=Decimal(10_000)))
    assert error.code == "amount-differs"
    bench.run(c.PayFine(case_id=case_id, party="unit", amount_yuan=Decimal(10_600)))  # 2 days × 3 % × 10,000
    case = bench.case(case_id)
    assert case.status == cs.CaseStatus.paid
    assert case.payments["unit"].surcharge_yuan == Decimal(600)
    bench.system.runner.catch_up()
    row = bench.system.queries.cases.case(COUNTY, case_id, date(2025, 1, 30))
    assert row is not None
    assert row["paid_yuan"] == Decimal("10600.00")
    assert row["settled"]
    assert row["departure_reason"] == "听证采纳当事人已部分整改的陈述"


def test_the_policies_close_the_hearing_window_and_mark_the_decision_overdue_once(bench: Bench) -> None:
    case_id = bench.open(bench.hazard())
    bench.run(c.ServePenaltyNotice(case_id=case_id))
    bench.clock.set(at(date(2025, 1, 13), 23))
    bench.system.runner.catch_up()
    assert bench.system.worker.tick() == 0, "the last day to ask (n): not closed yet"
    bench.clock.set(at(date(2025, 1, 14)))
    assert bench.system.worker.tick() == 1
    assert bench.case(case_id).hearing_waived
    bench.system.runner.catch_up()
    assert bench.system.worker.tick() == 0, "fires once"
    refused(bench, c.RequestHearing(case_id=case_id))
    bench.clock.set(at(date(2025, 4, 6), 23))
    bench.system.runner.catch_up()
    bench.system.worker.tick()  # (the months judged for 零执法 fire here too)
    assert not bench.case(case_id).decision_overdue, "the 90th day (n): still in time"
    bench.clock.set(at(date(2025, 4, 7)))
    bench.system.worker.tick()
    bench.system.runner.catch_up()
    bench.system.worker.tick()
    assert bench.case(case_id).decision_overdue, "the 91st day (n+1)"
    overdue = [e for e in bench.system.store.history(case_id) if isinstance(e, cs.DecisionOverdue)]
    assert len(overdue) == 1, "fires once"


def test_three_penalties_in_180_days_with_a_major_hazard_propose_closure_once(bench: Bench) -> None:
    """安全生产法 第113条(一): 存在重大事故隐患，一百八十日内三次…受到本法规定的行政处罚 → 提请关闭; a person
    decides."""
    major = bench.hazard(hz.HazardGrade.major)
    cases = []
    for n in range(3):
        case_id = bench.open(bench.hazard(), violated_at=at(date(2025, 1, 2)) + timedelta(days=10 * n))
        bench.to_decision(case_id)
        cases.append(case_id)
        bench.system.runner.catch_up()
        if n < 2:
            assert bench.system.worker.tick() == 0, f"{n + 1} penalties: no closure yet"
    assert bench.system.worker.tick() == 1
    bench.system.runner.catch_up()
    assert bench.system.worker.tick() == 0, "proposed once"
    closure = bench.system.queries.cases.closures(COUNTY)
    assert len(closure) == 1
    assert closure[0]["rule"] == "3_in_180_days"
    assert closure[0]["hazard_id"] == str(major)
    closure_id = UUID(closure[0]["closure_id"])
    proposal = state_of(bench.system, closure_id, cs.ClosureProposal)
    assert set(proposal.cases) == set(cases)
    assert bench.system.queries.cases.closure_counters(COUNTY, bench.clock.now().date())[0]["in_180_days"] == 3
    refused(bench, c.BarResponsiblePerson(case_id=cases[-1], closure_id=closure_id), Conflict)
    bench.run(c.DecideClosure(closure_id=closure_id, approved=True, reason="提请区政府予以关闭"))
    bench.run(c.BarResponsiblePerson(case_id=cases[-1], closure_id=closure_id))
    assert bench.case(cases[-1]).bans == (bench.first,)
    ban = state_of(bench.system, bench.first, Person).bans[0]
    assert ban.industry == "*"
    assert ban.until == ban.starts_on.replace(year=ban.starts_on.year + 5) - timedelta(days=1), "5 years (第113条)"
    repeat = bench.case(cases[1]).proposal
    assert repeat.tier == "aggravated", "seed 000 ¶27 (泉港区): 同一违法行为反复出现的，依法从重查处"
    assert [f.code for f in repeat.facts] == ["same_violation_repeated"]
    assert repeat.facts[0].evidence == (cases[0],)


def test_transfer_to_the_judiciary_with_its_receipt(bench: Bench) -> None:
    case_id = bench.open(bench.hazard())
    refused(bench, c.RecordTransferReceipt(case_id=case_id, receipt_no="泉公刑受〔2025〕1号"), Conflict)
    bench.run(c.TransferCase(case_id=case_id, to="泉州市公安局泉港分局", reason="涉嫌重大责任事故罪"))
    bench.run(c.RecordTransferReceipt(case_id=case_id, receipt_no="泉公刑受〔2025〕1号"))
    transfer = bench.case(case_id).transfer
    assert transfer is not None
    assert transfer.receipt_no == "泉公刑受〔2025〕1号"


def test_an_inspector_of_another_department_may_not_open_the_case(bench: Bench) -> None:
    hazard = bench.hazard()
    other = Principal("test:other", "inspector", COUNTY, unit_id=bench.world.county)
    error = refused(bench, c.OpenCase(unit_id=bench.world.enterprise, department_id=bench.world.department,
                                      article=ART_102, violation="x", violated_at=at(date(2024, 12, 20)),
                                      source_kind=cs.SourceKind.hazard, source_id=hazard), Forbidden, who=other)
    assert error.code == "not-your-target"


def test_zeren_cases_prints_the_ledger_statistics_and_counters(bench: Bench, settings, monkeypatch, capsys) -> None:
    from tests.test_tips_api import cli_env

    cli_env(settings, monkeypatch)
    case_id = bench.open(bench.hazard())
    bench.to_decision(case_id)
    bench.system.runner.catch_up()  # the command line reads the read model as the projector left it
    code, out, err = run_zeren(capsys, "cases", "ledger")
    assert (code, err) == (0, "")
    assert str(case_id) in out
    assert "安全生产法 第102条" in out
    assert out.rstrip().endswith("1 cases")
    code, out, _ = run_zeren(capsys, "cases", "statistics", "--by", "month")
    assert code == 0
    assert out.startswith("2025-01  decided 1  penalised 1  unit 12500.00")
    code, out, err = run_zeren(capsys, "cases", "ledger", "--status", "nonsense")
    assert code != 0
    assert "nonsense" in err
