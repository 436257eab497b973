"""Identifiers people already use, validated by their national standards.

- 统一社会信用代码 (unified social credit code) — GB 32100-2015; its organisation-code part — GB 11714-1997.
- 公民身份号码 (resident identity number) — GB 11643-1999.
- 行政区划代码 (administrative division code) — GB/T 2260 (6 digits, province to county) and the 12-digit
  statistical division code for towns and villages (国家统计局《统计用区划代码》).
"""

from __future__ import annotations

from datetime import date

from domain.divisions import BASIS, name_of
from domain.errors import Rejected

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100-2015 §4.2: digits and upper-case letters without I, O, Z, S, V."""
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""GB 32100-2015 §5.3: W_i = 3^(i-1) mod 31."""
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714-1997 §5: weights of the eight body characters of an organisation code."""
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11643-1999 §8.2: W_i = 2^(18-i) mod 11."""
RESIDENT_ID_CHECK = "10X98765432"
"""GB 11643-1999 §8.2: check character for Σ mod 11 = 0..10."""


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015 §5.3)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    """The 9th character of an organisation code (GB 11714-1997 §5): 10 → X, 11 → 0."""
    total = sum(int(c, 36) * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(code: str, *, field: str = "credit_code") -> str:
    """Return the normalised 统一社会信用代码 or refuse it with the exact reason (GB 32100-2015)."""
    normalised = code.strip().upper()
    if len(normalised) != 18:
        raise Rejected(
            "invalid-credit-code",
            f"统一社会信用代码 must have 18 characters, got {len(normalised)}",
            field=field,
            basis="GB 32100-2015 §4",
        )
    bad = [c for c in normalised if c not in USCC_ALPHABET]
    if bad:
        raise Rejected(
            "invalid-credit-code",
            f"统一社会信用代码 contains characters not allowed by GB 32100-2015: {''.join(sorted(set(bad)))}",
            field=field,
            basis="GB 32100-2015 §4.2",
        )
    if not normalised[2:8].isdigit():
        raise Rejected(
            "invalid-credit-code",
            "统一社会信用代码 characters 3–8 must be the registering authority's division code (digits)",
            field=field,
            basis="GB 32100-2015 §4.1",
        )
    org_check = org_code_check_character(normalised[8:16])
    if normalised[16] != org_check:
        raise Rejected(
            "invalid-credit-code",
            f"统一社会信用代码 {normalised}: the organisation-code check character (17th) should be "
            f"{org_check}, not {normalised[16]}",
            field=field,
            basis="GB 11714-1997 §5",
        )
    expected = uscc_check_character(normalised[:17])
    if normalised[17] != expected:
        raise Rejected(
            "invalid-credit-code",
            f"统一社会信用代码 {normalised}: wrong checksum, the 18th character should be {expected}, "
            f"not {normalised[17]}",
            field=field,
            basis="GB 32100-2015 §5.3",
        )
    return normalised


def validate_resident_id(number: str, *, field: str = "id_number") -> str:
    """Return the normalised 公民身份号码 or refuse it with the exact reason (GB 11643-1999)."""
    normalised = number.strip().upper()
    if (len(normalised) != 18 or not normalised.isascii() or not normalised[:17].isdigit()
            or normalised[17] not in RESIDENT_ID_CHECK):
        raise Rejected(
            "invalid-id-number",
            "居民身份证号 must be 17 digits followed by a digit or X",
            field=field,
            basis="GB 11643-1999 §4",
        )
    try:
        date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))
    except ValueError:
        raise Rejected(
            "invalid-id-number",
            "居民身份证号 characters 7–14 are not a valid date of birth",
            field=field,
            basis="GB 11643-1999 §6.2",
        ) from None
    total = sum(int(c) * w for c, w in zip(normalised[:17], RESIDENT_ID_WEIGHTS, strict=True))
    expected = RESIDENT_ID_CHECK[total % 11]
    if normalised[17] != expected:
        raise Rejected(
            "invalid-id-number",
            f"居民身份证号: wrong checksum, the 18th character should be {expected}",
            field=field,
            basis="GB 11643-1999 §8.2",
        )
    return normalised


def mask_resident_id(number: str) -> str:
    """Show a resident id as its first four and last four characters: ``3505**********1234``."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_certificate_number(number: str) -> str:
    """A certificate number as it is shown anywhere outside the store: masked like a 居民身份证号, since a number
    may embed one (a 特种作业操作证 is "T" + the holder's 身份证号): at most the first and last four characters stay,
    and never more than half of the number."""
    keep = min(4, len(number) // 4)
    return number[:keep] + "*" * (len(number) - 2 * keep) + (number[-keep:] if keep else "")


LEVEL_CODE_LENGTH = {"province": 6, "city": 6, "county": 6, "town": 12, "village": 12}


def significant_prefix(code: str, level: str) -> str:
    """The prefix of a division code that all units below it share (GB/T 2260; 统计用区划代码)."""
    return {"province": code[:2], "city": code[:4], "county": code[:6], "town": code[:9], "village": code}[level]


def validate_division_code(code: str, level: str, parent: tuple[str, str] | None, *, field: str = "code") -> str:
    """Refuse a 行政区划代码 that does not fit its level or lie under its parent's code.

    Provinces end in ``0000`` and cities in ``00`` (GB/T 2260); towns and villages have 12 digits, a town ending in
    ``000`` (统计用区划代码). ``parent`` is the parent's ``(code, level)``.
    """
    expected_length = LEVEL_CODE_LENGTH[level]
    if len(code) != expected_length or not code.isdigit():
        raise Rejected(
            "invalid-division-code",
            f"a {level}'s 行政区划代码 has {expected_length} digits, got {code!r}",
            field=field,
            basis="GB/T 2260; 统计用区划代码",
        )
    shape_ok = {
        "province": code.endswith("0000"),
        "city": code.endswith("00") and not code.endswith("0000"),
        "county": not code.endswith("00"),
        "town": code.endswith("000") and code[6:9] != "000",
        "village": not code.endswith("000"),
    }[level]
    if not shape_ok:
        raise Rejected(
            "invalid-division-code",
            f"{code} is not the shape of a {level} code",
            field=field,
            basis="GB/T 2260; 统计用区划代码",
        )
    if len(code) == 6 and name_of(code) is None:
        raise Rejected("unknown-division-code", f"{code} is not in the published code table", field=field,
                       basis=BASIS)
    if parent is not None:
        parent_code, parent_level = parent
        if not code.startswith(significant_prefix(parent_code, parent_level)):
            raise Rejected(
                "invalid-division-code",
                f"{code} does not lie under its parent's code {parent_code}",
                field=field,
                basis="GB/T 2260",
            )
    return code
