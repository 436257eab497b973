"""三管三必须 and the lead-unit rule: 谁主管谁牵头、谁为主谁牵头、谁靠近谁牵头 (seed 000 §7; seed 002 §9)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import Rejected
from domain.supervision import (
    CLAUSE_CLOSEST,
    CLAUSE_COMMITTEE,
    CLAUSE_COMPETENT,
    CLAUSE_MAIN,
    LeadCandidate,
    decide_lead,
)

A, B, C = uuid4(), uuid4(), uuid4()


def test_the_competent_department_leads() -> None:
    decision = decide_lead([LeadCandidate(department_id=A, main=True, proximity=0),
                            LeadCandidate(department_id=B, competent=True, proximity=5)])
    assert (decision.department_id, decision.clause) == (B, CLAUSE_COMPETENT)


def test_without_a_competent_one_the_main_one_leads() -> None:
    decision = decide_lead([LeadCandidate(department_id=A, proximity=0), LeadCandidate(department_id=B, main=True)])
    assert (decision.department_id, decision.clause) == (B, CLAUSE_MAIN)


def test_without_competent_or_main_the_closest_leads() -> None:
    decision = decide_lead([LeadCandidate(department_id=A, proximity=2), LeadCandidate(department_id=B, proximity=1),
                            LeadCandidate(department_id=C)])
    assert (decision.department_id, decision.clause) == (B, CLAUSE_CLOSEST)


def test_two_competent_departments_are_narrowed_by_main() -> None:
    decision = decide_lead([LeadCandidate(department_id=A, competent=True),
                            LeadCandidate(department_id=B, competent=True, main=True),
                            LeadCandidate(department_id=C, main=True)])
    assert (decision.department_id, decision.clause) == (B, CLAUSE_MAIN)


def test_two_competent_departments_are_narrowed_by_proximity() -> None:
    decision = decide_lead([LeadCandidate(department_id=A, competent=True, proximity=3),
                            LeadCandidate(department_id=B, competent=True, proximity=1),
                            LeadCandidate(department_id=C, proximity=0)])
    assert (decision.department_id, decision.clause) == (B, CLAUSE_CLOSEST)


def test_a_tie_the_rule_cannot_break_needs_the_committee() -> None:
    tied = [LeadCandidate(department_id=A, proximity=1), LeadCandidate(department_id=B, proximity=1)]
    with pytest.raises(Rejected) as refused:
        decide_lead(tied)
    assert refused.value.code == "lead-undecided"
    decision = decide_lead(tied, committee_choice=A)
    assert (decision.department_id, decision.clause) == (A, CLAUSE_COMMITTEE)
    with pytest.raises(Rejected, match="among the departments the rule left tied"):
        decide_lead(tied, committee_choice=C)


def test_candidates_are_required_and_distinct() -> None:
    with pytest.raises(Rejected, match="at least one"):
        decide_lead([])
    with pytest.raises(Rejected, match="twice"):
        decide_lead([LeadCandidate(department_id=A, competent=True), LeadCandidate(department_id=A)])
