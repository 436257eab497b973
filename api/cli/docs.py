"""``zeren docs``: the generated documentation (event catalogue, JSON Schemas of the published events)."""

from __future__ import annotations

from pathlib import Path

import click

from api.catalogue import event_classes, render_events
from infrastructure.stream.schemas import write_schemas


@click.group(help="Generated documentation.")
def docs() -> None:
    """Docs commands."""


@docs.command("events", help="Write the event catalogue (docs/events.md) from the code.")
@click.option("-o", "--output", default="docs/events.md", show_default=True, type=click.Path(dir_okay=False))
def docs_events(output: str) -> None:
    with open(output, "w", encoding="utf-8") as f:
        f.write(render_events())
    click.echo(f"wrote {output}")


@docs.command("schemas", help="Write the JSON Schemas of the published events (docs/schemas/) from the code.")
@click.option("-o", "--output", default="docs/schemas", show_default=True, type=click.Path(file_okay=False))
def docs_schemas(output: str) -> None:
    written = write_schemas(Path(output), event_classes())
    click.echo(f"wrote {len(written)} files to {output}")
