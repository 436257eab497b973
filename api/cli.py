"""The ``zeren`` command line. Wrong arguments print one readable line and exit non-zero."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import click
import orjson

from domain.errors import DomainError


def _system(**kwargs: object):
    from api.bootstrap import bootstrap

    return bootstrap(**kwargs)  # type: ignore[arg-type]


def _echo_json(value: object) -> None:
    click.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode())


_MOMENT = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"])
"""A moment on the command line; without a zone it is China Standard Time (see ``_aware``)."""


@click.group(help="Zeren (责任): the event-sourced system of record for work-safety accountability.")
def cli() -> None:
    """The root command."""


@cli.command(help="Serve the HTTP API (embedded mode: the projections run in the same process).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--demo/--no-demo", default=False, help="Load the demo history first if the store is empty.")
@click.option("--follow/--no-follow", default=True, show_default=True,
              help="Run the projections inside this process (production runs `zeren projections run`).")
def serve(host: str, port: int, demo: bool, follow: bool) -> None:
    import uvicorn

    from api.app import create_app
    from api.demo import ensure_demo
    from infrastructure.settings import Settings

    settings = Settings()
    if demo:
        loaded = ensure_demo(settings)
        click.echo(f"demo history: {loaded}")
    system = _system(settings=settings)
    system.runner.catch_up()
    app = create_app(system, follow=follow)
    where = "PostgreSQL" if settings.is_postgres else f"SQLite {settings.sqlite_path}"
    click.echo(f"Zeren on {where}")
    click.echo(f"API:    http://{host}:{port}/api/v1/docs")
    click.echo(f"Health: http://{host}:{port}/healthz")
    if demo:  # a token for trying the demo; a real deployment issues its tokens with `zeren token issue`
        from api.auth import issue_token

        token = issue_token(settings.resolved_jwt_secret, subject="demo-admin", role="admin", jurisdiction="350000",
                            ttl=timedelta(hours=settings.token_ttl_hours))
        click.echo(f"Admin token for 福建省 (350000), valid {settings.token_ttl_hours} h:\n{token}")
    uvicorn.run(app, host=host, port=port, log_level="info")


@cli.command(help="Load the demo history (泉港区, two years) into an empty store.")
def demo() -> None:
    from api.demo import load_demo_into
    from infrastructure.settings import Settings

    click.echo(load_demo_into(Settings()))


@cli.group(help="Bearer tokens.")
def token() -> None:
    """Token commands."""


@token.command("issue", help="Print a bearer token for a role and a jurisdiction.")
@click.option("--role", required=True, help="admin, registrar, inspector, enforcement, investigator, auditor, "
              "viewer, stream, tip_officer or enterprise")
@click.option("--jurisdiction", required=True, help="a path of 行政区划代码, e.g. 350000/350500/350505")
@click.option("--subject", default=None, help="the principal's id (default: <role>@<jurisdiction>)")
@click.option("--unit", "unit_id", default=None, type=click.UUID,
              help="the unit it acts for: an enterprise user's enterprise, an inspector's department")
@click.option("--person", "person_id", default=None, type=click.UUID,
              help="the registered person who signs with this token (inspectors, verifiers)")
@click.option("--ttl-hours", default=None, type=click.IntRange(1, 24 * 366))
def token_issue(role: str, jurisdiction: str, subject: str | None, unit_id: UUID | None,
                person_id: UUID | None, ttl_hours: int | None) -> None:
    from api.auth import UNIT_TERMS, issue_token
    from application.authorization import Role
    from infrastructure.settings import Settings

    if role not in {r.value for r in Role}:
        raise click.BadParameter(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}",
                                 param_hint="--role")
    if Role(role) in UNIT_TERMS and unit_id is None:
        raise click.BadParameter(f"the {role} role needs --unit ({UNIT_TERMS[Role(role)]})", param_hint="--unit")
    settings = Settings()
    try:
        value = issue_token(settings.resolved_jwt_secret, subject=subject or f"{role}@{jurisdiction}", role=role,
                            jurisdiction=jurisdiction, unit_id=unit_id, person_id=person_id,
                            ttl=timedelta(hours=ttl_hours or settings.token_ttl_hours))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--jurisdiction") from None
    click.echo(value)


@cli.group(help="Read models that follow the log.")
def projections() -> None:
    """Projection commands."""


@projections.command("status", help="Each projection's position and lag behind the log.")
def projections_status() -> None:
    system = _system()
    for row in system.runner.status():
        click.echo(f"{row['name']:<24} position {row['position']:>9}  lag {row['lag']:>7}  v{row['version']}")


@projections.command("rebuild", help="Drop and rebuild one projection (or all) from the start of the log.")
@click.argument("name", required=False)
def projections_rebuild(name: str | None) -> None:
    system = _system()
    try:
        count = system.runner.rebuild(name)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None
    click.echo(f"rebuilt {name or 'all projections'}: {count} events applied")


@projections.command("run", help="Follow the log and keep the projections up to date (production mode).")
@click.option("--poll", default=0.5, show_default=True, type=click.FloatRange(0.05, 60))
def projections_run(poll: float) -> None:
    import signal
    import threading

    system = _system()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("following the log; Ctrl-C to stop")
    try:
        system.runner.run(stop, poll)
    except KeyboardInterrupt:
        stop.set()


@cli.command(help="Publish the log to Kafka as CloudEvents (at least once, per-aggregate order), following it.")
@click.option("--status", "show_status", is_flag=True, help="Print each relay's position and lag behind the log.")
@click.option("--once", is_flag=True, help="Publish up to the head of the log, then exit (non-zero if the broker "
              "fails).")
def relay(show_status: bool, once: bool) -> None:
    import logging
    import signal
    import threading

    from infrastructure.stream.relay import BrokerUnavailable, Relay, relay_statuses

    if show_status and once:
        raise click.UsageError("give either --status or --once, not both")
    system = _system()
    try:
        if show_status:
            for row in relay_statuses(system.db, system.store, system.settings.kafka_topic):
                click.echo(f"{row.name:<32} position {row.position:>9}  head {row.head:>9}  lag {row.lag:>7}  "
                           f"updated {row.updated_at or 'never'}")
            return
        publisher = Relay(system.settings, system.db, system.store)
        logging.getLogger("kafka").setLevel(logging.CRITICAL)  # the relay reports each failure itself, with its cause
        if once:
            try:
                count = publisher.catch_up()
            except BrokerUnavailable as exc:
                raise click.ClickException(str(exc)) from None
            finally:
                publisher.close()
            click.echo(f"published {count} events to {publisher.topic}; lag 0")
            return
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        click.echo(f"relaying the log to {publisher.topic} at {system.settings.kafka_bootstrap}; Ctrl-C to stop")
        try:
            publisher.run(stop)
        except KeyboardInterrupt:
            stop.set()
    finally:
        system.close()


@cli.command(help="Replay one aggregate: print its state and the events that made it.")
@click.argument("aggregate_id", type=click.UUID)
@click.option("--as-of", type=_MOMENT, help="keep only events effective by then (what had happened in the world)")
@click.option("--known-at", type=_MOMENT, help="keep only events recorded by then (what the system knew)")
def replay(aggregate_id: UUID, as_of: datetime | None, known_at: datetime | None) -> None:
    from api.replay import replay as run_replay

    system = _system()
    result = run_replay(system.store, aggregate_id, as_of=_aware(as_of), known_at=_aware(known_at))
    if result is None:
        raise click.ClickException(f"no events for aggregate {aggregate_id} (at that time)")
    _echo_json(result.view.model_dump(mode="json"))


def _aware(value: datetime | None) -> datetime | None:
    """Dates without a zone are China Standard Time (UTC+8), the zone of the records."""
    from domain.calendar import CST

    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=CST)


@cli.command(help="Fire the policies that are due: overdue hazards and their escalation (production: its own process).")
@click.option("--once", is_flag=True, help="One pass, then exit (print how many policy commands wrote events).")
@click.option("--poll", default=None, type=click.FloatRange(0.5, 3600), help="seconds between passes")
def worker(once: bool, poll: float | None) -> None:
    import signal
    import threading

    system = _system()
    if once:
        system.runner.catch_up()
        click.echo(f"policies fired: {system.worker.tick()}")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("firing due policies; Ctrl-C to stop")
    try:
        system.worker.run(stop, poll or system.settings.worker_poll_seconds)
    except KeyboardInterrupt:
        stop.set()


@cli.group(help="The hazard ledger (隐患台账) and the listed-supervision board (挂牌督办).")
def hazards() -> None:
    """Hazard commands."""


@hazards.command("ledger", help="Print the hazard ledger as it stood at --as-of, as recorded by --known-at.")
@click.option("--as-of", type=_MOMENT, help="effective time (default: now)")
@click.option("--known-at", type=_MOMENT, help="recorded time (default: now)")
@click.option("--status", type=click.Choice(["reported", "rectifying", "overdue", "submitted", "accepted", "closed"]))
@click.option("--grade", type=click.Choice(["general", "major"]))
@click.option("--open", "open_only", is_flag=True, help="only hazards not yet struck off")
def hazards_ledger(as_of: datetime | None, known_at: datetime | None, status: str | None, grade: str | None,
                   open_only: bool) -> None:
    from domain.calendar import CST

    system = _system()
    now = datetime.now(CST)
    rows = system.hazards.ledger("", as_of=_aware(as_of) or now, known_at=_aware(known_at) or now, status=status,
                                 grade=grade, open_only=open_only, limit=100_000)
    for r in rows:
        deadline = r["deadline_on"] or "-"
        click.echo(f"{r['hazard_id']}  {r['grade']:<7} {r['status']:<10} deadline {deadline!s:<10} "
                   f"overdue {r['days_overdue']:>4}d  {r['unit_name'] or r['unit_id']}: {r['description']}")
    click.echo(f"{len(rows)} hazards")


@hazards.command("board", help="Print the open listings (挂牌督办) per authority, oldest first.")
@click.option("--as-of", type=_MOMENT, help="effective time (default: now)")
def hazards_board(as_of: datetime | None) -> None:
    from domain.calendar import CST

    system = _system()
    now = datetime.now(CST)
    for board in system.hazards.board("", as_of=_aware(as_of) or now, known_at=now):
        click.echo(f"{board['authority_name']} ({board['level']}): {board['open']} open, oldest "
                   f"{board['oldest_days']} days")
        for item in board["items"]:
            click.echo(f"  {item['age_days']:>4}d  {item['status']:<10} {item['unit_name']}: {item['description']}")


@cli.group(help="Inspections (检查): random draws (双随机) and their records.")
def inspections() -> None:
    """Inspection commands."""


@inspections.command("verify-draw", help="Re-run a recorded random draw (双随机) from the seed and pools stored in "
                     "the event log; exit 1 unless it gives the recorded result.")
@click.argument("draw_id", type=click.UUID)
def inspections_verify_draw(draw_id: UUID) -> None:
    from domain.random_draws import RandomDraw, rerun

    recorded = _system().store.get(draw_id)
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
    _echo_json([a.model_dump(mode="json") for a in again])


@cli.group(help="Tips (举报) and the sealed identities of their reporters.")
def tips() -> None:
    """Tip commands."""


def _operator() -> str:
    """The operating-system account running the command line: the actor of what it records."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@tips.command("shred", help="Destroy a tip's data key: the reporter's identity and the original text are gone for "
              "good, while the history, its seals and proofs stay as they were. Recorded first, then destroyed.")
@click.argument("tip_id", type=click.UUID)
@click.option("--reason", required=True, help="why the identity is shredded (recorded in the event)")
def tips_shred(tip_id: UUID, reason: str) -> None:
    from application.authorization import Principal
    from application.tips import ShredReporterIdentity
    from domain.tips import Tip, key_id

    system = _system()
    try:
        tip = system.store.get(tip_id)
        if not isinstance(tip, Tip):
            raise click.ClickException(f"no tip with id {tip_id}")
        position = None
        if tip.shredded_at is None:
            operator = Principal(subject=f"cli:{_operator()}", role="admin", jurisdiction=tip.jurisdiction)
            position = system.app.execute(ShredReporterIdentity(tip_id=tip_id, reason=reason), operator).position
        destroyed = system.vault.shred(key_id(tip_id))  # after the event: a key never vanishes unrecorded
    finally:
        system.close()
    if position is None and not destroyed:
        raise click.ClickException(f"the identity of tip {tip_id} was already shredded on {tip.shredded_at:%Y-%m-%d}")
    recorded = f"recorded at log position {position}" if position else "recorded before, now completed"
    click.echo(f"shredded the identity of tip {tip_id}: data key {key_id(tip_id)} destroyed, {recorded}")


@cli.group(help="Generated documentation.")
def docs() -> None:
    """Docs commands."""


@docs.command("events", help="Write the event catalogue (docs/events.md) from the code.")
@click.option("-o", "--output", default="docs/events.md", show_default=True, type=click.Path(dir_okay=False))
def docs_events(output: str) -> None:
    from api.catalogue import render_events

    with open(output, "w", encoding="utf-8") as f:
        f.write(render_events())
    click.echo(f"wrote {output}")


@docs.command("schemas", help="Write the JSON Schemas of the published events (docs/schemas/) from the code.")
@click.option("-o", "--output", default="docs/schemas", show_default=True, type=click.Path(file_okay=False))
def docs_schemas(output: str) -> None:
    from pathlib import Path

    from api.catalogue import event_classes
    from infrastructure.stream.schemas import write_schemas

    written = write_schemas(Path(output), event_classes())
    click.echo(f"wrote {len(written)} files to {output}")


@cli.group(help="The audit seal: signed Merkle tree heads over the log, bundles an auditor verifies offline.")
def audit() -> None:
    """Audit commands (docs/audit.md)."""


@audit.command("keygen", help="Make an Ed25519 signing key: PATH (private, 0600) and PATH.pub.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def audit_keygen(output: Path) -> None:
    from infrastructure.audit.signing import KeyFileError, generate

    try:
        signer = generate(output)
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {output} (private, mode 0600) and {output}.pub; key id {signer.key_id.hex()}")


def _signer():
    from infrastructure.audit.signing import KeyFileError, configured_signer
    from infrastructure.settings import Settings

    settings = Settings()
    try:
        return configured_signer(settings.audit_key_path, settings.data_dir)
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def _public_key():
    from infrastructure.audit.signing import KeyFileError, configured_public_key
    from infrastructure.settings import Settings

    settings = Settings()
    try:
        return configured_public_key(settings.audit_key_path, settings.data_dir)
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


@audit.command("public-key", help="Print the PEM of the configured signing key's public key.")
def audit_public_key() -> None:
    from infrastructure.audit.signing import public_pem

    click.echo(public_pem(_public_key()), nl=False)


@audit.command("seal", help="Seal the log: catch up and sign a head over everything (or --follow: keep sealing).")
@click.option("--follow", is_flag=True, help="keep following the log (production runs this as its own process)")
@click.option("--poll", default=0.5, show_default=True, type=click.FloatRange(0.05, 60))
def audit_seal(follow: bool, poll: float) -> None:
    _signer()  # a missing or unreadable key is one readable line, before anything is sealed
    system = _system()
    if follow:
        import signal
        import threading

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        click.echo("sealing the log; Ctrl-C to stop")
        try:
            system.audit.sealer.run(stop, poll)
        except KeyboardInterrupt:
            stop.set()
        return
    sealed, head = system.audit.sealer.seal_now()
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
    from infrastructure.audit.export import Selection

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
def audit_verify(bundle_path: Path, public_keys: tuple[Path, ...], previous_head: Path | None) -> None:
    from infrastructure.audit.bundle import BundleInvalid, verify
    from infrastructure.audit.signing import KeyFileError, TreeHead, key_id, load_public_key

    try:
        keys = {key_id(k): k for k in (load_public_key(p) for p in public_keys)}
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        previous = TreeHead.from_json(orjson.loads(previous_head.read_bytes())) if previous_head else None
    except ValueError as exc:
        raise click.ClickException(f"{previous_head} is not a signed tree head: {exc}") from None
    try:
        result = verify(bundle_path, keys, previous)
    except BundleInvalid as exc:
        raise click.ClickException(f"verify failed: {exc}") from None
    click.echo(result.summary())


@audit.command("check", help="Compare the live store with its seals; name the first altered, inserted or missing "
               "event.")
@click.option("--public-key", "public_keys", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="check heads against these keys (default: the configured signing key)")
def audit_check(public_keys: tuple[Path, ...]) -> None:
    from infrastructure.audit.signing import KeyFileError, key_id, load_public_key

    try:
        keys = {key_id(k): k for k in (load_public_key(p) for p in public_keys)} or None
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from None
    if keys is None:
        configured = _public_key()
        keys = {key_id(configured): configured}
    system = _system()
    report = system.audit.check(keys)
    if not report.ok:
        raise click.ClickException(f"check failed: {report.summary()}")
    click.echo(report.summary())


@audit.command("head", help="Print the latest signed tree head as JSON (keep it: verify --previous-head).")
def audit_head() -> None:
    system = _system()
    _echo_json(system.audit.latest_head().to_json())


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
