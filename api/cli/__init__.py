"""The ``zeren`` command line: one module per command group, imported only when that command runs (so
``zeren audit verify`` on an auditor's machine loads no database code, and no command pays for another's imports).
Wrong arguments print one readable line and exit non-zero."""

from __future__ import annotations

import importlib
import sys

import click

from domain.errors import DomainError

COMMANDS = {
    "serve": "api.cli.serve:serve",
    "demo": "api.cli.demo:demo",
    "token": "api.cli.tokens:token",
    "db": "api.cli.db:db",
    "projections": "api.cli.projections:projections",
    "relay": "api.cli.relay:relay",
    "replay": "api.cli.replay:replay",
    "worker": "api.cli.worker:worker",
    "hazards": "api.cli.hazards:hazards",
    "inspections": "api.cli.inspections:inspections",
    "tips": "api.cli.tips:tips",
    "cases": "api.cli.cases:cases",
    "orders": "api.cli.orders:orders",
    "docs": "api.cli.docs:docs",
    "audit": "api.cli.audit:audit",
    "dossier": "api.cli.dossier:dossier",
    "bench": "api.cli.bench:bench",
    "accountability": "api.cli.accountability:accountability",
    "blacklist": "api.cli.blacklist:blacklist",
}
"""Each command of ``zeren``: the module and the click command that implement it."""


class Commands(click.Group):
    """The root group: loads a command's module when the command is asked for (click's lazy-loading recipe)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=Commands, help="Zeren (责任): the event-sourced system of record for work-safety accountability.")
def cli() -> None:
    """The root command."""


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
