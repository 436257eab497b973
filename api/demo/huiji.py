"""A slice of 郑州市惠济区 (seed 001, 惠济区人民政府《关于进一步加强安全生产工作的意见》), where the assessment veto
is law of the district (seed 001 ¶30; the local pack ``huiji@2014.1``) — 泉港区 has no such rule, and the demo invents
none for it.

- January 2025: 惠济区 with two towns, 花园口镇 and 古荥镇, and 惠济区应急管理局, which leads and supervises 危险化学品
  and 工贸; three enterprises in 花园口镇 and one in 古荥镇; 花园口镇's party secretary, head and deputy in charge of
  work safety.
- 2025: five illegal production acts with large impact (非法违法生产经营建设行为且造成较大影响) in 花园口镇 — unlicensed
  storage and sale of hazardous chemicals, production in a sealed-off workshop, a dismantled gas detector — and one in
  古荥镇. The Monday worker finds, once each: 古荥镇 分管领导诫勉谈话 (1 起); 花园口镇 分管领导 (1 起), 党政主要领导
  (3 起) and, at the fifth act in October, 一票否决 of the town and of 惠济区应急管理局.
- November 2025: the district records the admonitions (诫勉) of 花园口镇's deputy and of its party secretary and head,
  each as holder of the post then, resting on the veto findings.
- January 2026: the 2025 assessments (考核) under the placeholder scheme: 古荥镇 passes on its points; 花园口镇 and
  惠济区应急管理局 are rated 一票否决 whatever theirs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial

from api.demo.identifiers import credit_code, resident_id
from api.demo.scene import Demo, on
from application import accountability as a
from application import organisation as o
from application import people as pp
from application import responsibility as rs
from application.authorization import Principal
from domain import accountability as ac
from domain.posts import PostDefinition, PostKind
from domain.rules.assessment_veto import VetoConsequence
from domain.supervision import LeadCandidate
from domain.units import DepartmentProfile, EnterpriseProfile, Level, TerritorialProfile

HUIJI = "410000/410100/410108"
OFFICIAL = Principal("demo:admin@410108", "admin", "410000")
"""The district's registrar and its safety committee's office in one (the province is registered first)."""
TOWNS = [("huayuankou", "花园口镇", "410108100000"), ("guxing", "古荥镇", "410108101000")]
ENTERPRISES = [
    # key, name, sector, town, legal representative
    ("hyk_chem", "郑州花园口化工贸易有限公司", "危险化学品", "huayuankou", "赵建民"),
    ("hyk_steel", "郑州黄河钢构制品有限公司", "工贸", "huayuankou", "孙立伟"),
    ("hyk_paint", "惠济区花园口涂料经营部", "危险化学品", "huayuankou", "周桂兰"),
    ("gx_mill", "郑州古荥面粉加工有限公司", "工贸", "guxing", "马国庆"),
]
LEADERS = [
    # key, post title, post kind, person, seq
    ("hyk_secretary", "花园口镇党委书记", PostKind.party_secretary, "郭振华", 1),
    ("hyk_head", "花园口镇镇长", PostKind.government_head, "冯春来", 2),
    ("hyk_deputy", "花园口镇副镇长(分管安全生产)", PostKind.deputy_leader, "韩小勇", 3),
]
ACTS = [
    ("2025-03-12", "hyk_chem", "无危险化学品经营许可证储存、销售甲苯、二甲苯, 被群众举报、媒体曝光"),
    ("2025-04-22", "hyk_paint", "在居民楼底商违法储存稀释剂等易燃液体, 造成周边群众恐慌"),
    ("2025-05-20", "gx_mill", "粉尘防爆设施未投用、擅自恢复已查封车间生产, 被省级督查通报"),
    ("2025-06-17", "hyk_steel", "擅自启用已查封的喷涂车间组织生产, 被区安委会通报"),
    ("2025-08-26", "hyk_chem", "拒不执行停业整顿决定, 夜间违法装卸危险化学品"),
    ("2025-10-14", "hyk_steel", "拆除可燃气体检测报警装置后违法动火作业, 被市级媒体曝光"),
]


def _founding(d: Demo) -> None:
    when = on("2025-01-06")
    d.do(OFFICIAL, o.RegisterUnit(profile=TerritorialProfile(name="河南省", level=Level.province, code="410000")),
         when=when, name="henan")
    d.do(OFFICIAL, o.RegisterUnit(profile=TerritorialProfile(name="郑州市", level=Level.city, code="410100"),
                                  parent_id=d.ids["henan"]), when=when, name="zhengzhou")
    d.do(OFFICIAL, o.RegisterUnit(profile=TerritorialProfile(name="惠济区", level=Level.county, code="410108"),
                                  parent_id=d.ids["zhengzhou"]), when=when, name="huiji")
    for key, name, code in TOWNS:
        d.do(OFFICIAL, o.RegisterUnit(profile=TerritorialProfile(name=name, level=Level.town, code=code),
                                      parent_id=d.ids["huiji"]), when=when, name=key)
    d.do(OFFICIAL, o.RegisterUnit(profile=DepartmentProfile(name="惠济区应急管理局", functions=("危险化学品", "工贸")),
                                  parent_id=d.ids["huiji"]), when=when, name="huiji_yingji")
    for sector in ("危险化学品", "工贸"):
        d.do(OFFICIAL, o.DecideSectorLead(
            territory_id=d.ids["huiji"], sector=sector,
            candidates=[LeadCandidate(department_id=d.ids["huiji_yingji"], competent=True)]), when=when)
    for seq, (key, name, sector, town, legal) in enumerate(ENTERPRISES, start=301):
        d.do(OFFICIAL, o.RegisterUnit(profile=EnterpriseProfile(
            name=name, credit_code=credit_code(seq, region="410108"), sector=sector,
            address=f"郑州市惠济区{'花园口镇' if town == 'huayuankou' else '古荥镇'}{seq}号",
            legal_representative=legal, staff_count=20 + seq % 40), parent_id=d.ids[town]), when=when, name=key)
    for key, title, kind, name, seq in LEADERS:
        d.do(OFFICIAL, pp.RegisterPerson(name=name, id_number=resident_id(date(1972 + seq, seq, 10 + seq), 300 + seq,
                                                                          region="410108"),
                                         jurisdiction=HUIJI), when=when, name=f"{key}_person")
        d.do(OFFICIAL, rs.EstablishPost(unit_id=d.ids["huayuankou"], definition=PostDefinition(
            title=title, kind=kind, portfolio=("安全生产",) if kind == PostKind.deputy_leader else ())),
            when=when, name=key)
        d.do(OFFICIAL, rs.AppointHolder(post_id=d.ids[key], person_id=d.ids[f"{key}_person"],
                                        document="惠组〔2024〕任"), when=when)


def _illegal_act(d: Demo, day: str, unit: str, description: str) -> None:
    d.do(OFFICIAL, a.RecordIllegalAct(unit_id=d.ids[unit], description=description, large_impact=True),
         when=on(day, 15))


def _admonitions(d: Demo) -> None:
    """诫勉 of the deputy (1 起以上) and of the party secretary and head (3 起以上), on the veto findings (seed 001
    ¶30)."""
    for key, consequence, document in (
            ("hyk_deputy", VetoConsequence.admonition_of_deputies, "惠纪〔2025〕诫勉3号"),
            ("hyk_secretary", VetoConsequence.admonition_of_main_leaders, "惠纪〔2025〕诫勉4号"),
            ("hyk_head", VetoConsequence.admonition_of_main_leaders, "惠纪〔2025〕诫勉5号")):
        when = on("2025-11-03", 10)
        d.do(OFFICIAL, a.ImposeAccountability(
            person_id=d.ids[f"{key}_person"], post_id=d.ids[key], held_at=when,
            form=ac.AccountabilityForm.admonition, issuer_unit_id=d.ids["huiji"], document=document,
            finding=ac.FindingRef(kind=ac.FindingKind.assessment_veto,
                                  record_id=ac.veto_finding_id(d.ids["huayuankou"], 2025, consequence))), when=when)


def _assessments(d: Demo) -> None:
    """The 2025 assessments under the placeholder scheme (items: responsibility, hazards, enforcement, training)."""
    for key, scores in (("guxing", ("82", "76", "80", "90")), ("huayuankou", ("88", "70", "85", "92")),
                        ("huiji_yingji", ("86", "78", "60", "88"))):
        d.do(OFFICIAL, a.RecordAssessment(unit_id=d.ids[key], year=2025, scores=[
            a.ItemScore(code=code, score=Decimal(score))
            for code, score in zip(("responsibility", "hazards", "enforcement", "training"), scores, strict=True)]),
            when=on("2026-01-20", 10), name=f"assessment_{key}")


def schedule(d: Demo) -> None:
    d.later(on("2025-01-06"), lambda: _founding(d))
    for day, unit, description in ACTS:
        d.later(on(day, 15), partial(_illegal_act, d, day, unit, description))
    d.later(on("2025-11-03", 10), lambda: _admonitions(d))
    d.later(on("2026-01-20", 10), lambda: _assessments(d))
