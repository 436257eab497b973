"""``zeren cases``: the case ledger (行政处罚案件台账), penalty statistics and the 第113条 counters (docs/cases.md)."""

from __future__ import annotations

from datetime import datetime

import click

from api.bootstrap import bootstrap
from domain.calendar import CST
from domain.cases import STATUS_TERMS


@click.group(help="Administrative penalty cases (行政处罚案件): the ledger, statistics and closure counters.")
def cases() -> None:
    """Case commands."""


@cases.command("ledger", help="Print every case: status, tier and why, amounts, the deadline running and days left.")
@click.option("--status", type=click.Choice(sorted(STATUS_TERMS)))
def cases_ledger(status: str | None) -> None:
    system = bootstrap()
    today = datetime.now(CST).date()
    rows = system.queries.cases.ledger("", today, status=status, limit=100_000)
    for r in rows:
        facts = ", ".join(f["code"] for f in r["facts_json"] or []) or "-"
        due = f"{r['next_deadline']} {r['next_due']} ({r['days_left']}d)" if r["next_due"] else "-"
        fine = r["unit_yuan"] if r["unit_yuan"] is not None else r["proposed_unit_yuan"]
        click.echo(f"{r['case_id']}  {STATUS_TERMS[r['status']]:<6} {r['article']:<14} {r['tier']:<10} [{facts}] "
                   f"unit {fine} person {r['person_yuan'] or r['proposed_person_yuan'] or '-'}  next {due}")
    click.echo(f"{len(rows)} cases")


@cases.command("statistics", help="Print decided cases and fines per department, sector or month.")
@click.option("--by", type=click.Choice(["department", "sector", "month"]), default="month", show_default=True)
def cases_statistics(by: str) -> None:
    system = bootstrap()
    for r in system.queries.cases.statistics("", by):
        click.echo(f"{r['key'] or '-'}  decided {r['decided']}  penalised {r['penalised']}  unit {r['unit_yuan']}  "
                   f"person {r['person_yuan']}")


@cases.command("closures", help="Print the 第113条(一) counters and the closure proposals.")
def cases_closures() -> None:
    system = bootstrap()
    today = datetime.now(CST).date()
    for r in system.queries.cases.closure_counters("", today):
        click.echo(f"{r['unit_id']}  in 180 days {r['in_180_days']}  in a year {r['in_a_year']}")
    for p in system.queries.cases.closures(""):
        decided = ("approved" if p["approved"] else "refused") if p["decided"] else "pending"
        click.echo(f"proposal {p['closure_id']}  unit {p['unit_id']}  {p['rule']}  {decided}")
