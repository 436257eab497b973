"""``zeren token``: bearer tokens for a role and a jurisdiction."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import click

from api.auth import UNIT_TERMS, issue_token
from application.authorization import Role
from infrastructure.settings import Settings


@click.group(help="Bearer tokens.")
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
