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
    # escalations up to cn-base@2024.3 cited seed 000 §16, §27 (they keep it); from cn-base@2024.4 they cite this.
    # The law escalates nothing (levels 0); from cn-base@2024.7 only a local pack sets levels, as its local practice.
    "hazard.escalation.basis": "local practice (no seed or law states it; seed 001 ¶5 says only 分级督办)",
    "hazard.escalation.levels": 0,
    # 回头看 of a hazard after close-out — seed 003 ¶16 (结合实际组织整改落实情况"回头看"核查, 确保闭环销号); from
    # cn-base@2024.6 (earlier reviews carry the basis their command gave, if any).
    "hazard.review.basis": "狮安委〔2023〕3号 ¶16 (整改落实情况\"回头看\"核查, 确保闭环销号)",
    # 自查自报 exemption: a major hazard found by the enterprise itself, reported as required and being fixed
    # effectively is not penalised — seed 004 §三(二)3(2).
    "hazard.self_reported_exemption.basis": "方积政发〔2023〕11号 §三(二)3(2)",
    # --- citations carried in events' basis, corrected in cn-base@2024.6 (old events keep theirs) ----------
    # 党政同责 and the first responsible: 《地方党政领导干部安全生产责任制规定》(厅字〔2018〕13号) 第四条: "实行地方党政
    # 领导干部安全生产责任制，应当坚持党政同责、一岗双责、齐抓共管、失职追责…。地方各级党委和政府主要负责人是本地区安全
    # 生产第一责任人，班子其他成员对分管范围内的安全生产工作负领导责任。" cn-base@2024.6–2024.8 cited 第五条 (marked
    # unverified; 第五条 opens chapter 2, the party main leaders' duties); up to 2024.5 第三条, which says neither
    # (docs/rules.md R9, corrections). Seed 001 ¶3 (落实党政同责及"一岗双责"制度).
    "posts.joint_responsibility.basis": ("《地方党政领导干部安全生产责任制规定》第四条 (党政同责; 地方各级党委和"
                                         "政府主要负责人是本地区安全生产第一责任人); 惠政文〔2014〕53号 ¶3"),
    # The bar on a leader held responsible — 《地方党政领导干部安全生产责任制规定》: 对因发生生产安全事故被追究领导
    # 责任的地方党政领导干部，在相关规定时限内，取消考核评优和评选各类先进资格，不得晋升职务、级别或者重用任职
    # (the words as the provinces' 实施细则 repeat them; article number unverified, docs/rules.md R9). The period is
    # the decision's.
    "accountability.bar.basis": ("《地方党政领导干部安全生产责任制规定》(厅字〔2018〕13号): 取消考核评优和评选各类先进"
                                 "资格，不得晋升职务、级别或者重用任职 (article number unverified)"),
    # Which post is higher (the bar's 晋升职务): the 规定 names no ranks. A reading, not law: the leadership ranks of
    # domain/posts.py, higher first by level (a unit higher in the tree), then by rank.
    "accountability.promotion.ranks": {"deputy_leader": 1, "committee_head": 2, "department_head": 2,
                                       "government_head": 3, "party_secretary": 4},
    "posts.main_responsible.basis": "安全生产法 第5条",
    # 全员 includes dispatched, flexible and intern workers — seed 000 ¶19–20 (劳务派遣人员和灵活用工人员纳入本单位统一
    # 管理); seed 004 §三(一)2(5).
    "posts.all_staff.basis": "泉港城管〔2022〕149号 ¶19–20 (劳务派遣和灵活用工人员纳入本单位统一管理); "
                             "方积政发〔2023〕11号 §三(一)2(5)",
    # 网格 — seed 001 ¶13 (党政同责网格化监管领导体制); seed 002 ¶16 ("网格+安全生产", 网格员巡查).
    "inspection.grid.basis": "惠政文〔2014〕53号 ¶13 (网格化监管); 肥安发〔2024〕4号 ¶16 (网格员\"巡查\")",
    # 四个一律 — seed 000 ¶22 (停业整顿、关闭取缔、上限处罚、追究法律责任).
    "unit.ban.basis": "泉港城管〔2022〕149号 ¶22 (四个一律: 关闭取缔)",
    # The lead-unit rule: 谁主管谁牵头、谁为主谁牵头、谁靠近谁牵头 — seed 000 ¶7; seed 002 ¶9. Neither says who breaks
    # a tie: that the safety committee decides (安委会研究确定) is local practice.
    "supervision.lead.basis": ("泉港城管〔2022〕149号 ¶7; 肥安发〔2024〕4号 ¶9 "
                               "(谁主管谁牵头、谁为主谁牵头、谁靠近谁牵头)"),
    "supervision.lead.committee.basis": "local practice (安委会研究确定: no seed or law says who breaks a tie of the "
                                        "lead-unit rule)",
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
    # Who earns nothing (安监总财〔2018〕19号 第七条): a matter the enterprise or the supervising department had already
    # found and was handling (只奖励 没有发现，或者虽然发现但未按有关规定依法处理 的), and reports by staff with safety
    # management, supervisory or inspection duties, their close relatives or people they put up to it.
    "tip.reward.exclusion.basis": "《安全生产领域举报奖励办法》(安监总财〔2018〕19号) 第七条",
    # 举报人接到领奖通知后，应当在60日内…领取奖金；逾期未领取奖金者，视为放弃领奖权利；能够说明理由的，可以适当延长.
    # (安监总财〔2018〕19号; the article number is not verified against the official text.)
    "tip.reward.collection_days": 60,
    "tip.reward.collection.basis": "《安全生产领域举报奖励办法》(安监总财〔2018〕19号): 领奖通知后60日内领取 (article "
                                   "number unverified)",
    # 不得泄露举报人个人有关信息 (seed 000 §31); 在做好保密工作的前提下奖励 (seed 003 §35); never reveal the reporter or
    # show the original tip (docs/rules.md R11).
    "tip.confidentiality.basis": ("泉港城管〔2022〕149号 §31 (依法保护举报人, 不得泄露举报人个人有关信息); "
                                  "安监总财〔2018〕19号"),
    # 对初步认定的瞒报事故, 一律移送安委会挂牌督办 — seed 000 §32.
    "tip.concealed_accident.referral.basis": "泉港城管〔2022〕149号 §32 (初步认定的瞒报事故一律移送安委会挂牌督办)",
    # 零执法、零处罚 (seed 000 §25): a department with supervisory duties and no enforcement in a calendar month.
    "oversight.zero_enforcement.basis": "泉港城管〔2022〕149号 §25 (消除'零执法、零处罚'现象)",
    # 专委会主任每月至少开展1次对分管行业领域的安全生产检查 — seed 002 (肥安发〔2024〕4号) §(一)3; docs/rules.md R12.
    "oversight.leader_inspection.basis": ("肥安发〔2024〕4号 §(一)3 "
                                          "(专委会主任每月至少开展1次对分管行业领域的安全生产检查)"),
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
    # PLACEHOLDER rating bands (from cn-base@2024.9): 优秀 from 90, 合格 from 60 points, 不合格 below. No seed or law
    # gives them; a vetoed unit (一票否决, seed 001 ¶30) is rated 一票否决 whatever its points.
    "assessment.scheme.ratings": (("excellent", "90"), ("passed", "60")),
    # 事故等级 — 《生产安全事故报告和调查处理条例》(国务院令第493号) 第3条: the grade is the highest that any of deaths,
    # serious injuries (incl. acute industrial poisoning) and direct economic loss reaches; "以上" includes the figure.
    "accident.grade.basis": "《生产安全事故报告和调查处理条例》(国务院令第493号) 第3条",
    "accident.grade.thresholds": {
        "extraordinary": {"deaths": 30, "serious_injuries": 100, "direct_loss_yuan": 100_000_000},
        "major": {"deaths": 10, "serious_injuries": 50, "direct_loss_yuan": 50_000_000},
        "serious": {"deaths": 3, "serious_injuries": 10, "direct_loss_yuan": 10_000_000},
    },
    # 事故报告 — 493号令 第9条: 单位负责人接到报告后, 应当于1小时内向事故发生地县级以上人民政府安全生产监督管理部门和
    # 负有安全生产监督管理职责的有关部门报告; 第11条: 每级上报的时间不得超过2小时; 第10条: the top level by grade.
    "accident.report.basis": "493号令 第9–12条; 应急管理部令第14号 (迟报、漏报、谎报、瞒报)",
    "accident.report.unit_head_hours": 1,
    "accident.report.per_level_hours": 2,
    "accident.report.top_level": {"general": "city", "serious": "province", "major": "national",
                                  "extraordinary": "national"},
    # 报告事故应当包括下列内容 (493号令 第12条): 事故发生单位概况; 发生的时间、地点以及事故现场情况; 简要经过;
    # 已经造成或者可能造成的伤亡人数(包括下落不明的人数)和初步估计的直接经济损失; 已经采取的措施.
    "accident.report.mandatory_items": ("unit", "time", "place", "scene", "sequence", "casualties", "loss",
                                        "measures"),
    # 补报 — 493号令 第13条: 自事故发生之日起30日内, 事故造成的伤亡人数发生变化的, 应当及时补报; 道路交通事故、
    # 火灾事故自发生之日起7日内.
    "accident.supplementary.basis": "493号令 第13条",
    "accident.supplementary.window_days": {"default": 30, "road_traffic": 7, "fire": 7},
    # 瞒报 suspected: an accident first known from a tip, a police or hospital record before the unit reported it;
    # 对初步认定的瞒报事故, 一律移送安委会挂牌督办, 必要时提级调查 (seed 000 §32). Confirmed only by an investigator.
    "accident.concealment.basis": ("泉港城管〔2022〕149号 §32 (初步认定的瞒报事故一律移送安委会挂牌督办, "
                                   "必要时提级调查)"),
    # 事故调查 — 493号令 第19条 (the level by grade), 第20条 (上级人民政府认为必要时可以调查由下级人民政府负责调查的
    # 事故),
    # 第25条 (60日, 经批准延长最长不超过60日), 第27条 (技术鉴定所需时间不计入事故调查期限), 第32条 (批复: 15日; 特别重大
    # 30日, 特殊情况下延长不超过30日); 安全生产法 第86条 (批复后一年内评估整改和防范措施的落实).
    "accident.investigation.basis": "493号令 第19、20、25、27、32条; 安全生产法 第86、87条",
    "accident.investigation.level": {"general": "county", "serious": "city", "major": "province",
                                     "extraordinary": "national"},
    "accident.investigation.days": 60,
    "accident.investigation.extension_max_days": 60,
    "accident.approval.days": {"general": 15, "serious": 15, "major": 15, "extraordinary": 30},
    "accident.evaluation.basis": "安全生产法 第86条 (批复后一年内评估, 并及时向社会公开评估结果)",
    "accident.evaluation.years": 1,
    # 一案四查 (seed 000 §32) and 四不放过: the lines an investigation establishes (unverified: the official list of
    # lines is kept here so that it can be edited) and the four closing conditions (docs/rules.md R4).
    "investigation.lines": ("entity", "supervisory", "territorial", "leadership", "intermediary"),
    "investigation.lines.basis": ("泉港城管〔2022〕149号 §32 (一案四查、两个倒查); 狮安委〔2023〕3号 §22 "
                                  "(查清企业主体责任、属地管理责任和部门监管责任); 安全生产法 第87、92条 "
                                  "(the list itself: unverified)"),
    "investigation.closing.basis": "493号令 第33条; 狮安委〔2023〕3号 §30 (四不放过, 责任倒查, 整改落实评估)",
    "investigation.closing_conditions": ("cause_found", "responsible_dealt_with", "measures_carried_out",
                                         "people_educated"),
    # --- administrative penalty cases (行政处罚法 2021; 安全生产法 2021; docs/rules.md R5–R7) -------------
    # 第36条: "违法行为在二年内未被发现的，不再给予行政处罚；涉及公民生命健康安全、
    # 金融安全且有危害后果的，上述期限延长至五年" — counted from the act, or from the end of a continuing act.
    "penalty.limitation.basis": "行政处罚法 第36条",
    "penalty.limitation.years": 2,
    "penalty.limitation.years_endangered": 5,
    # 第60条: a decision within 90 days of opening (立案).
    "penalty.decision.basis": "行政处罚法 第60条",
    "penalty.decision.days": 90,
    # 第64条: a hearing is requested within 5 days of the notice; 第85条: those days are working days.
    "penalty.hearing.basis": "行政处罚法 第64条、第85条",
    "penalty.hearing.working_days": 5,
    # 第67条: payment within 15 days of receiving the decision.
    "penalty.payment.basis": "行政处罚法 第67条",
    "penalty.payment.days": 15,
    # 第72条(一): 3 % of the fine per day late, never more than the fine.
    "penalty.surcharge.basis": "行政处罚法 第72条第一款第(一)项",
    "penalty.surcharge.daily_rate": "0.03",
    # 安全生产法 第112条: 按照原处罚数额按日连续处罚, from the day after the order to correct was made.
    "penalty.daily_fine.basis": "安全生产法 第112条",
    # 安全生产法 第113条第(一)项: 存在重大事故隐患，一百八十日内三次或者一年内四次受到本法规定的行政处罚的 → 关闭
    # (checked against the published text in cn-base@2025.1; before, the pack cited 第(四)项, which is 拒不执行停产停业
    # 整顿决定 — events decided then keep the basis they recorded).
    "penalty.closure.basis": "安全生产法 第113条第(一)项",
    "penalty.closure.times_in_180_days": 3,
    "penalty.closure.times_in_a_year": 4,
    # Fine ranges in yuan (docs/rules.md R5, R6). ``unit``/``person``: [minimum, maximum] (minimum 0 where the
    # article says
    # only 以下); ``unit_refused``: after 逾期未改正 / 拒不执行; ``person_percent_of_income`` for 第95条.
    "penalty.articles": {
        "安全生产法 第94条": {"trigger": "主要负责人未履行本法规定的安全生产管理职责",
                          "person": [20_000, 50_000], "person_refused": [50_000, 100_000]},
        # 第97条, 第101条: "责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，并处十万元以上二十万元
        # 以下的罚款，对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款" — the persons are fined only
        # after 逾期未改正 (cn-base@2025.1; before, the pack gave them that range in the first branch too).
        "安全生产法 第97条": {"trigger": "未按规定设置安全生产管理机构、配备管理人员，未进行教育培训，"
                                      "特种作业人员未持证，未制定应急预案等",
                          "unit": [0, 100_000], "unit_refused": [100_000, 200_000],
                          "person_refused": [20_000, 50_000]},
        "安全生产法 第101条": {"trigger": "未建立安全风险分级管控制度或隐患排查治理制度，"
                                       "重大事故隐患排查治理情况未按规定报告",
                           "unit": [0, 100_000], "unit_refused": [100_000, 200_000],
                           "person_refused": [20_000, 50_000]},
        "安全生产法 第102条": {"trigger": "未采取措施消除事故隐患",
                           "unit": [0, 50_000], "person_refused": [50_000, 100_000]},
        # 第105条: "责令限期改正，处五万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处一万元以下的罚款" — both
        # fined in the first branch (一案双罚).
        "安全生产法 第105条": {"trigger": "危险物品车间、商店、仓库与员工宿舍在同一座建筑内或距离不符合要求，"
                                       "生产经营场所和员工宿舍疏散通道、出口不符合要求或被占用、锁闭、封堵",
                           "unit": [0, 50_000], "person": [0, 10_000]},
        # 第114条第二款: "发生生产安全事故，情节特别严重、影响特别恶劣的，应急管理部门可以按照前款罚款数额的二倍以上
        # 五倍以下对负有责任的生产经营单位处以罚款" — twice the first paragraph's minimum to five times its maximum.
        **{f"安全生产法 第114条第二款({grade})": {
            "trigger": f"发生{grade}，情节特别严重、影响特别恶劣 (按第一款罚款数额的二倍以上五倍以下)",
            "unit": [2 * low, 5 * high]}
           for grade, (low, high) in (("一般事故", (300_000, 1_000_000)), ("较大事故", (1_000_000, 2_000_000)),
                                      ("重大事故", (2_000_000, 10_000_000)),
                                      ("特别重大事故", (10_000_000, 20_000_000)))},
    },
    "penalty.accident.basis": "安全生产法 第114条、第95条",
    "penalty.accident.unit": {"general": [300_000, 1_000_000], "serious": [1_000_000, 2_000_000],
                              "major": [2_000_000, 10_000_000], "extraordinary": [10_000_000, 20_000_000]},
    "penalty.accident.person_percent_of_income": {"general": 40, "serious": 60, "major": 80, "extraordinary": 100},
    # 从重 and 不予处罚 (docs/rules.md R7) are local packs: the law sets no aggravating trigger of its own. A local pack
    # lists its triggers (``penalty.discretion.triggers``: code → the text that states it) and its exemption
    # (``penalty.exemption.basis``); here, none.
    "penalty.discretion.triggers": {},
    "penalty.exemption.basis": None,
    # Local practice (no national text sets it): a range splits in two tiers at its midpoint; the standard tier
    # proposes its midpoint, the aggravated (较高) tier the article's maximum (seed 003 ¶28: 较高或者最高处罚档次).
    "penalty.discretion.practice": "local practice: tiers split the range at its midpoint; standard proposes the lower "
                                   "tier's midpoint, aggravated the maximum",
    # 工作日 (行政处罚法 第85条): the national arrangement of public holidays and make-up working days
    # (国办发明电〔2023〕7号 for 2024; 国办发明电〔2024〕12号 for 2025). Other years: load them into a pack.
    "calendar.basis": "国办发明电〔2023〕7号; 国办发明电〔2024〕12号",
    "calendar.holidays": (
        "2024-01-01", *(f"2024-02-{d:02d}" for d in range(10, 18)), "2024-04-04", "2024-04-05", "2024-04-06",
        *(f"2024-05-{d:02d}" for d in range(1, 6)), "2024-06-10", "2024-09-15", "2024-09-16", "2024-09-17",
        *(f"2024-10-{d:02d}" for d in range(1, 8)),
        "2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02",
        "2025-02-03", "2025-02-04", "2025-04-04", "2025-04-05", "2025-04-06",
        *(f"2025-05-{d:02d}" for d in range(1, 6)), "2025-05-31", "2025-06-01", "2025-06-02",
        *(f"2025-10-{d:02d}" for d in range(1, 9)),
    ),
    "calendar.makeup_workdays": (
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29",
        "2024-10-12", "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    ),
    # 文书编号 (domain/document_numbers.py): local practice — no text at hand fixes the wording; each department
    # numbers each series from 1 every year.
    "documents.basis": "local practice: 文书编号 per issuing department, series and year, numbered from 1",
    "documents.series": {"rectification_order": "{issuer}责改〔{year}〕{n}号",
                         "suspension_order": "{issuer}现决〔{year}〕{n}号"},
    # 复查 of an order (docs/rules.md R8): due the given number of working days after the order's deadline, or after
    # the rectification was submitted if that came first — local practice: no text at hand states a number of days.
    "orders.reinspection.working_days": 3,
    "orders.reinspection.basis": "local practice: 复查 within 3 working days of the order's deadline or of the "
                                 "submitted rectification, whichever is first (no text at hand states a figure)",
    # 严重失信主体名单 (应急管理部令第11号; docs/rules.md R10). The grounds' words: domain/rules/blacklist.py.
    "blacklist.basis": "应急管理部令第11号 第四条第二款: 按照\u201c谁处罚、谁决定、谁负责\u201d的原则，"
                       "由作出行政处罚决定的应急管理部门负责严重失信主体名单管理工作",
    # The grounds a decided penalty meets by its article (domain.rules.blacklist.decision_grounds): the blacklist
    # policy proposes the listing once the case is decided with a fine.
    "blacklist.decision_grounds": {
        f"安全生产法 第114条第二款({grade})": ("multiplied_fine",)
        for grade in ("一般事故", "较大事故", "重大事故", "特别重大事故")},
    "blacklist.major_grades": ("major", "extraordinary"),  # 发生特别重大、重大生产安全事故
    "blacklist.serious.count": 2,  # 12个月内累计发生2起以上较大生产安全事故
    "blacklist.serious.months": 12,
    # The term (管理期限) of 3 years is docs/rules.md R10's figure; the article number is unverified.
    "blacklist.term_years": 3,
    "blacklist.term.basis": "应急管理部令第11号: 管理期限为3年 (docs/rules.md R10; article number unverified)",
    # Early removal after 12 months: local practice, unverified for the national text (docs/rules.md R10).
    "blacklist.early_removal.after_months": 12,
    "blacklist.early_removal.basis": "local practice (docs/rules.md R10: 列入满12个月可申请提前移出, unverified "
                                     "for the national text)",
    # 承包单位动态审核 (seed 000 ¶18: 发包单位应加强承包单位资质情况的动态审核工作): no text at hand states how often;
    # the next review falls due this many months after the last — local practice, a local pack may set its own.
    "outsourcing.review.interval_months": 12,
    "outsourcing.review.basis": "local practice: the next 动态审核 of a contractor within 12 months of the last "
                                "(泉港城管〔2022〕149号 ¶18 asks for 动态审核 and states no interval)",
}
