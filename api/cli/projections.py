"""``zeren projections``: the read models that follow the log (status, rebuild, run)."""

from __future__ import annotations

import click

from api.bootstrap import bootstrap
from api.cli.console import follow


@click.group(help="Read models that follow the log.")
def projections() -> None:
    """Projection commands."""


@projections.command("status", help="Each projection's position and lag behind the log; a stuck one with the "
                     "position it cannot process and why (exit status 1).")
def projections_status() -> None:
    system = bootstrap()
    stuck = False
    for row in system.runner.status():
        line = f"{row['name']:<24} position {row['position']:>9}  lag {row['lag']:>7}  v{row['version']}"
        if row["rebuild"] is not None:
            rebuild = row["rebuild"]
            line += f"  rebuilding {rebuild['position']}/{rebuild['target']}"
            line += "  STALLED" if rebuild["stalled"] else ""
        if row["error"] is not None:
            stuck = True
            line += f"  STUCK at {row['failed_at_position'] or '?'}: {row['error']}"
        click.echo(line)
    if stuck:
        raise SystemExit(1)


@projections.command("rebuild", help="Rebuild one projection (or all) from the start of the log, into shadow tables "
                                    "swapped in when caught up: readers keep the old model until then.")
@click.argument("name", required=False)
def projections_rebuild(name: str | None) -> None:
    system = bootstrap()
    try:
        count = system.runner.rebuild(name)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None
    click.echo(f"rebuilt {name or 'all projections'}: {count} events applied")


@projections.command("run", help="Follow the log and keep the projections up to date (production mode).")
@click.option("--poll", default=0.5, show_default=True, type=click.FloatRange(0.05, 60))
def projections_run(poll: float) -> None:
    system = bootstrap()
    follow("following the log; Ctrl-C to stop", lambda stop: system.runner.run(stop, poll))
