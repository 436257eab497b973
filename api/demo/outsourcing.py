"""The demo's outsourcing (外包外租; 安全生产法 第49条, seed 004 ¶(13)(14)) and the contractors' continuing review
(动态审核, seed 000 ¶18), in 泉港区's petrochemical and 工贸 setting.

- 福建泉港石化助剂 contracts its shutdown overhaul — hot work and confined spaces — to a 石化 installation contractor
  with a safety management agreement, and reviews it on signing. The January 2026 review is ten days late (the next
  was due a year after the first: local practice) and finds its permit-to-work control wanting, yet keeps it on;
  the March review finds it still wanting and clears it out (清退: the relation ends).
- It leases two methanol tanks of its tank farm to a port logistics company: no safety agreement, never reviewed.
- 鑫达五金 entrusts the cleaning and upkeep of the 粉碎工段 bag filter — where the April 2025 dust explosion starts —
  to a maintenance firm, the duties only in the contract, no qualification on record and no review before the
  accident: the dossier's entity line shows it; the review after the accident finds it wanting and clears it out.
"""

from __future__ import annotations

from datetime import date

from api.demo.identifiers import credit_code
from api.demo.scene import COUNTY, REGISTRAR, Demo, on
from application import organisation as o
from application import outsourcing as os_
from application.authorization import Principal
from domain.outsourcing import Agreement, OutsourcingKind, ReviewOutcome
from domain.units import EnterpriseProfile

CONTRACTORS = [  # none in a sector the departments draw from (their draws stay as they were)
    # key, name, sector, village, street, legal representative, staff
    ("huiquan", "泉州市惠泉石化设备安装工程有限公司", "建筑施工", "nanpu_v", "南山路", "骆振南", 160),
    ("meizhouwan", "泉州湄洲湾港口物流有限公司", "港口危险货物储存", "nanpu_v", "港区大道", "连海波", 55),
    ("jieyuan", "泉港区洁源环保设备维保有限公司", "环保设备维修", "shangtian", "上田路", "潘国梁", 18),
]


def _enterprise(d: Demo, key: str, main: str) -> Principal:
    """The enterprise's own user, keeping the records of its outsourced work (seed 004 ¶(14))."""
    return Principal(f"demo:enterprise:{key}", "enterprise", COUNTY, unit_id=d.ids[key], person_id=d.ids[main])


def _contractors(d: Demo) -> None:
    when = on("2024-12-22")
    for seq, (key, name, sector, village, street, legal, staff) in enumerate(CONTRACTORS, start=401):
        d.do(REGISTRAR, o.RegisterUnit(profile=EnterpriseProfile(
            name=name, credit_code=credit_code(seq), sector=sector, address=f"泉州市泉港区{street}{seq}号",
            grid=f"{village}-网格{seq % 3 + 1}", legal_representative=legal, staff_count=staff),
            parent_id=d.ids[village]), when=when, name=key)


def _overhaul(d: Demo) -> None:
    d.do(_enterprise(d, "chem", "p19"), os_.RecordOutsourcing(
        unit_id=d.ids["chem"], contractor_unit_id=d.ids["huiquan"], kind=OutsourcingKind.contracting,
        scope="2025—2026年度装置停车大检修(含动火、受限空间、高处作业)", agreement=Agreement.safety_agreement,
        qualification="石油化工工程施工总承包二级 D235051208; 安全生产许可证 (闽)JZ安许证字〔2023〕000512",
        starts_on=date(2025, 1, 6), ends_on=date(2026, 12, 31)), when=on("2025-01-06"), name="outsourcing_overhaul")
    d.later(on("2025-01-10"), lambda: d.do(_enterprise(d, "chem", "p19"), os_.ReviewContractor(
        outsourcing_id=d.ids["outsourcing_overhaul"], reviewed_on=date(2025, 1, 10), qualification_valid=True,
        discredited=False, safety_management_adequate=True, outcome=ReviewOutcome.retained,
        findings="资质证书、安全生产许可证在有效期内; 信用中国无失信记录; 项目负责人、专职安全员持证"),
        when=on("2025-01-10", 16)))


def _overhaul_reviews(d: Demo) -> None:
    who = _enterprise(d, "chem", "p19")
    d.do(who, os_.ReviewContractor(
        outsourcing_id=d.ids["outsourcing_overhaul"], reviewed_on=date(2026, 1, 20), qualification_valid=True,
        discredited=False, safety_management_adequate=False, outcome=ReviewOutcome.retained,
        findings="动火作业票证审批不全, 2名焊工特种作业操作证过期仍上岗; 责令整改后继续使用"),
        when=on("2026-01-20", 15))
    d.later(on("2026-03-02"), lambda: d.do(who, os_.ReviewContractor(
        outsourcing_id=d.ids["outsourcing_overhaul"], reviewed_on=date(2026, 3, 2), qualification_valid=True,
        discredited=False, safety_management_adequate=False, outcome=ReviewOutcome.cleared_out,
        findings="复审: 受限空间作业未执行先通风、再检测、后作业, 整改不到位, 予以清退"), when=on("2026-03-02", 15)))


def _tank_lease(d: Demo) -> None:
    d.do(_enterprise(d, "chem", "p19"), os_.RecordOutsourcing(
        unit_id=d.ids["chem"], contractor_unit_id=d.ids["meizhouwan"], kind=OutsourcingKind.leasing,
        scope="罐区3号、4号甲醇储罐及配套装卸设施", agreement=Agreement.none,
        qualification="危险化学品经营许可证 闽泉危化经字〔2024〕0088", starts_on=date(2025, 3, 1)),
        when=on("2025-03-01", 10), name="outsourcing_tanks")


def _filter_upkeep(d: Demo) -> None:
    d.do(_enterprise(d, "xinda", "m1"), os_.RecordOutsourcing(
        unit_id=d.ids["xinda"], contractor_unit_id=d.ids["jieyuan"], kind=OutsourcingKind.entrustment,
        scope="粉碎工段布袋除尘器定期清灰及维护保养", agreement=Agreement.in_contract, qualification=None,
        starts_on=date(2025, 1, 15), ends_on=date(2025, 12, 31)), when=on("2025-01-15", 10),
        name="outsourcing_filter")


def _filter_review(d: Demo) -> None:
    d.do(_enterprise(d, "xinda", "m1"), os_.ReviewContractor(
        outsourcing_id=d.ids["outsourcing_filter"], reviewed_on=date(2025, 5, 12), qualification_valid=False,
        discredited=False, safety_management_adequate=False, outcome=ReviewOutcome.cleared_out,
        findings="事故后审核: 未取得相应资质, 清灰作业无记录、未按规定频次清灰; 予以清退"), when=on("2025-05-12", 10))


def schedule(d: Demo) -> None:
    d.later(on("2024-12-22"), lambda: _contractors(d))
    d.later(on("2025-01-06"), lambda: _overhaul(d))
    d.later(on("2025-01-15", 10), lambda: _filter_upkeep(d))
    d.later(on("2025-03-01", 10), lambda: _tank_lease(d))
    d.later(on("2025-05-12", 10), lambda: _filter_review(d))
    d.later(on("2026-01-20", 15), lambda: _overhaul_reviews(d))
