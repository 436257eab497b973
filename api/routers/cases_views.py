"""Response models of ``api.routers.cases``: the case ledger, penalty statistics, the 第113条 counters and proposals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class CaseView(BaseModel):
    """A penalty case (行政处罚案件) as the case ledger shows it; amounts in yuan."""

    case_id: UUID
    jurisdiction: str
    unit_id: UUID
    department_id: UUID = Field(description="the department that opened it (立案机关)")
    sector: str | None
    article: str
    violation: str
    source_kind: str
    source_id: UUID
    status: str
    status_term: str
    tier: str = Field(description="exempt (不予处罚), standard or aggravated (从重: the upper tier)")
    facts: list[dict[str, Any]] = Field(description="every aggravating or exempting fact found, with its basis and "
                                                    "the records showing it: why the tier")
    rules_version: str | None
    opened_on: date
    decision_due: date = Field(description="the last day for the decision (行政处罚法 第60条: 90 days)")
    hearing_due: date | None = Field(description="the last day to request a hearing (第64条, 第85条: 5 working days)")
    payment_due: date | None = Field(description="the last day to pay (第67条: 15 days after service)")
    next_deadline: str | None = Field(description="the deadline running now: hearing_request, decision or payment")
    next_due: date | None
    days_left: int | None = Field(description="days to next_due (0 on the day, negative once passed)")
    responsible_person_id: UUID | None = Field(description="一案双罚: the 主要负责人 on the day of the violation")
    responsible_post_id: UUID | None
    proposed_unit_yuan: Decimal | None
    proposed_person_yuan: Decimal | None
    notified_on: date | None
    hearing_requested_on: date | None
    hearing_held_on: date | None
    hearing_waived: bool
    reviewed_on: date | None
    decision_no: str | None
    decided_on: date | None
    unit_yuan: Decimal | None
    person_yuan: Decimal | None
    departure_reason: str | None
    decided_late: bool | None
    penalised: bool
    served_on: date | None
    paid_yuan: Decimal | None
    surcharge_yuan: Decimal | None
    daily_fines_yuan: Decimal | None
    decision_overdue: bool
    payment_overdue: bool
    settled: bool
    transferred_to: str | None
    transferred_on: date | None
    receipt_no: str | None


class PenaltyStatisticsRow(BaseModel):
    """Decided cases of one department, sector or month (of the decision)."""

    key: str | None
    decided: int
    penalised: int = Field(description="decisions with a fine (不予处罚 excluded)")
    unit_yuan: Decimal
    person_yuan: Decimal


class ClosureCounter(BaseModel):
    """安全生产法 第113条(一): a unit with an open major hazard and its fined decisions in the windows."""

    unit_id: UUID
    in_180_days: int = Field(description="fined decisions in the 180 days ending today (3 → closure proposed)")
    in_a_year: int = Field(description="fined decisions in the year ending today (4 → closure proposed)")


class ClosureView(BaseModel):
    closure_id: UUID
    jurisdiction: str
    unit_id: UUID
    hazard_id: UUID
    rule: str | None
    window_from: date | None
    window_to: date | None
    cases: list[UUID]
    proposed_at: datetime
    decided: bool
    approved: bool | None
    reason: str | None
