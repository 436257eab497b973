"""The loop every follower runs: step, and when there is nothing to do, wait to be woken or for the next poll.

A follower that cannot go on says so: every failed step is reported to the follower health log
(:class:`HealthLog`), which ``/healthz`` (``degraded``, HTTP 503), ``zeren projections status`` and
``zeren relay --status`` read; the next successful step clears it. A follower never skips an event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

log = logging.getLogger(__name__)

ERROR_CHARS = 300
"""How much of an error's text the health log keeps (its first line)."""


class FollowerFailed(Exception):
    """A follower could not process the event at ``position`` of the log."""

    def __init__(self, position: int, cause: BaseException):
        super().__init__(f"at log position {position}: {describe(cause)}")
        self.position = position
        self.cause = cause
        self.reached: int | None = None
        """How far the entries before it were applied (``None``: not one), when they were."""


def describe(error: BaseException) -> str:
    """An error in one line: its type and the first line of its message."""
    if isinstance(error, FollowerFailed):
        return describe(error.cause)
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}"[:ERROR_CHARS]
    return "".join(char if char.isprintable() else "\ufffd" for char in text)


class HealthLog(Protocol):
    """Where followers report that they are stuck (``infrastructure.follower_health`` keeps it in the database)."""

    def failed(self, name: str, error: BaseException, position: int | None = None) -> bool:
        """Record that ``name`` failed (at ``position`` when known); True when this is news (not the same error
        again)."""
        ...

    def recovered(self, name: str, passed: int | None = None) -> None:
        """Record that ``name`` stepped successfully (up to log position ``passed`` when known: a failure further
        on, met meanwhile by another follower of the same name, stands)."""
        ...


class Reached(Protocol):
    """Waits (at most ``timeout`` seconds) until the named followers have processed the log up to ``position``;
    says whether they did (implemented by ``infrastructure.following.wait_for``)."""

    def __call__(self, names: Iterable[str], position: int, timeout: float) -> bool: ...


STOP_CHECK_SECONDS = 0.2
ROUND_SPACING_SECONDS = 0.02
"""The least time between the starts of two rounds of a follower woken by commits (:func:`follow`): 20 ms keeps
the follower latency's target (write → every read model, p95 ≤ 50 ms, issue #15) with room for the round itself."""


def follow(step: Callable[[], int], stop: threading.Event, wake: threading.Event, poll_seconds: float,
           what: str, health: HealthLog | None = None, spacing: float = ROUND_SPACING_SECONDS,
           full: int | None = None) -> None:
    """Call ``step`` until ``stop`` is set; when it finds nothing to do, wait for ``wake`` or ``poll_seconds``.

    SQLite has no push subscription in the library, so every follower polls, woken early by local writes. A failing
    step is reported to ``health`` (logged once per new error) and retried after a pause: a follower never dies of
    one bad moment (a broker outage, a lock), and one that cannot get past an event shows as degraded until it can.
    Waiting looks at ``stop`` every :data:`STOP_CHECK_SECONDS`, so a long poll never delays a shutdown.

    Wake-ups are coalesced (issue #15): a step woken less than ``spacing`` seconds after the last one began waits
    out the rest, so commits arriving meanwhile are taken in one round instead of a round each — under a stream of
    commands a follower runs at most ``1 / spacing`` rounds a second, each a few commands' events, and a lone
    command (the last round long ago) is followed at once. The wake-up is cleared *before* each step: one that
    arrives during a step may name events the step read past, so it causes one more step, never a lost one.

    ``full``: a step that moved fewer than ``full`` entries reached the head of the log, and the next one waits for
    a wake-up and the spacing as after a step that found nothing; a step of ``full`` or more may have left more
    behind and the next follows at once (catching up). Without it every step that moved is followed at once —
    under a stream of commands each commit during a round then started the next round as soon as it ended: rounds
    ran back to back, a command or two each, and the spacing held only after a round that found nothing (issue
    #15: the sealer stepped ≈ 25 times a second under one HTTP client instead of 4).
    """
    while not stop.is_set():
        wake.clear()
        began = time.monotonic()
        try:
            moved = step()
        except Exception as exc:
            position = exc.position if isinstance(exc, FollowerFailed) else None
            if health is None or health.failed(what, exc, position):
                log.exception("%s: step failed; retrying", what)
            moved = 0
            stop.wait(poll_seconds)
        else:
            if health is not None:
                health.recovered(what)
        if not moved or (full is not None and moved < full):
            _idle(stop, wake, poll_seconds)
            stop.wait(max(0.0, began + spacing - time.monotonic()))


def _idle(stop: threading.Event, wake: threading.Event, seconds: float) -> None:
    """Wait until woken, stopped or ``seconds`` have passed (the wake-up is cleared by the next step)."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or wake.wait(min(remaining, STOP_CHECK_SECONDS)):
            break
