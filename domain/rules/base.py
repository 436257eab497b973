"""The national base pack: what the law says everywhere. Each key cites its source."""

from __future__ import annotations

from typing import Any

BASE_RULES: dict[str, Any] = {
    # 三管三必须 — 安全生产法 第3条; seed 000 §4.
    "three_musts.basis": "安全生产法 第3条 (管行业必须管安全、管业务必须管安全、管生产经营必须管安全)",
    # Sectors whose main responsible person and safety managers must pass the competence assessment
    # (安全生产知识和管理能力考核合格) — 安全生产法 第27条.
    "certification.sectors": (
        "危险化学品", "矿山", "金属冶炼", "建筑施工", "道路运输", "城镇燃气", "烟花爆竹",
    ),
    # 重大事故隐患: "危害和整改难度较大, 应当全部或者局部停产停业, 并经过一定时间整改治理方能排除的隐患"
    # (原安监总局令第16号 第3条). Where a sector has a national determination standard, a major hazard cites an item
    # of it (安全生产法 第118条 授权制定判定标准); elsewhere it cites the general definition.
    "hazard.major_criteria": {
        "工贸": "《工贸企业重大事故隐患判定标准》(应急管理部令第10号)",
        "危险化学品": "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准(试行)》(安监总管三〔2017〕121号)",
        "城镇燃气": "《城镇燃气经营安全重大隐患判定标准》(建城规〔2023〕4号)",
        "建筑施工": "《房屋市政工程生产安全重大事故隐患判定标准(2022版)》(建质规〔2022〕2号)",
        "矿山": "《金属非金属矿山重大事故隐患判定标准》(矿安〔2022〕88号)",
    },
    "hazard.major_definition": "《安全生产事故隐患排查治理暂行规定》(原安监总局令第16号) 第3条",
    # A hazard fixed on the spot (即知即改) is a general one: a major hazard needs a period of remediation
    # (原安监总局令第16号 第3条; seed 000 §16).
    "hazard.immediate_grades": ("general",),
    # 五落实: 整改责任、措施、资金、时限、预案 — seed 000 §16; seed 001 §20; seed 004 §三(一)1(2).
    "hazard.five_assurances.basis": "泉港城管〔2022〕149号 §16 (五落实); 方积政发〔2023〕11号 §三(一)1(2)",
    # 挂牌督办: every major hazard, by a named authority with a named supervisor — seed 004 §三(二)3(1).
    "hazard.listing.basis": "方积政发〔2023〕11号 §三(二)3(1) (挂牌督办, 明确跟踪督办的具体责任人)",
    # Overdue (逾期未整改) → escalated one level up: local practice, in no seed or law (docs/rules.md R8); overdue
    # also aggravates a penalty (R7; seed 000 ¶27).
    "hazard.overdue.basis": "泉港城管〔2022〕149号 §16, §27 (限期整改; 逾期未整改的依法从重查处)",
    "hazard.escalation.levels": 1,
    # 自查自报 exemption: a major hazard found by the enterprise itself, reported as required and being fixed
    # effectively is not penalised — seed 004 §三(二)3(2).
    "hazard.self_reported_exemption.basis": "方积政发〔2023〕11号 §三(二)3(2)",
    # 双随机 — 国办发〔2015〕58号: 随机抽取检查对象、随机选派执法检查人员. The national text does not exclude the
    # inspector who inspected a target last time; local packs may (轮换).
    "random_draw.exclude_previous_inspector": False,
    "random_draw.exclude_previous_inspector.source": "国办发〔2015〕58号 (双随机: no rotation rule)",
    # 举报奖励 — 《安全生产领域举报奖励办法》(安监总财〔2018〕19号); docs/rules.md R11; seed 000 ¶31 (重奖);
    # seed 003 ¶35.
    # A verified tip of a major hazard or an illegal act earns 15 % of the administrative penalty decided, at least
    # 3,000 and at most 300,000 yuan; a concealed or falsified accident (瞒报、谎报) earns per concealed death by the
    # accident's final grade, at most 300,000 yuan. Only the first valid real-name reporter of the same matter is
    # rewarded, by the unit that received the tip (谁受理、谁奖励). The share is rounded half up to the fen.
    "tip.reward.basis": "《安全生产领域举报奖励办法》(安监总财〔2018〕19号)",
    "tip.reward.penalty_rate": "0.15",
    "tip.reward.penalty_minimum_yuan": 3_000,
    "tip.reward.penalty_maximum_yuan": 300_000,
    "tip.reward.per_concealed_death_yuan": {"general": 30_000, "serious": 40_000, "major": 50_000,
                                            "extraordinary": 60_000},
    "tip.reward.concealed_maximum_yuan": 300_000,
    # 不得泄露举报人个人有关信息 (seed 000 §31); 在做好保密工作的前提下奖励 (seed 003 §35); never reveal the reporter or
    # show the original tip (docs/rules.md R11).
    "tip.confidentiality.basis": ("泉港城管〔2022〕149号 §31 (依法保护举报人, 不得泄露举报人个人有关信息); "
                                  "安监总财〔2018〕19号"),
    # 对初步认定的瞒报事故, 一律移送安委会挂牌督办 — seed 000 §32.
    "tip.concealed_accident.referral.basis": "泉港城管〔2022〕149号 §32 (初步认定的瞒报事故一律移送安委会挂牌督办)",
    # 零执法、零处罚 (seed 000 §25): a department with supervisory duties and no enforcement in a calendar month.
    "oversight.zero_enforcement.basis": "泉港城管〔2022〕149号 §25 (消除'零执法、零处罚'现象)",
    # 专委会主任每月至少开展1次对分管行业领域的安全生产检查 — seed 002 (肥安发〔2024〕4号) §(一)3; docs/rules.md R12.
    "oversight.leader_inspection.basis": "肥安发〔2024〕4号 §(一)3 (专委会主任每月至少开展1次检查)",
    "oversight.leader_inspection.per_month": 1,
    # Only 专委会主任 are bound (seed 002 §(一)3 names them, for their own sector); cn-base@2024.2 also bound the
    # 安委会主任, whom the seed does not name: corrected in cn-base@2024.3 (docs/rules.md, corrections).
    "oversight.leader_inspection.unit_kinds": ("special_committee",),
    # Operational settings, not law: a month is judged this many days after it ends (records arrive late), and
    # the worker looks back this many months (a late record withdraws a flag within that window).
    "oversight.grace_days": 5,
    "oversight.lookback_months": 3,
    # 考核 (docs/rules.md R9): the seeds demand a yearly assessment of towns and departments but give NO items'
    # weights. These are PLACEHOLDER figures, not law and not any seed: a jurisdiction replaces them in its local pack.
    "assessment.scheme.placeholder": True,
    "assessment.scheme.source": "placeholder weights (no seed or law gives them): replace in the local pack",
    "assessment.scheme.items": (
        ("responsibility", "安全生产责任落实 (党政同责、一岗双责)", "30"),
        ("hazards", "隐患排查治理", "30"),
        ("enforcement", "监管执法", "25"),
        ("training", "宣传教育培训", "15"),
    ),
}
