"""Where, when and by whom the demo history plays: 泉港区, November 2024 to October 2026, and the ``Demo`` that
runs every strand of it through the service layer on a walking clock."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from application.authorization import Principal
from application.clock import ManualClock
from application.commands import Command
from application.service import Zeren
from domain.calendar import CST

SEED = 20241101
START = datetime(2024, 11, 1, 9, 0, tzinfo=CST)
END = datetime(2026, 10, 31, 17, 0, tzinfo=CST)
COUNTY = "350000/350500/350505"
SHANYAO = f"{COUNTY}/350505001000"
NANPU = f"{COUNTY}/350505101000"


def on(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=CST)


@dataclass
class Demo:
    """Runs the history through the same service layer as the API, with a walking clock."""

    service: Zeren
    clock: ManualClock
    ids: dict[str, UUID] = field(default_factory=dict)
    duties: dict[str, UUID] = field(default_factory=dict)
    commands: int = 0
    narrative: list[str] = field(default_factory=list)
    """What happened that no event records: commands the rules refused (a time-barred case)."""
    agenda: list[tuple[datetime, int, Callable[[], object]]] = field(default_factory=list)
    """Steps of other strands of the history (inspections …), run in date order between the main line's commands."""
    _scheduled: int = field(default=0, init=False)
    _running: bool = field(default=False, init=False)

    def later(self, when: datetime, step: Callable[[], object]) -> None:
        """Run ``step`` when the history reaches ``when``, so that strands interleave and the clock only walks on."""
        heapq.heappush(self.agenda, (when, self._scheduled, step))
        self._scheduled += 1

    def run_agenda(self, until: datetime | None = None) -> None:
        """Run the steps due by ``until`` (all of them when ``None``) in date order, including steps they add."""
        if self._running:
            return
        self._running = True
        try:
            while self.agenda and (until is None or self.agenda[0][0] <= until):
                heapq.heappop(self.agenda)[2]()
        finally:
            self._running = False

    def do(self, who: Principal, command: Command, *, when: datetime, lag: timedelta = timedelta(hours=3),
           name: str | None = None) -> UUID:
        self.run_agenda(when)
        self.clock.set(max(self.clock.now(), when + lag))
        result = self.service.execute(command.model_copy(update={"effective_at": when}), who)
        self.commands += 1
        if name:
            self.ids[name] = result.id
        if "duty_id" in result.created and name:
            self.duties[name] = result.created["duty_id"]
        return result.id


ADMIN = Principal("demo:admin@350000", "admin", "350000")
REGISTRAR = Principal("demo:registrar@350505", "registrar", COUNTY)
