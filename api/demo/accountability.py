"""The demo's acts of accountability (docs/rules.md R9): a slip answered late, a summons of a town's leaders after a
repeat offender, and an admonition after the dust explosion's finding.

- March 2025: the county's safety committee hands 山腰街道 an assignment slip (交办单, seed 000 ¶6) on the LPG station
  that keeps refilling illegally; the report-back is due 31 March and comes on 8 April — the Monday worker has
  flagged it late (办结反馈逾期).
- 15 April 2025: the committee summons 山腰街道's party secretary and head (约谈), on that overdue slip; they commit to
  a full check of the village's gas users by the end of May, followed up as kept in June. The head moves to 南埔镇 in
  July: the summons still names him as 山腰街道办事处主任.
- March 2026: after the county's investigation found the 应急管理局 head's duty to follow the listing unperformed,
  the county records an admonition (诫勉) of him as holder of that post at the time of the accident, on that finding.
"""

from __future__ import annotations

from datetime import date

from api.demo.scene import ADMIN, Demo, on
from application import accountability as a
from application.policies import Worker
from domain import accountability as ac
from domain.accidents import Accident


def _slip(d: Demo) -> None:
    d.do(ADMIN, a.IssueSlip(kind=ac.SlipKind.assignment, issuer_unit_id=d.ids["committee"],
                            target_unit_id=d.ids["shanyao"], deadline=on("2025-03-31", 17),
                            matter="山腰液化气供应站屡查屡犯(非法充装), 请属地街道牵头整治并于3月31日前反馈"),
         when=on("2025-03-10"), name="slip_lpg")


def _answer(d: Demo) -> None:
    d.do(ADMIN, a.AnswerSlip(slip_id=d.ids["slip_lpg"], report="已会同区城管局对供应站停业整顿, 并排查周边用户"),
         when=on("2025-04-08", 10))


def _summons(d: Demo, worker: Worker) -> None:
    worker.tick()  # the report-back was late: flagged before the summons rests on it
    d.do(ADMIN, a.HoldSummons(
        issuer_unit_id=d.ids["committee"], target_unit_id=d.ids["shanyao"],
        summoned=[a.Summoned(person_id=d.ids["p04"], post_id=d.ids["shanyao_secretary"]),
                  a.Summoned(person_id=d.ids["p05"], post_id=d.ids["shanyao_head"])],
        record="约谈山腰街道党政主要负责人: 辖区液化气供应站屡查屡犯, 交办单逾期反馈; 街道作出整改承诺",
        commitments=[a.Promise(text="5月底前完成山腰村瓶装液化气用户全覆盖排查", due=date(2025, 5, 31))],
        finding=ac.FindingRef(kind=ac.FindingKind.slip_overdue, record_id=d.ids["slip_lpg"])),
        when=on("2025-04-15", 15), name="summons_shanyao")
    d.later(on("2025-06-05"), lambda: d.do(ADMIN, a.FollowUpCommitment(
        summons_id=d.ids["summons_shanyao"], no=1, kept=True, note="已完成排查, 建立用户台账"), when=on("2025-06-05")))


def _admonition(d: Demo) -> None:
    accident = d.service.log.get(d.ids["accident_dust"])
    assert isinstance(accident, Accident)
    d.do(ADMIN, a.ImposeAccountability(
        person_id=d.ids["p12"], post_id=d.ids["yingji_head"], held_at=accident.occurred_at,
        form=ac.AccountabilityForm.admonition, issuer_unit_id=d.ids["county"], document="泉港委〔2026〕问责1号",
        finding=ac.FindingRef(kind=ac.FindingKind.investigation, record_id=d.ids["investigation_dust"],
                              finding_no=1),
        barred_until=date(2027, 3, 16)), when=on("2026-03-16"))


def schedule(d: Demo, worker: Worker) -> None:
    d.later(on("2025-03-10"), lambda: _slip(d))
    d.later(on("2025-04-08", 10), lambda: _answer(d))
    d.later(on("2025-04-15", 15), lambda: _summons(d, worker))
    d.later(on("2026-03-16"), lambda: _admonition(d))
