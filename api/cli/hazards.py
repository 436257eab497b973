"""``zeren hazards``: the hazard ledger (隐患台账) and the listed-supervision board (挂牌督办)."""

from __future__ import annotations

from datetime import datetime

import click

from api.bootstrap import bootstrap
from api.cli.console import MOMENT, aware
from domain.calendar import CST


@click.group(help="The hazard ledger (隐患台账) and the listed-supervision board (挂牌督办).")
def hazards() -> None:
    """Hazard commands."""


@hazards.command("ledger", help="Print the hazard ledger as it stood at --as-of, as recorded by --known-at.")
@click.option("--as-of", type=MOMENT, help="effective time (default: now)")
@click.option("--known-at", type=MOMENT, help="recorded time (default: now)")
@click.option("--status", type=click.Choice(["reported", "rectifying", "overdue", "submitted", "accepted", "closed"]))
@click.option("--grade", type=click.Choice(["general", "major"]))
@click.option("--open", "open_only", is_flag=True, help="only hazards not yet struck off")
def hazards_ledger(as_of: datetime | None, known_at: datetime | None, status: str | None, grade: str | None,
                   open_only: bool) -> None:
    system = bootstrap()
    now = datetime.now(CST)
    rows = system.queries.hazards.ledger("", as_of=aware(as_of) or now, known_at=aware(known_at) or now, status=status,
                                         grade=grade, open_only=open_only, limit=100_000)
    for r in rows:
        deadline = r["deadline_on"] or "-"
        click.echo(f"{r['hazard_id']}  {r['grade']:<7} {r['status']:<10} deadline {deadline!s:<10} "
                   f"overdue {r['days_overdue']:>4}d  {r['unit_name'] or r['unit_id']}: {r['description']}")
    click.echo(f"{len(rows)} hazards")


@hazards.command("board", help="Print the open listings (挂牌督办) per authority, oldest first.")
@click.option("--as-of", type=MOMENT, help="effective time (default: now)")
def hazards_board(as_of: datetime | None) -> None:
    system = bootstrap()
    now = datetime.now(CST)
    for board in system.queries.hazards.board("", as_of=aware(as_of) or now, known_at=now):
        click.echo(f"{board['authority_name']} ({board['level']}): {board['open']} open, oldest "
                   f"{board['oldest_days']} days")
        for item in board["items"]:
            click.echo(f"  {item['age_days']:>4}d  {item['status']:<10} {item['unit_name']}: {item['description']}")
