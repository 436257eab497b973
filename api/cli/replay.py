"""``zeren replay``: one aggregate's state and the events that made it, at a point in time."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import click

from api.bootstrap import bootstrap
from api.cli.console import MOMENT, aware, echo_json
from api.replay import replay as run_replay


@click.command(help="Replay one aggregate: print its state and the events that made it.")
@click.argument("aggregate_id", type=click.UUID)
@click.option("--as-of", type=MOMENT, help="keep only events effective by then (what had happened in the world)")
@click.option("--known-at", type=MOMENT, help="keep only events recorded by then (what the system knew)")
def replay(aggregate_id: UUID, as_of: datetime | None, known_at: datetime | None) -> None:
    system = bootstrap()
    result = run_replay(system.store, aggregate_id, as_of=aware(as_of), known_at=aware(known_at))
    if result is None:
        raise click.ClickException(f"no events for aggregate {aggregate_id} (at that time)")
    echo_json(result.model_dump(mode="json"))
