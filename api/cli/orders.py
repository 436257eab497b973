"""``zeren orders``: orders on the spot (现场处理措施, 安全生产法 第65条第一款) — the list, one order, and issuing one
(the 文书编号 comes from the department's register; docs/cases.md)."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from uuid import UUID

import click

from api.bootstrap import bootstrap
from application.authorization import Principal
from application.hazards import OrderRectification
from domain.hazards import STATUS_TERMS, Hazard, RectificationMode, Suspension
from domain.units import Unit


@click.group(help="Orders on the spot (现场处理措施): the list, one order, issuing one.")
def orders() -> None:
    """Order commands."""


def _line(r: dict) -> str:
    due = r["reinspection_due_on"]
    return (f"{r['order_id']}  {r['document_no'] or '-':<24} {STATUS_TERMS.get(r['status'], r['status']):<6} "
            f"{r['mode']:<10} {r['unit_name'] or r['unit_id']}  deadline {r['deadline_on']}"
            f"{f'  复查 by {due}' if due else ''}")


@orders.command("list", help="Print the orders, oldest first: 文书编号, status, mode, enterprise, deadline, 复查 due.")
@click.option("--open", "open_only", is_flag=True, help="only the orders not yet complied with")
@click.option("--department", "authority_id", type=click.UUID, help="only the orders of this department")
def orders_list(open_only: bool, authority_id: UUID | None) -> None:
    system = bootstrap()
    rows = system.queries.orders.orders("", authority_id=authority_id, open_only=open_only, limit=100_000)
    for r in rows:
        click.echo(_line(r))
    click.echo(f"{len(rows)} orders")


@orders.command("show", help="Print one order in full.")
@click.argument("order_id", type=click.UUID)
def orders_show(order_id: UUID) -> None:
    system = bootstrap()
    row = system.queries.orders.order("", order_id)
    if row is None:
        raise click.ClickException(f"no order with id {order_id}")
    for name, value in row.items():
        click.echo(f"{name:<20} {value if value is not None else '-'}")


@orders.command("issue", help="Order the rectification of a hazard the department found, signed by an inspector "
                "(责令限期整改; with --suspend, 责令暂时停产停业 of a major hazard). Prints the 文书编号 given.")
@click.argument("hazard_id", type=click.UUID)
@click.option("--department", "department_id", type=click.UUID, required=True, help="the ordering department")
@click.option("--inspector", "inspector_id", type=click.UUID, required=True, help="the inspector who signs it")
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), required=True, help="整改期限, the last day")
@click.option("--requirements", required=True, help="what the order requires (整改要求)")
@click.option("--suspend", "scope", help="what stops (停产停业 of a major hazard)")
@click.option("--reason", help="why it stops (with --suspend)")
def orders_issue(hazard_id: UUID, department_id: UUID, inspector_id: UUID, deadline: datetime, requirements: str,
                 scope: str | None, reason: str | None) -> None:
    system = bootstrap()
    try:
        department, hazard = system.store.get(department_id), system.store.get(hazard_id)
        if not isinstance(department, Unit):
            raise click.ClickException(f"no department with id {department_id}")
        if not isinstance(hazard, Hazard):
            raise click.ClickException(f"no hazard with id {hazard_id}")
        suspension = Suspension(scope=scope, reason=reason or "") if scope else None
        command = OrderRectification(
            hazard_id=hazard_id, deadline=date(deadline.year, deadline.month, deadline.day),
            mode=RectificationMode.suspension if suspension else RectificationMode.deadline,
            requirements=requirements, suspension=suspension)
        signer = Principal(subject=f"cli:{_operator()}", role="inspector", jurisdiction=department.jurisdiction,
                           unit_id=department_id, person_id=inspector_id)
        position = system.service.execute(command, signer).position
        ordered = system.store.get(hazard_id)
    finally:
        system.close()
    assert isinstance(ordered, Hazard)
    assert ordered.order is not None
    click.echo(f"{ordered.order.document_no}  ordered {hazard_id}: deadline {ordered.order.deadline}, "
               f"recorded at log position {position}")


def _operator() -> str:
    """The operating-system account running the command line: the actor of what it records."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
