"""Policies (process managers): they watch the clock and the read models and issue ordinary commands (ARCH §6).

- A hazard past its deadline becomes overdue; an overdue major hazard is escalated to listed supervision one level
  up (RULES R8; seed 000 §16, §27).

Every policy command carries a deterministic ``Idempotency-Key`` (``policy:<kind>:<subject>:<due>``) and its
decision re-checks the aggregate, so firing twice — or two workers at once — writes once. The worker's clock is
injectable: tests and the demo move time instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from uuid import UUID

from application.authorization import SYSTEM_PRINCIPAL
from application.commands import Command
from application.following import follow
from application.hazards import EscalateListing, MarkHazardOverdue
from application.ports import Clock, Deadlines
from application.service import Zeren
from domain.errors import Conflict
from domain.hazards import HazardBecameOverdue, HazardGrade, HazardStatus

log = logging.getLogger(__name__)


@dataclass
class Worker:
    """``zeren worker``: one :meth:`tick` fires what is due at the clock's now."""

    app: Zeren
    clock: Clock
    deadlines: Deadlines
    wake: threading.Event = field(default_factory=threading.Event)

    def tick(self) -> int:
        """Fire every due policy; returns how many commands wrote events."""
        now = self.clock.now()
        written = 0
        for hazard_id, deadline in self.deadlines.due(now):
            written += self._fire(MarkHazardOverdue(hazard_id=hazard_id, deadline=deadline),
                                  f"policy:overdue:{hazard_id}:{deadline}")
            written += self._escalate(hazard_id)
        for hazard_id in self.deadlines.unescalated():  # overdue before a crash, not yet escalated
            written += self._escalate(hazard_id)
        return written

    def _escalate(self, hazard_id: UUID) -> int:
        """An overdue major hazard goes one level up, caused by the event that made it overdue."""
        history = self.app.log.history(hazard_id)
        overdue = next((e for e in reversed(history) if isinstance(e, HazardBecameOverdue)), None)
        state = self.app.log.get(hazard_id)
        if overdue is None or state is None or state.status != HazardStatus.overdue or state.grade != HazardGrade.major:
            return 0
        return self._fire(EscalateListing(hazard_id=hazard_id), f"policy:escalate:{hazard_id}:{overdue.deadline}",
                          overdue.id)

    def _fire(self, command: Command, key: str, cause: UUID | None = None) -> int:
        """Execute a policy command once; 1 when it wrote events now, 0 when there was nothing (more) to write."""
        try:
            result = self.app.execute(command, SYSTEM_PRINCIPAL, idempotency_key=key, causation_id=cause)
        except Conflict as exc:  # another worker fired it at the same moment: it is done
            log.info("policy %s: %s", key, exc.detail)
            return 0
        return int(bool(result.events) and not result.replayed)

    def run(self, stop: threading.Event, poll_seconds: float = 60.0) -> None:
        """Tick until ``stop`` is set (woken early by local writes)."""
        follow(self.tick, stop, self.wake, poll_seconds, "worker")
