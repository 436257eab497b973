"""``zeren docs``: the generated documentation (event catalogue, JSON Schemas of the published events).

Neither is committed: both are written from the code when the docs are built (and the API serves the schemas). What
is committed is the freeze of the released schema versions (``docs/schemas.released.json``, written by
``zeren docs schemas --release``) and the schemas of superseded versions (``docs/schemas-superseded/``), which a
test holds the code to (docs/stream.md, Versioning).
"""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from api.catalogue import event_classes, render_events
from infrastructure.stream.envelope import event_type
from infrastructure.stream.schemas import digest, event_schema, write_schemas

RELEASED = Path("docs/schemas.released.json")


@click.group(help="Generated documentation.")
def docs() -> None:
    """Docs commands."""


@docs.command("events", help="Write the event catalogue (docs/events.md) from the code.")
@click.option("-o", "--output", default="docs/events.md", show_default=True, type=click.Path(dir_okay=False))
def docs_events(output: str) -> None:
    with open(output, "w", encoding="utf-8") as f:
        f.write(render_events())
    click.echo(f"wrote {output}")


@docs.command("schemas", help="Write the JSON Schemas of the published events (docs/schemas/) from the code, with "
                              "the superseded versions still published.")
@click.option("-o", "--output", default="docs/schemas", show_default=True, type=click.Path(file_okay=False))
@click.option("--release", is_flag=True,
              help=f"Also freeze the current versions: record each schema's digest in {RELEASED}.")
def docs_schemas(output: str, release: bool) -> None:
    written = write_schemas(Path(output), event_classes())  # the superseded versions with them, indexed
    click.echo(f"wrote {len(written)} files to {output}")
    if release:
        frozen = orjson.loads(RELEASED.read_bytes()) if RELEASED.exists() else {}
        frozen.update({event_type(cls): digest(event_schema(cls)) for cls in event_classes()})
        RELEASED.write_bytes(orjson.dumps(frozen, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
        click.echo(f"froze {len(frozen)} released versions in {RELEASED}")
