"""The ``zeren`` command line: one module per group of commands. Wrong arguments print one readable line and exit
non-zero."""

from __future__ import annotations

import sys

import click

from api.cli.audit import audit
from api.cli.demo import demo
from api.cli.docs import docs
from api.cli.hazards import hazards
from api.cli.inspections import inspections
from api.cli.projections import projections
from api.cli.relay import relay
from api.cli.replay import replay
from api.cli.serve import serve
from api.cli.tips import tips
from api.cli.tokens import token
from api.cli.worker import worker
from domain.errors import DomainError


@click.group(help="Zeren (责任): the event-sourced system of record for work-safety accountability.")
def cli() -> None:
    """The root command."""


for command in (serve, demo, token, projections, relay, replay, worker, hazards, inspections, tips, docs, audit):
    cli.add_command(command)


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
