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


def test_a_verified_token_is_kept_but_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    """Verified tokens are kept (``api.auth._verified``, issue #15): the next request with the same token is not
    verified again, yet the token stops working once it expires."""
    token = issue_token(SECRET, subject="carol", role="admin", jurisdiction="350000", ttl=timedelta(minutes=5))
    assert decode_token(SECRET, token).subject == "carol"
    assert decode_token(SECRET, token).subject == "carol"  # kept: the same answer
    expires = jwt.decode(token, SECRET, algorithms=["HS256"], issuer=ISSUER)["exp"]
    monkeypatch.setattr("api.auth.time.time", lambda: float(expires))
    with pytest.raises(ApiError) as refused:
        decode_token(SECRET, token)
    assert (refused.value.status, refused.value.code) == (401, "token-expired")


def test_a_kept_token_is_not_accepted_with_another_secret_nor_with_another_signature() -> None:
    """What is kept is the whole token under the secret that verified it: the same token under another deployment's
    secret, and the same claims under another signature, are verified (and refused) as if nothing were kept."""
    token = issue_token(SECRET, subject="dave", role="admin", jurisdiction="350000")
    assert decode_token(SECRET, token).subject == "dave"
    with pytest.raises(ApiError) as refused:
        decode_token("another-secret-" + "z" * 32, token)
    assert refused.value.code == "invalid-token"
    header, claims, _ = token.split(".")
    forged = f"{header}.{claims}.{jwt.encode({'x': 1}, 'other' * 8, algorithm='HS256').split('.')[2]}"
    with pytest.raises(ApiError) as refused:
        decode_token(SECRET, forged)
    assert refused.value.code == "invalid-token"


def _enterprise(supervisor=None):
    from domain.units import EnterpriseProfile, Supervision, Unit

    now = datetime.now(UTC)
    return Unit(id=uuid4(), version=1, jurisdiction="350000/350500/350505", created_on=now, modified_on=now,
                parent_id=uuid4(), profile=EnterpriseProfile(
                    name="测试企业", credit_code="91350505MA3000101X", sector="城镇燃气", address="泉港区",
                    legal_representative="张三", staff_count=3),
                supervision=Supervision(department_id=supervisor, sector="城镇燃气", clause="x")
                if supervisor else None)


def test_an_inspector_acts_only_on_what_its_department_supervises() -> None:
    from application.authorization import Principal

    department = uuid4()
    ours, theirs = _enterprise(department), _enterprise(uuid4())
    inspector = Principal("i", "inspector", "350000/350500/350505", unit_id=department)
    inspector.require_target(ours, "inspect")
    with pytest.raises(Forbidden) as refused:
        inspector.require_target(theirs, "inspect")
    assert refused.value.code == "not-your-target"
    elsewhere = Principal("i", "inspector", "350000/350500/350505/350505101000", unit_id=department)
    with pytest.raises(Forbidden) as outside:
        elsewhere.require_target(ours, "inspect")
    assert outside.value.code == "outside-jurisdiction"


def test_an_enterprise_user_acts_only_for_its_own_enterprise() -> None:
    from application.authorization import Principal

    mine, other = _enterprise(), _enterprise()
    user = Principal("e", "enterprise", "350000/350500/350505", unit_id=mine.id)
    user.require_target(mine, "report hazards")
    with pytest.raises(Forbidden) as refused:
        user.require_target(other, "report hazards")
    assert refused.value.code == "other-enterprise"
    Principal("r", "registrar", "350000").require_target(other, "report hazards")


def _signed(**claims: object) -> str:
    now = datetime.now(UTC)
    return jwt.encode({"iss": ISSUER, "sub": "x", "role": "admin", "jur": "350000", "iat": now,
                       "exp": now + timedelta(hours=1), **claims}, SECRET, algorithm="HS256")


@pytest.mark.parametrize("jur", [350000, ["350000"], {"code": "350000"}, None, 3.5])
def test_a_jurisdiction_claim_that_is_not_a_string_is_a_401_not_a_500(jur: object) -> None:
    """Issue 9 §2: an integer or list ``jur`` answered 500."""
    with pytest.raises(ApiError) as refused:
        decode_token(SECRET, _signed(jur=jur))
    assert (refused.value.status, refused.value.code) == (401, "invalid-token")


@pytest.mark.parametrize("claim", ["sub", "role", "unit", "person"])
def test_other_claims_of_the_wrong_type_are_refused(claim: str) -> None:
    with pytest.raises(ApiError) as refused:
        decode_token(SECRET, _signed(**{claim: ["x"]}))
    assert (refused.value.status, refused.value.code) == (401, "invalid-token")


@pytest.mark.parametrize("jur", ["999999", "000000", "350000/110000", "350500", "350000/350500/350599",
                                 "350000/350505/350500", "350000/350500/350505/350521001000", "350000/350000",
                                 "350000/350500/350505/350505101000/350505101000/350500"])
def test_only_published_division_codes_make_a_jurisdiction(jur: str, capsys) -> None:
    """GB/T 2260: a path of codes the table lists, each under the one before (``domain/divisions.tsv``); the shape
    alone (6 or 12 digits) accepted 999999, 000000 and 350000/110000."""
    with pytest.raises(ApiError) as refused:
        decode_token(SECRET, _signed(jur=jur))
    assert (refused.value.status, refused.value.code) == (401, "invalid-token")
    with pytest.raises(ValueError, match="jurisdiction"):
        issue_token(SECRET, subject="x", role="admin", jurisdiction=jur)
    from tests.builders import run_zeren

    code, _, err = run_zeren(capsys, "token", "issue", "--role", "admin", "--jurisdiction", jur)
    assert code != 0
    assert err.startswith("zeren: error:")
    assert "jurisdiction" in err


@pytest.mark.parametrize("jur", ["350000", "350000/350500/350505", "350000/350500/350505/350505101000",
                                 "350000/350500/350505/350505101000/350505101201", "110000/110101",
                                 "350000/350400/350404"])
def test_published_paths_are_accepted(jur: str) -> None:
    assert decode_token(SECRET, _signed(jur=jur)).jurisdiction == jur


def test_a_refusal_says_what_is_wrong_in_our_words_not_the_jwt_librarys() -> None:
    """Issue 9 §2: 401 bodies echoed PyJWT's internal messages."""
    cases = [_signed()[:-4] + "AAAA", "not.a.token", jwt.encode({"sub": "x"}, SECRET, algorithm="HS256"),
             jwt.encode({"iss": "other", "sub": "x", "role": "admin", "jur": "350000",
                         "exp": datetime.now(UTC) + timedelta(hours=1)}, SECRET, algorithm="HS256")]
    for token in cases:
        with pytest.raises(ApiError) as refused:
            decode_token(SECRET, token)
        detail = refused.value.detail
        assert detail.startswith("the bearer token is not valid: not a token signed by this deployment"), detail
        for library_words in ("Signature verification failed", "Not enough segments", "Invalid issuer",
                              'Token is missing the "', "Invalid header padding"):
            assert library_words not in detail
