"""Strict JSON for bundle verification (docs/audit.md §6.4): one reading of every byte, whoever verifies.

- A member or line is UTF-8 JSON; an object never names a member twice; ``NaN`` and ``Infinity`` are not JSON.
- Two values are equal only with the same JSON type: an integer (a number without fraction or exponent) never
  equals a number with one (``1`` ≠ ``1.0``), ``true`` is not ``1``; objects are equal when they have the same member
  names with equal values (in any order), arrays when equal element by element; strings compare as code points.
- An object has exactly the fields its table lists: an unknown field or a missing one is refused.
- Base64 is RFC 4648 §4 (the standard alphabet, ``+`` and ``/``) with padding, in its one canonical form; hashes and
  key ids are lowercase hex; a UUID is its canonical lowercase 36-character form.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise ValueError(f"the member {name!r} appears twice in one object")
        found[name] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(data: bytes) -> Any:
    """Parse JSON strictly (above); ``ValueError`` says why not."""
    return json.loads(data.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_no_constant)


def same(a: Any, b: Any) -> bool:
    """JSON equality with exact types (above)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def fields(value: Any, names: Iterable[str], what: str) -> dict[str, Any]:
    """``value`` as an object with exactly the fields ``names``; ``ValueError`` names the unknown or missing ones."""
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a JSON object")
    expected = set(names)
    if set(value) != expected:
        unknown, missing = sorted(set(value) - expected), sorted(expected - set(value))
        raise ValueError(f"{what} has " + "; ".join(
            part for part in (f"unknown fields {', '.join(unknown)}" if unknown else "",
                              f"no {', '.join(missing)}" if missing else "") if part))
    return value


def unsigned(value: Any, what: str) -> int:
    """A JSON integer in 0 … 2**64 − 1 (never ``true``, never ``1.0``)."""
    if type(value) is not int or not 0 <= value < 1 << 64:
        raise ValueError(f"{what} is not an unsigned 64-bit integer")
    return value


def text(value: Any, what: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a string")
    return value


def canonical_uuid(value: Any, what: str) -> UUID:
    try:
        parsed = UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise ValueError(f"{what} is not a UUID") from None
    if str(parsed) != value:
        raise ValueError(f"{what} is not a UUID in its canonical lowercase form")
    return parsed


def b64(value: Any, what: str) -> bytes:
    """RFC 4648 §4 base64 with padding, canonical (re-encoding gives the same text)."""
    try:
        decoded = base64.b64decode(value, validate=True)
    except (TypeError, ValueError, binascii.Error):
        raise ValueError(f"{what} is not base64 (RFC 4648 §4, with padding)") from None
    if base64.b64encode(decoded).decode() != value:
        raise ValueError(f"{what} is not base64 in its canonical form (RFC 4648 §4, with padding)")
    return decoded
