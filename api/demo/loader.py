"""Loading the demo history into a store (``zeren demo``, ``zeren serve --demo``)."""

from __future__ import annotations

from typing import Any

from api.bootstrap import System, bootstrap
from api.demo import accidents, accountability, blacklist, cases, hazards, huiji, inspections, outsourcing, quangang
from api.demo.scene import END, SEED, START, Demo
from application.clock import ManualClock, SeededIds
from application.policies import Worker
from application.service import Zeren
from domain.errors import Conflict
from infrastructure.settings import Settings


def load(service: Zeren, clock: ManualClock, worker: Worker) -> dict[str, Any]:
    """Load the whole demo history; returns counts and the ids a tour of the demo needs. ``worker`` fires the
    policies as the history walks on (on the same clock)."""
    d = Demo(service, clock)
    quangang.founding(d)
    strand = hazards.schedule(d, inspections.schedule(d), worker)
    accidents.schedule(d, strand, worker)
    accountability.schedule(d, worker)
    blacklist.schedule(d, strand)
    outsourcing.schedule(d)
    huiji.schedule(d)
    cases.schedule(d, strand)
    quangang.two_years(d)
    d.run_agenda()
    return {"commands": d.commands, "head": service.log.head(), "narrative": d.narrative,
            "county_id": str(d.ids["county"]),
            "gas_co_id": str(d.ids["gas_co"]), "chengguan_id": str(d.ids["chengguan"])}


def build_demo(settings: Settings) -> tuple[System, dict[str, Any]]:
    """A system on ``settings`` with the demo history loaded into its (empty) store, and the demo's summary.

    The history walks a manual clock with seeded ids, reading the read models as an operator would (they are kept
    current after every command) and with the policy worker firing on the same clock.
    """
    clock = ManualClock(START)
    system = bootstrap(settings, clock=clock, ids=SeededIds(SEED))
    try:
        if system.store.head():
            raise Conflict("store-not-empty", "the store already holds events; the demo loads into an empty one")
        system.service.listeners.append(lambda _position: system.runner.catch_up())
        summary = load(system.service, clock, system.worker)
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
    refused = "".join(f"\n  {line}" for line in summary["narrative"])
    return f"{summary['commands']} commands, {summary['head']} events (泉港区 {START:%Y-%m} – {END:%Y-%m}){refused}"


def ensure_demo(settings: Settings) -> str:
    """Load the demo unless the store already holds events."""
    system = bootstrap(settings)
    try:
        head = system.store.head()
    finally:
        system.close()
    if head:
        return f"store already holds {head} events; not loading the demo again"
    return load_demo_into(settings)
