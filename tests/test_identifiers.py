"""National identifiers: GB 32100-2015 (统一社会信用代码), GB 11714-1997, GB 11643-1999, GB/T 2260."""

from __future__ import annotations

import pytest

from domain.errors import Rejected
from domain.identifiers import (
    mask_resident_id,
    uscc_check_character,
    validate_credit_code,
    validate_division_code,
    validate_resident_id,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110108551385082Q", "91440300708461136T"])
def test_published_credit_codes_are_accepted(code: str) -> None:
    assert validate_credit_code(code) == code


def test_credit_code_is_normalised_to_upper_case() -> None:
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_wrong_credit_code_checksum_is_refused_with_the_right_character() -> None:
    with pytest.raises(Rejected) as refused:
        validate_credit_code("91350100M000100Y44")
    assert refused.value.code == "invalid-credit-code"
    assert "checksum" in refused.value.detail
    assert "should be 3" in refused.value.detail
    assert refused.value.basis == "GB 32100-2015 §5.3"


def test_wrong_organisation_code_check_is_named() -> None:
    first16 = "91350100M000100Y"
    wrong17 = first16 + "X"
    code = wrong17 + uscc_check_character(wrong17)
    with pytest.raises(Rejected) as refused:
        validate_credit_code(code)
    assert "organisation-code check character" in refused.value.detail
    assert refused.value.basis == "GB 11714-1997 §5"


@pytest.mark.parametrize(("code", "reason"), [
    ("91350100M000100Y4", "18 characters"),
    ("91350100M000100Y433", "18 characters"),
    ("91350100I000100Y43", "not allowed"),
    ("913501A0M000100Y43", "division code"),
])
def test_malformed_credit_codes_are_refused(code: str, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        validate_credit_code(code)


def test_resident_id_checksum() -> None:
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"
    with pytest.raises(Rejected, match="should be X"):
        validate_resident_id("110105194912310021")


@pytest.mark.parametrize("number", [
    "1101051949123100", "11010519491331002X", "11010519490230002X", "A1010519491231002X",
])
def test_malformed_resident_ids_are_refused(number: str) -> None:
    with pytest.raises(Rejected) as refused:
        validate_resident_id(number)
    assert refused.value.code == "invalid-id-number"


def test_resident_id_is_masked_to_first_and_last_four() -> None:
    assert mask_resident_id("350505198005171234") == "3505**********1234"


@pytest.mark.parametrize(("code", "level", "parent"), [
    ("350000", "province", None),
    ("350500", "city", ("350000", "province")),
    ("350505", "county", ("350500", "city")),
    ("350505001000", "town", ("350505", "county")),
    ("350505001201", "village", ("350505001000", "town")),
])
def test_division_codes_fit_their_level_and_parent(code: str, level: str, parent: tuple[str, str] | None) -> None:
    assert validate_division_code(code, level, parent) == code


@pytest.mark.parametrize(("code", "level", "parent", "reason"), [
    ("35050", "county", None, "6 digits"),
    ("350500", "county", None, "shape"),
    ("350505000000", "town", ("350505", "county"), "shape"),
    ("350506001000", "town", ("350505", "county"), "under its parent"),
    ("350505101201", "village", ("350505001000", "town"), "under its parent"),
    ("350599", "county", ("350500", "city"), "published code table"),
    ("999900", "city", None, "published code table"),
    ("350402", "county", ("350400", "city"), "published code table"),  # 梅列区, merged into 三元区 (350404) in 2021
])
def test_division_codes_that_do_not_fit_are_refused(code: str, level: str, parent: tuple[str, str] | None,
                                                     reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        validate_division_code(code, level, parent)
