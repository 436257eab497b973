"""Routes that answer an ordinary request the short way: the endpoint called at once with the arguments FastAPI
would have given it, found by the route itself; any other request goes through FastAPI's handling.

FastAPI's generic handling of a request — its dependency solving (FastAPI 0.165 works out again, for every request,
what each parameter's annotation is: a sequence? a model?), its telemetry around the endpoint, the result validated
again — was about half of the HTTP layer's CPU for a command and for the hazard ledger's page (issue #15;
docs/performance.md, "Ninth round, a command's HTTP overhead", "Tenth round, the ledger page p95"). One mechanism,
:class:`ShortRoute`, serves both: a route says how it finds an ordinary request's arguments (:meth:`arguments`),
and ``None`` leaves the request to FastAPI, which then alone answers every refusal. The commands' routes find theirs
by hand (``api.commands``); a read's route (:class:`ReadRoute`) finds them from FastAPI's own description of the
endpoint (its ``Dependant``), solved in FastAPI's order with FastAPI's fields: the same dependencies called with the
same values (the actor still from the token), the same query parameters validated the same way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, get_type_hints

from fastapi import Request, Response
from fastapi._compat import field_annotation_is_sequence
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import (
    Dependant,
    _get_cache_key,
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.dependencies.utils import _get_param_model
from fastapi.routing import APIRoute
from starlette.types import Message, Receive


class ShortRoute(APIRoute):
    """A route whose endpoint — a plain function that writes its own :class:`Response` — is called in the thread
    pool with :meth:`arguments` when they are found; else FastAPI's handling answers the request."""

    async def arguments(self, request: Request) -> dict[str, Any] | None:
        """The endpoint's arguments as FastAPI would give them, when the request (its body already read) is
        ordinary; else ``None`` — as here, where a route of this class that finds none leaves every request to
        FastAPI."""
        return None

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            if getattr(request.app, "dependency_overrides", None):  # the dependencies as overridden: FastAPI's
                return await handle(request)
            try:
                await request.body()  # FastAPI's handling reads it first too, and finds it kept
            except Exception as error:  # it meets the same error reading a new request
                return await handle(Request(request.scope, _raising(error)))
            found = await self.arguments(request)
            if found is None:
                return await handle(request)
            response: Response = await run_in_threadpool(endpoint, **found)
            return response

        return handler


def _raising(error: Exception) -> Receive:
    """A request's ``receive`` that raises ``error`` again."""

    async def receive() -> Message:
        raise error

    return receive


class ReadRoute(ShortRoute):
    """A read's route: its arguments found by solving its dependencies and query parameters as FastAPI does.

    For an endpoint whose dependencies (and theirs) are ``async`` functions of the request, of query parameters and
    of one another — no path, header, cookie or body parameters, no generators, no ``Response`` or background
    tasks to fill — which returns a :class:`Response` of its own; a route that is not such refuses to be made.
    A dependency that raises raises here as it would there (nothing before it differs); a request whose parameters
    do not validate is left to FastAPI, which answers it with every error at once."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if inspect.iscoroutinefunction(endpoint) or not _writes_response(endpoint):
            raise TypeError(f"{endpoint.__name__}: a read's short way calls a plain function that returns a Response")
        self._solve = _Plain.of(self.dependant, endpoint=True)

    async def arguments(self, request: Request) -> dict[str, Any] | None:
        errors: list[Any] = []
        values = await self._solve.values(request, {}, errors)
        return None if errors else values


def _writes_response(endpoint: Callable[..., Any]) -> bool:
    returned = get_type_hints(endpoint).get("return")
    return isinstance(returned, type) and issubclass(returned, Response)


@dataclass(frozen=True)
class _Plain:
    """A dependant FastAPI solves without any I/O of its own: what :func:`fastapi.dependencies.utils.
    solve_dependencies` does for it, its field shapes worked out once."""

    call: Callable[..., Any]
    name: str | None
    use_cache: bool
    key: Any  # FastAPI's key of the dependency in a request's cache
    dependencies: tuple[_Plain, ...]
    query: tuple[tuple[str, str, Any], ...]  # (parameter, alias, FastAPI's field)
    request: tuple[str, ...]  # the parameters given the request itself (as a Request, as an HTTPConnection)

    @classmethod
    def of(cls, dependant: Dependant, *, endpoint: bool = False) -> _Plain:
        call = dependant.call
        if call is None or (not endpoint and not _is_async(call)):
            raise TypeError(f"{dependant.name or call}: not an async dependency")
        if (dependant.path_params or dependant.header_params or dependant.cookie_params or dependant.body_params
                or dependant.websocket_param_name
                or dependant.response_param_name or dependant.background_tasks_param_name
                or dependant.security_scopes_param_name or dependant.own_oauth_scopes
                or dependant.parent_oauth_scopes or dependant.concurrency is not None):
            raise TypeError(f"{dependant.name or call}: needs more than the request and its query")
        query = tuple((field.name, field.alias, field) for field in dependant.query_params if _plain_field(field))
        if len(query) != len(dependant.query_params):
            raise TypeError(f"{dependant.name or call}: a query parameter that is a sequence, a model or aliased")
        return cls(call, dependant.name, dependant.use_cache, _get_cache_key(dependant=dependant),
                   tuple(cls.of(d) for d in dependant.dependencies), query,
                   tuple(name for name in (dependant.http_connection_param_name, dependant.request_param_name)
                         if name is not None))

    async def values(self, request: Request, cache: dict[Any, Any], errors: list[Any]) -> dict[str, Any]:
        """This dependant's arguments, its dependencies solved first (each once a request, as FastAPI caches
        them); the validation errors are added to ``errors``."""
        values: dict[str, Any] = {}
        for dependency in self.dependencies:
            known = len(errors)
            arguments = await dependency.values(request, cache, errors)
            if len(errors) > known:
                continue
            if dependency.use_cache and dependency.key in cache:
                solved = cache[dependency.key]
            else:
                solved = await dependency.call(**arguments)
            if dependency.name is not None:
                values[dependency.name] = solved
            cache.setdefault(dependency.key, solved)
        received = request.query_params
        for name, alias, field in self.query:
            value = received.get(alias)
            if value is None:
                if field.field_info.is_required():
                    errors.append(alias)  # FastAPI's handling says what is missing
                    continue
                values[name] = deepcopy(field.default)
                continue
            valid, wrong = field.validate(value, values, loc=("query", alias))
            if wrong:
                errors.extend(wrong)
            else:
                values[name] = valid
        for name in self.request:
            values[name] = request
        return values


def _is_async(call: Callable[..., Any]) -> bool:
    """What FastAPI awaits at once (neither a generator nor a plain function, which it runs in the thread pool)."""
    return _is_coroutine_callable(call) and not _is_gen_callable(call) and not _is_async_gen_callable(call)


def _plain_field(field: Any) -> bool:
    """A query parameter FastAPI reads as one value by its alias, as :func:`fastapi.dependencies.utils.
    request_params_to_args` does for a field that is neither a sequence nor a model and has no other name to be
    found by, its default not validated."""
    info = field.field_info
    return (_get_param_model(field) is None and not field_annotation_is_sequence(info.annotation)
            and info.validation_alias in (None, field.alias) and not info.validate_default)
