"""Who may see which rows: the one place that builds the jurisdiction and audience conditions of every query.

Which units a department supervises is the directory's answer (``DirectoryQueries.supervised_by``), asked by the
query object and passed in here: no read model joins the directory's tables (docs/DEVELOPING.md, "Read models").
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, or_, true

from domain.jurisdiction import like_pattern


def within(jurisdiction: ColumnElement[Any], scope: str) -> ColumnElement[bool]:
    """Rows whose jurisdiction is ``scope`` or lies below it (the caller's subtree)."""
    return or_(jurisdiction == scope, jurisdiction.like(like_pattern(scope)))


def audience(unit: ColumnElement[Any], role: str, unit_of_role: object | None,
             supervised: Collection[UUID | str] = ()) -> ColumnElement[bool]:
    """Narrows rows about units to what a unit role may see, besides jurisdiction: an ``enterprise`` user its own
    enterprise, an ``inspector`` the units its department supervises (``supervised``) and the department itself.
    Other roles see their whole jurisdiction."""
    if role == "enterprise":
        return unit == str(unit_of_role)
    if role == "inspector":
        return or_(unit == str(unit_of_role), unit.in_(sorted(map(str, supervised))))
    return true()


def visible(jurisdiction: ColumnElement[Any], scope: str, unit: ColumnElement[Any] | None = None, role: str = "",
            unit_of_role: object | None = None, supervised: Collection[UUID | str] = ()) -> ColumnElement[bool]:
    """Jurisdiction subtree and, for rows about units, the audience of the caller's role."""
    if unit is None:
        return within(jurisdiction, scope)
    return and_(within(jurisdiction, scope), audience(unit, role, unit_of_role, supervised))
