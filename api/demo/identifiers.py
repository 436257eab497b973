"""Well-formed identifiers registered in 泉港区 (or another region), for the demo history and the tests."""

from __future__ import annotations

from datetime import date

from domain.identifiers import RESIDENT_ID_CHECK, RESIDENT_ID_WEIGHTS, org_code_check_character, uscc_check_character


def credit_code(seq: int, category: str = "91", region: str = "350505") -> str:
    """A well-formed 统一社会信用代码 registered in ``region`` (default 泉港区; GB 32100-2015, GB 11714-1997 check
    characters)."""
    body = f"MA3{seq:05d}"
    first17 = f"{category}{region}{body}{org_code_check_character(body)}"
    return first17 + uscc_check_character(first17)


def resident_id(born: date, seq: int, region: str = "350505") -> str:
    """A well-formed 居民身份证号 from ``region`` (default 泉港区; GB 11643-1999 check character)."""
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + RESIDENT_ID_CHECK[sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True)) % 11]
