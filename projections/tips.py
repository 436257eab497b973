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

from application.following import Reached
from domain import tips as t
from domain.base import DomainEvent
from domain.errors import DomainError
from projections.follower import LegacyProjection as Projection
from projections.follower import on
from projections.sql import ReadDatabase, Tx, scope_clause, scope_params

STATUS_TERMS = {"received": "已受理", "substantiated": "属实", "unsubstantiated": "不属实",
                "reward_proposed": "拟奖励", "reward_paid": "已奖励"}


class TipLedger(Projection):
    name = "tip_ledger"
    version = 1
    tables = ("tip_ledger", "tip_outcomes")
    ddl = (
        "CREATE TABLE tip_ledger (tip_id TEXT PRIMARY KEY, jurisdiction TEXT NOT NULL, "
        "receiving_unit_id TEXT NOT NULL, channel TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_unit_id TEXT, "
        "subject_hazard_id TEXT, subject_description TEXT NOT NULL, occurred_on {DATE}, summary TEXT NOT NULL, "
        "anonymous INTEGER NOT NULL, received_at {TS} NOT NULL, recorded_at {TS} NOT NULL, status TEXT NOT NULL, "
        "verdict TEXT, finding TEXT, verified_at {TS}, verified_by TEXT, referred_to_id TEXT, "
        "outcomes INTEGER NOT NULL, reward_outcome_id TEXT, reward_grounds TEXT, reward_yuan TEXT, "
        "reward_formula TEXT, reward_document_no TEXT, reward_rules_version TEXT, reward_proposed_at {TS}, "
        "reward_paid_at {TS}, payment_ref TEXT, payer_id TEXT, feedback_count INTEGER NOT NULL, "
        "last_feedback_at {TS}, disclosures INTEGER NOT NULL, last_disclosed_at {TS}, identity_shredded_at {TS}, "
        "version INTEGER NOT NULL)",
        "CREATE INDEX tip_ledger_scope ON tip_ledger (jurisdiction, received_at)",
        "CREATE TABLE tip_outcomes (tip_id TEXT NOT NULL, kind TEXT NOT NULL, target_id TEXT NOT NULL, "
        "jurisdiction TEXT NOT NULL, received_at {TS} NOT NULL, linked_at {TS} NOT NULL, "
        "PRIMARY KEY (tip_id, target_id))",
        "CREATE INDEX tip_outcomes_target ON tip_outcomes (target_id, received_at)",
    )

    @staticmethod
    def _update(tx: Tx, e: DomainEvent, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{column} = :{column}" for column in changes)
        tx.execute(f"UPDATE tip_ledger SET {sets}, version = :version WHERE tip_id = :tip_id",
                   {**changes, "version": e.originator_version, "tip_id": e.originator_id})

    @on(t.TipReceived)
    def _received(self, tx: Tx, e: t.TipReceived, _: int) -> None:
        s = e.subject
        tx.execute(
            "INSERT INTO tip_ledger (tip_id, jurisdiction, receiving_unit_id, channel, subject_kind, subject_unit_id, "
            "subject_hazard_id, subject_description, occurred_on, summary, anonymous, received_at, recorded_at, "
            "status, outcomes, feedback_count, disclosures, version) VALUES (:id, :j, :unit, :channel, :kind, "
            ":subject_unit, :hazard, :description, :occurred_on, :summary, :anonymous, :received_at, :recorded_at, "
            "'received', 0, 0, 0, :v)",
            {"id": e.originator_id, "j": e.envelope.jurisdiction, "unit": e.receiving_unit_id, "channel": e.channel,
             "kind": s.kind, "subject_unit": getattr(s, "unit_id", None), "hazard": getattr(s, "hazard_id", None),
             "description": s.description, "occurred_on": getattr(s, "occurred_on", None), "summary": e.summary,
             "anonymous": e.anonymous, "received_at": e.effective_at, "recorded_at": e.timestamp,
             "v": e.originator_version},
        )

    @on(t.TipVerified)
    def _verified(self, tx: Tx, e: t.TipVerified, _: int) -> None:
        self._update(tx, e, {"status": e.verdict.value, "verdict": e.verdict, "finding": e.finding,
                             "verified_at": e.effective_at, "verified_by": e.verified_by,
                             "referred_to_id": e.referred_to_id})

    @on(t.TipOutcomeLinked)
    def _linked(self, tx: Tx, e: t.TipOutcomeLinked, _: int) -> None:
        row = tx.one("SELECT jurisdiction, received_at, outcomes FROM tip_ledger WHERE tip_id = :t",
                     {"t": e.originator_id})
        assert row is not None
        tx.execute("INSERT INTO tip_outcomes VALUES (:t, :kind, :target, :j, :received_at, :linked_at)",
                   {"t": e.originator_id, "kind": e.outcome.kind, "target": e.outcome.target_id,
                    "j": row["jurisdiction"], "received_at": row["received_at"], "linked_at": e.effective_at})
        self._update(tx, e, {"outcomes": row["outcomes"] + 1})

    @on(t.TipRewardProposed)
    def _proposed(self, tx: Tx, e: t.TipRewardProposed, _: int) -> None:
        document = e.facts.decision_no if isinstance(e.facts, t.PenaltyDecided) else e.facts.document_no
        self._update(tx, e, {"status": "reward_proposed", "reward_outcome_id": e.outcome_id,
                             "reward_grounds": e.grounds, "reward_yuan": str(e.amount_yuan),
                             "reward_formula": e.computation.formula, "reward_document_no": document,
                             "reward_rules_version": e.envelope.rules_version, "reward_proposed_at": e.effective_at,
                             "payer_id": e.payer_id})

    @on(t.TipRewardPaid)
    def _paid(self, tx: Tx, e: t.TipRewardPaid, _: int) -> None:
        self._update(tx, e, {"status": "reward_paid", "reward_paid_at": e.effective_at, "payment_ref": e.payment_ref})

    @on(t.TipFeedbackGiven)
    def _feedback(self, tx: Tx, e: t.TipFeedbackGiven, _: int) -> None:
        tx.execute("UPDATE tip_ledger SET feedback_count = feedback_count + 1, last_feedback_at = :at, version = :v "
                   "WHERE tip_id = :t", {"at": e.effective_at, "v": e.originator_version, "t": e.originator_id})

    @on(t.ReporterIdentityDisclosed)
    def _disclosed(self, tx: Tx, e: t.ReporterIdentityDisclosed, _: int) -> None:
        tx.execute("UPDATE tip_ledger SET disclosures = disclosures + 1, last_disclosed_at = :at, version = :v "
                   "WHERE tip_id = :t", {"at": e.timestamp, "v": e.originator_version, "t": e.originator_id})

    @on(t.ReporterIdentityShredded)
    def _shredded(self, tx: Tx, e: t.ReporterIdentityShredded, _: int) -> None:
        self._update(tx, e, {"identity_shredded_at": e.effective_at})


class LedgerBehind(DomainError):
    """The tip ledger has not read the log far enough to answer the reward rule yet (503: retry shortly)."""

    status = 503
    title = "Read model not caught up"


class TipQueries:
    """The tip ledger's questions, scoped by jurisdiction; and the reward rule's lookup (``TipRegister``)."""

    def __init__(self, db: ReadDatabase, reached: Reached, wait_seconds: float = 5.0):
        self.reached = reached
        self.db = db
        self.wait_seconds = wait_seconds

    def ledger(self, scope: str, *, status: str | None = None, channel: str | None = None,
               subject_kind: str | None = None, jurisdiction: str | None = None, outcome_id: UUID | None = None,
               tip_id: UUID | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Tips in the caller's jurisdiction, in the order received, each with the outcomes it led to."""
        sql = ("SELECT l.*, u.name AS receiving_unit_name FROM tip_ledger l "
               f"LEFT JOIN units u ON u.unit_id = l.receiving_unit_id WHERE {scope_clause('l.jurisdiction')}")
        params: dict[str, Any] = {**scope_params(scope), "limit": limit, "offset": offset}
        for i, (column, value) in enumerate({"l.status": status, "l.channel": channel,
                                             "l.subject_kind": subject_kind, "l.tip_id": tip_id}.items()):
            if value is not None:
                sql += f" AND {column} = :f{i}"
                params[f"f{i}"] = value
        if jurisdiction:
            sql += " AND (l.jurisdiction = :j OR l.jurisdiction LIKE :j_below)"
            params.update(j=jurisdiction, j_below=jurisdiction + "/%")
        if outcome_id is not None:
            sql += " AND l.tip_id IN (SELECT tip_id FROM tip_outcomes WHERE target_id = :outcome)"
            params["outcome"] = outcome_id
        sql += " ORDER BY l.received_at, l.tip_id LIMIT :limit OFFSET :offset"
        with self.db.read() as tx:
            rows = tx.all(sql, params)
            outcomes = self._outcomes(tx, [r["tip_id"] for r in rows])
        return [{**r, "status_term": STATUS_TERMS[r["status"]], "channel_term": t.CHANNEL_TERMS[r["channel"]],
                 "outcomes": outcomes.get(r["tip_id"], [])} for r in rows]

    @staticmethod
    def _outcomes(tx: Tx, tip_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        if not tip_ids:
            return {}
        names = ", ".join(f":t{i}" for i in range(len(tip_ids)))
        found: dict[str, list[dict[str, Any]]] = {}
        for row in tx.all(f"SELECT tip_id, kind, target_id, linked_at FROM tip_outcomes WHERE tip_id IN ({names}) "
                          "ORDER BY linked_at, target_id", {f"t{i}": v for i, v in enumerate(tip_ids)}):
            found.setdefault(row.pop("tip_id"), []).append(row)
        return found

    def tips_about(self, target_id: UUID, *, seen: int | None = None) -> list[UUID]:
        """Every tip linked to the outcome, in the order received (unscoped: the reward rule looks everywhere);
        with ``seen``, once the ledger has read the log that far, so no link recorded before is missed."""
        if seen is not None and not self.reached([TipLedger.name], seen, self.wait_seconds):
            raise LedgerBehind("tip-ledger-behind", f"the tip ledger has not reached log position {seen} yet, so the "
                                                    "first reporter of the matter is not known: retry shortly")
        with self.db.read() as tx:
            rows = tx.all("SELECT tip_id FROM tip_outcomes WHERE target_id = :t ORDER BY received_at, tip_id",
                          {"t": target_id})
        return [UUID(r["tip_id"]) for r in rows]
