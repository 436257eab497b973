"""The demo's enforcement (docs/cases.md): penalty cases after the dust explosion and against the chemical plant, what
the policies make of them, and one case the law refuses.

- The dust explosion (一般事故, one death) at the 工贸 enterprise whose major hazard was overdue: 应急管理局 opens a
  case under 安全生产法 第114条第二款 (情节特别严重: 2–5 × the fine); the enterprise requests a hearing within the 5
  working days and it is held; legal review, decision, service, payment. The decision meets a ground of
  应急管理部令第11号, so the policy proposes the listing (once) and 应急管理局 — the department that penalised — lists
  it.
- The chemical plant (the hot-work tip of April 2026, its major hazard still open): three fined decisions in 180 days.
  The second, under the same article as the first within the year, is moved up to the aggravated tier (泉港城管〔2022〕
  149号 ¶27, 同一违法行为反复出现的，依法从重查处 — the 泉港区 pack's trigger); after the third, with the major hazard
  still there, the policy proposes the closure (安全生产法 第113条第(一)项) — a person decides, and nobody has yet.
- A 城管 case against the snack shop for an act of March 2024 that came to light with the 12345 tip of April 2026 is
  refused as time-barred (行政处罚法 第36条: 二年内未被发现的，不再给予行政处罚): the refusal writes nothing; the demo's
  narrative (``Demo.narrative``, printed by ``zeren demo``) says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from api.demo.hazards import Hazards
from api.demo.scene import COUNTY, Demo, on
from application import blacklist as b
from application import cases as c
from application.authorization import Principal
from application.commands import Command
from domain import blacklist as bl
from domain import cases as cs
from domain.accidents import Accident
from domain.calendar import local_day
from domain.errors import DomainError
from domain.rules.blacklist import Ground

ENFORCEMENT = Principal("demo:enforcement@350505", "enforcement", COUNTY)
"""The county's enforcement officer (执法人员 with the right to decide: 法制审核, 决定)."""


def _case(d: Demo, name: str, *, department: str, target: str, article: str, violation: str,
          violated_at: datetime, source: tuple[cs.SourceKind, UUID], opened: datetime, decided: datetime,
          decision_no: str, hearing: bool = False) -> None:
    """Each step on its day (the agenda interleaves it with the rest of the history): open, notify (the proposal), a
    hearing if asked for, legal review and decision at the proposal, service, payment 10 days after service."""
    officer = ENFORCEMENT

    def step(when: datetime, command: Callable[[], Command], key: str | None = None) -> None:
        d.later(when, lambda: d.do(officer, command(), when=when, name=key))

    def proposal() -> tuple[Decimal, Decimal | None]:
        state = d.service.log.get(d.ids[name])
        assert isinstance(state, cs.PenaltyCase)
        person = state.proposal.person.amount_yuan if state.proposal.person else None
        return state.proposal.unit.amount_yuan, person

    def decide() -> Command:
        unit, person = proposal()
        return c.DecideCase(case_id=d.ids[name], decision_no=decision_no, unit_yuan=unit, person_yuan=person)

    step(opened, lambda: c.OpenCase(unit_id=d.ids[target], department_id=d.ids[department], article=article,
                                    violation=violation, violated_at=violated_at, source_kind=source[0],
                                    source_id=source[1]), name)
    step(opened + timedelta(days=3), lambda: c.ServePenaltyNotice(case_id=d.ids[name]))
    if hearing:
        step(opened + timedelta(days=6), lambda: c.RequestHearing(case_id=d.ids[name]))
        step(opened + timedelta(days=16), lambda: c.HoldHearing(
            case_id=d.ids[name], findings="当事人对事故经过无异议, 请求从轻; 调查人员出示除尘系统积尘检测记录和隐患"
                                          "逾期未整改的证据, 申辩理由不成立"))
    step(decided - timedelta(days=1), lambda: c.CompleteLegalReview(
        case_id=d.ids[name], opinion="事实清楚, 证据确凿, 适用依据正确, 程序合法"))
    step(decided, decide)
    step(decided + timedelta(days=1), lambda: c.ServeDecision(case_id=d.ids[name]))
    step(decided + timedelta(days=11), lambda: c.PayFine(case_id=d.ids[name], party="unit",
                                                         amount_yuan=proposal()[0]))
    d.later(decided + timedelta(days=11, minutes=1), lambda: _pay_person(d, officer, d.ids[name], proposal()[1],
                                                                         decided + timedelta(days=11, minutes=1)))


def _pay_person(d: Demo, officer: Principal, case: UUID, amount: Decimal | None, when: datetime) -> None:
    if amount:
        d.do(officer, c.PayFine(case_id=case, party="person", amount_yuan=amount), when=when)


def _dust_case(d: Demo, hazards: Hazards, target: str) -> None:
    """第114条第二款 after the dust explosion, with a hearing; the listing the policy proposes, decided by 应急."""
    accident = d.ids["accident_dust"]
    explosion = d.service.log.get(accident)
    assert isinstance(explosion, Accident)
    occurred = explosion.occurred_at
    opened = on(local_day(occurred).isoformat()) + timedelta(days=20)
    _case(d, "case_dust", department="yingji", target=target, article="安全生产法 第114条第二款(一般事故)",
                 violation="粉碎工段除尘器积尘爆燃致一人死亡、两人重伤; 积尘重大事故隐患逾期未整改, 情节特别严重",
                 violated_at=occurred, source=(cs.SourceKind.accident, accident), opened=opened,
                 decided=opened + timedelta(days=40), decision_no="泉港应急罚决字〔2025〕第0012号", hearing=True)
    # the Monday worker proposes the listing (应急管理部令第11号); 应急管理局, which penalised, decides it
    d.later(opened + timedelta(days=55), lambda: d.do(hazards.official(target), b.DecideListing(
        listing_id=bl.listing_id(d.ids[target], Ground.multiplied_fine, (d.ids["case_dust"],)), listed=True,
        decision_no="泉港应急失信〔2025〕1号",
        reason="发生生产安全事故, 情节特别严重, 依照安全生产法第一百一十四条第二款被处以罚款数额2倍以上罚款"),
        when=opened + timedelta(days=55)))


def _chemical_plant(d: Demo) -> None:
    """Three fined decisions in 180 days against the chemical plant while its major hazard is open."""
    tip = (cs.SourceKind.tip, d.ids["tip_chem"])
    hazard = (cs.SourceKind.hazard, d.ids["hazard_hot_work"])
    _case(d, "case_chem_1", department="yingji", target="chem", article="安全生产法 第101条",
          violation="动火作业未安排专门人员进行现场安全管理, 未执行作业许可审批", violated_at=on("2026-04-01", 14),
          source=tip, opened=on("2026-04-24"), decided=on("2026-05-20"), decision_no="泉港应急罚决字〔2026〕第0031号")
    _case(d, "case_chem_2", department="yingji", target="chem", article="安全生产法 第101条",
          violation="4月10日检查发现再次进行动火作业未安排专门人员进行现场安全管理 (同一违法行为反复出现)",
          violated_at=on("2026-04-09", 15), source=hazard, opened=on("2026-06-10"), decided=on("2026-07-06"),
          decision_no="泉港应急罚决字〔2026〕第0047号")
    _case(d, "case_chem_3", department="yingji", target="chem", article="安全生产法 第102条",
          violation="可燃气体报警仪停用的重大事故隐患未采取措施消除, 逾期未整改", violated_at=on("2026-04-10"),
          source=hazard,
          opened=on("2026-07-08"), decided=on("2026-08-05"), decision_no="泉港应急罚决字〔2026〕第0058号")


def _time_barred(d: Demo) -> None:
    """Refused: the act of March 2024 came to light with the 12345 tip of April 2026, more than 2 years later
    (行政处罚法 第36条); nothing is written, the narrative says so."""
    command = c.OpenCase(unit_id=d.ids["restaurant_b"], department_id=d.ids["chengguan"], article="安全生产法 第102条",
                         violation="2024年3月在店内违规存放液化石油气钢瓶, 未采取措施消除事故隐患",
                         violated_at=on("2024-03-10"), source_kind=cs.SourceKind.tip, source_id=d.ids["tip_lpg"])
    try:
        d.do(ENFORCEMENT, command, when=on("2026-04-24", 15))
    except DomainError as refused:
        d.narrative.append(f"2026-04-24 城管局 could not open a case against the snack shop for March 2024: "
                           f"{refused.code} — {refused.detail}")
    else:
        raise AssertionError("a violation discovered more than 2 years later is time-barred")


def schedule(d: Demo, hazards: Hazards) -> None:
    dust: list[str] = []

    def on_overdue(_hazard: UUID, target: str, due: datetime) -> None:
        if not dust:  # the first overdue major hazard is the one that exploded (api.demo.accidents)
            dust.append(target)
            d.later(due + timedelta(days=12), lambda: _dust_case(d, hazards, target))

    hazards.overdue_majors.append(on_overdue)
    d.later(on("2026-04-24"), lambda: _chemical_plant(d))
    d.later(on("2026-04-24", 15), lambda: _time_barred(d))
