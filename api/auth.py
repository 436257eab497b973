"""Bearer tokens (JWT, HS256): subject, role and jurisdiction come from here and nowhere else (ARCHITECTURE §9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import ApiError
from application.authorization import UNIT_ROLES, Principal, Role
from domain.jurisdiction import SEPARATOR

ISSUER = "zeren"
UNIT_TERMS = {Role.enterprise: "its enterprise", Role.inspector: "its department"}
bearer = HTTPBearer(auto_error=False, description="A token from `zeren token issue --role R --jurisdiction J`")


def validate_jurisdiction(path: str) -> str:
    parts = path.split(SEPARATOR)
    if not path or not all(p.isdigit() and len(p) in (6, 12) for p in parts):
        raise ValueError(f"jurisdiction {path!r} is not a path of 行政区划代码 like 350000/350500/350505")
    return path


def issue_token(secret: str, *, subject: str, role: str, jurisdiction: str, unit_id: UUID | None = None,
                person_id: UUID | None = None, ttl: timedelta = timedelta(hours=12)) -> str:
    checked = Role(role)
    validate_jurisdiction(jurisdiction)
    if checked in UNIT_ROLES and unit_id is None:
        raise ValueError(f"a {role} token names its unit ({UNIT_TERMS[checked]})")
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "sub": subject, "role": role, "jur": jurisdiction, "iat": now, "exp": now + ttl}
    if unit_id is not None:
        claims["unit"] = str(unit_id)
    if person_id is not None:
        claims["person"] = str(person_id)
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["sub", "role", "jur", "exp", "iss"]})
        role = Role(claims["role"])
        jurisdiction = validate_jurisdiction(claims["jur"])
    except jwt.ExpiredSignatureError:
        raise ApiError(401, "token-expired", "Unauthorized", "the bearer token has expired") from None
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiError(401, "invalid-token", "Unauthorized", f"the bearer token is not valid: {exc}") from None
    unit, person = claims.get("unit"), claims.get("person")
    if role in UNIT_ROLES and not unit:
        raise ApiError(401, "invalid-token", "Unauthorized", f"a {role} token must name its unit ({UNIT_TERMS[role]})")
    try:
        return Principal(subject=claims["sub"], role=role.value, jurisdiction=jurisdiction,
                         unit_id=UUID(unit) if unit else None, person_id=UUID(person) if person else None)
    except ValueError:
        raise ApiError(401, "invalid-token", "Unauthorized", "the token's unit or person is not a UUID") from None


def authenticated(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    if credentials is None:
        raise ApiError(401, "unauthenticated", "Unauthorized", "send Authorization: Bearer <token>")
    return decode_token(request.app.state.system.settings.resolved_jwt_secret, credentials.credentials)
