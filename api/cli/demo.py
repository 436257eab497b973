"""``zeren demo``: load the demo history (``api.demo``) into an empty store."""

from __future__ import annotations

import click

from api.demo.loader import load_demo_into
from infrastructure.settings import Settings


@click.command(help="Load the demo history (泉港区, two years) into an empty store.")
def demo() -> None:
    click.echo(load_demo_into(Settings()))
