"""The loop every follower runs: step, and when there is nothing to do, wait to be woken or for the next poll."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


def follow(step: Callable[[], int], stop: threading.Event, wake: threading.Event, poll_seconds: float,
           what: str) -> None:
    """Call ``step`` until ``stop`` is set; when it finds nothing to do, wait for ``wake`` or ``poll_seconds``.

    SQLite has no push subscription in the library, so every follower polls, woken early by local writes. A failing
    step is logged and retried after a pause: a follower never dies of one bad moment (a broker outage, a lock).
    Waiting looks at ``stop`` every :data:`STOP_CHECK_SECONDS`, so a long poll never delays a shutdown.
    """
    while not stop.is_set():
        try:
            moved = step()
        except Exception:
            log.exception("%s: step failed; retrying", what)
            moved = 0
            stop.wait(poll_seconds)
        if not moved:
            _idle(stop, wake, poll_seconds)


STOP_CHECK_SECONDS = 0.2


def _idle(stop: threading.Event, wake: threading.Event, seconds: float) -> None:
    """Wait until woken, stopped or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or wake.wait(min(remaining, STOP_CHECK_SECONDS)):
            break
    wake.clear()
