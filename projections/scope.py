"""Who may see which rows: the one place that builds the jurisdiction and audience conditions of every query.

Which units a department supervises is the directory's answer (``DirectoryQueries.supervised_by``), asked by the
query object and passed in here: no read model joins the directory's tables (docs/DEVELOPING.md, "Read models").

A query built once and run many times (the hazard ledger's page, issue #15) takes the conditions on bound
parameters instead of values: a :class:`~sqlalchemy.sql.expression.BindParameter` in place of ``scope`` and
``unit_of_role`` (an expanding one in place of ``supervised``), the values given at execution by
:func:`scope_parameters` and the query's own.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, or_, true

from domain.jurisdiction import like_pattern


def within(jurisdiction: ColumnElement[Any], scope: str | BindParameter[str]) -> ColumnElement[bool]:
    """Rows whose jurisdiction is ``scope`` or lies below it (the caller's subtree). A bound ``scope`` named ``n``
    reads the subtree's pattern from the parameter ``n_pattern`` (:func:`scope_parameters` gives both)."""
    if isinstance(scope, BindParameter):
        return or_(jurisdiction == scope, jurisdiction.like(bindparam(f"{scope.key}_pattern")))
    return or_(jurisdiction == scope, jurisdiction.like(like_pattern(scope)))


def scope_parameters(name: str, scope: str) -> dict[str, str]:
    """The values of :func:`within`'s condition on the bound parameter ``name``."""
    return {name: scope, f"{name}_pattern": like_pattern(scope)}


def audience(unit: ColumnElement[Any], role: str, unit_of_role: object | None,
             supervised: Collection[UUID | str] | BindParameter[Any] = ()) -> ColumnElement[bool]:
    """Narrows rows about units to what a unit role may see, besides jurisdiction: an ``enterprise`` user its own
    enterprise, an ``inspector`` the units its department supervises (``supervised``) and the department itself.
    Other roles see their whole jurisdiction."""
    own = unit_of_role if isinstance(unit_of_role, BindParameter) else str(unit_of_role)
    if role == "enterprise":
        return unit == own
    if role == "inspector":
        return or_(unit == own, unit.in_(supervised if isinstance(supervised, BindParameter)
                                         else sorted(map(str, supervised))))
    return true()


def visible(jurisdiction: ColumnElement[Any], scope: str | BindParameter[str], unit: ColumnElement[Any] | None = None,
            role: str = "", unit_of_role: object | None = None,
            supervised: Collection[UUID | str] | BindParameter[Any] = ()) -> ColumnElement[bool]:
    """Jurisdiction subtree and, for rows about units, the audience of the caller's role."""
    if unit is None:
        return within(jurisdiction, scope)
    return and_(within(jurisdiction, scope), audience(unit, role, unit_of_role, supervised))
