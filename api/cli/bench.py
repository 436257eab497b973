"""``zeren bench``: make a store of any size for the benchmarks (``bench/``, docs/performance.md)."""

from __future__ import annotations

import time

import click

from api.bootstrap import bootstrap
from bench.generator import Generator
from domain.errors import Conflict
from infrastructure.settings import Settings


@click.group(help="Benchmark data: a deterministic province-like history of any size.")
def bench() -> None:
    """The group."""


@click.command(help="Write a province-like history of at least N events into an empty store (the configured one).")
@click.option("--events", type=click.IntRange(min=1, max=100_000_000), required=True, help="how many events")
@click.option("--seed", type=int, default=1, show_default=True, help="the same seed writes the same history")
@click.option("--bulk/--one-by-one", default=True, show_default=True,
              help="write the commands' events in batches (the same events as one by one)")
@click.option("--catch-up/--no-catch-up", default=True, show_default=True,
              help="bring every read model of the store to the head afterwards (the bulk path leaves them behind)")
def generate(events: int, seed: int, bulk: bool, catch_up: bool) -> None:
    system = bootstrap(Settings())
    try:
        if system.store.head():
            raise Conflict("store-not-empty", "the store already holds events; the generator writes into an empty one")
        started = time.perf_counter()
        generator = Generator(system, events, seed, bulk=bulk)
        try:
            summary = generator.run()
        finally:
            generator.close()
        took = time.perf_counter() - started
        click.echo(f"{summary['events']} events from {summary['commands']} commands: {summary['counties']} counties, "
                   f"{summary['enterprises']} enterprises, until {summary['until']}; {took:.0f} s")
        if generator.buffer is not None:
            click.echo(f"appended in batches: {generator.buffer.written} events in {generator.buffer.seconds:.1f} s")
        if catch_up:
            started = time.perf_counter()
            system.runner.catch_up()
            click.echo(f"read models caught up in {time.perf_counter() - started:.0f} s")
    finally:
        system.close()


bench.add_command(generate)
