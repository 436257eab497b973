"""One command's work: the aggregates it loads, the events it decides, saved together or not at all."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from pydantic import BaseModel

from application.authorization import Principal
from application.ports import Clock, Directory, EventLog, Ids, Sealer, TipRegister
from domain.base import Aggregate, CommandContext, DomainEvent
from domain.errors import Conflict, NotFound
from domain.references import dotted, references

S = TypeVar("S", bound=Aggregate)


class UnitOfWork:
    def __init__(self, log: EventLog, ctx: CommandContext, principal: Principal, ids: Ids, clock: Clock,
                 sealer: Sealer, directory: Directory, tips: TipRegister | None = None):
        self.log = log
        self.ctx = ctx
        self.principal = principal
        self.ids = ids
        self.clock = clock
        self.sealer = sealer
        self.directory = directory
        self.tips = tips
        self.events: list[DomainEvent] = []
        self.created: dict[str, UUID] = {}
        """Ids of things the command made inside an aggregate (e.g. a duty in a list), for the response."""
        self._states: dict[UUID, Aggregate] = {}
        """States this command changed (saved with its events)."""
        self._read: dict[UUID, Aggregate | None] = {}
        """States this command read from the store, so that each is loaded once per command."""

    def _stored(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id not in self._read:
            self._read[aggregate_id] = self.log.recent(aggregate_id)
        return self._read[aggregate_id]

    def find(self, aggregate_id: UUID, kind: type[S]) -> S | None:
        """The aggregate's state as this command sees it (including events it already decided), or ``None``."""
        state = self._states.get(aggregate_id)
        if state is None:
            state = self._stored(aggregate_id)
        return state if isinstance(state, kind) else None

    def admit(self, command: BaseModel) -> None:
        """Refuse the command unless the caller could read every record it names (``domain.references``).

        The rule is a read's: the record exists, is of the declared kind and lies in the caller's jurisdiction.
        Otherwise the answer is the one a read gives — no such record — so a refusal never tells whether, or
        where, a record outside the caller's jurisdiction exists.
        """
        for path, ref, record_id in references(command):
            state = self.find(record_id, Aggregate)
            if state is None or (ref.kind is not None and type(state).__name__ != ref.kind) \
                    or not self.principal.may_read(state.jurisdiction, above=ref.above):
                raise NotFound("not-found", f"no {ref.label} with id {record_id}", field=dotted(path))

    def load(self, aggregate_id: UUID, kind: type[S], *, label: str, field: str,
             expected_version: int | None = None, write: bool = True) -> S:
        """Load an aggregate the command needs; ``write`` ones must lie in the caller's jurisdiction."""
        state = self.find(aggregate_id, kind)
        if state is None:
            raise NotFound("not-found", f"no {label} with id {aggregate_id}", field=field)
        if write:
            self.principal.require_scope(state.jurisdiction, f"the {label} {aggregate_id}")
        if expected_version is not None and state.version != expected_version:
            raise Conflict("stale-version",
                           f"the {label} is at version {state.version}, not {expected_version}: reload and retry",
                           field="expected_version")
        return state

    def record(self, *events: DomainEvent | None) -> None:
        """Accept decided events: apply them to the states this command holds, check the caller may write them."""
        for event in events:
            if event is None:
                continue
            self.principal.require_scope(event.envelope.jurisdiction, "the change")
            previous = self._states.get(event.originator_id)
            if previous is None and event.originator_version > 1:
                previous = self._stored(event.originator_id)
            state = event.apply(previous)
            self.principal.require_scope(state.jurisdiction, "the result")
            self._states[event.originator_id] = state
            self.events.append(event)

    def state(self, aggregate_id: UUID) -> Aggregate | None:
        return self._states.get(aggregate_id)

    @property
    def states(self) -> list[Aggregate]:
        return list(self._states.values())

    @property
    def read_versions(self) -> dict[UUID, int]:
        """The versions of the records this command read and did not change: the save checks they still hold."""
        return {i: s.version for i, s in self._read.items() if s is not None and i not in self._states}
