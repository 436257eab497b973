"""The Kafka relay (``zeren relay``): follows the log and publishes every event's envelope, at least once.

- It has its own row in ``follower_tracking`` (``relay:<topic>``): the last log position the broker acknowledged.
  A new topic name starts a new row, so the whole history is published to it.
- A batch: read up to ``relay_batch_size`` events, send them all (key = aggregate id, so one aggregate's events
  stay in one partition, in order), flush, check every acknowledgement (``acks=all``, idempotent producer); only
  then move the position, in a short transaction, to the end of the acknowledged prefix. The position never moves
  backwards, even with two relays on one row.
- A broker outage (any Kafka error or time-out) closes the producer, keeps the position, and retries with
  exponential back-off (tenacity); it resumes where it stopped. Events after the position may be sent twice
  (duplicates, never losses: consumers dedupe on the envelope ``id``, docs/stream.md).
- The topic is created with ``kafka_partitions`` partitions if it is missing (also after a broker came back empty).
- Lag = log head − relay position: ``zeren relay --status`` and ``/healthz`` read it from the tracking row; a broker
  outage (or an event it cannot publish) is in the follower health log until the next batch is acknowledged, so
  both show the relay as degraded meanwhile.
"""

from __future__ import annotations

import logging
import threading
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaConfigurationError, KafkaError, KafkaTimeoutError, TopicAlreadyExistsError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from application.following import follow
from application.ports import EventLog, LogEntry
from infrastructure.database import Database
from infrastructure.follower_health import FollowerHealth
from infrastructure.following import Tracking
from infrastructure.notifications import of_log
from infrastructure.settings import Settings
from infrastructure.stream.envelope import cloud_event, kafka_message

log = logging.getLogger(__name__)

TRACKING_PREFIX = "relay:"
BACKOFF_MAX_SECONDS = 30.0
LINGER_MS = 5
BATCH_BYTES = 256 * 1024
"""Bytes per partition in one produce request: large, so a relay batch takes few requests (and few wake-ups)."""
"""Records wait this long to share a produce request."""
FLUSH_GRACE_SECONDS = 5.0
"""Waiting for a batch lasts the delivery time-out plus this, so every record of it has completed by then."""


def tracking_name(topic: str) -> str:
    return f"{TRACKING_PREFIX}{topic}"


class BrokerUnavailable(Exception):
    """The broker did not acknowledge a batch (or could not be reached): nothing after the position is lost."""


@dataclass(frozen=True)
class RelayStatus:
    name: str
    topic: str
    position: int
    head: int
    updated_at: datetime | None
    """When the relay last moved (or started); ``None`` when it has never run."""
    error: str | None = None
    """Why it is stuck (a broker outage …), while it is."""

    @property
    def lag(self) -> int:
        """Log positions not yet acknowledged by the broker."""
        return max(self.head - self.position, 0)


def relay_statuses(db: Database, log_: EventLog, topic: str) -> list[RelayStatus]:
    """The configured relay (even before it first ran) and any other relay row found, with their lag."""
    head = log_.head()
    rows = {name: row for name, row in Tracking.rows(db).items() if name.startswith(TRACKING_PREFIX)}
    rows.setdefault(tracking_name(topic), {"position": 0, "updated_at": None})
    failures = FollowerHealth(db).failures()
    return [RelayStatus(name=name, topic=name.removeprefix(TRACKING_PREFIX), position=row["position"], head=head,
                        updated_at=row["updated_at"], error=failures[name].error if name in failures else None)
            for name, row in sorted(rows.items())]


class Relay:
    """Publishes the log to ``settings.kafka_topic``."""

    def __init__(self, settings: Settings, db: Database, log_: EventLog):
        self.settings = settings
        self.db = db
        self.log = log_
        self.topic = settings.kafka_topic
        self.name = tracking_name(self.topic)
        self._producer: KafkaProducer | None = None
        self.health = FollowerHealth(db)
        self._wake = threading.Event()
        self.notifications = of_log(getattr(db, "conninfo", None), getattr(log_, "recorder", None))
        """PostgreSQL: woken by every commit to the log (``LISTEN``), from any process."""

    # -- the broker ---------------------------------------------------------------------------------------------

    def _client_config(self) -> dict[str, Any]:
        timeout_ms = int(self.settings.relay_timeout_seconds * 1000)
        return {
            "bootstrap_servers": [s.strip() for s in self.settings.kafka_bootstrap.split(",") if s.strip()],
            "client_id": f"zeren-relay-{self.settings.deployment}",
            "request_timeout_ms": timeout_ms,
            "bootstrap_timeout_ms": timeout_ms,
            "reconnect_backoff_max_ms": 1000,
            **self.settings.kafka_options,
        }

    @property
    def _delivery_timeout_ms(self) -> int:
        """A record is acknowledged or failed this long after it was sent (Kafka requires it to exceed
        ``linger_ms + request_timeout_ms``)."""
        return int(self.settings.relay_timeout_seconds * 1000) + LINGER_MS + 1000

    def _ensure_topic(self) -> None:
        admin = KafkaAdminClient(**self._client_config())
        try:
            if self.topic not in admin.list_topics():
                log.info("relay: creating topic %s with %d partitions", self.topic, self.settings.kafka_partitions)
                with suppress(TopicAlreadyExistsError):  # another relay made it meanwhile
                    admin.create_topics([NewTopic(self.topic, self.settings.kafka_partitions,
                                                  self.settings.kafka_replication_factor)])
        finally:
            admin.close()

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            self._ensure_topic()
            timeout_ms = int(self.settings.relay_timeout_seconds * 1000)
            self._producer = KafkaProducer(
                **self._client_config(),
                acks="all",
                enable_idempotence=True,
                retries=2_147_483_647,  # bounded by delivery_timeout_ms, as the Kafka producer recommends
                retry_backoff_ms=200,
                delivery_timeout_ms=self._delivery_timeout_ms,
                max_block_ms=timeout_ms,
                linger_ms=LINGER_MS,
                batch_size=BATCH_BYTES,
                allow_auto_create_topics=False,  # a broker that lost the topic makes us recreate it as configured
            )
        return self._producer

    def close(self) -> None:
        """Drop the producer (after a failure, or at the end): a new one connects afresh."""
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=0)
            except KafkaError:
                log.warning("relay: the producer did not close cleanly", exc_info=True)

    # -- following the log ----------------------------------------------------------------------------------

    def position(self) -> int:
        """The last log position the broker acknowledged (a new relay starts at 0: the whole history)."""
        with self.db.read() as conn:
            position = Tracking.position(conn, self.name)
        if position is None:
            with self.db.transaction() as conn:
                position = Tracking.position(conn, self.name, lock=True)
                if position is None:
                    Tracking.start(conn, self.name)
                    position = 0
        return position

    def _advance(self, position: int) -> None:
        with self.db.transaction() as conn:
            current = Tracking.position(conn, self.name, lock=True) or 0
            if position > current:
                Tracking.advance(conn, self.name, position)

    def step(self) -> int:
        """Publish one batch; returns how many events it covered. Raises :class:`BrokerUnavailable` when the broker
        did not acknowledge all of it (the acknowledged prefix is kept)."""
        start = self.position()
        entries = self.log.read(start, self.settings.relay_batch_size)
        if not entries:
            return 0
        acknowledged, failure = self._publish(entries)
        if acknowledged > start:
            self._advance(acknowledged)
        if failure is not None:
            self.close()
            raise BrokerUnavailable(
                f"the Kafka broker at {self.settings.kafka_bootstrap} did not acknowledge the events after position "
                f"{max(start, acknowledged)} (the relay stays there): {failure}") from failure
        return len(entries)

    def _publish(self, entries: list[LogEntry]) -> tuple[int, Exception | None]:
        """Send a batch and wait until every record is acknowledged or has failed for good (the producer's delivery
        time-out bounds both), so nothing of it is still under way when the relay retries: the last position of
        the acknowledged prefix, and the failure if any."""
        futures: list[tuple[int, Any]] = []
        failure: Exception | None = None
        try:
            producer = self._connect()
            for entry in entries:
                message = kafka_message(cloud_event(entry, self.settings.deployment))
                key = message.key.encode() if isinstance(message.key, str) else message.key
                futures.append((entry.position, producer.send(self.topic, value=message.value, key=key,
                                                              headers=list(message.headers.items()))))
        except KafkaConfigurationError:
            raise  # not an outage: a setting (ZEREN_KAFKA_OPTIONS …) is wrong
        except KafkaError as exc:
            failure = exc
        if futures and self._producer is not None:
            try:
                self._producer.flush(timeout=self._delivery_timeout_ms / 1000 + FLUSH_GRACE_SECONDS)
            except KafkaError as exc:
                failure = failure or exc
        acknowledged = 0
        for position, future in futures:
            if not future.succeeded():
                return acknowledged, future.exception or failure or KafkaTimeoutError("not acknowledged in time")
            acknowledged = position
        return acknowledged, failure

    def catch_up(self) -> int:
        """Publish until the relay has reached the head of the log; raises :class:`BrokerUnavailable` (and records
        it in the follower health log until a later batch is acknowledged)."""
        total = 0
        try:
            while count := self.step():
                total += count
        except BrokerUnavailable as exc:
            self.health.failed(self.name, exc, self.position() + 1)
            raise
        self.health.recovered(self.name)
        return total

    def wake(self, _position: int = 0) -> None:
        self._wake.set()

    def _outage(self, state: RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action else 0.0
        failure = state.outcome.exception() if state.outcome else None
        log.warning("relay %s: %s; retry %d in %.1f s", self.name, failure, state.attempt_number, wait)
        if failure is not None:
            self.health.failed(self.name, failure, self.position() + 1)

    def run(self, stop: threading.Event) -> None:
        """Follow the log until ``stop`` is set; a broker outage backs off (0.2 s doubling to 30 s) and resumes."""
        def pause(seconds: float) -> None:
            stop.wait(seconds)  # an interruptible back-off: setting ``stop`` ends it at once

        retrying = Retrying(
            retry=retry_if_exception_type(BrokerUnavailable),
            wait=wait_exponential_jitter(multiplier=0.2, max=BACKOFF_MAX_SECONDS),
            stop=lambda _: stop.is_set(),
            sleep=pause,
            before_sleep=self._outage,
            retry_error_callback=lambda _: 0,
        )
        try:
            with self.notifications.waking(self.wake, stop) if self.notifications else nullcontext():
                follow(lambda: retrying(self.step), stop, self._wake, self.settings.relay_poll_seconds, self.name,
                       self.health)
        finally:
            self.close()
