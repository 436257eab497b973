"""Does sealing keep up with writing? Sealing, export and check rates next to the write rate, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.sealing [--commands N] [--postgres URL]

Writes N commands through the whole service layer (``bench.throughput``), then seals the log from scratch (batches of
500 events per transaction, a signed head every ``seal_every_events``), exports a full bundle, verifies it offline
and runs the live check. Prints events/s for each and the ratio of sealing to writing: above 1, the sealer keeps up.
"""

from __future__ import annotations

import time
from pathlib import Path

from api.bootstrap import bootstrap
from bench.backends import arguments, backends
from bench.throughput import run as write_commands
from infrastructure.audit.bundle import verify
from infrastructure.audit.export import Selection
from infrastructure.settings import Settings


def measure(settings: Settings, commands: int, bundle: Path) -> dict[str, float]:
    system = bootstrap(settings)
    try:
        written = write_commands(system, commands)
        events = system.store.head()
        keys = system.audit.keys()  # the signing key is made before the clock starts
        started = time.perf_counter()
        _, head = system.audit.sealer.seal_now()
        seal_seconds = time.perf_counter() - started
        started = time.perf_counter()
        plan = system.audit.export(Selection())
        with bundle.open("wb") as f:
            for chunk in plan.chunks():
                f.write(chunk)
        export_seconds = time.perf_counter() - started
        started = time.perf_counter()
        verified = verify(bundle, keys)
        verify_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = system.audit.check(keys)
        check_seconds = time.perf_counter() - started
        if head is None or not report.ok or verified.events != events or head.tree_size != events:
            raise RuntimeError(f"the seal does not hold: {report.summary()}")
    finally:
        system.close()
    return {"events": events, "writes_per_s": written["commands_per_s"], "seal_per_s": events / seal_seconds,
            "export_per_s": events / export_seconds, "verify_per_s": events / verify_seconds,
            "check_per_s": events / check_seconds, "bundle_mb": bundle.stat().st_size / 1e6}


def main() -> None:
    args = arguments(__doc__)
    with backends(args.postgres) as stores:
        for name, settings, tmp in stores:
            f = measure(settings, args.commands, tmp / f"{name}.zip")
            print(f"{name:<9} writes {f['writes_per_s']:6.0f} commands/s (1 event each)   "
                  f"sealing {f['seal_per_s']:6.0f} events/s "
                  f"= {f['seal_per_s'] / f['writes_per_s']:5.1f}x the write rate   export {f['export_per_s']:7.0f}/s "
                  f"({f['bundle_mb']:.1f} MB)   verify {f['verify_per_s']:7.0f}/s   check {f['check_per_s']:7.0f}/s "
                  f"({f['events']:.0f} events)")


if __name__ == "__main__":
    main()
