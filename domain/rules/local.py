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


LOCAL_PACKS: tuple[LocalPack, ...] = (
    LocalPack(
        name="quangang",
        version="2022.2",
        scope="350000/350500/350505",
        source="泉港城管〔2022〕149号",
        rules={
            "three_musts.basis": "泉港城管〔2022〕149号 §4 (三管三必须、谁主管谁负责)",
            # (unverified) Rotation of inspectors in 双随机 draws: the notice demands 双随机 and forbids 选择性执法
            # (§25); that an inspector is not drawn again for the target they inspected last time is local practice.
            "random_draw.exclude_previous_inspector": True,
            "random_draw.exclude_previous_inspector.source": "泉港城管〔2022〕149号 §25 (双随机, 杜绝选择性执法); "
                                                            "rotation of inspectors: local practice (unverified)",
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
