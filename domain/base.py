"""Building blocks shared by every aggregate: the event envelope, events, aggregate state, snapshots.

Events are immutable pydantic models (the ``eventsourcing`` library's *aggregate7* style): a command is decided
by a pure function that returns new events; ``event.apply(state)`` evolves the state. Every event carries the
envelope of docs/architecture.md §3: actor, effective time, jurisdiction, correlation/causation, command id, basis and,
where a rule derived it, the rules-pack version. The recorded time is the library's ``timestamp``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

from domain.errors import Rejected
from domain.identifiers import mask_certificate_number


class Frozen(BaseModel):
    """An immutable value: events, states and value objects are never changed in place."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Actor(Frozen):
    """Who caused an event: an authenticated principal and the role it acted in."""

    principal: str
    role: str


EVENT_NAMESPACE = UUID("5b0f7c3e-2a41-4d8e-9c6b-0e7d3f1a9b52")


def event_id(originator_id: UUID, originator_version: int) -> UUID:
    """The stable id of a stored event: an aggregate version is stored once, so it names the event for good
    (CloudEvents ``id``, causation ids of policy commands)."""
    return uuid5(EVENT_NAMESPACE, f"{originator_id}:{originator_version}")


SYSTEM = Actor(principal="system:zeren", role="system")
"""The actor of events that a policy or rule derived (docs/architecture.md §3, §6)."""


class Envelope(Frozen):
    """The metadata every stored event carries (docs/architecture.md §3)."""

    effective_at: datetime
    actor: Actor
    jurisdiction: str
    correlation_id: UUID
    causation_id: UUID | None = None
    command_id: str | None = None
    basis: str | None = None
    rules_version: str | None = None


class CommandContext(Frozen):
    """What the application knows about a command besides its content: who, when, and why.

    ``recorded_at`` comes from the application's clock, ``actor`` from authentication, never from a request body.
    """

    actor: Actor
    recorded_at: datetime
    effective_at: datetime
    correlation_id: UUID
    causation_id: UUID | None = None
    command_id: str | None = None
    basis: str | None = None

    def envelope(
        self,
        jurisdiction: str,
        *,
        basis: str | None = None,
        rules_version: str | None = None,
        effective_at: datetime | None = None,
    ) -> Envelope:
        return Envelope(
            effective_at=effective_at or self.effective_at,
            actor=self.actor,
            jurisdiction=jurisdiction,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            command_id=self.command_id,
            basis=basis or self.basis,
            rules_version=rules_version,
        )


S = TypeVar("S", bound="Aggregate")
E = TypeVar("E", bound="DomainEvent")


class DomainEvent(Frozen):
    """A fact, recorded forever. Subclasses name a Chinese ``term`` and implement ``apply``."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    envelope: Envelope

    term: ClassVar[str] = ""
    """The Chinese name of the fact (glossary)."""
    context: ClassVar[str] = ""
    """The bounded context, used in stream types ``cn.zeren.<context>.<Event>.v<N>``."""
    class_version: ClassVar[int] = 1
    """Schema version; a change adds ``upcast_v<N>_v<N+1>(state)`` (see infrastructure.persistence)."""
    redacted: ClassVar[frozenset[str]] = frozenset()
    """Fields that never leave the store: not published, not exported, not shown (whistleblower data)."""
    masked: ClassVar[frozenset[str]] = frozenset()
    """Dotted paths of fields shown only masked outside the store (a certificate number may embed a 身份证号)."""

    @abstractmethod
    def apply(self, state: Any) -> Any:
        """The aggregate state after this event (``state`` is ``None`` for a creating event)."""

    @property
    def effective_at(self) -> datetime:
        return self.envelope.effective_at

    @property
    def id(self) -> UUID:
        """The event's stable id (:func:`event_id`)."""
        return event_id(self.originator_id, self.originator_version)

    def shown(self) -> dict[str, Any]:
        """The event as it may be shown outside the store: every field but the redacted ones, masked ones masked."""
        data = self.model_dump(mode="json", exclude=set(self.redacted))
        for path in self.masked:
            *parents, name = path.split(".")
            holder = data
            for parent in parents:
                holder = holder[parent]
            holder[name] = mask_certificate_number(holder[name])
        return data

    def public_data(self) -> dict[str, Any]:
        """The event's own fields for consumers: without envelope, ids and redacted fields; masked ones masked."""
        data = self.shown()
        for name in ("originator_id", "originator_version", "timestamp", "envelope"):
            data.pop(name)
        return data


class Aggregate(Frozen):
    """The current state of one aggregate, rebuilt from its events."""

    id: UUID
    version: int
    jurisdiction: str
    created_on: datetime
    modified_on: datetime

    def shown(self, hidden: set[str]) -> dict[str, Any]:
        """The state as it may be shown outside the store, without the ``hidden`` (redacted) fields."""
        return self.model_dump(mode="json", exclude=hidden)

    def evolved(self, event: DomainEvent, **changes: Any) -> Self:
        """The state after ``event``: the given changes plus the new version and modification time."""
        return self.model_copy(
            update={"version": event.originator_version, "modified_on": event.timestamp, **changes}
        )

    def next_event(
        self,
        cls: type[E],
        ctx: CommandContext,
        *,
        basis: str | None = None,
        rules_version: str | None = None,
        effective_at: datetime | None = None,
        **fields: Any,
    ) -> E:
        """The next event of this aggregate, with its envelope taken from ``ctx``."""
        return cls(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=ctx.recorded_at,
            envelope=ctx.envelope(
                self.jurisdiction, basis=basis, rules_version=rules_version, effective_at=effective_at
            ),
            **fields,
        )


def first_event(
    cls: type[E],
    ctx: CommandContext,
    *,
    id: UUID,
    jurisdiction: str,
    basis: str | None = None,
    rules_version: str | None = None,
    effective_at: datetime | None = None,
    **fields: Any,
) -> E:
    """The event that creates an aggregate (version 1)."""
    return cls(
        originator_id=id,
        originator_version=1,
        timestamp=ctx.recorded_at,
        envelope=ctx.envelope(jurisdiction, basis=basis, rules_version=rules_version, effective_at=effective_at),
        **fields,
    )


def created(cls: type[S], event: DomainEvent, **fields: Any) -> S:
    """The state an aggregate starts with after its creating event."""
    return cls(
        id=event.originator_id,
        version=event.originator_version,
        jurisdiction=event.envelope.jurisdiction,
        created_on=event.timestamp,
        modified_on=event.timestamp,
        **fields,
    )


def project(state: Any, events: Iterable[Any]) -> Any:
    """Fold events (and snapshots) into a state: the projector the repository uses for every aggregate."""
    for event in events:
        state = event.apply(state)
    return state


def in_effect_order(events: Iterable[E]) -> list[E]:
    """An aggregate's events in the order they took effect (ties: the order recorded): folded with ``project`` they
    give the record as it stood on the day, also when some were recorded late (a back-dated submission recorded
    after the policy marked the hazard overdue). Read models that answer *as of a day* fold in this order."""
    return sorted(events, key=lambda e: (e.envelope.effective_at, e.originator_version))


def upcast(cls: type, state: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored event's dict (``class_version`` in it, 1 if absent) up to its class's current schema version
    with the class's ``upcast_v<N>_v<N+1>`` (docs/DEVELOPING.md: schema change of a stored event)."""
    version = state.pop("class_version", 1)
    while version < getattr(cls, "class_version", 1):
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state


class Snapshot(Frozen):
    """A stored copy of an aggregate's state at a version, so long-lived aggregates load fast
    (docs/architecture.md §10)."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    topic: str
    state: dict[str, Any]

    @classmethod
    def take(cls, aggregate: Aggregate) -> Snapshot:
        from eventsourcing.utils import get_topic

        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=aggregate.modified_on,
            topic=get_topic(type(aggregate)),
            state=aggregate.model_dump(mode="json"),
        )

    def apply(self, _: Any) -> Aggregate:
        from eventsourcing.utils import resolve_topic

        aggregate_class: type[Aggregate] = resolve_topic(self.topic)
        return aggregate_class.model_validate(self.state)


def require(condition: bool, code: str, detail: str, *, field: str | None = None, basis: str | None = None) -> None:
    """Refuse a command unless ``condition`` holds."""
    if not condition:
        raise Rejected(code, detail, field=field, basis=basis)
