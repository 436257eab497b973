"""``zeren dossier``: the 一案四查 dossier of an accident, hazard or tip (docs/dossier.md) — built from the sealed log,
verified offline with only the public key."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from uuid import UUID

import click
import orjson

from api.cli.console import MOMENT, aware
from infrastructure.audit.signing import KeyFileError, configured_signer, key_id, load_public_key
from infrastructure.dossier import DossierInvalid, verify


class DossierGroup(click.Group):
    """``zeren dossier ID …`` builds, ``zeren dossier verify FILE …`` verifies: an id is not a subcommand."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                             list[str]]:
        if args and args[0] not in self.commands:
            args = ["build", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=DossierGroup, help="The 一案四查 dossier of an accident, hazard or tip: `zeren dossier ID -o FILE`, "
             "`zeren dossier verify FILE --public-key KEY` (docs/dossier.md).")
def dossier() -> None:
    """Dossier commands."""


@dossier.command("build", help="Seal the log, then write the dossier of ID as of --as-of (default: the moment of "
                 "the accident, the finding of the hazard, the receipt of the tip) as known at --known-at.")
@click.argument("subject_id", metavar="ID", type=click.UUID)
@click.option("--as-of", type=MOMENT, default=None, help="the moment the lines describe")
@click.option("--known-at", type=MOMENT, default=None, help="what the log knew then (default: now)")
@click.option("--jurisdiction", default="", help="the reader's jurisdiction (default: the whole log)")
@click.option("--format", "fmt", type=click.Choice(["json", "html", "pdf"]), default="json", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def dossier_build(subject_id: UUID, as_of: datetime | None, known_at: datetime | None, jurisdiction: str, fmt: str,
                  output: Path) -> None:
    from api.bootstrap import bootstrap
    from api.dossier_pdf import render_pdf
    from api.dossier_report import render
    from infrastructure.settings import Settings

    settings = Settings()
    try:
        configured_signer(settings.audit_key_path, settings.data_dir)  # a bad key: one line, before sealing
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    system = bootstrap(settings)
    try:
        system.audit.sealer.seal_now()
        built = system.dossiers.build(subject_id, scope=jurisdiction,
                      known_at=aware(known_at) or system.service.clock.now(), as_of=aware(as_of))
    finally:
        system.close()
    if fmt == "html":
        output.write_text(render(built), encoding="utf-8")
    elif fmt == "pdf":
        output.write_bytes(render_pdf(built))
    else:
        output.write_bytes(orjson.dumps(built, option=orjson.OPT_INDENT_2))
    click.echo(f"wrote {output}: {len(built['content']['lines'])} lines, {len(built['content']['gaps'])} gaps, "
               f"{len(built['evidence'])} sealed events")


@dossier.command("verify", help="Verify a saved JSON dossier offline: the head's signature, every event's inclusion "
                 "proof, and every line derived again from its events.")
@click.argument("dossier_path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "public_keys", multiple=True, required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a PEM public key the head may be signed with (repeat for several)")
def dossier_verify(dossier_path: Path, public_keys: tuple[Path, ...]) -> None:
    try:
        keys = {key_id(k): k for k in (load_public_key(p) for p in public_keys)}
        saved = orjson.loads(dossier_path.read_bytes())
    except (KeyFileError, orjson.JSONDecodeError) as exc:
        raise click.ClickException(f"{exc}") from None
    try:
        click.echo(verify(saved, keys))
    except DossierInvalid as exc:
        raise click.ClickException(f"verify failed: {exc}") from None
