"""The tip ledger (举报台账): every tip with its channel, subject, verification, outcomes, reward and feedback.

For tip officers and administrators only (the API checks the role), scoped by jurisdiction. It never holds the
reporter's identity, contact or the original text — not even sealed: only the count and the last time of the
recorded disclosures. ``tip_outcomes`` says which tips led to which record (the matter): the reward rule asks it
which tips reported the same matter (``application.ports.TipRegister``). Sources: docs/rules.md R11; seed 000 §31;
seed 003 §35.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
from projections.columns import Jurisdiction, Key, Timestamp
from projections.directory import DirectoryQueries
from projections.projection import Projection, on
from projections.scope import within
from projections.sorting import ordering
from projections.states import events_of, states_table
from projections.timeline import Decided, Timeline, changes_table, history_of, known, standing, valid

METADATA = MetaData()
TIPS = Table(
    "tip_ledger", METADATA,
    Column("tip_id", Key, primary_key=True), Column("jurisdiction", Jurisdiction, nullable=False),
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
    Column("target_id", Key, primary_key=True), Column("jurisdiction", Jurisdiction, nullable=False),
    Column("received_at", Timestamp, nullable=False), Column("linked_at", Timestamp, nullable=False),
    Index("tip_outcomes_target", "target_id", "received_at"),
)
HISTORY = history_of(TIPS, "tip_history", "tip_id", METADATA)
"""Each tip's row over effective time as known over recorded time (``projections.timeline``; issue #14)."""
HISTORY_CHANGES = changes_table("tip_history", METADATA, events=True)
HISTORY_STATES = states_table("tip_history_states", METADATA)
SORTS = {name: HISTORY.c[name] for name in ("received_at", "channel", "subject_kind", "status", "verified_at",
                                            "reward_paid_at")}
"""The keys the tip ledger sorts by (``projections.sorting``)."""
SEALED = {"reporter_sealed": None, "original_sealed": ""}
"""What the history never keeps of a tip, not even sealed (its event and state are kept without it)."""


def _decided(tip: t.Tip) -> dict[str, Any]:
    """The history's columns the domain decides: the tip's state after the event (``domain.tips.Tip``), its status
    above all."""
    return {"status": tip.status, "outcomes": len(tip.outcomes), "feedback_count": tip.feedback_given,
            "disclosures": tip.disclosures, "identity_shredded_at": tip.shredded_at, "version": tip.version}


class TipLedger(Projection):
    """Each tip's row now (``tip_ledger``: the counts and the reward rule read it) and its history (``tip_history``:
    the ledger at ``as_of`` as known at ``known_at``). The history's status and counts are the domain's, the tip's
    events folded with ``event.apply`` in the order they took effect (``projections.timeline``), the sealed identity
    and original text blanked before the event is kept."""

    name = "tip_ledger"
    # 3: the status is the domain's (tip_status); 4: the month received; 5: the bitemporal history;
    # 6: jurisdictions in collation "C"
    version = 6
    rebuild_cost = 5
    tips = TIPS
    outcomes = OUTCOMES
    history = HISTORY
    history_changes = HISTORY_CHANGES
    history_states = HISTORY_STATES

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.history, self.history_changes, "tip_id",
                        decided=Decided(t.Tip, events_of(t), _decided, self.history_states))

    def _history(self, conn: Connection, e: DomainEvent, **own: Any) -> None:
        """Record the event in the history with what it says by itself (``own``); nothing sealed is kept."""
        kept = e.model_copy(update=SEALED) if isinstance(e, t.TipReceived) else e
        self.timeline.record_event(conn, kept, own)

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
        self._history(conn, e, jurisdiction=e.envelope.jurisdiction, receiving_unit_id=e.receiving_unit_id,
                      channel=e.channel, subject_kind=s.kind, subject_unit_id=getattr(s, "unit_id", None),
                      subject_hazard_id=getattr(s, "hazard_id", None), subject_description=s.description,
                      occurred_on=getattr(s, "occurred_on", None), summary=e.summary, anonymous=e.anonymous,
                      received_at=e.effective_at, recorded_at=e.timestamp, received_month=month_label(e.effective_at))

    @on(t.TipVerified)
    def _verified(self, conn: Connection, e: t.TipVerified, _: int) -> None:
        own = {"verdict": e.verdict, "finding": e.finding, "verified_at": e.effective_at, "verified_by": e.verified_by,
               "referred_to_id": e.referred_to_id}
        self._status(conn, e, **own)
        self._history(conn, e, **own)

    @on(t.TipOutcomeLinked)
    def _linked(self, conn: Connection, e: t.TipOutcomeLinked, _: int) -> None:
        tip = self.tips.c
        row = conn.execute(select(tip.jurisdiction, tip.received_at).where(tip.tip_id == e.originator_id)).one()
        conn.execute(insert(self.outcomes).values(
            tip_id=e.originator_id, kind=e.outcome.kind, target_id=e.outcome.target_id, jurisdiction=row.jurisdiction,
            received_at=row.received_at, linked_at=e.effective_at))
        self._update(conn, e, outcomes=tip.outcomes + 1)
        self._history(conn, e)

    @on(t.TipRewardProposed)
    def _proposed(self, conn: Connection, e: t.TipRewardProposed, _: int) -> None:
        document = e.facts.decision_no if isinstance(e.facts, t.PenaltyDecided) else e.facts.document_no
        own = {"reward_outcome_id": e.outcome_id, "reward_grounds": e.grounds, "reward_yuan": str(e.amount_yuan),
               "reward_formula": e.computation.formula, "reward_document_no": document,
               "reward_rules_version": e.envelope.rules_version, "reward_proposed_at": e.effective_at,
               "payer_id": e.payer_id}
        self._status(conn, e, **own)
        self._history(conn, e, **own)

    @on(t.TipRewardPaid)
    def _paid(self, conn: Connection, e: t.TipRewardPaid, _: int) -> None:
        self._status(conn, e, reward_paid_at=e.effective_at, payment_ref=e.payment_ref)
        self._history(conn, e, reward_paid_at=e.effective_at, payment_ref=e.payment_ref)

    @on(t.TipFeedbackGiven)
    def _feedback(self, conn: Connection, e: t.TipFeedbackGiven, _: int) -> None:
        self._update(conn, e, feedback_count=self.tips.c.feedback_count + 1, last_feedback_at=e.effective_at)
        self._history(conn, e, last_feedback_at=e.effective_at)

    @on(t.ReporterIdentityDisclosed)
    def _disclosed(self, conn: Connection, e: t.ReporterIdentityDisclosed, _: int) -> None:
        self._update(conn, e, disclosures=self.tips.c.disclosures + 1, last_disclosed_at=e.timestamp)
        self._history(conn, e, last_disclosed_at=e.timestamp)

    @on(t.ReporterIdentityShredded)
    def _shredded(self, conn: Connection, e: t.ReporterIdentityShredded, _: int) -> None:
        self._update(conn, e, identity_shredded_at=e.effective_at)
        self._history(conn, e)


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

    def ledger(self, scope: str, *, as_of: datetime | None = None, known_at: datetime | None = None,
               status: str | None = None, channel: str | None = None,
               subject_kind: str | None = None, jurisdiction: str | None = None, outcome_id: UUID | None = None,
               tip_id: UUID | None = None, start: str | None = None, end: str | None = None,
               sort: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Tips in the caller's jurisdiction received in the months ``start``–``end`` (``YYYY-MM``, Beijing time), each
        as it stood at ``as_of``, as recorded by ``known_at`` (both default: now; ``projections.timeline``), in the
        order received (or by ``sort``, a key of ``SORTS``), each with the outcomes it led to by ``as_of``."""
        tip = HISTORY.c
        conditions = [within(tip.jurisdiction, scope)]
        conditions += [standing(HISTORY)] if as_of is None and known_at is None else [
            valid(HISTORY, as_of or datetime.now(UTC)), known(HISTORY, known_at or datetime.now(UTC))]
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
        query = (select(*(tip[c.name] for c in TIPS.columns)).where(*conditions).order_by(*order).limit(limit)
                 .offset(offset))
        with self.db.read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            outcomes = self._outcomes(conn, [r["tip_id"] for r in rows], as_of)
        units = self.directory.unit_names({r["receiving_unit_id"] for r in rows})
        return [{**r, "receiving_unit_name": units.get(r["receiving_unit_id"], {}).get("name"),
                 "status_term": t.STATUS_TERMS[r["status"]], "channel_term": t.CHANNEL_TERMS[r["channel"]],
                 "outcomes": outcomes.get(r["tip_id"], [])} for r in rows]

    @staticmethod
    def _outcomes(conn: Connection, tip_ids: list[str],
                  as_of: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
        """Each tip's outcomes, linked by ``as_of`` (default: all)."""
        if not tip_ids:
            return {}
        o = OUTCOMES.c
        found: dict[str, list[dict[str, Any]]] = {}
        query = (select(o.tip_id, o.kind, o.target_id, o.linked_at).where(o.tip_id.in_(tip_ids))
                 .order_by(o.linked_at, o.target_id))
        if as_of is not None:
            query = query.where(o.linked_at <= as_of)
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
