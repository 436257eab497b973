"""``zeren worker``: fire the policies that are due (overdue hazards and their escalation)."""

from __future__ import annotations

import click

from api.bootstrap import bootstrap
from api.cli.console import follow


@click.command(help="Fire the policies that are due: overdue hazards and their escalation (production: its own "
               "process).")
@click.option("--once", is_flag=True, help="One pass, then exit (print how many policy commands wrote events).")
@click.option("--poll", default=None, type=click.FloatRange(0.5, 3600), help="seconds between passes")
def worker(once: bool, poll: float | None) -> None:
    system = bootstrap()
    if once:
        system.runner.catch_up()
        click.echo(f"policies fired: {system.worker.tick()}")
        return
    follow("firing due policies; Ctrl-C to stop",
           lambda stop: system.worker.run(stop, poll or system.settings.worker_poll_seconds))
