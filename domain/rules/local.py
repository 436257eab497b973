"""Local packs: one per jurisdiction and year, overriding or adding to the base pack.

Rules marked *(unverified)* in ``docs/rules.md`` live here so that they can be edited without touching
the law.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LocalPack:
    name: str
    version: str
    scope: str
    """The jurisdiction path it applies to (and below)."""
    source: str
    rules: dict[str, Any]


JICUI_SCOPE = "积翠镇"
"""(unverified) 积翠镇's administrative code is not in its notice: its pack applies to this placeholder path until a
deployment registers the town and sets its jurisdiction path here."""

LOCAL_PACKS: tuple[LocalPack, ...] = (
    LocalPack(
        name="quangang",
        version="2022.4",
        scope="350000/350500/350505",
        source="泉港城管〔2022〕149号",
        rules={
            "three_musts.basis": "泉港城管〔2022〕149号 §4 (三管三必须、谁主管谁负责)",
            # An overdue major hazard's listing goes one level up: an operational setting of this pack — local
            # practice, in no seed or law (seed 001 ¶5 says only 分级督办; seed 000 ¶27 makes overdue aggravate a
            # penalty, nothing more). The escalation cites ``hazard.escalation.basis`` (local practice).
            "hazard.escalation.levels": 1,
            # (unverified) Rotation of inspectors in 双随机 draws: the notice demands 双随机 and forbids 选择性执法
            # (§25); that an inspector is not drawn again for the target they inspected last time is local practice.
            "random_draw.exclude_previous_inspector": True,
            "random_draw.exclude_previous_inspector.source": "泉港城管〔2022〕149号 §25 (双随机, 杜绝选择性执法); "
                                                            "rotation of inspectors: local practice (unverified)",
            # seed 000 ¶27: 对违法行为逾期未整改的或整改不到位的，以及同一违法行为反复出现的，依法从重查处.
            "penalty.discretion.triggers": {
                "not_corrected_by_deadline": "泉港城管〔2022〕149号 ¶27 (违法行为逾期未整改的…依法从重查处)",
                "same_violation_repeated": "泉港城管〔2022〕149号 ¶27 (同一违法行为反复出现的，依法从重查处)",
            },
            # local practice: the notice names no period for 反复出现; a penalty for the same article within the year
            # before the case counts.
            "penalty.discretion.repeat_window_years": 1,
        },
    ),
    LocalPack(
        name="shishi",
        version="2023.1",
        scope="350000/350500/350581",
        source="狮安委〔2023〕3号",
        rules={
            # seed 003 ¶28: 将未按规定排查治理事故隐患、开展安全生产标准化建设的，违法行为逾期未改正的，一年内因安全生产
            # 违法行为受到两次以上行政处罚的，…列入行政处罚自由裁量基准较高或者最高处罚档次. The triggers the history
            # shows; obstructing officers, destroying evidence and fleeing after an accident are not recorded events.
            "penalty.discretion.triggers": {
                "hazards_not_remedied": "狮安委〔2023〕3号 ¶28 (未按规定排查治理事故隐患)",
                "not_corrected_by_deadline": "狮安委〔2023〕3号 ¶28 (违法行为逾期未改正)",
                "prior_penalties": "狮安委〔2023〕3号 ¶28 (一年内因安全生产违法行为受到两次以上行政处罚)",
            },
            "penalty.discretion.prior_penalties": 2,
        },
    ),
    LocalPack(
        name="jicui",
        version="2023.2",
        scope=JICUI_SCOPE,
        source="方积政发〔2023〕11号",
        rules={
            # seed 004 §三(一)1(4): 专项行动期间，主要负责人每月要带队对本单位重大事故隐患排查整治情况至少开展1次检查;
            # §四: 专项行动至12月底结束, 动员部署 by late May 2023. The first month judged, June, is the first whole
            # month after 动员部署 — local reading: the notice gives no start date (domain/rules/campaigns.py).
            "campaign.periods": (
                {"code": "jicui-2023-major-hazards", "title": "积翠镇重大事故隐患专项排查整治2023行动",
                 "first_month": "2023-06", "last_month": "2023-12", "per_month": 1,
                 "basis": "方积政发〔2023〕11号 §三(一)1(4) (专项行动期间，主要负责人每月要带队对本单位重大事故隐患"
                          "排查整治情况至少开展1次检查); §四 (至12月底结束)"},
            ),
            # seed 004 §三(二)3(2): 对企业自查查出的重大事故隐患，已按规定报告并正在采取有效措施消除的，不予行政处罚.
            "penalty.exemption.basis": "方积政发〔2023〕11号 §三(二)3(2) (企业自查查出的重大事故隐患，已按规定报告并"
                                       "正在采取有效措施消除的，不予行政处罚)",
        },
    ),
    LocalPack(
        name="huiji",
        version="2014.1",
        scope="410000/410100/410108",
        source="惠济区人民政府《关于进一步加强安全生产工作的意见》(seed 001)",
        rules={
            # 一票否决 (考核) — seed 001 ¶30: per 镇（街道） and competent department and calendar year,
            # "1起以上" illegal acts with large impact → 分管领导诫勉谈话; "3 起以上" → 党政主要领导诫勉谈话;
            # "5 起以上" → 一票否决;
            # "1 起以上（含 1 起）一般生产安全责任事故且造成人员死亡" → 一票否决. 以上 counts the number itself.
            "assessment_veto.basis": "惠济区《关于进一步加强安全生产工作的意见》¶30 (责任追究和\"一票否决\"制度)",
            "assessment_veto.deputies_admonished_at": 1,
            "assessment_veto.main_leaders_admonished_at": 3,
            "assessment_veto.vetoed_at": 5,
            "assessment_veto.fatal_accidents_vetoed_at": 1,
            "assessment_veto.accident_grades": ("general",),
        },
    ),
)
