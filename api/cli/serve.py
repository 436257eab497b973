"""``zeren serve``: the HTTP API, embedded mode (``zeren serve --demo`` loads the demo history first)."""

from __future__ import annotations

from datetime import timedelta

import click
import uvicorn

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import bootstrap
from api.demo.loader import ensure_demo
from api.memory import settle
from infrastructure.settings import Settings


@click.command(help="Serve the HTTP API (embedded mode: the projections run in the same process).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--demo/--no-demo", default=False, help="Load the demo history first if the store is empty.")
@click.option("--follow/--no-follow", default=True, show_default=True,
              help="Run the projections inside this process (production runs `zeren projections run`).")
def serve(host: str, port: int, demo: bool, follow: bool) -> None:
    settings = Settings()
    if demo:
        loaded = ensure_demo(settings)
        click.echo(f"demo history: {loaded}")
    system = bootstrap(settings)
    system.runner.catch_up()
    app = create_app(system, follow=follow)
    where = "PostgreSQL" if settings.is_postgres else f"SQLite {settings.sqlite_path}"
    click.echo(f"Zeren on {where}")
    click.echo(f"API:    http://{host}:{port}/api/v1/docs")
    click.echo(f"Web UI: http://{host}:{port}/ui/  (log in with a token)")
    click.echo(f"Health: http://{host}:{port}/healthz")
    if demo:  # a token for trying the demo; a real deployment issues its tokens with `zeren token issue`
        token = issue_token(settings.resolved_jwt_secret, subject="demo-admin", role="admin", jurisdiction="350000",
                            ttl=timedelta(hours=settings.token_ttl_hours))
        click.echo(f"Admin token for 福建省 (350000), valid {settings.token_ttl_hours} h:\n{token}")
    settle()
    uvicorn.run(app, host=host, port=port, log_level="info")
