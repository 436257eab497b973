"""The demo history: two years of 泉港区 (Quangang, Quanzhou) drawn from the seed notices.

Deterministic: fixed dates, seeded ids, and a clock that walks through the two years, so that every machine loads
the same history with the same ids — except people's ids, which derive from a keyed digest of their identity number
(the deployment's master key), so that nobody can compute a person's id from the number alone. Recorded times trail effective times by hours, sometimes weeks (an appointment
recorded late shows what ``known_at`` is for). Sources: seed 000 (泉港城管〔2022〕149号: 城镇燃气, 市政设施, 城市公园,
户外广告, 三管三必须, 五落实); seed 002 (新业态, 全员清单); seed 004 (全员安全生产责任制 incl. 劳务派遣、实习生).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from api.demo.identifiers import credit_code, resident_id
from api.demo.scene import ADMIN, COUNTY, NANPU, REGISTRAR, SHANYAO, START, Demo, on
from application import cases as cs
from application import hazards as h
from application import organisation as o
from application import people as pp
from application import responsibility as rs
from application import tips as tp
from application.authorization import Principal
from domain import tips as t
from domain.cases import SourceKind as CaseSource
from domain.hazards import Criterion, HazardGrade, HazardSource
from domain.people import Certificate, CertificateKind
from domain.posts import PostDefinition, PostKind, RemovalReason, WorkerCategory
from domain.responsibility import DutyTerms, Line, ListKind
from domain.supervision import LeadCandidate
from domain.units import (
    Closure,
    CommitteeProfile,
    DepartmentProfile,
    EnterpriseProfile,
    IntermediaryProfile,
    Level,
    RiskColour,
    ServiceKind,
    TerritorialProfile,
)

TOWNS = [("shanyao", "山腰街道", "350505001000"), ("nanpu", "南埔镇", "350505101000")]
VILLAGES = [
    ("shanyao", "zhongcuo", "钟厝社区", "350505001201"),
    ("shanyao", "shanyao_v", "山腰村", "350505001202"),
    ("nanpu", "nanpu_v", "南埔村", "350505101201"),
    ("nanpu", "shangtian", "上田村", "350505101202"),
]
DEPARTMENTS = [
    ("chengguan", "泉港区城市管理局", ("城镇燃气", "市政设施", "城市公园", "户外广告")),
    ("yingji", "泉港区应急管理局", ("危险化学品", "工贸")),
    ("zhujian", "泉港区住房和城乡建设局", ("建筑施工",)),
    ("shijian", "泉港区市场监督管理局", ("餐饮服务", "特种设备")),
]
ENTERPRISES = [
    # key, name, sector, village, legal rep, staff, colour
    ("gas_co", "泉港华润燃气有限公司", "城镇燃气", "zhongcuo", "陈建国", 86, RiskColour.orange),
    ("lpg_station", "泉港区山腰液化气供应站", "城镇燃气", "shanyao_v", "林志强", 12, RiskColour.red),
    ("builder_a", "福建泉港建工集团有限公司", "建筑施工", "zhongcuo", "黄明辉", 240, RiskColour.yellow),
    ("builder_b", "泉州港城建设工程有限公司", "建筑施工", "nanpu_v", "郑伟", 75, RiskColour.yellow),
    ("chem", "福建泉港石化助剂有限公司", "危险化学品", "nanpu_v", "王海涛", 130, RiskColour.red),
    ("restaurant_a", "泉港海鲜楼餐饮有限公司", "餐饮用气", "zhongcuo", "刘美玲", 35, RiskColour.blue),
    ("restaurant_b", "山腰老街小吃店", "餐饮用气", "shanyao_v", "庄秀英", 6, RiskColour.blue),
    ("restaurant_c", "南埔渔港大排档", "餐饮用气", "shangtian", "蔡文斌", 14, RiskColour.yellow),
    ("water", "泉港区自来水有限公司", "市政设施", "zhongcuo", "吴振华", 110, RiskColour.yellow),
    ("sewage", "泉港区污水处理有限公司", "市政设施", "nanpu_v", "许国强", 48, RiskColour.orange),
    ("park", "泉港区城市公园管理有限公司", "城市公园", "shanyao_v", "李丽娟", 30, RiskColour.blue),
    ("ebike", "泉港区绿驰电动车充电服务有限公司", "电动自行车充电", "shangtian", "何俊杰", 9, RiskColour.yellow),
]
GIVEN = ["建华", "志明", "秀兰", "国栋", "丽萍", "文杰", "海燕", "振宇", "淑芬", "永福", "晓东", "雪梅", "德胜", "玉珍",
         "俊峰", "美华", "家豪", "春燕", "伟强", "桂英", "宏伟", "静怡", "金龙", "慧敏", "天佑", "碧霞", "明轩", "翠兰",
         "荣辉", "小红", "鹏飞", "燕玲", "少华", "婉婷", "立新", "秋菊", "国华", "雅琴", "长青", "佳怡"]
SURNAMES = ["陈", "林", "黄", "郑", "王", "刘", "庄", "蔡", "吴", "许", "李", "何", "张", "杨", "苏", "洪", "柯", "连",
            "骆", "潘"]


def _people() -> list[tuple[str, str]]:
    return [(f"p{i:02d}", SURNAMES[i % len(SURNAMES)] + GIVEN[i]) for i in range(len(GIVEN))]


def _territory(d: Demo) -> None:
    when = START
    d.do(ADMIN, o.RegisterUnit(profile=TerritorialProfile(name="福建省", level=Level.province, code="350000")),
         when=when, name="province")
    d.do(ADMIN, o.RegisterUnit(profile=TerritorialProfile(name="泉州市", level=Level.city, code="350500"),
                               parent_id=d.ids["province"]), when=when, name="city")
    d.do(ADMIN, o.RegisterUnit(profile=TerritorialProfile(name="泉港区", level=Level.county, code="350505"),
                               parent_id=d.ids["city"]), when=when, name="county")
    for key, name, code in TOWNS:
        d.do(REGISTRAR, o.RegisterUnit(profile=TerritorialProfile(name=name, level=Level.town, code=code),
                                       parent_id=d.ids["county"]), when=when, name=key)
    for town, key, name, code in VILLAGES:
        d.do(REGISTRAR, o.RegisterUnit(profile=TerritorialProfile(name=name, level=Level.village, code=code),
                                       parent_id=d.ids[town]), when=when, name=key)


def _departments_and_committee(d: Demo) -> None:
    when = START + timedelta(days=1)
    for key, name, functions in DEPARTMENTS:
        d.do(REGISTRAR, o.RegisterUnit(profile=DepartmentProfile(name=name, functions=functions),
                                       parent_id=d.ids["county"]), when=when, name=key)
    d.do(REGISTRAR, o.RegisterUnit(profile=CommitteeProfile(kind="safety_committee", name="泉港区安全生产委员会"),
                                   parent_id=d.ids["county"]), when=when, name="committee")
    d.do(REGISTRAR, o.RegisterUnit(profile=CommitteeProfile(kind="committee_office", name="泉港区安全生产委员会办公室"),
                                   parent_id=d.ids["committee"]), when=when, name="committee_office")
    d.do(REGISTRAR, o.RegisterUnit(
        profile=CommitteeProfile(kind="special_committee", name="泉港区城镇燃气安全专业委员会", sectors=("城镇燃气",),
                                 lead_department_id=d.ids["chengguan"]),
        parent_id=d.ids["committee"]), when=when, name="gas_committee")


def _sector_leads(d: Demo) -> None:
    when = START + timedelta(days=2)
    for key, _, functions in DEPARTMENTS:
        for sector in functions:
            d.do(REGISTRAR, o.DecideSectorLead(
                territory_id=d.ids["county"], sector=sector,
                candidates=[LeadCandidate(department_id=d.ids[key], competent=True)],
                basis="泉港安委〔2022〕16号 部门安全生产职责分工"), when=when)
    # 餐饮用气 is cross-cutting: gas (城管) and catering (市场监管). The competent department leads.
    d.do(REGISTRAR, o.DecideSectorLead(
        territory_id=d.ids["county"], sector="餐饮用气",
        candidates=[LeadCandidate(department_id=d.ids["chengguan"], competent=True),
                    LeadCandidate(department_id=d.ids["shijian"], main=True)],
        basis="泉港城管〔2022〕149号 §7, §14"), when=when)


def _enterprises(d: Demo) -> None:
    when = START + timedelta(days=5)
    for seq, (key, name, sector, village, legal, staff, _) in enumerate(ENTERPRISES, start=101):
        profile = EnterpriseProfile(name=name, credit_code=credit_code(seq), sector=sector,
                                    address=f"泉州市泉港区{name[3:7]}路{seq}号", grid=f"{village}-网格{seq % 3 + 1}",
                                    legal_representative=legal, staff_count=staff,
                                    actual_controller="陈国富" if key == "lpg_station" else None)
        d.do(REGISTRAR, o.RegisterUnit(profile=profile, parent_id=d.ids[village]), when=when, name=key)
    for key, *_, colour in ENTERPRISES:
        d.do(REGISTRAR, o.GradeRiskColour(unit_id=d.ids[key], colour=colour, reason="2024年度风险分级评定",
                                          basis="泉港城管〔2022〕149号 §9 红橙黄蓝分级"), when=when + timedelta(days=20))
    d.do(REGISTRAR, o.RegisterUnit(profile=IntermediaryProfile(
        name="福建安泰安全评价有限公司", credit_code=credit_code(201), address="泉州市丰泽区东海大街88号",
        services=(ServiceKind.safety_assessment, ServiceKind.testing), qualification="安全评价机构资质 APJ-(闽)-118"),
        parent_id=d.ids["county"]), when=when, name="assessor")


def _person(d: Demo, key: str, name: str, index: int) -> None:
    born = date(1965 + index % 30, 1 + index % 12, 1 + index % 27)
    jurisdiction = SHANYAO if index % 3 == 0 else NANPU if index % 3 == 1 else COUNTY
    d.do(REGISTRAR, pp.RegisterPerson(name=name, id_number=resident_id(born, 100 + index), jurisdiction=jurisdiction),
         when=START + timedelta(days=3), name=key)


POSTS: list[tuple[str, str, str, PostDefinition]] = [
    # key, unit, holder, definition
    ("province_secretary", "province", "p36", PostDefinition(title="省委书记", kind=PostKind.party_secretary)),
    ("province_head", "province", "p37", PostDefinition(title="省长", kind=PostKind.government_head)),
    ("city_secretary", "city", "p38", PostDefinition(title="市委书记", kind=PostKind.party_secretary)),
    ("city_head", "city", "p39", PostDefinition(title="市长", kind=PostKind.government_head)),
    ("county_secretary", "county", "p00", PostDefinition(title="区委书记", kind=PostKind.party_secretary)),
    ("county_head", "county", "p01", PostDefinition(title="区长", kind=PostKind.government_head)),
    ("county_deputy_urban", "county", "p02", PostDefinition(
        title="副区长(分管城建、城管)", kind=PostKind.deputy_leader, portfolio=("城镇燃气", "建筑施工", "市政设施"))),
    ("county_deputy_industry", "county", "p03", PostDefinition(
        title="副区长(分管工业、应急)", kind=PostKind.deputy_leader, portfolio=("危险化学品", "工贸"))),
    ("shanyao_secretary", "shanyao", "p04", PostDefinition(title="山腰街道党工委书记", kind=PostKind.party_secretary)),
    ("shanyao_head", "shanyao", "p05", PostDefinition(title="山腰街道办事处主任", kind=PostKind.government_head)),
    ("nanpu_secretary", "nanpu", "p06", PostDefinition(title="南埔镇党委书记", kind=PostKind.party_secretary)),
    ("nanpu_head", "nanpu", "p07", PostDefinition(title="南埔镇镇长", kind=PostKind.government_head)),
    ("zhongcuo_secretary", "zhongcuo", "p08", PostDefinition(title="钟厝社区党委书记", kind=PostKind.party_secretary)),
    ("zhongcuo_head", "zhongcuo", "p09", PostDefinition(title="钟厝社区居委会主任", kind=PostKind.government_head)),
    ("chengguan_head", "chengguan", "p10", PostDefinition(title="区城市管理局局长", kind=PostKind.department_head)),
    ("chengguan_deputy", "chengguan", "p11", PostDefinition(
        title="区城市管理局副局长(分管燃气、市政)", kind=PostKind.deputy_leader, portfolio=("城镇燃气", "市政设施"))),
    ("yingji_head", "yingji", "p12", PostDefinition(title="区应急管理局局长", kind=PostKind.department_head)),
    ("committee_head", "committee", "p01", PostDefinition(title="区安委会主任", kind=PostKind.committee_head)),
    ("gas_main", "gas_co", "p13", PostDefinition(title="总经理", kind=PostKind.main_responsible,
                                                   requires=(CertificateKind.safety_management,))),
    ("gas_safety", "gas_co", "p14", PostDefinition(title="安全部经理", kind=PostKind.safety_manager,
                                                     requires=(CertificateKind.safety_management,))),
    ("gas_operator", "gas_co", "p15", PostDefinition(title="管网巡线工", kind=PostKind.position,
                                                       category=WorkerCategory.employee)),
    ("gas_dispatched", "gas_co", "p16", PostDefinition(title="劳务派遣入户安检员", kind=PostKind.position,
                                                         category=WorkerCategory.dispatched)),
    ("gas_intern", "gas_co", "p17", PostDefinition(title="实习生(调度)", kind=PostKind.position,
                                                     category=WorkerCategory.intern)),
    ("lpg_main", "lpg_station", "p18", PostDefinition(title="站长", kind=PostKind.main_responsible,
                                                        requires=(CertificateKind.safety_management,))),
    ("chem_main", "chem", "p19", PostDefinition(title="总经理", kind=PostKind.main_responsible,
                                                  requires=(CertificateKind.safety_management,))),
    ("chem_safety", "chem", "p20", PostDefinition(title="安全总监", kind=PostKind.safety_manager,
                                                    requires=(CertificateKind.safety_management,))),
    ("chem_welder", "chem", "p21", PostDefinition(title="检修焊工", kind=PostKind.position,
                                                    requires=(CertificateKind.special_operation,),
                                                    category=WorkerCategory.employee)),
    ("builder_a_main", "builder_a", "p22", PostDefinition(title="董事长", kind=PostKind.main_responsible,
                                                            requires=(CertificateKind.safety_management,))),
    ("builder_a_safety", "builder_a", "p23", PostDefinition(title="专职安全员", kind=PostKind.safety_manager,
                                                              requires=(CertificateKind.safety_management,))),
    ("restaurant_a_main", "restaurant_a", "p24", PostDefinition(title="店长", kind=PostKind.main_responsible)),
    ("restaurant_a_cook", "restaurant_a", "p25", PostDefinition(title="厨师(用气岗位)", kind=PostKind.position,
                                                                  category=WorkerCategory.employee)),
    ("water_main", "water", "p26", PostDefinition(title="总经理", kind=PostKind.main_responsible)),
    ("sewage_main", "sewage", "p27", PostDefinition(title="总经理", kind=PostKind.main_responsible)),
    ("park_main", "park", "p28", PostDefinition(title="总经理", kind=PostKind.main_responsible)),
    ("ebike_main", "ebike", "p29", PostDefinition(title="负责人", kind=PostKind.main_responsible)),
    ("nanpu_village_secretary", "nanpu_v", "p30", PostDefinition(title="南埔村党支部书记",
                                                                    kind=PostKind.party_secretary)),
]


def _people_and_posts(d: Demo) -> None:
    for index, (key, name) in enumerate(_people()):
        _person(d, key, name, index)
    when = START + timedelta(days=10)
    cert_holders = {"p13": "gas", "p14": "gas", "p18": "lpg", "p19": "chem", "p20": "chem", "p22": "build",
                    "p23": "build", "p33": "lpg", "p34": "gas"}
    for seq, (key, sector) in enumerate(cert_holders.items(), start=1):
        expires = date(2026, 9, 30) if key == "p18" else date(2027, 12, 31)
        d.do(REGISTRAR, pp.IssueCertificate(person_id=d.ids[key], certificate=Certificate(
            number=f"闽安考{sector}{2023000 + seq}", kind=CertificateKind.safety_management, issuer="泉州市应急管理局",
            issued_on=date(2023, 10, 1), expires_on=expires)), when=when)
    d.do(REGISTRAR, pp.IssueCertificate(person_id=d.ids["p21"], certificate=Certificate(
        number="T350505198803150021", kind=CertificateKind.special_operation, operation="焊接与热切割作业",
        issuer="福建省应急管理厅", issued_on=date(2022, 3, 1), expires_on=date(2028, 2, 28))), when=when)
    for key, unit, holder, definition in POSTS:
        who = ADMIN if unit in ("province", "city") else REGISTRAR
        d.do(who, rs.EstablishPost(unit_id=d.ids[unit], definition=definition), when=when, name=key)
        d.do(who, rs.AppointHolder(post_id=d.ids[key], person_id=d.ids[holder], document="泉港委〔2024〕任"),
             when=when)
    # 南埔村 has a party secretary post but its 村委会主任 post stays vacant: a coverage gap to find.
    d.do(REGISTRAR, rs.EstablishPost(unit_id=d.ids["nanpu_v"], definition=PostDefinition(
        title="南埔村村委会主任", kind=PostKind.government_head)), when=when, name="nanpu_village_head")


def _duty(d: Demo, list_key: str, post: str, line: Line, text: str, source: str, scope: tuple[str, ...] = (),
          *, when: datetime, name: str | None = None) -> None:
    d.do(REGISTRAR, rs.AssignDuty(list_id=d.ids[list_key], terms=DutyTerms(
        post_id=d.ids[post], line=line, scope=scope, text=text, source_document=source)), when=when,
        name=name or f"{list_key}:{post}:{len(d.duties)}")


def _duty_lists(d: Demo) -> None:
    when = START + timedelta(days=30)
    d.do(REGISTRAR, rs.OpenResponsibilityList(unit_id=d.ids["county"], kind=ListKind.duty_list,
                                              title="泉港区党政领导干部安全生产责任清单"), when=when, name="county_list")
    t = Line.territorial
    src = "泉港区党政领导干部安全生产责任制实施细则"
    _duty(d, "county_list", "county_secretary", t, "对本区安全生产工作负全面领导责任,党政同责", src, when=when)
    _duty(d, "county_list", "county_head", t, "对本区安全生产工作负全面领导责任,党政同责", src, when=when)
    _duty(d, "county_list", "county_deputy_urban", t, "督促城镇燃气行业落实安全监管,一岗双责", src, ("城镇燃气",),
          when=when)
    _duty(d, "county_list", "county_deputy_urban", t, "督促建筑施工领域安全生产,一岗双责", src, ("建筑施工",),
          when=when)
    _duty(d, "county_list", "county_deputy_industry", t, "督促危险化学品安全监管", src, ("危险化学品",), when=when)
    d.do(REGISTRAR, rs.PublishList(list_id=d.ids["county_list"], document_no="泉港委办〔2024〕31号"), when=when)

    d.do(REGISTRAR, rs.OpenResponsibilityList(unit_id=d.ids["chengguan"], kind=ListKind.duty_list,
                                              title="泉港区城市管理局安全生产权力和责任清单"), when=when,
         name="chengguan_list")
    s = Line.supervisory
    src = "泉港城管〔2022〕149号"
    _duty(d, "chengguan_list", "chengguan_head", s, "主要负责同志担任安全生产领导小组组长,每季度至少专题研究一次安全生产",
          f"{src} §6", when=when)
    _duty(d, "chengguan_list", "chengguan_deputy", s, "开展燃气安全排查整治,燃气场站提标改造", f"{src} §14",
          ("城镇燃气",), when=when, name="gas_duty")
    _duty(d, "chengguan_list", "chengguan_deputy", s, "督促供水、排水和污水处理单位加强设施巡查维护", f"{src} §15",
          ("市政设施",), when=when, name="municipal_duty")
    d.do(REGISTRAR, rs.PublishList(list_id=d.ids["chengguan_list"], document_no="泉港城管〔2024〕58号"), when=when)

    d.do(REGISTRAR, rs.OpenResponsibilityList(unit_id=d.ids["gas_co"], kind=ListKind.all_staff,
                                              title="泉港华润燃气全员安全生产责任清单"), when=when, name="gas_all_staff")
    e = Line.entity
    src = "安全生产法 第21条; 积翠镇重大事故隐患专项排查整治2023行动实施方案"
    _duty(d, "gas_all_staff", "gas_main", e, "建立健全并落实全员安全生产责任制,组织制定并实施隐患排查治理制度", src,
          when=when)
    _duty(d, "gas_all_staff", "gas_safety", e, "组织开展隐患排查,督促落实重大危险源管理", src, when=when)
    _duty(d, "gas_all_staff", "gas_operator", e, "按规程巡检管网,发现泄漏立即报告并处置", src, when=when)
    _duty(d, "gas_all_staff", "gas_dispatched", e, "入户安检,记录用户隐患并告知整改(劳务派遣人员纳入全员责任)", src,
          when=when)
    d.do(REGISTRAR, rs.PublishList(list_id=d.ids["gas_all_staff"], document_no="华润燃气〔2024〕安字3号"), when=when)

    d.do(REGISTRAR, rs.OpenResponsibilityList(unit_id=d.ids["chem"], kind=ListKind.all_staff,
                                              title="泉港石化助剂全员安全生产责任清单"), when=when, name="chem_all_staff")
    _duty(d, "chem_all_staff", "chem_main", e, "对本单位安全生产工作全面负责,保证安全投入", src, when=when)
    _duty(d, "chem_all_staff", "chem_safety", e, "组织重大危险源包保责任落实和特殊作业审批", src, when=when)
    _duty(d, "chem_all_staff", "chem_welder", e, "持证上岗,严格执行动火作业票证制度", src, when=when)
    d.do(REGISTRAR, rs.PublishList(list_id=d.ids["chem_all_staff"], document_no="石化助剂〔2024〕12号"), when=when)


def _two_years(d: Demo) -> None:
    """Replacements, transfers, revisions, a move, a closure, a ban: the things investigators ask about."""
    # 2025-01: 电动自行车充电 is a new business (新业态): nobody is competent or main, 城管 is closest.
    d.do(REGISTRAR, o.DecideSectorLead(
        territory_id=d.ids["county"], sector="电动自行车充电",
        candidates=[LeadCandidate(department_id=d.ids["chengguan"], proximity=1),
                    LeadCandidate(department_id=d.ids["yingji"], proximity=2),
                    LeadCandidate(department_id=d.ids["shijian"], proximity=3)],
        basis="肥安发〔2024〕4号 §9 新业态; 泉港城管〔2022〕149号 §7"), when=on("2025-01-15"))

    # 2025-03: the gas company's safety manager leaves; the successor is appointed the same day but the
    # appointment is only recorded three weeks later (what known_at shows).
    d.do(REGISTRAR, rs.RemoveHolder(post_id=d.ids["gas_safety"], person_id=d.ids["p14"],
                                    reason=RemovalReason.left), when=on("2025-03-01"))
    d.do(REGISTRAR, rs.AppointHolder(post_id=d.ids["gas_safety"], person_id=d.ids["p34"], document="华润燃气〔2025〕人5号"),
         when=on("2025-03-01"), lag=timedelta(days=21))

    # 2025-06: a new 区长; the old one moves to head the safety committee only.
    d.do(REGISTRAR, rs.AppointHolder(post_id=d.ids["county_head"], person_id=d.ids["p31"], replaces=d.ids["p01"],
                                     document="泉港人大常委会〔2025〕任免3号"), when=on("2025-06-18"))
    # 2025-07: the 山腰街道 head is transferred to head 南埔镇.
    d.do(REGISTRAR, rs.RemoveHolder(post_id=d.ids["nanpu_head"], person_id=d.ids["p07"],
                                    reason=RemovalReason.retired), when=on("2025-07-01"))
    d.do(REGISTRAR, rs.TransferPerson(person_id=d.ids["p05"], from_post_id=d.ids["shanyao_head"],
                                      to_post_id=d.ids["nanpu_head"], document="泉港委〔2025〕干任21号"),
         when=on("2025-07-01"))
    # The county's appointment, recorded by the county: the successor is registered with the county, which a
    # 山腰街道 token could not name (a command names only records its caller may read).
    d.do(REGISTRAR, rs.AppointHolder(post_id=d.ids["shanyao_head"], person_id=d.ids["p32"],
                                     document="泉港委〔2025〕干任22号"), when=on("2025-07-08"))

    # 2025-09: the 城管 duty list is revised: the gas duty widened, the municipal duty moved to the head; v2.
    d.do(REGISTRAR, rs.ReviseDuty(list_id=d.ids["chengguan_list"], duty_id=d.duties["gas_duty"], terms=DutyTerms(
        post_id=d.ids["chengguan_deputy"], line=Line.supervisory, scope=("城镇燃气", "餐饮用气"),
        text="开展燃气安全排查整治,覆盖燃气经营、燃气工程、管道设施和餐饮等用气场所,全覆盖无死角",
        source_document="泉港城管〔2022〕149号 §14")), when=on("2025-09-01"))
    d.do(REGISTRAR, rs.RevokeDuty(list_id=d.ids["chengguan_list"], duty_id=d.duties["municipal_duty"],
                                  reason="分工调整,市政设施安全由局长直接分管"), when=on("2025-09-01"))
    d.do(REGISTRAR, rs.RedefinePost(post_id=d.ids["chengguan_deputy"], definition=PostDefinition(
        title="区城市管理局副局长(分管燃气)", kind=PostKind.deputy_leader, portfolio=("城镇燃气", "餐饮用气"))),
        when=on("2025-09-01"))
    d.do(REGISTRAR, rs.PublishList(list_id=d.ids["chengguan_list"], document_no="泉港城管〔2025〕77号"),
         when=on("2025-09-01"))

    # 2025-10: the e-bike charging firm moves from 上田村 to 钟厝社区 (and with it, its posts).
    d.do(REGISTRAR, o.MoveUnit(unit_id=d.ids["ebike"], parent_id=d.ids["zhongcuo"]), when=on("2025-10-20"))

    # 2025-12: the LPG station's nominal manager is replaced; the actual controller stays on record.
    d.do(REGISTRAR, rs.AppointHolder(post_id=d.ids["lpg_main"], person_id=d.ids["p33"], replaces=d.ids["p18"],
                                     document="液化气站〔2025〕1号"), when=on("2025-12-05"))

    # 2026-03: a former chemical-plant manager is banned for five years after a criminal penalty (第94条).
    d.do(Principal("demo:enforcement@350505", "enforcement", COUNTY), pp.ImposeIndustryBan(
        person_id=d.ids["p35"], industry="危险化学品", starts_on=date(2026, 3, 10), years=5,
        reason="受刑事处罚(另案),五年内不得担任本行业生产经营单位主要负责人"), when=on("2026-03-10"))

    _tips_before_the_ban(d)
    # 2026-05: an illegal LPG refilling point is banned (取缔) — it had been registered by mistake as a restaurant.
    d.do(REGISTRAR, o.CloseUnit(unit_id=d.ids["restaurant_b"], closure=Closure.banned,
                                reason="非法储存、充装液化石油气,依法取缔", basis="泉港城管〔2022〕149号 ¶22 四个一律"),
         when=on("2026-05-12"))
    d.do(REGISTRAR, o.GradeRiskColour(unit_id=d.ids["gas_co"], colour=RiskColour.yellow,
                                      reason="2026年度风险分级评定:整改到位,降为黄色"), when=on("2026-06-30"))


TIP_OFFICER = Principal("demo:tip_officer@350505", "tip_officer", COUNTY)
CHENGGUAN_ENFORCEMENT = Principal("demo:enforcement@350505", "enforcement", COUNTY)


def _tips_before_the_ban(d: Demo) -> None:
    """Three tips of spring 2026 (seed 000 §31; seed 003 §35): an anonymous web tip found 不属实, a whistleblower at
    the chemical plant, and the 12345 call that uncovered the illegal LPG refilling point."""
    d.do(TIP_OFFICER, tp.ReceiveTip(
        channel=t.Channel.web, receiving_unit_id=d.ids["zhujian"],
        subject=t.UnitSubject(unit_id=d.ids["builder_b"], description="工地塔吊未经检验擅自投入使用"),
        summary="网络匿名举报南埔一工地塔吊未经检验即使用", original_text="南埔村那个工地的塔吊根本没检验就在吊东西,早晚出事"),
        when=on("2026-03-20", 21), lag=timedelta(hours=12), name="tip_web")
    d.do(TIP_OFFICER, tp.VerifyTip(tip_id=d.ids["tip_web"], verdict=t.Verdict.unsubstantiated,
                                   finding="现场核查: 该塔吊已于2026年2月检验合格并办理使用登记, 举报情况不属实"),
         when=on("2026-03-27"))
    d.do(TIP_OFFICER, tp.GiveTipFeedback(tip_id=d.ids["tip_web"], method=t.FeedbackMethod.web,
                                         content="经现场核查, 所反映塔吊已检验合格并登记, 举报情况不属实。感谢您的监督。"),
         when=on("2026-03-30"))

    d.do(TIP_OFFICER, tp.ReceiveTip(
        channel=t.Channel.internal_whistleblower, receiving_unit_id=d.ids["yingji"],
        subject=t.UnitSubject(unit_id=d.ids["chem"], description="储罐区检修未办理动火作业票证即动火, 可燃气体报警仪停用"),
        summary="企业内部员工反映储罐区违规动火、报警仪停用",
        original_text="我是检修班组的,2号储罐区这两周天天动火,没人开票,可燃气体报警仪被关掉了说是老误报",
        reporter=t.Reporter(name="庄明远", contact="13812345678")), when=on("2026-04-02", 20), name="tip_chem")
    d.do(TIP_OFFICER, tp.VerifyTip(tip_id=d.ids["tip_chem"], verdict=t.Verdict.substantiated,
                                   finding="现场查实: 2号储罐区可燃气体报警仪停用, 近两周动火作业无作业票证"),
         when=on("2026-04-09"))
    d.do(TIP_OFFICER, tp.DiscloseReporterIdentity(
        tip_id=d.ids["tip_chem"], reason="企业拟调整检修班组岗位, 核实举报人是否在调整名单中, 以落实保护措施、防止打击报复"),
        when=on("2026-04-15"))
    d.do(TIP_OFFICER, tp.GiveTipFeedback(tip_id=d.ids["tip_chem"], method=t.FeedbackMethod.phone,
                                         content="您反映的问题经查属实, 已责令企业立即整改并立案调查; 您的信息严格保密"),
         when=on("2026-04-20"))

    d.do(TIP_OFFICER, tp.ReceiveTip(
        channel=t.Channel.hotline_12345, receiving_unit_id=d.ids["chengguan"],
        subject=t.UnitSubject(unit_id=d.ids["restaurant_b"], description="小吃店后院私设钢瓶倒灌点, 充装液化石油气对外销售"),
        summary="群众通过12345反映山腰老街一小吃店非法充装液化石油气",
        original_text="我家住老街,经常看到小吃店后院有人用管子把大钢瓶的气倒进小瓶里再拉出去卖,气味很大,很危险",
        reporter=t.Reporter(name="许婉清", contact="13912345678")), when=on("2026-04-18", 10), name="tip_lpg")
    d.do(CHENGGUAN_ENFORCEMENT, h.ReportHazard(
        unit_id=d.ids["restaurant_b"], grade=HazardGrade.major, source=HazardSource.tip, tip_id=d.ids["tip_lpg"],
        criterion=Criterion(standard="《安全生产事故隐患排查治理暂行规定》(原安监总局令第16号) 第3条",
                            item="第三条第二款(应当全部停产停业整治)"),
        description="后院非法储存液化石油气钢瓶23只, 私设倒灌充装设备, 无燃气经营许可", location="后院"),
        when=on("2026-04-20"), name="hazard_lpg")
    d.do(TIP_OFFICER, tp.VerifyTip(tip_id=d.ids["tip_lpg"], verdict=t.Verdict.substantiated,
                                   finding="现场查实: 后院存放钢瓶23只, 存在倒灌充装设备, 无燃气经营许可"),
         when=on("2026-04-22"))
    _lpg_case(d)


def _lpg_case(d: Demo) -> None:
    """The case the tip led to (docs/cases.md): opened from the hazard, noticed, reviewed, decided at the article's
    maximum with the reason written (the proposal was the standard tier), served and paid; the reward reads its fine."""
    officer = CHENGGUAN_ENFORCEMENT
    d.do(officer, cs.OpenCase(unit_id=d.ids["restaurant_b"], department_id=d.ids["chengguan"],
                              article="安全生产法 第102条", violation="后院非法储存液化石油气钢瓶23只并私设倒灌充装设备, "
                              "重大事故隐患未采取措施消除", violated_at=on("2026-04-18", 10),
                              source_kind=CaseSource.hazard, source_id=d.ids["hazard_lpg"]),
         when=on("2026-04-24"), name="case_lpg")
    d.do(officer, cs.ServePenaltyNotice(case_id=d.ids["case_lpg"], unit_yuan=Decimal(50_000),
                                        departure_reason="无证非法充装、储存钢瓶23只, 危害后果严重, 依泉港城管〔2022〕149号 "
                                                         "§22 上限处罚"), when=on("2026-04-27"))
    d.do(officer, cs.CompleteLegalReview(case_id=d.ids["case_lpg"], opinion="事实清楚, 证据确凿, 适用依据正确, 程序合法"),
         when=on("2026-05-06"))
    d.do(officer, cs.DecideCase(case_id=d.ids["case_lpg"], decision_no="泉港城管罚决字〔2026〕第0057号",
                                unit_yuan=Decimal(50_000), departure_reason="无证非法充装、储存钢瓶23只, 危害后果严重, "
                                "依泉港城管〔2022〕149号 §22 上限处罚"), when=on("2026-05-07"))
    d.do(officer, cs.ServeDecision(case_id=d.ids["case_lpg"]), when=on("2026-05-08"))
    d.do(officer, cs.PayFine(case_id=d.ids["case_lpg"], party="unit", amount_yuan=Decimal(50_000)),
         when=on("2026-05-11"))


def _tips_after_the_ban(d: Demo) -> None:
    """The reward for the 12345 tip (docs/rules.md R11: 15 % of the fine), paid by the unit that received it, and the answer."""
    d.do(TIP_OFFICER, tp.ProposeTipReward(
        tip_id=d.ids["tip_lpg"], outcome_id=d.ids["hazard_lpg"], case_id=d.ids["case_lpg"]), when=on("2026-07-06"))
    d.do(TIP_OFFICER, tp.PayTipReward(tip_id=d.ids["tip_lpg"], amount_yuan=Decimal(7_500), payment_ref="JL-2026-003"),
         when=on("2026-07-20"))
    d.do(TIP_OFFICER, tp.GiveTipFeedback(tip_id=d.ids["tip_lpg"], method=t.FeedbackMethod.phone,
                                         content="您反映的非法充装问题经查属实, 已依法取缔并处罚款, 举报奖励7500元已发放"),
         when=on("2026-07-22"))


def founding(d: Demo) -> None:
    """The county, its departments and committee, sector leads, enterprises, people in posts and their duty lists."""
    _territory(d)
    _departments_and_committee(d)
    _sector_leads(d)
    _enterprises(d)
    _people_and_posts(d)
    _duty_lists(d)


def two_years(d: Demo) -> None:
    """Replacements, transfers, revisions, a move, a closure, a ban, the tips before and after it."""
    _two_years(d)
    _tips_after_the_ban(d)
