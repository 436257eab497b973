"""What the service layer needs from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from domain.base import DomainEvent
from domain.random_draws import PreviousInspection


@dataclass(frozen=True)
class Receipt:
    """The idempotency record of a command (``Idempotency-Key``), written in the transaction of its events."""

    scope: str
    key: str
    fingerprint: str
    response: bytes


@dataclass(frozen=True)
class StoredReceipt:
    fingerprint: str
    response: bytes
    last_position: int


@dataclass(frozen=True)
class LogEntry:
    """One event of the log: its position, the decoded event and the exact stored bytes."""

    position: int
    event: DomainEvent
    topic: str
    state: bytes


class EventLog(Protocol):
    """The single ordered log of every aggregate (docs/architecture.md §1)."""

    def get(self, aggregate_id: UUID, version: int | None = None) -> Any | None:
        """The state as stored now (or at ``version``)."""
        ...

    def recent(self, aggregate_id: UUID) -> Any | None:
        """The latest state this process knows, possibly behind another process's writes — what a command
        decides on; its save checks the version (``save``'s ``read``)."""
        ...

    def history(self, aggregate_id: UUID) -> list[DomainEvent]: ...

    def save(self, states: Sequence[Any], events: Sequence[DomainEvent], receipt: Receipt | None,
             read: Mapping[UUID, int] | None = None) -> int:
        """Append atomically; ``IntegrityError`` if a changed state's version was taken, or a record in ``read``
        (id → the version decided on) changed meanwhile."""
        ...

    def read(self, after: int, limit: int) -> list[LogEntry]: ...

    def head(self) -> int: ...

    def find_receipt(self, scope: str, key: str) -> StoredReceipt | None: ...

    def writing(self) -> AbstractContextManager[Any]:
        """Held by a command from its idempotency check to its save: where the store cannot take concurrent
        writers well (embedded SQLite), one command at a time; elsewhere the database arbitrates."""
        ...


class Sealer(Protocol):
    """Field encryption for personal data (see infrastructure.vault)."""

    def seal(self, key_id: str, plaintext: str) -> str: ...

    def open(self, token: str) -> str: ...

    def digest(self, purpose: str, value: str) -> str: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Ids(Protocol):
    def new(self) -> UUID: ...


class Directory(Protocol):
    """What commands look up in the read models (infrastructure.lookups). Each answer includes every event recorded
    before the call: an adapter brings its read model up to the head of the log first, so a command never decides
    on a read model that lags (a projector in its own process may be behind)."""

    def posts_of(self, unit_id: UUID) -> list[UUID]: ...

    def lists_of(self, unit_id: UUID) -> list[UUID]: ...

    def unsupervised_enterprises(self, jurisdiction: str, sector: str) -> list[UUID]: ...

    def units_under(self, parent_id: UUID, kind: str) -> list[UUID]: ...

    def supervised_units(self, department_id: UUID) -> list[UUID]:
        """The open enterprises and intermediaries a department supervises (a draw's default target pool)."""
        ...

    def previous_inspections(self, target_ids: Sequence[UUID], before: datetime) -> list[PreviousInspection]:
        """Each target's latest enforcement inspection that took place before ``before``, with its inspectors."""
        ...

    def hazards_of(self, unit_id: UUID) -> list[UUID]:
        """Every hazard reported at the unit (the discretion of a penalty reads their histories)."""
        ...

    def cases_of(self, unit_id: UUID) -> list[UUID]:
        """Every penalty case opened against the unit (earlier penalties aggravate; 第113条 counts them)."""
        ...

    def vetoes_naming(self, unit_id: UUID, year: int) -> list[UUID]:
        """The year's assessment-veto findings (一票否决, seed 001 ¶30) that name the unit: the town's own, or those
        naming it among the departments concerned."""
        ...


class TipRegister(Protocol):
    """What the reward rule needs from the tip ledger (a read model, asked as of a log position; projections.tips)."""

    def tips_about(self, target_id: UUID, *, seen: int | None = None) -> list[UUID]:
        """The tips linked to an outcome (a matter), wherever they were received, in the order received — once the
        ledger has read the log up to position ``seen`` (waiting a bounded time; refused when it has not)."""
        ...


class Deadlines(Protocol):
    """What the policy worker must fire (see projections.deadlines)."""

    def due(self, now: datetime) -> list[tuple[UUID, date]]: ...

    def unescalated(self) -> list[UUID]: ...

    def unsupervised(self) -> list[tuple[UUID, datetime]]:
        """Open hazards whose listing names no supervisor, with the listing's start."""
        ...


class AccidentChecks(Protocol):
    """What the accident policies must judge (see projections.accident_checks)."""

    def due(self, now: datetime) -> list[tuple[UUID, str, int | None, datetime]]:
        """(accident, check kind, report number or None, due at) for each judgement due by ``now`` not yet made."""
        ...

    def unwarranted(self) -> list[tuple[UUID, str, int | None]]:
        """(accident, irregularity, report number or None) for each raised flag the record no longer warrants."""
        ...


class CaseDeadlines(Protocol):
    """What the case policies must fire (see projections.cases)."""

    def hearing_windows_closed(self, today: date) -> list[UUID]: ...

    def decisions_overdue(self, today: date) -> list[UUID]: ...

    def payments_overdue(self, today: date) -> list[UUID]: ...

    def closure_candidates(self, today: date) -> list[tuple[UUID, UUID]]:
        """(unit, major hazard) pairs that may meet 安全生产法 第113条(一); the command re-checks."""
        ...


@dataclass(frozen=True)
class VetoCount:
    """A town's calendar year as the assessment veto counts it (seed 001 ¶30)."""

    territory_id: UUID
    illegal_acts: int
    fatal_accidents: int
    department_ids: tuple[UUID, ...]


class Vetoes(Protocol):
    """What the veto policy judges (see projections.accountability)."""

    def veto_counts(self, scope: str, year: int, grades: tuple[str, ...]) -> list[VetoCount]: ...


class Slips(Protocol):
    """What the slip policy fires (see projections.accountability)."""

    def late_slips(self, now: datetime) -> list[UUID]:
        """Slips past their deadline, unanswered or answered after it, not yet flagged."""
        ...


@dataclass(frozen=True)
class MonthlyLeader:
    """A leader who held, for a whole month, a post that must lead an inspection every month: of the sectors of
    their unit (a 专委会, seed 002 §(一)3), or of their own unit (an enterprise in a campaign, seed 004)."""

    person_id: UUID
    post_id: UUID
    unit_id: UUID | None = None
    sectors: tuple[str, ...] = ()


class Oversight(Protocol):
    """What the oversight policies judge a month by (see projections.oversight)."""

    def supervising_departments(self, start: datetime, end: datetime) -> list[UUID]:
        """The departments that supervised something at some time in ``[start, end)``."""
        ...

    def penalty_counts(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Penalties decided (with a fine) per department in ``[start, end)``."""
        ...

    def order_counts(self, start: datetime, end: datetime) -> dict[UUID, int]:
        """Orders on the spot (责令限期整改, 责令暂时停产停业) issued per ordering department in ``[start, end)``."""
        ...

    def enforcement_counts(self, start: datetime, end: datetime) -> dict[UUID, int]: ...

    def monthly_leaders(self, start: datetime, end: datetime, unit_kinds: tuple[str, ...]) -> list[MonthlyLeader]: ...

    def led_counts(self, start: datetime, end: datetime) -> dict[tuple[UUID, str | None, UUID], int]:
        """Completed inspections led in ``[start, end)`` per (leader, target's sector, target unit)."""
        ...

    def main_leaders(self, start: datetime, end: datetime, scope: str) -> list[MonthlyLeader]:
        """Holders of an enterprise's main responsible post in ``scope`` for the whole of ``[start, end)``."""
        ...

    def raised(self, period: str) -> list[tuple[UUID, str, UUID]]: ...


@dataclass(frozen=True)
class ListingCandidate:
    """A blacklist ground the unit's accidents, or a decided penalty case, meet with no listing proposed for it yet
    (projections.blacklist)."""

    unit_id: UUID
    ground: str
    accident_ids: tuple[UUID, ...]
    cause: UUID
    """The event that made it due: the latest accident's recording or regrading, or the case's decision."""
    case_id: UUID | None = None
    """The decided case that meets the ground (then ``accident_ids`` is empty)."""


class BlacklistCandidates(Protocol):
    """What the blacklist policy proposes (see projections.blacklist)."""

    def candidates(self) -> list[ListingCandidate]: ...
