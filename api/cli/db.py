"""``zeren db``: the durable tables' schema (follower positions, receipts, audit tree, data keys)."""

from __future__ import annotations

import click

from infrastructure.database import Database
from infrastructure.migrate import current, upgrade
from infrastructure.settings import Settings


@click.group(help="The database's durable tables (tracking, receipts, audit tree, data keys).")
def db() -> None:
    """Database commands."""


@db.command("upgrade", help="Apply the schema migrations of the durable tables (also done at every start).")
def db_upgrade() -> None:
    database = Database(Settings())
    try:
        before = current(database)
        upgrade(database)
        click.echo(f"durable tables at revision {current(database)} (were at {before or 'none'})")
    finally:
        database.close()
