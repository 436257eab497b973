"""The routers' class: a router that tells at once that none of its routes can match a path (issue #15).

FastAPI asks each included router in turn, and a router tries its routes one by one (a few microseconds each, with
the scope bookkeeping of its included routes): a request to the last router's routes tried every route of the API
first, ~85 of them for ``GET /hazards``, and its own router's twice (to choose, then to handle). A route's path can
only match where the path ends with what the route's own pattern matches (an including router, or a server's root
path, only puts a prefix before it), so one search of the router's patterns together, tried at the end of the path,
rules the router out or lets FastAPI match as before: the same route, the same 404 and 405 answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def ends(routes: Sequence[object]) -> re.Pattern[str] | None:
    """One pattern that finds the end of a path any of ``routes`` could match; ``None`` when a route has no path
    pattern (it may match anything)."""
    patterns = []
    for route in routes:
        regex = getattr(route, "path_regex", None)
        if not isinstance(regex, re.Pattern):
            return None
        patterns.append(_NAMED_GROUP.sub("(?:", regex.pattern.removeprefix("^")))
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


class Router(APIRouter):
    """An ``APIRouter`` that rules itself out of a request none of its routes' patterns can end (see the module)."""

    _ends: tuple[int, re.Pattern[str] | None] = (-1, None)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        count, pattern = self._ends
        if count != len(self.routes):  # built once, rebuilt if routes were added since
            self._ends = count, pattern = len(self.routes), ends(self.routes)
        if pattern is not None and pattern.search(scope.get("path", "")) is None:
            return Match.NONE, {}
        return super().matches(scope)
