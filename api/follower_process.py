"""The embedded mode's followers in a process of their own beside the server's (``zeren serve`` on PostgreSQL).

``zeren serve`` follows the log itself (the README's single-process deployment): the projections, the sealer and
the policy worker. In threads of the server's process they shared its one interpreter lock with the requests, and
under load a follower's round — a hundred statements, each giving the lock up while it waits for PostgreSQL —
waited for the lock at every statement behind the request threads: the follower latency (write → every read
model) reached half a second, and the followers' rounds took two thirds of the interpreter's time that commands
needed (issue #15, docs/performance.md "Over HTTP"). In a child process they have an interpreter of their own,
as they do in production (``zeren serve --no-follow`` beside ``zeren projections run`` and ``zeren audit seal
--follow``).

Nothing they do needs the server's memory: PostgreSQL wakes them on every commit (``LISTEN``/``NOTIFY``,
``infrastructure.notifications``), their positions and failures are rows every process reads
(``follower_tracking``, ``follower_failures``: ``/healthz`` and read-your-writes waits read those), and each
follower's row is locked for its round, so exactly one process follows at a time whatever runs. SQLite has no
notifications: there the followers stay in the server's threads, woken by its commands.

The child stops when the server stops (an event the server sets), and by itself when the server's process is
gone (its parent changed): it never outlives the server.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event

from infrastructure.settings import Settings

log = logging.getLogger(__name__)

CHECK_SECONDS = 0.5
STOP_SECONDS = 10.0


def follow_in_child(settings: Settings, stop: Event, parent: int) -> None:
    """The child's body: every follower of ``bootstrap(settings)`` in a thread, until ``stop`` or the parent is
    gone."""
    from api.bootstrap import bootstrap  # in the child: the composition root, imported once it runs
    from infrastructure.memory import settle

    logging.basicConfig(level=logging.INFO)
    system = bootstrap(settings)
    settle()
    stopping = threading.Event()
    threads = [threading.Thread(target=target, args=(stopping,), daemon=True)
               for target in [system.runner.run, *system.followers]]
    for thread in threads:
        thread.start()
    try:
        while not stop.wait(CHECK_SECONDS) and os.getppid() == parent:
            pass
    finally:
        stopping.set()
        system.runner.wake()
        system.audit.sealer.wake()
        for thread in threads:
            thread.join(STOP_SECONDS)
        system.close()


@contextmanager
def followers(settings: Settings) -> Iterator[multiprocessing.process.BaseProcess]:
    """The followers of ``settings``' store in a child process while the block runs (PostgreSQL)."""
    context = multiprocessing.get_context("spawn")  # no copy of the server's threads, pools or connections
    stop = context.Event()
    child = context.Process(target=follow_in_child, args=(settings, stop, os.getpid()), daemon=True,
                            name="zeren-followers")
    child.start()
    try:
        yield child
    finally:
        stop.set()
        child.join(STOP_SECONDS + CHECK_SECONDS)
        if child.is_alive():
            log.warning("the followers' process did not stop in time; terminating it")
            child.terminate()
            child.join()
