"""Followers woken by PostgreSQL the moment new events commit (``LISTEN``/``NOTIFY``), polling only as a fallback.

The library's PostgreSQL recorder sends ``NOTIFY <events table>`` in the transaction that inserts events; PostgreSQL
delivers a notification only when that transaction commits, so a follower that ``LISTEN``s wakes as soon as there is
something to read — from any process writing to the store, not only its own (those wake it in-process already).
Channels are database-wide, so each store's channel names its schema (``persistence.channel``): stores in other
schemas of the same database do not wake it. The projection runner, the sealer and the relay each listen.
A notification carries nothing the follower relies on: it reads the log from its tracked position as always, so a
lost notification (the listening connection dropped) delays it by at most its poll interval, and when the
connection is (re)established it is woken once to catch up with whatever committed while nobody listened.
SQLite has no such channel: its followers are woken in-process and poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from application.following import STOP_CHECK_SECONDS

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0


def of_log(conninfo: str | None, recorder: Any) -> Notifications | None:
    """Notifications of the log ``recorder`` writes (``None`` on SQLite, which has no channel)."""
    channel = getattr(recorder, "channel_name", None)
    return Notifications(conninfo, channel) if conninfo and channel else None


class Notifications:
    """``LISTEN`` on the log's channel in a thread of its own while a follower runs (PostgreSQL only)."""

    def __init__(self, conninfo: str, channel: str):
        self.conninfo = conninfo
        self.channel = channel
        self.listening = threading.Event()
        """Set while a connection is listening (tests wait for it before writing from elsewhere)."""

    @contextmanager
    def waking(self, wake: Callable[[], object], stop: threading.Event) -> Iterator[None]:
        """Call ``wake`` on every notification until the block ends or ``stop`` is set."""
        done = threading.Event()
        thread = threading.Thread(target=self._listen, args=(wake, stop, done), daemon=True,
                                  name=f"listen-{self.channel}")
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def _listen(self, wake: Callable[[], object], stop: threading.Event, done: threading.Event) -> None:
        while not (stop.is_set() or done.is_set()):
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.listening.set()
                    wake()  # whatever committed while nobody listened
                    while not (stop.is_set() or done.is_set()):
                        if any(True for _ in conn.notifies(timeout=STOP_CHECK_SECONDS, stop_after=1)):
                            wake()
            except psycopg.Error as exc:
                log.warning("listening on %s failed (%s); polling until it reconnects", self.channel, exc)
                done.wait(RECONNECT_SECONDS)
            finally:
                self.listening.clear()
