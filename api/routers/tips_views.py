"""Response models of ``api.routers.tips``: what it returns, documented field by field in OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field


class TipOutcomeView(BaseModel):
    kind: str = Field(description="what the tip led to: hazard (later also penalty_case, accident)")
    target_id: UUID
    linked_at: datetime


class TipView(BaseModel):
    """A tip as the ledger shows it (举报台账): never who reported it, their contact or the original text."""

    tip_id: UUID
    jurisdiction: str
    receiving_unit_id: UUID = Field(description="受理单位: it verifies and pays the reward (谁受理、谁奖励)")
    receiving_unit_name: str | None
    channel: str = Field(description="hotline_12350, hotline_12345, web, letter, visit or internal_whistleblower")
    channel_term: str
    subject_kind: str = Field(description="unit, hazard or concealed_accident (瞒报谎报事故)")
    subject_unit_id: UUID | None
    subject_hazard_id: UUID | None
    subject_description: str
    occurred_on: date | None
    summary: str = Field(description="the public summary written by the officer")
    anonymous: bool
    received_at: datetime
    recorded_at: datetime
    status: str = Field(description="received, substantiated, unsubstantiated, reward_proposed or reward_paid")
    status_term: str
    verdict: str | None = Field(description="substantiated (属实) or unsubstantiated (不属实)")
    finding: str | None
    verified_at: datetime | None
    verified_by: UUID | None
    referred_to_id: UUID | None = Field(description="the safety committee a concealed accident went to")
    outcomes: list[TipOutcomeView]
    reward_outcome_id: UUID | None = Field(description="the matter rewarded")
    reward_grounds: str | None = Field(description="major_hazard, illegal_act or concealed_accident")
    reward_yuan: str | None = Field(description="the reward proposed, in yuan (exact decimal)")
    reward_formula: str | None
    reward_document_no: str | None = Field(description="行政处罚决定书文号 or 事故调查报告")
    reward_rules_version: str | None
    reward_proposed_at: datetime | None
    reward_paid_at: datetime | None
    payment_ref: str | None
    payer_id: UUID | None
    feedback_count: int
    last_feedback_at: datetime | None
    disclosures: int = Field(description="how often a tip officer opened the sealed identity (each one recorded)")
    last_disclosed_at: datetime | None
    identity_shredded_at: datetime | None
    version: int


class TipCount(BaseModel):
    """Tips received in a month (Beijing time) that stand in a status now."""

    month: str = Field(description="YYYY-MM, the month received")
    status: str
    status_term: str
    count: int
