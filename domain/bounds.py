"""Value bounds: the one set of limits on what any command or query may carry (HTTP, CLI, import alike).

A value outside them is refused before anything is decided, so nothing that a follower (a projection, the relay,
the sealer, the feed) cannot store or publish ever enters the log:

- **Times** are RFC 3339 text with an offset (``2025-03-01T09:00:00+08:00``; never a bare number read as a Unix
  timestamp, never a time without its zone) and lie within :data:`EARLIEST` .. :data:`LATEST`. A command's effective
  time may lie at most :data:`EFFECTIVE_HORIZON` beyond the time it is recorded.
- **Days** (``2025-03-01``) and **months** (``2025-03``) lie within the same window.
- **Text** holds no control character (C0, DEL, C1), no lone surrogate and no non-character. Text is one line
  (a name, a code, a number, a title, a document number) unless its field is declared :data:`FreeText` (a summary,
  a description, a reason, a note, findings): free text may hold newlines and tabs. No text is longer than
  :data:`MAX_TEXT`, no list longer than :data:`MAX_ITEMS`.
- **Integers** fit in signed 64 bits (PostgreSQL ``bigint``, SQLite ``INTEGER``).
- A request body is at most :data:`MAX_BODY_BYTES`.

Commands get these once, from ``application.commands.Command`` (every field, nested values included); queries from
the annotated types below (:data:`Moment`, :data:`Position`, :data:`Month`, …) and the API's query-string guard.
Events already stored are never re-checked against these bounds: old events always load (docs/DEVELOPING.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from typing import Annotated, Any, get_args

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, Field, GetJsonSchemaHandler
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from domain.calendar import CST
from domain.errors import Rejected

EARLIEST = datetime(1949, 10, 1, tzinfo=CST)
"""No record of this system predates the founding of the People's Republic (1949-10-01, China Standard Time)."""
LATEST = datetime(2100, 1, 1, tzinfo=CST)
"""Nothing is dated on or after 2100-01-01 (local practice: far beyond any deadline, term or plan)."""
EFFECTIVE_HORIZON = timedelta(days=366)
"""A command may be effective at most a year after it is recorded (local practice: an appointment or a duty list
announced for next year), never later."""
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_TEXT = 20_000
"""Characters in any one text value (the longest free text, a tip's content, is capped lower by its field)."""
MAX_ITEMS = 10_000
"""Items in any one list of a command."""
MAX_BODY_BYTES = 1024 * 1024
"""Bytes in one request body (413 beyond)."""
FREE_TEXT_CONTROLS = frozenset("\n\t")
"""The control characters free text may hold."""

WINDOW = f"{EARLIEST:%Y-%m-%d} .. {LATEST - timedelta(days=1):%Y-%m-%d}"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_REFUSED_IN_TEXT = r"\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
TEXT_PATTERN = rf"^[^\x00-\x08\x0b-\x1f{_REFUSED_IN_TEXT}]*$"
"""The JSON Schema ``pattern`` of free text in the API's document: no control character but newline and tab and no
non-character of the basic plane (what :func:`text_problem` refuses there; a lone surrogate is not JSON text, and a
surrogate range would not compile in every regular-expression engine)."""
LINE_PATTERN = rf"^[^\x00-\x1f{_REFUSED_IN_TEXT}]*$"
"""The ``pattern`` of one line of text (paths, query strings and headers)."""
_DOCUMENTED_YEAR = r"(19[5-9]\d|20[0-8]\d|209[0-8])"
MOMENT_PATTERN = rf"^{_DOCUMENTED_YEAR}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(\.\d{{1,6}})?(Z|[+-]\d{{2}}:\d{{2}})$"
"""The ``pattern`` of a time in the API's document: RFC 3339 with its offset, in the years 1950–2098 (within the
window whatever the offset; the window itself is checked as :data:`WINDOW`)."""
DAY_PATTERN = rf"^{_DOCUMENTED_YEAR}-\d{{2}}-\d{{2}}$"
"""The ``pattern`` of a day in the API's document (years 1950–2098)."""
MONTH_PATTERN = rf"^{_DOCUMENTED_YEAR}-(0[1-9]|1[0-2])$"
"""The ``pattern`` of a month label in the API's document (years 1950–2098)."""
RFC3339_EXPECTED = "expected an RFC 3339 time with its offset, e.g. 2025-03-01T09:00:00+08:00"
DAY_EXPECTED = "expected a day as YYYY-MM-DD"


# -- the checks -------------------------------------------------------------------------------------------------


def text_problem(value: str, *, free: bool = True) -> str | None:
    """Why ``value`` is not acceptable text, or ``None``: a control character (``\\n`` and ``\\t`` are allowed in
    free text), a lone surrogate, a non-character, or more than :data:`MAX_TEXT` characters."""
    if len(value) > MAX_TEXT:
        return f"longer than {MAX_TEXT} characters"
    allowed = FREE_TEXT_CONTROLS if free else frozenset()
    for index, char in enumerate(value):
        if char in allowed:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return f"control character U+{ord(char):04X} at position {index}"
        if category == "Cs":
            return f"lone surrogate U+{ord(char):04X} at position {index}"
        if category == "Cn" and (0xFDD0 <= ord(char) <= 0xFDEF or ord(char) & 0xFFFE == 0xFFFE):
            return f"non-character U+{ord(char):04X} at position {index}"
    return None


def moment_problem(value: datetime) -> str | None:
    """Why ``value`` is not an acceptable time, or ``None``: no offset, or outside the window."""
    if value.tzinfo is None or value.utcoffset() is None:
        return "a time needs its offset (e.g. +08:00 or Z)"
    if not EARLIEST <= value < LATEST:
        return f"outside the accepted window {WINDOW}"
    return None


def day_problem(value: date) -> str | None:
    if not EARLIEST.date() <= value < LATEST.date():
        return f"outside the accepted window {WINDOW}"
    return None


def integer_problem(value: int) -> str | None:
    if not INT64_MIN <= value <= INT64_MAX:
        return "outside the signed 64-bit range"
    return None


_ABSENT = object()


def _part(raw: Any, key: str | int) -> Any:
    """The submitted value under ``key`` (``_ABSENT`` when it is not a plain mapping or list there)."""
    if isinstance(raw, Mapping):
        return raw.get(key, _ABSENT)
    if isinstance(raw, list | tuple) and isinstance(key, int) and key < len(raw):
        return raw[key]
    return _ABSENT


def _written(raw: Any, pattern: re.Pattern[str], kind: type) -> bool:
    """Whether a submitted time or day was written as RFC 3339 text (or given as a value by Python code)."""
    return raw is _ABSENT or isinstance(raw, kind) or (isinstance(raw, str) and pattern.fullmatch(raw) is not None)


def violations(value: Any, raw: Any = _ABSENT, path: tuple[str | int, ...] = (),
               free: bool = False) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every value inside ``value`` (models, mappings, lists, text, numbers, times) that breaks a bound, with its
    location; ``raw`` is what was submitted (parsed JSON), to refuse a time written as a number. Text is held to one
    line unless it lies in a field declared :data:`FreeText` (``free``: the text below is free text)."""
    problem: str | None = None
    if isinstance(value, BaseModel):
        for name, free_field in _text_fields(type(value)):
            yield from violations(getattr(value, name), _part(raw, name), (*path, name), free_field)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and (key_problem := text_problem(key, free=False)):
                yield (*path, key), f"key: {key_problem}"
            yield from violations(item, _part(raw, key), (*path, str(key)), free)
        return
    if isinstance(value, list | tuple | set | frozenset):
        if len(value) > MAX_ITEMS:
            yield path, f"more than {MAX_ITEMS} items"
            return
        ordered = isinstance(value, list | tuple)
        for index, item in enumerate(value):
            yield from violations(item, _part(raw, index) if ordered else _ABSENT, (*path, index), free)
        return
    if isinstance(value, str):
        problem = text_problem(value, free=free)
    elif isinstance(value, bool):
        problem = None
    elif isinstance(value, int):
        problem = integer_problem(value)
    elif isinstance(value, datetime):
        problem = moment_problem(value) if _written(raw, _RFC3339, datetime) else RFC3339_EXPECTED
    elif isinstance(value, date):
        problem = day_problem(value) if _written(raw, _DAY, date) else DAY_EXPECTED
    if problem is not None:
        yield path, problem


def check_effective_time(effective_at: datetime, recorded_at: datetime) -> None:
    """Refuse an effective time more than :data:`EFFECTIVE_HORIZON` after the recorded time."""
    if effective_at > recorded_at + EFFECTIVE_HORIZON:
        raise Rejected("effective-time-out-of-window",
                       f"effective_at may lie at most {EFFECTIVE_HORIZON.days} days after the time it is recorded",
                       field="effective_at")


# -- annotated types for pydantic fields and query parameters ---------------------------------------------------


def _rfc3339_only(value: Any) -> Any:
    if not _written(value, _RFC3339, datetime):
        raise PydanticCustomError("rfc3339", RFC3339_EXPECTED)
    return value


def _iso_day_only(value: Any) -> Any:
    if not _written(value, _DAY, date):
        raise PydanticCustomError("iso-date", DAY_EXPECTED)
    return value


def _bounded(check: Any) -> AfterValidator:
    def validate(value: Any) -> Any:
        if (problem := check(value)) is not None:
            raise PydanticCustomError("out-of-bounds", problem)
        return value

    return AfterValidator(validate)


def _month_in_window(value: str) -> str:
    match = _MONTH.fullmatch(value)
    if match is None:
        raise PydanticCustomError("month", "expected a month as YYYY-MM")
    if not EARLIEST.year <= int(match.group(1)) < LATEST.year:
        raise PydanticCustomError("out-of-bounds", f"outside the accepted window {WINDOW}")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only), _bounded(moment_problem)]
"""A time: RFC 3339 with its offset, within the window."""
Day = Annotated[date, BeforeValidator(_iso_day_only), _bounded(day_problem)]
"""A calendar day (``YYYY-MM-DD``) within the window."""
Month = Annotated[str, Field(json_schema_extra={"pattern": MONTH_PATTERN}), AfterValidator(_month_in_window)]
"""A month label ``YYYY-MM`` within the window."""
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
Position = Annotated[int, Field(ge=0, le=INT64_MAX)]
"""A log position, version, offset or count: 0 .. 2⁶³−1."""


class _FreeTextMark:
    """The mark of a free-text field (:data:`FreeText`). It validates nothing — a value object carrying it may be part
    of a stored event, and stored events always load (docs/DEVELOPING.md) — and it tells :func:`violations` that the
    field's text may hold newlines and tabs, and the API's document (the schema of what a client sends) the same."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        if handler.mode == "validation" and schema.get("type") == "string":  # what a client sends, not what is stored
            schema["pattern"] = TEXT_PATTERN
        return schema

    def __repr__(self) -> str:
        return "FreeText"


FREE_TEXT = _FreeTextMark()
FreeText = Annotated[str, FREE_TEXT]
"""Free text — a summary, a description, a reason, a note, findings: may hold newlines and tabs (no other control
character). Any other text of a command is one line: no control character at all."""


def _marked(annotation: Any) -> bool:
    return annotation is FREE_TEXT or any(_marked(argument) for argument in get_args(annotation))


def is_free_text(field: FieldInfo) -> bool:
    """Whether a model's field holds free text (:data:`FreeText`, also inside ``| None``, a list or a tuple)."""
    return FREE_TEXT in field.metadata or _marked(field.annotation)


@cache
def _text_fields(model_class: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """Each field of the class and whether it holds free text, worked out once per class (:func:`violations` walks
    every command's fields; their annotations never change)."""
    return tuple((name, is_free_text(info)) for name, info in model_class.model_fields.items())
