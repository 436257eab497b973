"""``zeren tips``: shredding a reporter's sealed identity (举报人信息)."""

from __future__ import annotations

import getpass
from uuid import UUID

import click

from api.bootstrap import bootstrap
from application.authorization import Principal
from application.tips import ShredReporterIdentity
from domain.tips import Tip, key_id


@click.group(help="Tips (举报) and the sealed identities of their reporters.")
def tips() -> None:
    """Tip commands."""


def _operator() -> str:
    """The operating-system account running the command line: the actor of what it records."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@tips.command("shred", help="Destroy a tip's data key: the reporter's identity and the original text are gone for "
              "good, while the history, its seals and proofs stay as they were. Recorded first, then destroyed.")
@click.argument("tip_id", type=click.UUID)
@click.option("--reason", required=True, help="why the identity is shredded (recorded in the event)")
def tips_shred(tip_id: UUID, reason: str) -> None:
    system = bootstrap()
    try:
        tip = system.store.get(tip_id)
        if not isinstance(tip, Tip):
            raise click.ClickException(f"no tip with id {tip_id}")
        position = None
        if tip.shredded_at is None:
            operator = Principal(subject=f"cli:{_operator()}", role="admin", jurisdiction=tip.jurisdiction)
            position = system.service.execute(ShredReporterIdentity(tip_id=tip_id, reason=reason), operator).position
        destroyed = system.vault.shred(key_id(tip_id))  # after the event: a key never vanishes unrecorded
    finally:
        system.close()
    if position is None and not destroyed:
        raise click.ClickException(f"the identity of tip {tip_id} was already shredded on {tip.shredded_at:%Y-%m-%d}")
    recorded = f"recorded at log position {position}" if position else "recorded before, now completed"
    click.echo(f"shredded the identity of tip {tip_id}: data key {key_id(tip_id)} destroyed, {recorded}")
