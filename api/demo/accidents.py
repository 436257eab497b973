"""The demo's duty lists for every department, town and village of 泉港区, and its two accidents.

- December 2024: the departments without a duty list (应急, 住建, 市场监管) and every 镇/街道 and 村/社区 get theirs —
  党政同责、一岗双责 for the territories (seed 000 §2–3), 三管三必须 for the departments (seed 000 §4) — with the posts
  and holders they lacked (南埔村's 村委会主任 stays vacant: the gap the coverage report and the dossier show), and
  上田村's grid member (网格员) over the grids of its enterprises.
- The dust explosion: at the 工贸 enterprise whose major hazard an inspection found and its inspectors signed, and
  which then missed its deadline (overdue, escalated), one death — reported on time, link by link; the county's
  investigation finds the 应急管理局 head's duty to follow the listing unperformed.
- The scaffold collapse: first known from a tip two hours after it happened, reported by the builder three hours
  late, two deaths, a third on day 12 that regrades it 较大 — suspected concealment, listed with the safety committee
  and an escalated investigation proposed, once; regraded 较大, 泉州市 passes it on to the province (第10条) and it
  is 泉州市 that investigates (第19条).

The flags are the accident policies' (``application/policies.py``): the worker runs as the accident is recorded, as
it would in production (a local write wakes it), besides its Monday passes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from api.demo.hazards import Hazards
from api.demo.identifiers import resident_id
from api.demo.scene import ADMIN, COUNTY, NANPU, REGISTRAR, SHANYAO, Demo, on
from application import accidents as a
from application import investigations as inv
from application import people as pp
from application import responsibility as rs
from application import tips as tp
from application.authorization import Principal
from application.policies import Worker
from domain import accidents as ac
from domain import investigations as iv
from domain import tips as t
from domain.hazards import Hazard
from domain.posts import PostDefinition, PostKind
from domain.responsibility import DutyTerms, Line, ListKind
from domain.rules.accidents import Figures

INVESTIGATOR = Principal("demo:investigator@350505", "investigator", COUNTY)
CITY = "350000/350500"
CITY_INVESTIGATOR = Principal("demo:investigator@350500", "investigator", CITY)
TIP_OFFICER = Principal("demo:tip_officer@350505", "tip_officer", COUNTY)
ALL_ITEMS = tuple(ac.ReportItem)

NEW_PEOPLE = [
    # key, name, jurisdiction
    ("n1", "骆建新", COUNTY), ("n2", "柯美玲", COUNTY), ("n3", "连志鹏", SHANYAO), ("n4", "潘秋月", SHANYAO),
    ("n5", "苏海生", NANPU), ("n6", "洪丽华", NANPU), ("n7", "杨振东", CITY), ("n8", "蔡丽芬", NANPU),
]
NEW_POSTS = [
    # key, unit, holder, definition
    ("zhujian_head", "zhujian", "n1", PostDefinition(title="区住房和城乡建设局局长", kind=PostKind.department_head)),
    ("shijian_head", "shijian", "n2", PostDefinition(title="区市场监督管理局局长", kind=PostKind.department_head)),
    ("shanyao_v_secretary", "shanyao_v", "n3", PostDefinition(title="山腰村党支部书记", kind=PostKind.party_secretary)),
    ("shanyao_v_head", "shanyao_v", "n4", PostDefinition(title="山腰村村委会主任", kind=PostKind.government_head)),
    ("shangtian_secretary", "shangtian", "n5", PostDefinition(title="上田村党支部书记", kind=PostKind.party_secretary)),
    ("shangtian_head", "shangtian", "n6", PostDefinition(title="上田村村委会主任", kind=PostKind.government_head)),
    ("shangtian_grid", "shangtian", "n8", PostDefinition(title="上田村网格员(村委委员兼)", kind=PostKind.position)),
]
GRIDS = {"shangtian_grid": ("shangtian-网格1", "shangtian-网格2")}
"""The grid members (网格员, seed 001 ¶13, seed 002 ¶16) this strand makes: 上田村's covers the grids of 鑫达五金 and
the 大排档; 南埔村's grids have none (the gap the dossier of a unit there shows)."""
SUPERVISORY = "泉港城管〔2022〕149号 §4 (三管三必须、谁主管谁负责)"
TERRITORIAL = "泉港城管〔2022〕149号 §2–3 (党政同责、一岗双责); 泉港区党政领导干部安全生产责任制实施细则"
LISTS: list[tuple[str, str, str, list[tuple[str, Line, str, tuple[str, ...]]]]] = [
    # list key, unit, title, duties (post, line, text, scope)
    ("yingji_list", "yingji", "泉港区应急管理局安全生产权力和责任清单", [
        ("yingji_head", Line.supervisory, "督促危险化学品、工贸企业落实重大事故隐患整改, 跟踪挂牌督办至销号",
         ("危险化学品", "工贸"))]),
    ("zhujian_list", "zhujian", "泉港区住房和城乡建设局安全生产权力和责任清单", [
        ("zhujian_head", Line.supervisory, "督促建筑施工企业落实脚手架、深基坑等危大工程安全管理", ("建筑施工",))]),
    ("shijian_list", "shijian", "泉港区市场监督管理局安全生产权力和责任清单", [
        ("shijian_head", Line.supervisory, "督促餐饮服务单位和特种设备使用单位落实安全管理",
         ("餐饮服务", "特种设备"))]),
]
TERRITORIES = [
    ("shanyao", "山腰街道", ("shanyao_secretary", "shanyao_head")),
    ("nanpu", "南埔镇", ("nanpu_secretary", "nanpu_head")),
    ("zhongcuo", "钟厝社区", ("zhongcuo_secretary", "zhongcuo_head")),
    ("shanyao_v", "山腰村", ("shanyao_v_secretary", "shanyao_v_head")),
    ("nanpu_v", "南埔村", ("nanpu_village_secretary", "nanpu_village_head")),
    ("shangtian", "上田村", ("shangtian_secretary", "shangtian_head")),
]


def _duty(d: Demo, list_key: str, post: str, line: Line, text: str, source: str, scope: tuple[str, ...],
          when: datetime) -> None:
    d.do(REGISTRAR, rs.AssignDuty(list_id=d.ids[list_key], terms=DutyTerms(
        post_id=d.ids[post], line=line, scope=scope, text=text, source_document=source)), when=when,
        name=f"{list_key}:{post}")


def duty_lists(d: Demo) -> None:
    when = on("2024-12-10")
    for index, (key, name, jurisdiction) in enumerate(NEW_PEOPLE):
        who = ADMIN if jurisdiction == CITY else REGISTRAR
        d.do(who, pp.RegisterPerson(name=name, id_number=resident_id(date(1972 + index, 2 + index, 9 + index),
                                                                     400 + index), jurisdiction=jurisdiction),
             when=when, name=key)
    for key, unit, holder, definition in NEW_POSTS:
        d.do(REGISTRAR, rs.EstablishPost(unit_id=d.ids[unit], definition=definition), when=when, name=key)
        d.do(REGISTRAR, rs.AppointHolder(post_id=d.ids[key], person_id=d.ids[holder], document="泉港委〔2024〕任"),
             when=when)
    for key, grids in GRIDS.items():
        d.do(REGISTRAR, rs.AssignGrids(post_id=d.ids[key], grids=grids), when=when)
    for list_key, unit, title, duties in LISTS:
        d.do(REGISTRAR, rs.OpenResponsibilityList(unit_id=d.ids[unit], kind=ListKind.duty_list, title=title),
             when=when, name=list_key)
        for post, line, text, scope in duties:
            _duty(d, list_key, post, line, text, SUPERVISORY, scope, when)
    for unit, name, (secretary, head) in TERRITORIES:
        list_key = f"{unit}_list"
        title = f"{name}党政领导干部安全生产责任清单"
        d.do(REGISTRAR, rs.OpenResponsibilityList(unit_id=d.ids[unit], kind=ListKind.duty_list, title=title),
             when=when, name=list_key)
        text = f"对{name}安全生产工作负全面领导责任, 党政同责; 落实属地网格巡查"
        for post in (secretary, head):
            _duty(d, list_key, post, Line.territorial, text, TERRITORIAL, (), when)


def dust_explosion(d: Demo, hazard: UUID, target: str, when: datetime) -> None:
    """One death at the 工贸 enterprise while its major hazard is overdue; reported on time."""
    accident = d.do(INVESTIGATOR, a.RecordAccident(
        unit_id=d.ids[target], kind=ac.AccidentKind.work, occurred_at=when, place="粉碎工段布袋除尘器",
        description="除尘器积尘爆燃, 一名操作工死亡、两人重伤", unit_head_informed_at=when + timedelta(minutes=8),
        known_from=ac.KnownFrom.unit_report, known_at=when + timedelta(minutes=35),
        figures=Figures(deaths=1, serious_injuries=2, direct_loss_yuan=1_800_000)), when=when, name="accident_dust")
    received = when + timedelta(minutes=35)
    d.do(INVESTIGATOR, a.ReportAccident(
        accident_id=accident, kind=ac.ReportKind.first, sender_unit_id=d.ids[target], receiving_unit_id=d.ids["yingji"],
        received_at=received, items=ALL_ITEMS, figures=Figures(deaths=1, serious_injuries=2,
                                                                 direct_loss_yuan=1_800_000),
        summary="粉碎工段除尘器爆燃, 1人死亡2人重伤, 已停产并疏散"), when=received, lag=timedelta(minutes=30))
    upward = received + timedelta(hours=1, minutes=20)
    d.do(INVESTIGATOR, a.ReportAccident(
        accident_id=accident, kind=ac.ReportKind.upward, sender_unit_id=d.ids["yingji"],
        receiving_unit_id=d.ids["city"],
        received_at=upward, items=ALL_ITEMS, figures=Figures(deaths=1, serious_injuries=2, direct_loss_yuan=1_800_000),
        summary="区应急管理局上报泉州市"), when=upward, lag=timedelta(minutes=30))
    opened = when + timedelta(days=1)
    investigation = d.do(INVESTIGATOR, inv.OpenInvestigation(accident_id=accident, team=(
        iv.TeamMember(person_id=d.ids["p03"], unit_id=d.ids["county"], role=iv.TeamRole.leader),
        iv.TeamMember(person_id=d.ids["y3"], unit_id=d.ids["yingji"], role=iv.TeamRole.member))),
        when=opened, name="investigation_dust")
    hazard_state = d.service.log.get(hazard)
    assert isinstance(hazard_state, Hazard)
    evidence = tuple(iv.EventRef(aggregate_id=hazard, version=v) for v in range(1, hazard_state.version + 1))
    d.do(INVESTIGATOR, inv.FindResponsibility(
        investigation_id=investigation, line=iv.InvestigationLine.supervisory, unit_id=d.ids["yingji"],
        person_id=d.ids["p12"], duty=inv.DutyReference(list_id=d.ids["yingji_list"],
                                                       duty_id=d.duties["yingji_list:yingji_head"]),
        evidence=evidence, description="重大事故隐患逾期未整改, 挂牌督办未跟踪到位",
        disposition=iv.Disposition.accountability), when=opened + timedelta(days=20))


def scaffold_collapse(d: Demo, worker: Worker) -> None:
    """First known from a tip; the builder reports three hours late; a third death on day 12 regrades it."""
    occurred = on("2026-08-03", 10)
    informed = occurred + timedelta(minutes=15)
    tipped = occurred + timedelta(hours=2)
    tip = d.do(TIP_OFFICER, tp.ReceiveTip(
        channel=t.Channel.hotline_12350, receiving_unit_id=d.ids["zhujian"],
        subject=t.ConcealedAccidentSubject(unit_id=d.ids["builder_b"], occurred_on=occurred.date(),
                                           description="南埔工地脚手架坍塌, 有工人死亡, 企业未报告"),
        summary="群众反映南埔某工地脚手架坍塌致人死亡, 企业未报告",
        original_text="南埔那个工地架子塌了, 死了人, 老板不让说",
        reporter=t.Reporter(name="苏明辉", contact="13905950123")), when=tipped, lag=timedelta(minutes=20),
        name="tip_collapse")
    accident = d.do(INVESTIGATOR, a.RecordAccident(
        unit_id=d.ids["builder_b"], kind=ac.AccidentKind.work, occurred_at=occurred, place="南埔镇南埔村安置房工地",
        description="外墙脚手架坍塌, 两名工人死亡、一人重伤", unit_head_informed_at=informed,
        known_from=ac.KnownFrom.tip, known_at=tipped, tip_id=tip,
        figures=Figures(deaths=2, serious_injuries=1, direct_loss_yuan=900_000)), when=tipped,
        lag=timedelta(minutes=40), name="accident_collapse")
    worker.tick()  # suspected concealment, listed, escalation proposed; no first report within the head's hour
    reported = informed + timedelta(hours=4)  # three hours after the head's hour (493号令 第9条)
    figures = Figures(deaths=2, serious_injuries=1, direct_loss_yuan=900_000)
    d.do(INVESTIGATOR, a.ReportAccident(
        accident_id=accident, kind=ac.ReportKind.first, sender_unit_id=d.ids["builder_b"],
        receiving_unit_id=d.ids["zhujian"], received_at=reported, items=ALL_ITEMS, figures=figures,
        summary="脚手架坍塌, 2人死亡1人重伤"), when=reported, lag=timedelta(minutes=30))
    upward = reported + timedelta(hours=1)
    d.do(INVESTIGATOR, a.ReportAccident(
        accident_id=accident, kind=ac.ReportKind.upward, sender_unit_id=d.ids["zhujian"],
        receiving_unit_id=d.ids["city"], received_at=upward, items=ALL_ITEMS, figures=figures,
        summary="区住建局上报泉州市"), when=upward, lag=timedelta(minutes=30))
    d.do(TIP_OFFICER, tp.VerifyTip(tip_id=tip, verdict=t.Verdict.substantiated,
                                   finding="初步核实: 坍塌致2人死亡, 企业迟报", referred_to_id=d.ids["committee"]),
         when=occurred + timedelta(days=1))
    day12 = occurred + timedelta(days=12)
    d.do(INVESTIGATOR, a.ReportAccident(
        accident_id=accident, kind=ac.ReportKind.supplementary, sender_unit_id=d.ids["zhujian"],
        receiving_unit_id=d.ids["city"], received_at=day12, items=ALL_ITEMS,
        figures=Figures(deaths=3, serious_injuries=0, direct_loss_yuan=1_200_000),
        summary="补报: 重伤工人经抢救无效死亡"), when=day12, lag=timedelta(hours=1))
    to_province = day12 + timedelta(hours=1, minutes=30)  # 较大 now: the report climbs to the province (第10条)
    d.do(CITY_INVESTIGATOR, a.ReportAccident(
        accident_id=accident, kind=ac.ReportKind.upward, sender_unit_id=d.ids["city"],
        receiving_unit_id=d.ids["province"], received_at=to_province, items=ALL_ITEMS,
        figures=Figures(deaths=3, serious_injuries=0, direct_loss_yuan=1_200_000),
        summary="泉州市上报省政府: 事故升级为较大事故"), when=to_province, lag=timedelta(minutes=30))
    d.do(CITY_INVESTIGATOR, inv.OpenInvestigation(accident_id=accident, team=(  # 较大 now: the city investigates
        iv.TeamMember(person_id=d.ids["n7"], unit_id=d.ids["city"], role=iv.TeamRole.leader),)),
        when=day12 + timedelta(days=2), name="investigation_collapse")


def schedule(d: Demo, hazards: Hazards, worker: Worker) -> None:
    d.later(on("2024-12-10"), lambda: duty_lists(d))

    def on_overdue(hazard: UUID, target: str, due: datetime) -> None:
        when = due + timedelta(days=9, hours=5)  # the Monday worker has marked it overdue; it is not yet submitted
        d.later(when, lambda: dust_explosion(d, hazard, target, when))

    hazards.overdue_majors.append(on_overdue)
    d.later(on("2026-08-03", 10), lambda: scaffold_collapse(d, worker))
