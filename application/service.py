"""The command executor: authorise, make the context, run the handler, save atomically, answer idempotently."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError
from pydantic import BaseModel

from application.authorization import Principal
from application.commands import Command
from application.ports import Clock, Directory, EventLog, Ids, Receipt, Sealer, TipRegister
from application.unit_of_work import UnitOfWork
from domain.base import CommandContext
from domain.bounds import check_effective_time
from domain.errors import Conflict, DomainError, Rejected

Handler = Callable[[Any, UnitOfWork], UUID]


class EventRef(BaseModel):
    type: str
    aggregate_id: UUID
    version: int


class CommandResult(BaseModel):
    """What a command did: the record it concerned, its new version, and the log position it wrote up to."""

    id: UUID
    version: int | None
    position: int | None = None
    events: list[EventRef] = []
    created: dict[str, UUID] = {}
    replayed: bool = False


ATTEMPTS = 3
"""How often a command that lost a race to the store (another command saved the same record version first) is
decided again on the new state before it is answered 409 (PostgreSQL; SQLite serialises commands)."""


class _Raced(Exception):
    """The save lost a race: the command is decided again from the store."""


class Zeren:
    """The application: every change of state goes through :meth:`execute`."""

    def __init__(self, log: EventLog, clock: Clock, ids: Ids, sealer: Sealer, handlers: dict[type, Handler],
                 directory: Directory, tips: TipRegister | None = None):
        self.log = log
        self.clock = clock
        self.ids = ids
        self.sealer = sealer
        self.handlers = handlers
        self.directory = directory
        self.tips = tips
        self.listeners: list[Callable[[int], object]] = []

    def execute(
        self,
        command: Command,
        principal: Principal,
        *,
        idempotency_key: str | None = None,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
    ) -> CommandResult:
        principal.require_role(type(command).roles, type(command).action)
        # Only a command with an idempotency key is compared with an earlier one (its receipt keeps the fingerprint).
        fingerprint = hashlib.sha256(
            type(command).__name__.encode() + orjson.dumps(command.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        ).hexdigest() if idempotency_key else ""
        for _ in range(ATTEMPTS):
            try:
                with self.log.writing():
                    result, position = self._run(command, principal, fingerprint, idempotency_key, correlation_id,
                                                 causation_id)
                break
            except _Raced:
                continue
        else:
            raise Conflict(
                "concurrent-change",
                "another command changed the same record at the same moment, again and again; reload and retry",
            )
        if position is None:
            return result
        for listener in self.listeners:
            listener(position)
        result.position = position  # the result is this command's own (its receipt was encoded before the save)
        return result

    def _run(self, command: Command, principal: Principal, fingerprint: str, idempotency_key: str | None,
             correlation_id: UUID | None, causation_id: UUID | None) -> tuple[CommandResult, int | None]:
        """Decide and save (inside ``EventLog.writing``): the result, and the position written (``None``: nothing
        was written — a replay, or a command that changed nothing)."""
        if idempotency_key:
            replay = self._replay(principal, idempotency_key, fingerprint)
            if replay is not None:
                return replay, None
        now = self.clock.now()
        if command.effective_at is not None:
            check_effective_time(command.effective_at, now)
        command_uuid = self.ids.new()
        ctx = CommandContext(
            actor=principal.actor,
            recorded_at=now,
            effective_at=command.effective_at or now,
            correlation_id=correlation_id or command_uuid,
            causation_id=causation_id or command_uuid,
            command_id=idempotency_key,
            basis=command.basis,
        )
        uow = UnitOfWork(self.log, ctx, principal, self.ids, self.clock, self.sealer, self.directory, self.tips)
        try:
            uow.admit(command)
            target = self.handlers[type(command)](command, uow)
        except DomainError:
            if idempotency_key:  # the same key, committed meanwhile by a parallel request: its answer is the answer
                replay = self._replay(principal, idempotency_key, fingerprint)
                if replay is not None:
                    return replay, None
            raise
        state = uow.state(target) or self.log.get(target)
        result = CommandResult(
            id=target,
            version=state.version if state is not None else None,
            created=uow.created,
            events=[EventRef(type=type(e).__name__, aggregate_id=e.originator_id, version=e.originator_version)
                    for e in uow.events],
        )
        if not uow.events:
            if idempotency_key:  # nothing left to change: perhaps the same key, committed meanwhile, changed it
                replay = self._replay(principal, idempotency_key, fingerprint)
                if replay is not None:
                    return replay, None
            return result, None
        receipt = None
        if idempotency_key:
            receipt = Receipt(principal.subject, idempotency_key, fingerprint, result.model_dump_json().encode())
        try:
            position = self.log.save(uow.states, uow.events, receipt, uow.read_versions)
        except IntegrityError:
            if idempotency_key:
                replay = self._replay(principal, idempotency_key, fingerprint)
                if replay is not None:
                    return replay, None
            raise _Raced from None
        return result, position

    def _replay(self, principal: Principal, key: str, fingerprint: str) -> CommandResult | None:
        stored = self.log.find_receipt(principal.subject, key)
        if stored is None:
            return None
        if stored.fingerprint != fingerprint:
            raise Rejected("idempotency-key-reused",
                           "this Idempotency-Key was already used for a different request", field="Idempotency-Key")
        result = CommandResult.model_validate_json(stored.response)
        return result.model_copy(update={"position": stored.last_position, "replayed": True})
