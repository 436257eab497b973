"""The suite's command rows alone (issue #15): commands/s through ``Zeren.execute`` with 1 writer on PostgreSQL and
SQLite and with 4 writer threads on PostgreSQL, each beside the library's ``Application.save`` measured in the same
run (alternating runs), with the client's CPU per command.

    .venv/bin/python -m bench.commands [--commands 1000] [--runs 3] [--writers 1 4] [--backends postgres sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from bench.backends import POSTGRES
from bench.suite import CPU, commands, store


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=1000, help="commands per run (shared out among writers)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--backends", nargs="+", default=["postgres", "sqlite"])
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args(argv)
    print("| backend | writers | ours commands/s | library saves/s | ratio | CPU ms/command ours / library | load |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as name:
        for backend in args.backends:
            for count in args.writers:
                if backend == "sqlite" and count > 1:
                    continue
                with store(backend, args.postgres, Path(name)) as settings:
                    ours, theirs = commands(settings, Path(name), args.commands, args.runs, count)
                cpu = {who: statistics.median(CPU[(backend == "postgres", count, who)]) * 1000
                       for who in ("ours", "theirs")}
                load = os.getloadavg()[0]
                print(f"| {backend} | {count} | {ours:,.1f} | {theirs:,.1f} | {ours / theirs:.2f}× | "
                      f"{cpu['ours']:.2f} / {cpu['theirs']:.2f} | {load:.1f} |", flush=True)


if __name__ == "__main__":
    main()
