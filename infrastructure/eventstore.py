"""The ``eventsourcing`` application that holds the one log, adapted to the service layer's ``EventLog`` port."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Mapper, Notification, Recording, StoredEvent, Transcoder

from application.following import FollowerFailed
from application.ports import LogEntry, Receipt, StoredReceipt
from domain.base import DomainEvent, Snapshot, project
from infrastructure.persistence import OrjsonTranscoder, PydanticMapper
from infrastructure.settings import Settings

SNAPSHOT_INTERVAL = 50
"""Long-lived aggregates (an enterprise, a duty list) get a snapshot every this many events
(docs/architecture.md §10)."""


class ZerenStore(Application[UUID]):
    """All aggregates of all bounded contexts, one event store, one notification log."""

    name = "Zeren"
    snapshot_class = Snapshot
    snapshotting_intervals: ClassVar[dict[type, int]] = {}
    snapshotting_projectors: ClassVar[dict[type, Any]] = {}

    _caching = threading.Lock()

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PydanticMapper)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Record, then keep the saved states in the cache — never over a newer one another thread cached."""
        recordings = self.events.put(processing_event.events, tracking=processing_event.tracking,
                                     **processing_event.saved_kwargs)
        for aggregate_id, state in processing_event.aggregates.items():
            remember(self, aggregate_id, state)
        return recordings

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def save_states(self, states: Sequence[Any], events: Sequence[DomainEvent],
                    **kwargs: Any) -> list[Recording[UUID]]:
        """``Application.save`` of states and events already told apart: the library's ``collect_events`` asks of
        every object whether it is an event with ``isinstance`` on runtime-checkable protocols (11 % of a bulk
        import's save in the profile); the rest is the library's own — record, cache, snapshots, notify."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.events.extend(events)
        processing_event.aggregates.update((state.id, state) for state in states)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings


    def save_encoded(self, states: Sequence[Any], events: Sequence[DomainEvent], stored: Sequence[StoredEvent],
                     **kwargs: Any) -> list[Recording[UUID]]:
        """:meth:`save_states` of events the mapper has already encoded (``stored``, one for each of ``events``):
        a bulk import encodes each event once, as it is decided (``bench/generator.py``), not again here."""
        ids = self.recorder.insert_events(stored, **kwargs)
        assert ids is not None, "an application recorder gives every event its position"
        recordings: list[Recording[UUID]] = [
            Recording(d, Notification(originator_id=s.originator_id, originator_version=s.originator_version,
                                      topic=s.topic, state=s.state, id=n))
            for d, s, n in zip(events, stored, ids, strict=True)]
        for state in states:
            remember(self, state.id, state)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.events.extend(events)
        processing_event.aggregates.update((state.id, state) for state in states)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings


def register_snapshotting(*aggregate_classes: type) -> None:
    """Snapshot these aggregate classes every :data:`SNAPSHOT_INTERVAL` events (the composition root says which,
    ``api.bootstrap.bootstrap``; class-wide and idempotent, as the library keeps it on the application class)."""
    for cls in aggregate_classes:
        ZerenStore.snapshotting_intervals[cls] = SNAPSHOT_INTERVAL
        ZerenStore.snapshotting_projectors[cls] = project


def remember(app: Application[UUID], aggregate_id: UUID, state: Any) -> None:
    """Put ``state`` in the aggregate cache unless the cache already holds a later version."""
    cache = app.repository.cache
    assert cache is not None
    with ZerenStore._caching:
        try:
            cached = cache.get(aggregate_id)
        except KeyError:
            cached = None
        if cached is None or cached.version < state.version:
            cache.put(aggregate_id, state)


def _decoded(event: DomainEventProtocol[UUID]) -> DomainEvent:
    """A stored event as the domain's own type (what :class:`PydanticMapper` decodes every stored event into)."""
    assert isinstance(event, DomainEvent), f"{type(event).__name__} is not a domain event"
    return event


class EventStore:
    """Implements ``application.ports.EventLog`` over :class:`ZerenStore`."""

    def __init__(self, settings: Settings):
        env = {**settings.eventsourcing_env(), "IS_SNAPSHOTTING_ENABLED": "y",
               # States are frozen models: cache them without copies. A command trusts the cache (no read of newer
               # events): its save checks every version it decided on, under the table lock (``recent``, ``save``).
               "AGGREGATE_CACHE_MAXSIZE": "10000", "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
               "AGGREGATE_CACHE_FASTFORWARD": "n"}
        self.backend = ZerenStore(env=env)
        self.recorder: Any = self.backend.recorder
        self._writing: AbstractContextManager[Any] = nullcontext() if settings.is_postgres else threading.Lock()
        """SQLite: the library's pool lets a writer wait 5 s for the one write connection, then fails; commands
        queue here instead (SQLite serialises writes anyway). PostgreSQL: concurrent commands, its locks decide."""

    def writing(self) -> AbstractContextManager[Any]:
        return self._writing

    @property
    def events_table(self) -> str:
        return self.recorder.events_table_name

    def get(self, aggregate_id: UUID, version: int | None = None) -> Any | None:
        """The aggregate's state at ``version``, or as stored now (the cached state brought up to date with one
        read of newer events)."""
        if version is not None:
            try:
                return self.backend.repository.get(aggregate_id, version=version, projector_func=project)
            except AggregateNotFoundError:
                return None
        state = self.recent(aggregate_id)
        if state is None:
            return None
        newer = list(self.backend.events.get(aggregate_id, gt=state.version))
        if newer:
            state = project(state, newer)
            remember(self.backend, aggregate_id, state)
        return state

    def recent(self, aggregate_id: UUID) -> Any | None:
        """The latest state this process knows — the cached one, without a read when it is cached. It may lag
        another process's writes: a command's save checks the versions it decided on (:meth:`save`)."""
        try:
            return self.backend.repository.get(aggregate_id, projector_func=project)
        except AggregateNotFoundError:
            return None

    def history(self, aggregate_id: UUID) -> list[DomainEvent]:
        return [_decoded(e) for e in self.backend.events.get(aggregate_id)]

    def save(self, states: Sequence[Any], events: Sequence[DomainEvent], receipt: Receipt | None,
             read: Mapping[UUID, int] | None = None) -> int:
        """Append the events in one transaction, with the receipt. Under the table lock the recorder checks that
        every record in ``read`` (id → the version the command decided on) is still at that version, and the
        unique (id, version) key that no changed state was saved by another writer first; either failure raises
        ``IntegrityError`` and forgets the cached states involved, so the command is decided again on fresh ones."""
        kwargs: dict[str, Any] = {"receipt": receipt} if receipt is not None else {}
        if read:
            kwargs["read"] = dict(read)
        try:
            recordings = self.backend.save_states(states, events, **kwargs)
        except IntegrityError:
            cache = self.backend.repository.cache
            assert cache is not None
            with ZerenStore._caching:
                for aggregate_id in {*(read or {}), *(s.id for s in states)}:
                    with suppress(KeyError):
                        cache.get(aggregate_id, evict=True)
            raise
        return max(r.notification.id for r in recordings)

    def append(self, states: Sequence[Any], events: Sequence[DomainEvent], stored: Sequence[StoredEvent],
               receipts: Sequence[tuple[Receipt, int]]) -> int:
        """A bulk import's batch — the events of many commands decided one after the other by a single writer
        (``bench/generator.py``) — in one transaction (on PostgreSQL one ``COPY``, under the table lock as every
        save), with each idempotent command's receipt and the index in ``events`` of that command's last event,
        whose position the receipt keeps (as :meth:`save` keeps a command's own); ``stored``: the events as the
        mapper encoded them (:meth:`encode`). Returns the last position."""
        kwargs: dict[str, Any] = {"receipts": list(receipts)} if receipts else {}
        recordings = self.backend.save_encoded(states, events, stored, **kwargs)
        return max(r.notification.id for r in recordings)

    def encode(self, event: DomainEvent) -> StoredEvent:
        """The event as it is stored (the mapper's encoding)."""
        return self.backend.mapper.to_stored_event(event)

    def read(self, after: int, limit: int) -> list[LogEntry]:
        notifications = self.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
        mapper = self.backend.mapper
        entries = []
        for n in notifications:
            try:
                entries.append(LogEntry(n.id, _decoded(mapper.to_domain_event(n)), n.topic, n.state))
            except Exception as exc:
                raise FollowerFailed(n.id, exc) from exc  # an event no class can load: name where it is
        return entries

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def find_receipt(self, scope: str, key: str) -> StoredReceipt | None:
        return self.recorder.find_receipt(scope, key)

    def close(self) -> None:
        self.backend.close()
