"""Bearer tokens: who the caller is comes from the signed token, with its unit and the person who signs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest

from api.auth import ISSUER, decode_token, issue_token
from api.problems import ApiError
from application.authorization import Forbidden

SECRET = "test-secret-" + "y" * 32


def test_the_principal_carries_unit_and_person_from_the_token() -> None:
    department, person = uuid4(), uuid4()
    token = issue_token(SECRET, subject="alice", role="inspector", jurisdiction="350000/350500/350505",
                        unit_id=department, person_id=person)
    principal = decode_token(SECRET, token)
    assert (principal.subject, principal.role, principal.unit_id, principal.person_id) == (
        "alice", "inspector", department, person)
    assert principal.require_person("sign an inspection") == person


def test_without_a_person_claim_nobody_can_sign() -> None:
    token = issue_token(SECRET, subject="bob", role="admin", jurisdiction="350000")
    principal = decode_token(SECRET, token)
    assert principal.person_id is None
    with pytest.raises(Forbidden) as refused:
        principal.require_person("sign an inspection")
    assert refused.value.code == "person-required"


@pytest.mark.parametrize("role", ["inspector", "enterprise"])
def test_unit_roles_cannot_be_issued_or_accepted_without_their_unit(role: str) -> None:
    with pytest.raises(ValueError, match="names its unit"):
        issue_token(SECRET, subject="x", role=role, jurisdiction="350000")
    now = datetime.now(UTC)
    forged = jwt.encode({"iss": ISSUER, "sub": "x", "role": role, "jur": "350000", "iat": now,
                         "exp": now + timedelta(hours=1)}, SECRET, algorithm="HS256")
    with pytest.raises(ApiError) as refused:
        decode_token(SECRET, forged)
    assert (refused.value.status, refused.value.code) == (401, "invalid-token")


def test_a_person_claim_that_is_not_a_uuid_is_refused() -> None:
    now = datetime.now(UTC)
    forged = jwt.encode({"iss": ISSUER, "sub": "x", "role": "admin", "jur": "350000", "person": "nobody",
                         "iat": now, "exp": now + timedelta(hours=1)}, SECRET, algorithm="HS256")
    with pytest.raises(ApiError) as refused:
        decode_token(SECRET, forged)
    assert refused.value.code == "invalid-token"
