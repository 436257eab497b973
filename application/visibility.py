"""What a role sees of a record, by kind, wherever records leave the store: the dedicated endpoints, replays, the
audit trail and the event feed apply the same rule (docs/architecture.md §9; issue 9 §2).

Tips (举报): the tip-ledger roles (``tip_officer``, ``admin``) see a tip's public data, as ``GET /tips`` shows it
(never the reporter: that takes a recorded disclosure). Every other role sees a tip's **outline** only: that it
exists, when (the envelope: recorded and effective time, jurisdiction, who recorded it), its verdict (属实 / 不属实)
and what it led to (its outcomes, e.g. the hazard it found). The channel, subject, summary, finding, reward, feedback
and the reasons given for disclosures and shredding stay in the tip ledger. An accident investigator thus learns
that a tip about the unit came in, when, whether it was found true and which hazard followed — and asks a tip
officer for more.

Other kinds are shown whole (their public data) to every role that may read them.

Audit bundles (docs/audit.md §6) carry each event's stored bytes, which a verifier needs to recompute its seal, so
an event cannot be outlined or masked inside one: a bundle exported over HTTP withholds every event type that its
caller may not read whole — tip events from roles outside the tip ledger, and events with masked fields (a
certificate number may embed a 身份证号) from every caller — and names them in its manifest (``selection.withheld``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.base import Aggregate, DomainEvent

TIP_LEDGER_ROLES = frozenset({"tip_officer", "admin", "system"})
TIP_OUTLINE = frozenset({"verdict", "outcome", "outcomes", "received_at"})
"""The fields of tip events and of a tip's state that every role reading tips' records sees."""
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "envelope", "type", "term",
                      *Aggregate.model_fields})
"""What identifies a record and says when and by whom: never outlined away."""


def outline(context: str, role: str) -> frozenset[str] | None:
    """The data fields ``role`` may see of a record of ``context`` (a bounded context), or ``None``: all of them."""
    if context == "tips" and role not in TIP_LEDGER_ROLES:
        return TIP_OUTLINE
    return None


def shown(context: str, role: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (an event's or a state's fields) as ``role`` may see it."""
    fields = outline(context, role)
    if fields is None:
        return data
    return {name: value for name, value in data.items() if name in fields or name in ENVELOPE}


def withheld_from_bundles(role: str, kinds: Iterable[type[DomainEvent]]) -> frozenset[str]:
    """The names of the event types of ``kinds`` that an audit bundle exported to ``role`` leaves out: those the role
    may see only outlined, and those with masked fields (their stored bytes hold the number whole)."""
    return frozenset(kind.__name__ for kind in kinds if outline(kind.context, role) is not None or kind.masked)
