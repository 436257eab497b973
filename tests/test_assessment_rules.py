"""考核 and its veto (docs/rules.md R9) as pure functions: boundaries at 0, 1, 3, 5 (and n±1), the source quoted.

Seed 001 ¶30 (惠济区): "辖区内生产经营单位发生1起以上非法违法生产经营建设行为且造成较大影响的，对镇（街道）和主管部门
分管领导实行诫勉谈话；发生 3 起以上的对党政主要领导实行诫勉谈话，5 起以上的对镇（街道）和行业主管部门'一票否决'；
辖区内发生 1 起以上（含 1 起）一般生产安全责任事故且造成人员死亡的，对镇（街道）和行业主管部门'一票否决'".
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import Rejected
from domain.rules import pack_for
from domain.rules.assessment import assess, assessment_scheme
from domain.rules.assessment_veto import VetoConsequence, judge_veto, veto_rule

HUIJI = pack_for("410000/410100/410108/410108001")
QUANGANG = pack_for("350000/350500/350505")
D, M, V = (VetoConsequence.admonition_of_deputies, VetoConsequence.admonition_of_main_leaders,
           VetoConsequence.assessment_veto)


@pytest.mark.parametrize(("acts", "accidents", "consequences"), [
    (0, 0, ()),
    (1, 0, (D,)),  # "1起以上 … 分管领导实行诫勉谈话"
    (2, 0, (D,)),
    (3, 0, (D, M)),  # "3 起以上的对党政主要领导实行诫勉谈话"
    (4, 0, (D, M)),
    (5, 0, (D, M, V)),  # "5 起以上的 … '一票否决'"
    (6, 0, (D, M, V)),
    (0, 1, (V,)),  # "1 起以上（含 1 起）一般生产安全责任事故且造成人员死亡的 … '一票否决'"
    (0, 2, (V,)),
    (2, 1, (D, V)),
])
def test_veto_thresholds_of_seed_001_para_30(acts: int, accidents: int,
                                             consequences: tuple[VetoConsequence, ...]) -> None:
    rule = veto_rule(HUIJI)
    assert rule is not None
    finding = judge_veto(rule, acts, accidents)
    assert finding.consequences == consequences
    assert finding.vetoed is (V in consequences)
    assert len(finding.reasons) == len(consequences) + (acts >= 5 and accidents >= 1)
    assert "¶30" in finding.rule.basis


def test_the_veto_is_local_to_the_pack_of_seed_001() -> None:
    assert veto_rule(QUANGANG) is None
    assert "huiji@2014.1" in HUIJI.version_tag
    rule = veto_rule(HUIJI)
    assert rule is not None
    assert rule.accident_grades == ("general",)


@pytest.mark.parametrize(("acts", "accidents"), [(-1, 0), (0, -1)])
def test_negative_counts_are_refused(acts: int, accidents: int) -> None:
    rule = veto_rule(HUIJI)
    assert rule is not None
    with pytest.raises(Rejected) as refused:
        judge_veto(rule, acts, accidents)
    assert refused.value.code == "count-negative"


def test_the_shipped_scheme_is_marked_placeholder_and_weighs_to_100() -> None:
    scheme = assessment_scheme(HUIJI)
    assert scheme.placeholder is True
    assert "placeholder" in scheme.source
    assert sum(item.weight for item in scheme.items) == 100


def test_the_score_is_weighted_and_a_veto_overrides_it() -> None:
    scheme = assessment_scheme(QUANGANG)
    scores = {item.code: Decimal(100) for item in scheme.items}
    assert assess(scheme, scores, vetoed=False).score == Decimal("100.00")
    scores["hazards"] = Decimal(50)  # weight 30 (placeholder): loses 15 points
    result = assess(scheme, scores, vetoed=True)
    assert (result.score, result.vetoed, result.placeholder) == (Decimal("85.00"), True, True)


@pytest.mark.parametrize(("change", "code"), [
    ({"hazards": Decimal("100.01")}, "score-out-of-range"),
    ({"hazards": Decimal("-0.01")}, "score-out-of-range"),
    ({"unknown": Decimal(1)}, "items-mismatch"),
])
def test_bad_scores_are_refused(change: dict[str, Decimal], code: str) -> None:
    scheme = assessment_scheme(QUANGANG)
    scores = {item.code: Decimal(100) for item in scheme.items} | change
    with pytest.raises(Rejected) as refused:
        assess(scheme, scores, vetoed=False)
    assert refused.value.code == code


def test_a_missing_item_is_refused() -> None:
    scheme = assessment_scheme(QUANGANG)
    with pytest.raises(Rejected) as refused:
        assess(scheme, {"hazards": Decimal(100)}, vetoed=False)
    assert refused.value.code == "items-mismatch"
