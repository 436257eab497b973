"""Rebuild every read model over the demo history, timed (docs/performance.md, "Rebuild before and after Core").

The script uses only what every version of Zeren has had since the demo (``bootstrap``, ``build_demo``,
``Runner.rebuild``), so the same file measures an older checkout too: run it with that checkout first on
``PYTHONPATH``, from a copy outside ``bench/`` (run as a file from ``bench/``, its folder comes first on
``sys.path``, and an older checkout's ``bench/http.py`` hides the standard library's ``http``; in this checkout
``python -m bench.rebuild_demo`` does the same). ``build`` loads the demo into an empty store; ``measure`` rebuilds all
projections once and prints one JSON line: the log's length, wall and client CPU seconds, and log events per second
(an event counts once, however many projections apply it)::

    cp bench/rebuild_demo.py /tmp/ && PYTHONPATH=. python /tmp/rebuild_demo.py build --sqlite /tmp/demo.db
    PYTHONPATH=. python /tmp/rebuild_demo.py measure --sqlite /tmp/demo.db
    PYTHONPATH=. python /tmp/rebuild_demo.py measure --postgres 'postgresql://postgres@127.0.0.1/zeren?schema=demo'

``--only NAME,…`` rebuilds just those read models (a newer version on an older store, against the read models that
version had).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from api.bootstrap import bootstrap
from api.demo.loader import build_demo
from infrastructure.settings import Settings


def settings(args: argparse.Namespace) -> Settings:
    secrets = Path(args.sqlite or f"/tmp/zeren-bench-{args.postgres.rsplit('=', 1)[-1]}").with_suffix(".secrets")
    if args.sqlite:
        return Settings(sqlite_path=Path(args.sqlite), database_url=None, data_dir=secrets, master_key=None,
                        jwt_secret="bench-" + "x" * 40)
    return Settings(database_url=args.postgres, data_dir=secrets, master_key=None, jwt_secret="bench-" + "x" * 40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["build", "measure"])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="the SQLite file")
    where.add_argument("--postgres", help="postgresql://…?schema=NAME")
    parser.add_argument("--only", help="comma-separated projection names (default: all)")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    if args.action == "build":
        system = build_demo(settings(args))[0]
        print(json.dumps({"events": system.store.head()}))
        system.close()
        return
    system = bootstrap(settings(args))
    try:
        events = system.store.head()
        if args.only:
            wanted = set(args.only.split(","))
            system.runner.projections = {k: v for k, v in system.runner.projections.items() if k in wanted}
        wall, cpu = time.perf_counter(), time.process_time()
        system.runner.rebuild()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        system.close()
    print(json.dumps({"events": events, "projections": len(system.runner.projections), "wall_s": round(wall, 3),
                      "cpu_s": round(cpu, 3), "events_per_s": round(events / wall, 1)}))


if __name__ == "__main__":
    main()
