"""Throughput of the write path and of the followers, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.throughput [--commands N] [--postgres URL]

Prints commands/s through the whole service layer (authorisation, decision, one transaction per command) and the
projection rebuild rate in **log events per second** (every projection applies every log event; an event counts
once, whatever the number of projections), beside a raw read and decode of the same log measured in the same run.
The whole suite with its baselines is ``python -m bench`` (bench/suite.py).
"""

from __future__ import annotations

import time

from api.bootstrap import System, bootstrap
from api.demo.identifiers import credit_code
from application import organisation as o
from application.authorization import Principal
from bench.backends import arguments, backends
from bench.suite import raw_read
from domain.units import EnterpriseProfile, Level, RiskColour, TerritorialProfile

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
    system.runner.rebuild()
    rebuild_seconds = time.perf_counter() - started
    return {"commands_per_s": commands / write_seconds, "events": head,
            "log_events_per_s": head / rebuild_seconds, "raw_read_per_s": raw_read(system)}


def main() -> None:
    args = arguments(__doc__)
    with backends(args.postgres) as stores:
        for name, settings, _ in stores:
            system = bootstrap(settings)
            figures = run(system, args.commands)
            projections = len(system.runner.projections)
            system.close()
            print(f"{name:<9} commands: {figures['commands_per_s']:8.0f}/s (one transaction each)   "
                  f"rebuild of all {projections} projections: {figures['log_events_per_s']:8.0f} log events/s "
                  f"= {figures['log_events_per_s'] / figures['raw_read_per_s']:4.2f}x a raw read + decode of the log "
                  f"({figures['raw_read_per_s']:.0f}/s; {figures['events']} events)")


if __name__ == "__main__":
    main()
