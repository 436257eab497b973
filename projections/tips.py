"""The tip ledger (举报台账): every tip with its channel, subject, verification, outcomes, reward and feedback.

For tip officers and administrators only (the API checks the role), scoped by jurisdiction. It never holds the
reporter's identity, contact or the original text — not even sealed: only the count and the last time of the
recorded disclosures. ``tip_outcomes`` says which tips led to which record (the matter): the reward rule asks it
which tips reported the same matter (``application.ports.TipRegister``). Sources: docs/rules.md R11; seed 000 §31;
seed 003 §35.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from application.following import Reached
from domain import tips as t
from domain.base import DomainEvent
from domain.calendar import month_label
from domain.errors import DomainError
from projections.columns import Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, on
from projections.scope import within
from projections.sorting import ordering

METADATA = MetaData()
TIPS = Table(
    "tip_ledger", METADATA,
    Column("tip_id", Key, primary_key=True), Column("jurisdiction", Key, nullable=False),
    Column("receiving_unit_id", Key, nullable=False), Column("channel", Key, nullable=False),
    Column("subject_kind", Key, nullable=False), Column("subject_unit_id", Key), Column("subject_hazard_id", Key),
    Column("subject_description", Text, nullable=False), Column("occurred_on", Date),
    Column("summary", Text, nullable=False), Column("anonymous", Boolean, nullable=False),
    Column("received_at", Timestamp, nullable=False), Column("recorded_at", Timestamp, nullable=False),
    Column("received_month", Key, nullable=False), Column("status", Key, nullable=False), Column("verdict", Key),
    Column("finding", Text),
    Column("verified_at", Timestamp), Column("verified_by", Key), Column("referred_to_id", Key),
    Column("outcomes", Integer, nullable=False), Column("reward_outcome_id", Key), Column("reward_grounds", Text),
    Column("reward_yuan", Key), Column("reward_formula", Text), Column("reward_document_no", Text),
    Column("reward_rules_version", Key), Column("reward_proposed_at", Timestamp), Column("reward_paid_at", Timestamp),
    Column("payment_ref", Text), Column("payer_id", Key), Column("feedback_count", Integer, nullable=False),
    Column("last_feedback_at", Timestamp), Column("disclosures", Integer, nullable=False),
    Column("last_disclosed_at", Timestamp), Column("identity_shredded_at", Timestamp),
    Column("version", Integer, nullable=False),
    Index("tip_ledger_scope", "jurisdiction", "received_at"),
)
OUTCOMES = Table(
    "tip_outcomes", METADATA,
    Column("tip_id", Key, primary_key=True), Column("kind", Key, nullable=False),
    Column("target_id", Key, primary_key=True), Column("jurisdiction", Key, nullable=False),
    Column("received_at", Timestamp, nullable=False), Column("linked_at", Timestamp, nullable=False),
    Index("tip_outcomes_target", "target_id", "received_at"),
)
SORTS = {name: TIPS.c[name] for name in ("received_at", "channel", "subject_kind", "status", "verified_at",
                                         "reward_paid_at")}
"""The keys the tip ledger sorts by (``projections.sorting``)."""


class TipLedger(Projection):
    name = "tip_ledger"
    version = 4  # 3: the status is the domain's (tip_status); 4: the month received, for the counts
    tips = TIPS
    outcomes = OUTCOMES

    def _update(self, conn: Connection, e: DomainEvent, **changes: Any) -> None:
        conn.execute(update(self.tips).where(self.tips.c.tip_id == e.originator_id)
                     .values(version=e.originator_version, **changes))

    def _status(self, conn: Connection, e: DomainEvent, **changes: Any) -> None:
        """Changes that may move the tip's status: the status is the domain's (``domain.tips.tip_status``) of the
        verdict and the reward after them."""
        tip = self.tips.c
        row = conn.execute(select(tip.verdict, tip.reward_proposed_at, tip.reward_paid_at)
                           .where(tip.tip_id == e.originator_id)).one()
        after = {**row._asdict(), **changes}
        verdict = t.Verdict(after["verdict"]) if after["verdict"] else None
        status = t.tip_status(verdict, after["reward_proposed_at"] is not None, after["reward_paid_at"] is not None)
        self._update(conn, e, status=status, **changes)

    @on(t.TipReceived)
    def _received(self, conn: Connection, e: t.TipReceived, _: int) -> None:
        s = e.subject
        conn.execute(insert(self.tips).values(
            tip_id=e.originator_id, jurisdiction=e.envelope.jurisdiction, receiving_unit_id=e.receiving_unit_id,
            channel=e.channel, subject_kind=s.kind, subject_unit_id=getattr(s, "unit_id", None),
            subject_hazard_id=getattr(s, "hazard_id", None), subject_description=s.description,
            occurred_on=getattr(s, "occurred_on", None), summary=e.summary, anonymous=e.anonymous,
            received_at=e.effective_at, recorded_at=e.timestamp, received_month=month_label(e.effective_at),
            status=t.tip_status(None, False, False),
            outcomes=0, feedback_count=0,
            disclosures=0, version=e.originator_version))

    @on(t.TipVerified)
    def _verified(self, conn: Connection, e: t.TipVerified, _: int) -> None:
        self._status(conn, e, verdict=e.verdict, finding=e.finding,
                     verified_at=e.effective_at, verified_by=e.verified_by, referred_to_id=e.referred_to_id)

    @on(t.TipOutcomeLinked)
    def _linked(self, conn: Connection, e: t.TipOutcomeLinked, _: int) -> None:
        tip = self.tips.c
        row = conn.execute(select(tip.jurisdiction, tip.received_at).where(tip.tip_id == e.originator_id)).one()
        conn.execute(insert(self.outcomes).values(
            tip_id=e.originator_id, kind=e.outcome.kind, target_id=e.outcome.target_id, jurisdiction=row.jurisdiction,
            received_at=row.received_at, linked_at=e.effective_at))
        self._update(conn, e, outcomes=tip.outcomes + 1)

    @on(t.TipRewardProposed)
    def _proposed(self, conn: Connection, e: t.TipRewardProposed, _: int) -> None:
        document = e.facts.decision_no if isinstance(e.facts, t.PenaltyDecided) else e.facts.document_no
        self._status(conn, e, reward_outcome_id=e.outcome_id, reward_grounds=e.grounds,
                     reward_yuan=str(e.amount_yuan), reward_formula=e.computation.formula,
                     reward_document_no=document, reward_rules_version=e.envelope.rules_version,
                     reward_proposed_at=e.effective_at, payer_id=e.payer_id)

    @on(t.TipRewardPaid)
    def _paid(self, conn: Connection, e: t.TipRewardPaid, _: int) -> None:
        self._status(conn, e, reward_paid_at=e.effective_at, payment_ref=e.payment_ref)

    @on(t.TipFeedbackGiven)
    def _feedback(self, conn: Connection, e: t.TipFeedbackGiven, _: int) -> None:
        self._update(conn, e, feedback_count=self.tips.c.feedback_count + 1, last_feedback_at=e.effective_at)

    @on(t.ReporterIdentityDisclosed)
    def _disclosed(self, conn: Connection, e: t.ReporterIdentityDisclosed, _: int) -> None:
        self._update(conn, e, disclosures=self.tips.c.disclosures + 1, last_disclosed_at=e.timestamp)

    @on(t.ReporterIdentityShredded)
    def _shredded(self, conn: Connection, e: t.ReporterIdentityShredded, _: int) -> None:
        self._update(conn, e, identity_shredded_at=e.effective_at)


class LedgerBehind(DomainError):
    """The tip ledger has not read the log far enough to answer the reward rule yet (503: retry shortly)."""

    status = 503
    title = "Read model not caught up"


class TipQueries:
    """The tip ledger's questions, scoped by jurisdiction; and the reward rule's lookup (``TipRegister``)."""

    def __init__(self, db: Any, directory: DirectoryQueries, reached: Reached, wait_seconds: float = 5.0):
        self.reached = reached
        self.db = db
        self.directory = directory
        self.wait_seconds = wait_seconds

    def counts(self, scope: str, *, jurisdiction: str | None = None, start: str | None = None,
               end: str | None = None) -> list[dict[str, Any]]:
        """Tips by the month received (Beijing time, ``YYYY-MM`` from ``start`` to ``end``) and status, counted in
        SQL: the dashboard's tips without reading the ledger."""
        tip = TIPS.c
        conditions = [within(tip.jurisdiction, scope)]
        if jurisdiction:
            conditions.append(within(tip.jurisdiction, jurisdiction))
        if start:
            conditions.append(tip.received_month >= start)
        if end:
            conditions.append(tip.received_month <= end)
        groups = (tip.received_month, tip.status)
        query = (select(tip.received_month.label("month"), tip.status, func.count().label("count"))
                 .where(*conditions).group_by(*groups).order_by(*groups))
        with self.db.read() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def ledger(self, scope: str, *, status: str | None = None, channel: str | None = None,
               subject_kind: str | None = None, jurisdiction: str | None = None, outcome_id: UUID | None = None,
               tip_id: UUID | None = None, start: str | None = None, end: str | None = None,
               sort: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Tips in the caller's jurisdiction received in the months ``start``–``end`` (``YYYY-MM``, Beijing time), in
        the order received (or by ``sort``, a key of ``SORTS``), each with the outcomes it led to."""
        tip = TIPS.c
        conditions = [within(tip.jurisdiction, scope)]
        filters = {tip.status: status, tip.channel: channel, tip.subject_kind: subject_kind, tip.tip_id: tip_id}
        conditions += [c == value for c, value in filters.items() if value is not None]
        if jurisdiction:
            conditions.append(within(tip.jurisdiction, jurisdiction))
        if start:
            conditions.append(tip.received_month >= start)
        if end:
            conditions.append(tip.received_month <= end)
        if outcome_id is not None:
            conditions.append(tip.tip_id.in_(select(OUTCOMES.c.tip_id).where(OUTCOMES.c.target_id == outcome_id)))
        order = ordering(SORTS, sort, (tip.received_at, tip.tip_id), tip.tip_id)
        query = select(TIPS).where(*conditions).order_by(*order).limit(limit).offset(offset)
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            outcomes = self._outcomes(conn, [r["tip_id"] for r in rows])
        units = self.directory.unit_names({r["receiving_unit_id"] for r in rows})
        return [{**r, "receiving_unit_name": units.get(r["receiving_unit_id"], {}).get("name"),
                 "status_term": t.STATUS_TERMS[r["status"]], "channel_term": t.CHANNEL_TERMS[r["channel"]],
                 "outcomes": outcomes.get(r["tip_id"], [])} for r in rows]

    @staticmethod
    def _outcomes(conn: Connection, tip_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        if not tip_ids:
            return {}
        o = OUTCOMES.c
        found: dict[str, list[dict[str, Any]]] = {}
        query = (select(o.tip_id, o.kind, o.target_id, o.linked_at).where(o.tip_id.in_(tip_ids))
                 .order_by(o.linked_at, o.target_id))
        for row in conn.execute(query).mappings():
            found.setdefault(row["tip_id"], []).append({k: v for k, v in row.items() if k != "tip_id"})
        return found

    def tips_about(self, target_id: UUID, *, seen: int | None = None) -> list[UUID]:
        """Every tip linked to the outcome, in the order received (unscoped: the reward rule looks everywhere);
        with ``seen``, once the ledger has read the log that far, so no link recorded before is missed."""
        if seen is not None and not self.reached([TipLedger.name], seen, self.wait_seconds):
            raise LedgerBehind("tip-ledger-behind", f"the tip ledger has not reached log position {seen} yet, so the "
                                                    "first reporter of the matter is not known: retry shortly")
        o = OUTCOMES.c
        with self.db.read() as conn:
            ids = conn.execute(select(o.tip_id).where(o.target_id == target_id).order_by(o.received_at, o.tip_id))
            return [UUID(tip_id) for tip_id in ids.scalars()]
