"""Clocks and id sources: injectable, so tests and the demo move time instead of sleeping (docs/architecture.md §6)."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; thread-safe."""

    def __init__(self, start: datetime):
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


class RandomIds:
    def new(self) -> UUID:
        return uuid.uuid4()


class SeededIds:
    """Reproducible ids (version-4 layout) from a seed: the demo history is the same on every machine."""

    def __init__(self, seed: int):
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def new(self) -> UUID:
        with self._lock:
            return UUID(int=self._random.getrandbits(128), version=4)
