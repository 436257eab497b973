"""What the command line reads and prints: moments in, JSON out, and following the log until stopped."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import click
import orjson

from domain.bounds import moment_problem
from domain.calendar import CST
from infrastructure.memory import settle


def aware(value: datetime | None) -> datetime | None:
    """Dates without a zone are China Standard Time (UTC+8), the zone of the records."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=CST)


class Moment(click.ParamType):
    """A moment on the command line (a day, or a time with or without its offset; without one it is China Standard
    Time), within the window of ``domain.bounds``."""

    name = "moment"
    _formats = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"])

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        moment = aware(self._formats.convert(value, param, ctx))
        assert moment is not None
        if (problem := moment_problem(moment)) is not None:
            self.fail(f"{value}: {problem}", param, ctx)
        return moment


MOMENT = Moment()


def every_page(page: Callable[[int], list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Every row of a paged query (``page(offset)``, pages of its default size), so a listing is never cut short."""
    offset = 0
    while rows := page(offset):
        yield from rows
        offset += len(rows)


def echo_json(value: object) -> None:
    click.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode())


def follow(banner: str, run: Callable[[threading.Event], None]) -> None:
    """Run a follower (projections, policies, sealer, relay) until SIGTERM or Ctrl-C, the collector settled on what
    the process has loaded (``infrastructure.memory``)."""
    settle()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(banner)
    try:
        run(stop)
    except KeyboardInterrupt:
        stop.set()
