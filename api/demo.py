"""Loading the demo history into a store (``zeren demo``, ``zeren serve --demo``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from application import demo
from application.clock import ManualClock, SeededIds
from domain.errors import Conflict
from infrastructure.settings import Settings

if TYPE_CHECKING:
    from api.bootstrap import System


def build_demo(settings: Settings) -> tuple[System, dict[str, Any]]:
    """A system on ``settings`` with the demo history loaded into its (empty) store, and the demo's summary.

    The history walks a manual clock with seeded ids, reading the read models as an operator would (they are kept
    current after every command) and with the policy worker firing on the same clock.
    """
    from api.bootstrap import bootstrap

    clock = ManualClock(demo.START)
    system = bootstrap(settings, clock=clock, ids=SeededIds(demo.SEED))
    try:
        if system.store.head():
            raise Conflict("store-not-empty", "the store already holds events; the demo loads into an empty one")
        system.app.listeners.append(lambda _position: system.runner.catch_up())
        summary = demo.load(system.app, clock, system.worker)
        system.runner.catch_up()
        system.audit.sealer.seal_now()
    except BaseException:
        system.close()
        raise
    return system, summary


def load_demo_into(settings: Settings) -> str:
    """Load the demo into an empty store; refuses a store that already holds events."""
    system, summary = build_demo(settings)
    system.close()
    return f"{summary['commands']} commands, {summary['head']} events (泉港区 {demo.START:%Y-%m} – {demo.END:%Y-%m})"


def ensure_demo(settings: Settings) -> str:
    """Load the demo unless the store already holds events."""
    from api.bootstrap import bootstrap

    system = bootstrap(settings)
    try:
        head = system.store.head()
    finally:
        system.close()
    if head:
        return f"store already holds {head} events; not loading the demo again"
    return load_demo_into(settings)
