"""``zeren relay``: publish the log to Kafka as CloudEvents."""

from __future__ import annotations

import logging

import click

from api.bootstrap import bootstrap
from api.cli.console import follow
from infrastructure.stream.relay import BrokerUnavailable, Relay, relay_statuses


@click.command(help="Publish the log to Kafka as CloudEvents (at least once, per-aggregate order), following it.")
@click.option("--status", "show_status", is_flag=True, help="Print each relay's position and lag behind the log, and "
              "why it is stuck (a broker outage …; exit status 1).")
@click.option("--once", is_flag=True, help="Publish up to the head of the log, then exit (non-zero if the broker "
              "fails).")
def relay(show_status: bool, once: bool) -> None:
    if show_status and once:
        raise click.UsageError("give either --status or --once, not both")
    system = bootstrap()
    try:
        if show_status:
            statuses = relay_statuses(system.db, system.store, system.settings.kafka_topic)
            for row in statuses:
                click.echo(f"{row.name:<32} position {row.position:>9}  head {row.head:>9}  lag {row.lag:>7}  "
                           f"updated {row.updated_at or 'never'}" + (f"  STUCK: {row.error}" if row.error else ""))
            if any(row.error for row in statuses):
                raise SystemExit(1)
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
        follow(f"relaying the log to {publisher.topic} at {system.settings.kafka_bootstrap}; Ctrl-C to stop",
               publisher.run)
    finally:
        system.close()
