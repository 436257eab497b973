"""Bearer tokens (JWT, HS256): subject, role and jurisdiction come from here and nowhere else.

See docs/architecture.md §9.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from uuid import UUID

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import ApiError
from application.authorization import UNIT_ROLES, Principal, Role
from domain.divisions import path_problem

ISSUER = "zeren"
UNIT_TERMS = {Role.enterprise: "its enterprise", Role.inspector: "its department"}
bearer = HTTPBearer(auto_error=False, description="A token from `zeren token issue --role R --jurisdiction J`")


def validate_jurisdiction(path: str) -> str:
    """A jurisdiction path of published codes (``domain.divisions``), or ``ValueError`` saying why not."""
    problem = path_problem(path)
    if problem is not None:
        raise ValueError(f"jurisdiction {problem}")
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


def _invalid(detail: str) -> ApiError:
    return ApiError(401, "invalid-token", "Unauthorized", detail)


VERIFIED_TOKENS = 4096
"""Tokens whose signature and claims this process has verified, kept with their principal and expiry: a client
sends the same token with every request, and verifying it (HMAC, base64, JSON, the claims' checks) was a tenth of a
ledger page's CPU on the server (issue #15, docs/performance.md "Over HTTP", third pass)."""


def decode_token(secret: str, token: str) -> Principal:
    """The principal a token names. A refusal says what is wrong in our words, never the JWT library's. A token
    verified before is not verified again, only its expiry checked (:func:`_verified` keeps what it found)."""
    principal, expires = _verified(secret, token)
    if expires <= time.time():  # PyJWT's own test: expired once ``exp`` is reached
        raise ApiError(401, "token-expired", "Unauthorized", "the bearer token has expired")
    return principal


@lru_cache(maxsize=VERIFIED_TOKENS)
def _verified(secret: str, token: str) -> tuple[Principal, float]:
    """The principal of a token that verifies now, with its expiry (seconds since the epoch). A refusal raises and
    is not kept: a token is only ever kept once its signature has been checked with ``secret``."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["sub", "role", "jur", "exp", "iss"]})
    except jwt.ExpiredSignatureError:
        raise ApiError(401, "token-expired", "Unauthorized", "the bearer token has expired") from None
    except jwt.PyJWTError:
        raise _invalid("the bearer token is not valid: not a token signed by this deployment, or claims missing "
                       "(sub, role, jur, exp, iss)") from None
    subject, role_name, jurisdiction = claims["sub"], claims["role"], claims["jur"]
    unit, person = claims.get("unit"), claims.get("person")
    if not (isinstance(subject, str) and isinstance(role_name, str) and isinstance(jurisdiction, str)
            and isinstance(unit, str | None) and isinstance(person, str | None)):
        raise _invalid("the bearer token's claims sub, role, jur, unit and person are strings")
    if role_name not in {r.value for r in Role}:
        raise _invalid(f"the bearer token names no known role ({', '.join(Role)})")
    role = Role(role_name)
    problem = path_problem(jurisdiction)
    if problem is not None:
        raise _invalid(f"the bearer token's jurisdiction {problem}")
    if role in UNIT_ROLES and not unit:
        raise _invalid(f"a {role} token must name its unit ({UNIT_TERMS[role]})")
    try:
        principal = Principal(subject=subject, role=role.value, jurisdiction=jurisdiction,
                              unit_id=UUID(unit) if unit else None, person_id=UUID(person) if person else None)
    except ValueError:
        raise _invalid("the token's unit or person is not a UUID") from None
    return principal, float(claims["exp"])


async def authenticated(request: Request,
                        credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    """The caller the bearer token names (``async``: no I/O, so no thread-pool hop per request)."""
    if credentials is None:
        raise ApiError(401, "unauthenticated", "Unauthorized", "send Authorization: Bearer <token>")
    return decode_token(request.app.state.system.settings.resolved_jwt_secret, credentials.credentials)
