"""Who may do what, and where (docs/architecture.md §9).

A principal comes from a verified bearer token: subject, role and jurisdiction, never from a request body. Every
write is checked against the caller's jurisdiction subtree; every read is filtered by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.base import SYSTEM, Actor
from domain.errors import DomainError
from domain.jurisdiction import covers
from domain.units import Unit


class Role(StrEnum):
    admin = "admin"
    registrar = "registrar"
    inspector = "inspector"
    enforcement = "enforcement"
    investigator = "investigator"
    auditor = "auditor"
    viewer = "viewer"
    stream = "stream"
    tip_officer = "tip_officer"
    enterprise = "enterprise"


ROLE_TERMS = {
    "admin": "系统管理员", "registrar": "登记管理员", "inspector": "检查人员", "enforcement": "执法人员",
    "investigator": "事故调查人员", "auditor": "审计人员", "viewer": "看板用户", "stream": "数据订阅",
    "tip_officer": "举报受理人员", "enterprise": "企业用户",
}
READERS = frozenset(Role) - {Role.stream}
"""Roles that may read ledgers and dashboards."""
PERSONAL_DATA_ROLES = frozenset({Role.admin, Role.registrar, Role.investigator})
"""Roles that see a 居民身份证号 whole."""
UNIT_ROLES = frozenset({Role.enterprise, Role.inspector})
"""Roles whose token names the unit they act for: an enterprise user's enterprise, an inspector's department."""


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    subject: str
    role: str
    jurisdiction: str
    unit_id: UUID | None = None
    """The unit it acts for: an ``enterprise`` user's enterprise, an ``inspector``'s department (``UNIT_ROLES``)."""
    person_id: UUID | None = None
    """The registered person behind the principal, when it acts as one: an inspector signing the record they made
    (谁检查、谁签名、谁负责, seed 004), a verifier signing an acceptance. Comes from the token, never from a body."""

    @property
    def actor(self) -> Actor:
        return SYSTEM if self.role == "system" else Actor(principal=self.subject, role=self.role)

    def covers(self, path: str) -> bool:
        return self.role == "system" or covers(self.jurisdiction, path)

    def may_read(self, path: str, *, above: bool = False) -> bool:
        """Whether the record at ``path`` is visible to this principal: in its jurisdiction or, where ``above``,
        on the path above it (its own county and province)."""
        return self.covers(path) or (above and covers(path, self.jurisdiction))

    def require_role(self, allowed: frozenset[str], what: str) -> None:
        if self.role not in allowed and self.role != "system":
            raise Forbidden("role-not-allowed", f"the role {self.role} may not {what}")

    def require_person(self, what: str) -> UUID:
        """The person this principal signs as; refused when the token names none."""
        if self.person_id is None:
            raise Forbidden("person-required",
                            f"to {what} the bearer token must name the person who signs (zeren token issue --person)")
        return self.person_id

    def require_target(self, unit: Unit, what: str) -> None:
        """Besides jurisdiction, a unit role acts only on its own targets: an ``enterprise`` user on its own
        enterprise, an ``inspector`` on the units its department supervises (三管三必须)"""
        self.require_scope(unit.jurisdiction, f"{unit.name}")
        if self.role == Role.enterprise and unit.id != self.unit_id:
            raise Forbidden("other-enterprise", f"an enterprise user may {what} only for its own enterprise")
        if self.role == Role.inspector:
            supervisor = unit.supervision.department_id if unit.supervision else None
            if self.unit_id not in (unit.id, supervisor):
                raise Forbidden("not-your-target",
                                f"{unit.name} is not supervised by your department: an inspector may {what} only "
                                "for the units its department supervises")

    def require_scope(self, path: str, what: str = "this record") -> None:
        if not self.covers(path):
            raise Forbidden("outside-jurisdiction",
                            f"{what} belongs to jurisdiction {path}, outside yours ({self.jurisdiction})")


SYSTEM_PRINCIPAL = Principal(subject=SYSTEM.principal, role="system", jurisdiction="")
