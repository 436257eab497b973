"""The ``zeren`` command line. Wrong arguments print one readable line and exit non-zero."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from uuid import UUID

import click
import orjson

from domain.errors import DomainError


def _system(**kwargs: object):
    from api.bootstrap import bootstrap

    return bootstrap(**kwargs)  # type: ignore[arg-type]


def _echo_json(value: object) -> None:
    click.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode())


@click.group(help="Zeren (责任): the event-sourced system of record for work-safety accountability.")
def cli() -> None:
    """The root command."""


@cli.command(help="Serve the HTTP API (embedded mode: the projections run in the same process).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--demo/--no-demo", default=False, help="Load the demo history first if the store is empty.")
@click.option("--follow/--no-follow", default=True, show_default=True,
              help="Run the projections inside this process (production runs `zeren projections run`).")
def serve(host: str, port: int, demo: bool, follow: bool) -> None:
    import uvicorn

    from api.app import create_app
    from api.demo import ensure_demo
    from infrastructure.settings import Settings

    settings = Settings()
    if demo:
        loaded = ensure_demo(settings)
        click.echo(f"demo history: {loaded}")
    system = _system(settings=settings)
    system.runner.catch_up()
    app = create_app(system, follow=follow)
    from api.auth import issue_token

    token = issue_token(settings.resolved_jwt_secret, subject="demo-admin", role="admin", jurisdiction="350000",
                        ttl=timedelta(hours=settings.token_ttl_hours))
    where = "PostgreSQL" if settings.is_postgres else f"SQLite {settings.sqlite_path}"
    click.echo(f"Zeren on {where}")
    click.echo(f"API:    http://{host}:{port}/api/v1/docs")
    click.echo(f"Health: http://{host}:{port}/healthz")
    click.echo(f"Admin token for 福建省 (350000), valid {settings.token_ttl_hours} h:\n{token}")
    uvicorn.run(app, host=host, port=port, log_level="info")


@cli.command(help="Load the demo history (泉港区, two years) into an empty store.")
def demo() -> None:
    from api.demo import load_demo_into
    from infrastructure.settings import Settings

    click.echo(load_demo_into(Settings()))


@cli.group(help="Bearer tokens.")
def token() -> None:
    """Token commands."""


@token.command("issue", help="Print a bearer token for a role and a jurisdiction.")
@click.option("--role", required=True, help="admin, registrar, inspector, enforcement, investigator, auditor, "
              "viewer, stream, tip_officer or enterprise")
@click.option("--jurisdiction", required=True, help="a path of 行政区划代码, e.g. 350000/350500/350505")
@click.option("--subject", default=None, help="the principal's id (default: <role>@<jurisdiction>)")
@click.option("--unit", "unit_id", default=None, type=click.UUID,
              help="the unit it acts for: an enterprise user's enterprise, an inspector's department")
@click.option("--person", "person_id", default=None, type=click.UUID,
              help="the registered person who signs with this token (inspectors, verifiers)")
@click.option("--ttl-hours", default=None, type=click.IntRange(1, 24 * 366))
def token_issue(role: str, jurisdiction: str, subject: str | None, unit_id: UUID | None,
                person_id: UUID | None, ttl_hours: int | None) -> None:
    from api.auth import UNIT_TERMS, issue_token
    from application.authorization import Role
    from infrastructure.settings import Settings

    if role not in {r.value for r in Role}:
        raise click.BadParameter(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}",
                                 param_hint="--role")
    if Role(role) in UNIT_TERMS and unit_id is None:
        raise click.BadParameter(f"the {role} role needs --unit ({UNIT_TERMS[Role(role)]})", param_hint="--unit")
    settings = Settings()
    try:
        value = issue_token(settings.resolved_jwt_secret, subject=subject or f"{role}@{jurisdiction}", role=role,
                            jurisdiction=jurisdiction, unit_id=unit_id, person_id=person_id,
                            ttl=timedelta(hours=ttl_hours or settings.token_ttl_hours))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--jurisdiction") from None
    click.echo(value)


@cli.group(help="Read models that follow the log.")
def projections() -> None:
    """Projection commands."""


@projections.command("status", help="Each projection's position and lag behind the log.")
def projections_status() -> None:
    system = _system()
    for row in system.runner.status():
        click.echo(f"{row['name']:<24} position {row['position']:>9}  lag {row['lag']:>7}  v{row['version']}")


@projections.command("rebuild", help="Drop and rebuild one projection (or all) from the start of the log.")
@click.argument("name", required=False)
def projections_rebuild(name: str | None) -> None:
    system = _system()
    try:
        count = system.runner.rebuild(name)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None
    click.echo(f"rebuilt {name or 'all projections'}: {count} events applied")


@projections.command("run", help="Follow the log and keep the projections up to date (production mode).")
@click.option("--poll", default=0.5, show_default=True, type=click.FloatRange(0.05, 60))
def projections_run(poll: float) -> None:
    import signal
    import threading

    system = _system()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("following the log; Ctrl-C to stop")
    try:
        system.runner.run(stop, poll)
    except KeyboardInterrupt:
        stop.set()


@cli.command(help="Replay one aggregate: print its state and the events that made it.")
@click.argument("aggregate_id", type=click.UUID)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]),
              help="keep only events effective by then (what had happened in the world)")
@click.option("--known-at", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]),
              help="keep only events recorded by then (what the system knew)")
def replay(aggregate_id: UUID, as_of: datetime | None, known_at: datetime | None) -> None:
    from api.replay import replay as run_replay

    system = _system()
    result = run_replay(system.store, aggregate_id, as_of=_aware(as_of), known_at=_aware(known_at))
    if result is None:
        raise click.ClickException(f"no events for aggregate {aggregate_id} (at that time)")
    _echo_json(result.view.model_dump(mode="json"))


def _aware(value: datetime | None) -> datetime | None:
    """Dates without a zone are China Standard Time (UTC+8), the zone of the records."""
    from datetime import timezone

    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone(timedelta(hours=8)))


@cli.group(help="Inspections (检查): random draws (双随机) and their records.")
def inspections() -> None:
    """Inspection commands."""


@inspections.command("verify-draw", help="Re-run a recorded random draw (双随机) from the seed and pools stored in "
                     "the event log; exit 1 unless it gives the recorded result.")
@click.argument("draw_id", type=click.UUID)
def inspections_verify_draw(draw_id: UUID) -> None:
    from domain.random_draws import RandomDraw, rerun

    recorded = _system().store.get(draw_id)
    if not isinstance(recorded, RandomDraw):
        raise click.ClickException(f"no random draw {draw_id} in the event log")
    again = rerun(recorded)
    if again != recorded.result:
        raise click.ClickException(f"random draw {draw_id} does not reproduce: recorded "
                                   f"{[a.model_dump(mode='json') for a in recorded.result]}, re-run "
                                   f"{[a.model_dump(mode='json') for a in again]}")
    click.echo(f"random draw {draw_id} reproduces ({recorded.algorithm}, seed {recorded.seed!r}): "
               f"{recorded.targets} of {len(recorded.target_pool)} targets, {recorded.inspectors_per_target} of "
               f"{len(recorded.inspector_pool)} inspectors each, {len(recorded.exclusions)} exclusions")
    _echo_json([a.model_dump(mode="json") for a in again])


@cli.group(help="Generated documentation.")
def docs() -> None:
    """Docs commands."""


@docs.command("events", help="Write the event catalogue (docs/events.md) from the code.")
@click.option("-o", "--output", default="docs/events.md", show_default=True, type=click.Path(dir_okay=False))
def docs_events(output: str) -> None:
    from api.catalogue import render_events

    with open(output, "w", encoding="utf-8") as f:
        f.write(render_events())
    click.echo(f"wrote {output}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: one readable line on errors, exit status 2 for usage errors and 1 for refusals."""
    try:
        cli.main(args=argv, prog_name="zeren", standalone_mode=False)
    except click.ClickException as exc:
        click.echo(f"zeren: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("zeren: aborted", err=True)
        sys.exit(1)
    except DomainError as exc:
        click.echo(f"zeren: error: {exc.detail}", err=True)
        sys.exit(1)
