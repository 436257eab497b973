"""The demo's blacklist listing (严重失信主体名单, 应急管理部令第11号; docs/rules.md R10).

The snack shop behind which LPG was refilled without a licence (the 12345 tip, the hazard 城管 ordered and struck off)
is proposed on the ground "未依法取得安全生产相关许可…从事相关生产经营活动", the hazard named as evidence; 城管, the
department that punished it, lists it for the 3-year term (谁处罚、谁决定、谁负责) and notifies the agencies of joint
discipline. The demo's accidents meet no accident ground (one 较大 accident in 12 months), so the policy proposes none.
"""

from __future__ import annotations

from api.demo.hazards import Hazards
from api.demo.scene import ADMIN, Demo, on
from application import blacklist as b
from domain.rules.blacklist import Ground


def schedule(d: Demo, hazards: Hazards) -> None:
    def propose() -> None:
        d.do(ADMIN, b.ProposeListing(unit_id=d.ids["restaurant_b"], ground=Ground.unlicensed, evidence=[
            b.EvidenceRef(aggregate_id=d.ids["hazard_lpg"], note="无证非法充装液化石油气, 已责令整改并依法取缔")]),
            when=on("2026-05-20", 10), name="listing_lpg")

    def decide() -> None:
        d.do(hazards.official("lpg_station"), b.DecideListing(
            listing_id=d.ids["listing_lpg"], listed=True, decision_no="泉港城管失信〔2026〕1号",
            reason="未取得燃气经营许可从事液化石油气充装, 已受行政处罚, 情节严重"), when=on("2026-05-27", 10))
        d.do(hazards.official("lpg_station"), b.NotifyJointDiscipline(
            listing_id=d.ids["listing_lpg"], recipients=["泉港区发展和改革局", "泉港区市场监督管理局"],
            measures="依法依规实施联合惩戒: 限制参与政府采购、财政资金扶持"), when=on("2026-06-01", 10))

    d.later(on("2026-05-20", 10), propose)
    d.later(on("2026-05-27", 10), decide)
