"""``zeren audit``: the audit seal (docs/audit.md): keys, sealing, bundles an auditor verifies offline, the check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import click
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from api.cli.console import echo_json, follow
from infrastructure.audit.bundle import BundleInvalid, verify
from infrastructure.audit.note import COSIGNATURE, ED25519, NoteError, Verifier, raw
from infrastructure.audit.signing import (
    KeyFileError,
    TreeHead,
    configured_public_key,
    configured_signer,
    generate,
    key_id,
    load_public_key,
    load_signer,
    public_pem,
)

if TYPE_CHECKING:
    from api.bootstrap import System
    from infrastructure.settings import Settings


def _settings() -> Settings:
    """This deployment's settings. Imported here and in ``_system``, not at the top of the module: ``zeren audit
    verify`` runs on an auditor's machine with no settings and no database, and loads neither (a test checks)."""
    from infrastructure.settings import Settings

    return Settings()


def _system() -> System:
    from api.bootstrap import bootstrap

    return bootstrap()


@click.group(help="The audit seal: signed Merkle tree heads over the log, bundles an auditor verifies offline.")
def audit() -> None:
    """Audit commands (docs/audit.md)."""


@audit.command("keygen", help="Make an Ed25519 signing key: PATH (private, 0600) and PATH.pub.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def audit_keygen(output: Path) -> None:
    try:
        signer = generate(output)
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {output} (private, mode 0600) and {output}.pub; key id {signer.key_id.hex()}")


def _check_signer() -> None:
    """A missing or unreadable signing key is one readable line."""
    settings = _settings()
    try:
        configured_signer(settings.audit_key_path, settings.data_dir)
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def _public_key() -> Ed25519PublicKey:
    settings = _settings()
    try:
        return configured_public_key(settings.audit_key_path, settings.data_dir)
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def _public_keys(paths: tuple[Path, ...]) -> dict[bytes, Ed25519PublicKey]:
    """The public keys at ``paths`` by key id; an unreadable one is one readable line."""
    try:
        return {key_id(k): k for k in (load_public_key(p) for p in paths)}
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from None


@audit.command("public-key", help="Print the PEM of the configured signing key's public key.")
def audit_public_key() -> None:
    click.echo(public_pem(_public_key()), nl=False)


@audit.command("seal", help="Seal the log: catch up and sign a head over everything (or --follow: keep sealing).")
@click.option("--follow", "keep_following", is_flag=True,
              help="keep following the log (production runs this as its own process)")
@click.option("--poll", default=0.5, show_default=True, type=click.FloatRange(0.05, 60))
def audit_seal(keep_following: bool, poll: float) -> None:
    _check_signer()  # before anything is sealed
    system = _system()
    if keep_following:
        follow("sealing the log; Ctrl-C to stop", lambda stop: system.audit.sealer.run(stop, poll))
        return
    from infrastructure.audit.sealer import SealRefused

    try:
        sealed, head = system.audit.sealer.seal_now()
    except SealRefused as exc:
        raise click.ClickException(str(exc)) from None
    if head is None:
        click.echo("the log is empty: nothing to seal")
        return
    click.echo(f"sealed {sealed} events; head: tree size {head.tree_size}, root {head.root_hash.hex()}")


@audit.command("export", help="Write a bundle: events (JSON Lines) with inclusion proofs, signed heads, a manifest.")
@click.option("--jurisdiction", default=None, help="only events of this jurisdiction subtree")
@click.option("--from", "from_position", default=None, type=click.IntRange(min=0), help="first log position")
@click.option("--to", "to_position", default=None, type=click.IntRange(min=0), help="last log position")
@click.option("--aggregate", "aggregate_id", default=None, type=click.UUID, help="only events of this aggregate")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def audit_export(jurisdiction: str | None, from_position: int | None, to_position: int | None,
                 aggregate_id: UUID | None, output: Path) -> None:
    from infrastructure.audit.export import Selection  # loads the event store (see _settings)

    system = _system()
    plan = system.audit.export(Selection(jurisdiction=jurisdiction, from_position=from_position,
                                         to_position=to_position, aggregate_id=aggregate_id))
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("wb") as f, click.progressbar(length=plan.leaves, label="exporting", file=sys.stderr,
                                                        hidden=not sys.stderr.isatty()) as bar:
            for chunk in plan.chunks(bar.update):
                f.write(chunk)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    click.echo(f"wrote {output}: {plan.exported} events ({plan.coverage()} export), proven against the head of "
               f"tree size {plan.head.tree_size}")


@audit.command("verify", help="Verify a bundle offline (no database): signatures, proofs, completeness.")
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "public_keys", multiple=True, required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a PEM public key the heads may be signed with (repeat for several)")
@click.option("--previous-head", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a signed head you kept (JSON of `zeren audit head`): prove the log still extends it")
@click.option("--witness", "witness_keys", multiple=True, metavar="VKEY",
              help="a witness's cosigner key (<name>+<key id>+<key>) whose cosignature counts (repeat for several)")
@click.option("--min-witnesses", type=click.IntRange(min=0), default=None,
              help="how many of the given witnesses must have cosigned the head (default: all given)")
def audit_verify(bundle_path: Path, public_keys: tuple[Path, ...], previous_head: Path | None,
                 witness_keys: tuple[str, ...], min_witnesses: int | None) -> None:
    keys = _public_keys(public_keys)
    try:
        witnesses = [Verifier.parse(v) for v in witness_keys]
    except NoteError as exc:
        raise click.ClickException(str(exc)) from None
    if any(w.kind != COSIGNATURE for w in witnesses):
        raise click.ClickException("a --witness key is a cosigner key of type 0x04 (the witness prints it)")
    required = len(witnesses) if min_witnesses is None else min_witnesses
    if required > len(witnesses):
        raise click.ClickException(f"--min-witnesses {required} asks for more witnesses than the {len(witnesses)} "
                                   "given with --witness")
    try:
        previous = TreeHead.from_json(orjson.loads(previous_head.read_bytes())) if previous_head else None
    except ValueError as exc:
        raise click.ClickException(f"{previous_head} is not a signed tree head: {exc}") from None
    try:
        result = verify(bundle_path, keys, previous, witnesses, required)
    except BundleInvalid as exc:
        raise click.ClickException(f"verify failed: {exc}") from None
    click.echo(result.summary())


@audit.command("check", help="Compare the live store with its seals; name the first altered, inserted, missing, "
               "back-dated or out-of-version event.")
@click.option("--public-key", "public_keys", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="check heads against these keys (default: the configured signing key)")
def audit_check(public_keys: tuple[Path, ...]) -> None:
    keys = _public_keys(public_keys)
    if not keys:
        configured = _public_key()
        keys = {key_id(configured): configured}
    system = _system()
    report = system.audit.check(keys)
    if not report.ok:
        raise click.ClickException(f"check failed: {report.summary()}")
    click.echo(report.summary())


@audit.command("vkey", help="Print the log's checkpoint verifier key (<origin>+<key id>+<key>) for witnesses.")
def audit_vkey() -> None:
    click.echo(Verifier(_settings().resolved_audit_origin, ED25519, raw(_public_key())).vkey())


@audit.command("witness", help="Run a witness (c2sp.org/tlog-witness): cosign a log's checkpoints only when they "
               "extend the last one it cosigned.")
@click.option("--key", "key_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="the witness's Ed25519 private key (PEM, `zeren audit keygen`)")
@click.option("--name", required=True, help="the witness's key name, e.g. yjt.fujian.example/witness")
@click.option("--log", "logs", multiple=True, required=True, metavar="VKEY",
              help="a log it witnesses: its checkpoint key (`zeren audit vkey` of that deployment); repeatable")
@click.option("--state", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the SQLite file that keeps the last checkpoint cosigned per log")
@click.option("--listen", default="127.0.0.1:7380", show_default=True, help="HOST:PORT")
def audit_witness(key_path: Path, name: str, logs: tuple[str, ...], state: Path, listen: str) -> None:
    from infrastructure.audit.witness import Witness, WitnessState

    host, _, port = listen.rpartition(":")
    try:
        signer = load_signer(key_path).note_signer(name, COSIGNATURE)
        witness = Witness(signer, [Verifier.parse(v) for v in logs], WitnessState(state))
        server = witness.serve(host or "127.0.0.1", int(port))
    except (KeyFileError, NoteError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    import signal

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"witness {name} listening on http://{host}:{server.server_port}; its key: {signer.verifier.vkey()}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@audit.command("head", help="Print the latest signed tree head as JSON (keep it: verify --previous-head).")
def audit_head() -> None:
    system = _system()
    echo_json(system.audit.latest_head().to_json())
