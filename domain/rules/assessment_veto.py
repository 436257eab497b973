"""一票否决 (考核) — the assessment veto of seed 001 ¶30 (郑州市惠济区, a LOCAL pack; docs/rules.md R9).

The seed says, per jurisdiction (镇/街道) and its competent department, for one calendar year:

    辖区内生产经营单位发生1起以上非法违法生产经营建设行为且造成较大影响的，对镇（街道）和主管部门分管领导实行诫勉谈话；
    发生 3 起以上的对党政主要领导实行诫勉谈话，5 起以上的对镇（街道）和行业主管部门"一票否决"；
    辖区内发生 1 起以上（含 1 起）一般生产安全责任事故且造成人员死亡的，对镇（街道）和行业主管部门"一票否决"。

"以上" counts the number itself (1 起以上 = one or more), so the thresholds are ≥ 1, ≥ 3, ≥ 5 and ≥ 1 fatal accident,
and the consequences accumulate: at 3 acts both the deputies in charge and the main leaders are admonished. The
thresholds are pack keys (``assessment_veto.*``) present only in the 惠济区 pack: elsewhere :func:`veto_rule` is
``None`` and nothing is judged. The accident grades that count are the seed's words only (一般); a pack may widen them.

This is not the project veto (一票否决 of a project, seed 003 ¶31: a plan or project with a major safety risk refused
at approval), which decides nothing about a year's assessment.
"""

from __future__ import annotations

from enum import StrEnum

from domain.base import Frozen, require
from domain.rules import RulesPack


class VetoConsequence(StrEnum):
    admonition_of_deputies = "admonition_of_deputies"  # 分管领导诫勉谈话
    admonition_of_main_leaders = "admonition_of_main_leaders"  # 党政主要领导诫勉谈话
    assessment_veto = "assessment_veto"  # 一票否决


CONSEQUENCE_TERMS = {
    VetoConsequence.admonition_of_deputies: "分管领导诫勉谈话",
    VetoConsequence.admonition_of_main_leaders: "党政主要领导诫勉谈话",
    VetoConsequence.assessment_veto: "一票否决",
}


class VetoRule(Frozen):
    """The thresholds of one pack; each figure from the pack, each pack citing its source."""

    deputies_admonished_at: int
    main_leaders_admonished_at: int
    vetoed_at: int
    fatal_accidents_vetoed_at: int
    accident_grades: tuple[str, ...]
    basis: str


class VetoFinding(Frozen):
    """What the year's counts mean under the rule: the consequences in force and why, with the rule applied."""

    illegal_acts: int
    fatal_accidents: int
    consequences: tuple[VetoConsequence, ...]
    reasons: tuple[str, ...]
    rule: VetoRule

    @property
    def vetoed(self) -> bool:
        return VetoConsequence.assessment_veto in self.consequences


def veto_rule(pack: RulesPack) -> VetoRule | None:
    """The veto rule of ``pack``, or ``None`` where no local pack sets one (it is local to seed 001's district)."""
    if "assessment_veto.basis" not in pack.rules:
        return None
    return VetoRule(
        deputies_admonished_at=int(pack["assessment_veto.deputies_admonished_at"]),
        main_leaders_admonished_at=int(pack["assessment_veto.main_leaders_admonished_at"]),
        vetoed_at=int(pack["assessment_veto.vetoed_at"]),
        fatal_accidents_vetoed_at=int(pack["assessment_veto.fatal_accidents_vetoed_at"]),
        accident_grades=tuple(pack["assessment_veto.accident_grades"]),
        basis=str(pack["assessment_veto.basis"]),
    )


def judge_veto(rule: VetoRule, illegal_acts: int, fatal_accidents: int) -> VetoFinding:
    """Judge one jurisdiction's calendar year: ``illegal_acts`` is the number of illegal production, operation or
    construction acts with large impact (非法违法生产经营建设行为且造成较大影响); ``fatal_accidents`` the number of
    liability accidents of a grade in ``rule.accident_grades`` with at least one death."""
    require(illegal_acts >= 0, "count-negative", "a count of illegal acts cannot be negative", field="illegal_acts")
    require(fatal_accidents >= 0, "count-negative", "a count of accidents cannot be negative",
            field="fatal_accidents")
    consequences: list[VetoConsequence] = []
    reasons: list[str] = []
    if illegal_acts >= rule.deputies_admonished_at:
        consequences.append(VetoConsequence.admonition_of_deputies)
        reasons.append(f"{illegal_acts} 起非法违法行为 ≥ {rule.deputies_admonished_at}: 分管领导诫勉谈话")
    if illegal_acts >= rule.main_leaders_admonished_at:
        consequences.append(VetoConsequence.admonition_of_main_leaders)
        reasons.append(f"{illegal_acts} 起非法违法行为 ≥ {rule.main_leaders_admonished_at}: 党政主要领导诫勉谈话")
    vetoed_by_acts = illegal_acts >= rule.vetoed_at
    vetoed_by_accidents = fatal_accidents >= rule.fatal_accidents_vetoed_at
    if vetoed_by_acts:
        reasons.append(f"{illegal_acts} 起非法违法行为 ≥ {rule.vetoed_at}: 一票否决")
    if vetoed_by_accidents:
        reasons.append(f"{fatal_accidents} 起死亡责任事故 ≥ {rule.fatal_accidents_vetoed_at}: 一票否决")
    if vetoed_by_acts or vetoed_by_accidents:
        consequences.append(VetoConsequence.assessment_veto)
    return VetoFinding(illegal_acts=illegal_acts, fatal_accidents=fatal_accidents,
                       consequences=tuple(consequences), reasons=tuple(reasons), rule=rule)
