"""``zeren inspections``: random draws (双随机) re-run from the event log."""

from __future__ import annotations

from uuid import UUID

import click

from api.bootstrap import bootstrap
from api.cli.console import echo_json
from domain.random_draws import RandomDraw, rerun


@click.group(help="Inspections (检查): random draws (双随机) and their records.")
def inspections() -> None:
    """Inspection commands."""


@inspections.command("verify-draw", help="Re-run a recorded random draw (双随机) from the seed and pools stored in "
                     "the event log; exit 1 unless it gives the recorded result.")
@click.argument("draw_id", type=click.UUID)
def inspections_verify_draw(draw_id: UUID) -> None:
    recorded = bootstrap().store.get(draw_id)
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
    echo_json([a.model_dump(mode="json") for a in again])
