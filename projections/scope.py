"""Who may see which rows: the one place that builds the jurisdiction and audience conditions of every query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, column, or_, select, table, true

from domain.jurisdiction import like_pattern

_UNITS = table("units", column("unit_id"), column("supervising_department_id"))
"""The directory's units (only their supervising department is read here)."""


def within(jurisdiction: ColumnElement[Any], scope: str) -> ColumnElement[bool]:
    """Rows whose jurisdiction is ``scope`` or lies below it (the caller's subtree)."""
    return or_(jurisdiction == scope, jurisdiction.like(like_pattern(scope)))


def audience(unit: ColumnElement[Any], role: str, unit_of_role: object | None) -> ColumnElement[bool]:
    """Narrows rows about units to what a unit role may see, besides jurisdiction: an ``enterprise`` user its own
    enterprise, an ``inspector`` the units its department supervises (and the department itself). Other roles see
    their whole jurisdiction."""
    if role == "enterprise":
        return unit == str(unit_of_role)
    if role == "inspector":
        supervised = select(_UNITS.c.unit_id).where(_UNITS.c.supervising_department_id == str(unit_of_role))
        return or_(unit == str(unit_of_role), unit.in_(supervised))
    return true()


def visible(jurisdiction: ColumnElement[Any], scope: str, unit: ColumnElement[Any] | None = None, role: str = "",
            unit_of_role: object | None = None) -> ColumnElement[bool]:
    """Jurisdiction subtree and, for rows about units, the audience of the caller's role."""
    if unit is None:
        return within(jurisdiction, scope)
    return and_(within(jurisdiction, scope), audience(unit, role, unit_of_role))
