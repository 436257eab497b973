"""``zeren serve``: the HTTP API, embedded mode (``zeren serve --demo`` loads the demo history first)."""

from __future__ import annotations

import copy
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

import click
import uvicorn
from uvicorn.config import LOGGING_CONFIG

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import bootstrap
from api.demo.loader import ensure_demo
from api.follower_process import followers
from infrastructure.memory import settle
from infrastructure.settings import Settings

WORKER_APP = "api.app:worker_app"
"""The app factory each of ``--workers N`` processes calls (uvicorn imports it by name in the process)."""


def log_config() -> dict[str, Any]:
    """uvicorn's logging, each line naming the process that wrote it: with ``--workers N`` an access line says
    which worker answered the request."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["fmt"] = "%(levelprefix)s [%(process)d] %(message)s"
    config["formatters"]["access"]["fmt"] = ('%(levelprefix)s [%(process)d] %(client_addr)s - "%(request_line)s" '
                                             "%(status_code)s")
    return config


@click.command(help="Serve the HTTP API (embedded mode: it follows the log too, PostgreSQL: in a child process).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--demo/--no-demo", default=False, help="Load the demo history first if the store is empty.")
@click.option("--follow/--no-follow", default=True, show_default=True,
              help="Follow the log here: projections, sealer, policies (production runs `zeren projections run`).")
@click.option("--followers", "where", type=click.Choice(["process", "threads"]), default="process",
              show_default=True, help="On PostgreSQL, follow in a child process (its own interpreter: requests and "
              "followers do not queue for one interpreter lock) or in the server's threads. SQLite: threads.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes answering requests (PostgreSQL only: each its own interpreter and pools; the "
              "followers still run once, in one child process). SQLite: 1.")
def serve(host: str, port: int, demo: bool, follow: bool, where: str, workers: int) -> None:
    settings = Settings()
    if workers > 1 and not settings.is_postgres:
        raise click.UsageError("--workers above 1 needs PostgreSQL: a SQLite store is written by one process")
    if workers > 1 and follow and where == "threads":
        raise click.UsageError("--workers above 1 follows in one child process: --followers threads would follow "
                               "in every worker")
    if demo:
        loaded = ensure_demo(settings)
        click.echo(f"demo history: {loaded}")
    system = bootstrap(settings)
    system.runner.catch_up()
    child = follow and where == "process" and settings.is_postgres  # api.follower_process says why
    store = "PostgreSQL" if settings.is_postgres else f"SQLite {settings.sqlite_path}"
    click.echo(f"Zeren on {store}" + (" (followers in a child process)" if child else "")
               + (f", {workers} worker processes" if workers > 1 else ""))
    click.echo(f"API:    http://{host}:{port}/api/v1/docs")
    click.echo(f"Web UI: http://{host}:{port}/ui/  (log in with a token)")
    click.echo(f"Health: http://{host}:{port}/healthz")
    secret = settings.resolved_jwt_secret  # made here, once, if need be: the workers read the file
    if demo:  # a token for trying the demo; a real deployment issues its tokens with `zeren token issue`
        token = issue_token(secret, subject="demo-admin", role="admin", jurisdiction="350000",
                            ttl=timedelta(hours=settings.token_ttl_hours))
        click.echo(f"Admin token for 福建省 (350000), valid {settings.token_ttl_hours} h:\n{token}")
    if workers > 1:  # each worker builds its own system (api.app.worker_app); this process only supervises
        system.close()
        with followers(settings) if child else nullcontext():
            uvicorn.run(WORKER_APP, factory=True, workers=workers, host=host, port=port, log_level="info",
                        log_config=log_config())
        return
    app = create_app(system, follow=follow and not child)
    settle()
    with followers(settings) if child else nullcontext():
        uvicorn.run(app, host=host, port=port, log_level="info", log_config=log_config())
