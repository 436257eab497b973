"""The published administrative-division codes (GB/T 2260, 县以上行政区划代码) and the jurisdiction paths built on them.

``divisions.tsv`` beside this module is the code table, with its source, date and coverage in its header. A
jurisdiction path (``domain.jurisdiction``) is valid when it starts at a province of the table, every 6-digit code
is in the table and lies under the code before it, and 12-digit codes (统计用区划代码 of towns and villages, not
part of GB/T 2260) lie under their county or town.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from domain.jurisdiction import SEPARATOR

BASIS = "GB/T 2260 中华人民共和国县以上行政区划代码"


@cache
def table() -> dict[str, str]:
    """Code → name of every division at county level and above that the shipped table lists."""
    text = files("domain").joinpath("divisions.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[0]: row[1] for row in rows}


def name_of(code: str) -> str | None:
    return table().get(code)


def _below(code: str) -> str:
    """The prefix every code under ``code`` shares: 350000 → 35, 350500 → 3505, 350505101000 → 350505101."""
    if len(code) == 6:
        return code.removesuffix("0000") if code.endswith("0000") else code.removesuffix("00")
    return code[:9] if code.endswith("000") else code


def path_problem(path: str) -> str | None:
    """Why ``path`` is not a jurisdiction path of published codes, or ``None`` when it is one."""
    parts = path.split(SEPARATOR)
    if not path or not all(p.isdigit() and len(p) in (6, 12) for p in parts):
        return f"{path!r} is not a path of 行政区划代码 like 350000/350500/350505"
    if not parts[0].endswith("0000"):
        return f"{parts[0]} is not a province: a jurisdiction path starts at its province"
    for parent, code in zip([None, *parts], parts, strict=False):
        if len(code) == 6 and code not in table():
            return f"{code} is not in the published code table ({BASIS})"
        if parent is not None and (code == parent or not code.startswith(_below(parent))
                                   or (len(parent) == 12 and len(code) == 6)):
            return f"{code} does not lie under {parent}"
    return None
