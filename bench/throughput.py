"""Throughput of the write path and of the followers, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.throughput [--commands N] [--postgres URL]

Prints commands/s through the whole service layer (authorisation, decision, one transaction per command) and the
projection rebuild rate (batched commits), with ratios against the library's per-event commit figure measured on
this kind of machine (docs/architecture.md §10: ≈2,000 events/s for one transaction per event).
"""

from __future__ import annotations

import time

from api.bootstrap import System, bootstrap
from api.demo.identifiers import credit_code
from application import organisation as o
from application.authorization import Principal
from bench.backends import arguments, backends
from domain.units import EnterpriseProfile, Level, RiskColour, TerritorialProfile

LIBRARY_PER_EVENT_COMMIT = 2_000.0
ADMIN = Principal("bench", "admin", "350000")


def run(system: System, commands: int) -> dict[str, float]:
    execute = system.service.execute
    province = execute(o.RegisterUnit(profile=TerritorialProfile(name="省", level=Level.province, code="350000")),
                       ADMIN).id
    enterprises = [
        execute(o.RegisterUnit(profile=EnterpriseProfile(
            name=f"企业{i}", credit_code=credit_code(i), sector="城镇燃气", address="x", legal_representative="x",
            staff_count=1), parent_id=province), ADMIN).id
        for i in range(1, 51)
    ]
    colours = list(RiskColour)
    started = time.perf_counter()
    for i in range(commands):
        execute(o.GradeRiskColour(unit_id=enterprises[i % 50], colour=colours[i % 4], reason="bench"), ADMIN)
    write_seconds = time.perf_counter() - started
    head = system.store.head()
    started = time.perf_counter()
    applied = system.runner.rebuild()
    rebuild_seconds = time.perf_counter() - started
    return {"commands_per_s": commands / write_seconds, "events": head,
            "projected_events_per_s": applied / rebuild_seconds}


def main() -> None:
    args = arguments(__doc__)
    with backends(args.postgres) as stores:
        for name, settings, _ in stores:
            system = bootstrap(settings)
            figures = run(system, args.commands)
            projections = len(system.runner.projections)
            system.close()
            print(f"{name:<9} commands: {figures['commands_per_s']:8.0f}/s (one transaction each)   "
                  f"projection rebuild: {figures['projected_events_per_s']:8.0f} events/s "
                  f"= {figures['projected_events_per_s'] / LIBRARY_PER_EVENT_COMMIT:4.1f}x the per-event commit "
                  f"({figures['events']} events, {projections} projections)")


if __name__ == "__main__":
    main()
