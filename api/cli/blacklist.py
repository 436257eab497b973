"""``zeren blacklist``: the blacklist (严重失信主体名单, 应急管理部令第11号) — in force, public, or its history."""

from __future__ import annotations

from datetime import datetime

import click

from api.bootstrap import bootstrap
from api.cli.console import MOMENT, aware
from domain.calendar import CST, local_day


@click.group(help="The blacklist (严重失信主体名单): listings in force, the public list, their history.")
def blacklist() -> None:
    """Blacklist commands."""


@blacklist.command("list", help="Print the listings with their state on the day of --as-of (default: today).")
@click.option("--as-of", type=MOMENT, help="the day to look at (default: now)")
@click.option("--in-force", is_flag=True, help="only the listings in force that day")
@click.option("--public", "public_only", is_flag=True, help="only what may be published (公示): no person")
def blacklist_list(as_of: datetime | None, in_force: bool, public_only: bool) -> None:
    system = bootstrap()
    day = local_day(aware(as_of) or datetime.now(CST))
    if public_only:
        rows = system.queries.blacklist.public("", day, limit=100_000)
        for r in rows:
            click.echo(f"{r['listed_on']} → {r['expires_on']}  {r['unit_name'] or r['unit_id']}  {r['ground']}  "
                       f"{r['department_name'] or '-'} {r['decision_no'] or ''}")
        click.echo(f"{len(rows)} listed")
        return
    rows = system.queries.blacklist.entries("", day=day, in_force=in_force, limit=100_000)
    for r in rows:
        click.echo(f"{r['listing_id']}  {r['state']:<8} {r['ground']:<18} {r['unit_name'] or r['unit_id']}  "
                   f"listed {r['listed_on'] or '-'} until {r['expires_on'] or '-'}")
    click.echo(f"{len(rows)} listings")
