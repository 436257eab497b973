"""Command endpoints, declared once: ``POST path`` → a command → ``Zeren.execute`` → ``CommandResult``.

The request body is the command minus the fields the path supplies; the actor comes from the bearer token; the
``Idempotency-Key`` and ``X-Correlation-ID`` headers are passed on. One route per command, no hand-written glue;
the OpenAPI operation names its command (``x-command``).

A command's route answers an ordinary request — a JSON body, a valid bearer token, the headers absent or plainly
valid — without FastAPI's generic request handling (``api.short_way``, :class:`CommandRoute`): the endpoint gets the
arguments FastAPI would have given it and writes its answer itself; anything else goes through FastAPI's handling,
which alone answers every refusal. FastAPI's handling of a command — its dependency solving, the result validated
again and a second thread-pool hop — was about half of the HTTP layer's CPU for a command (issue #15;
docs/performance.md, "Ninth round, a command's HTTP overhead").
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Body, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError

from api.auth import authenticated, bearer
from api.deps import KEY_LENGTH, CorrelationId, IdempotencyKey, PrincipalDep, SystemDep, body_of, system
from api.problems import responses
from api.short_way import ShortRoute
from application.commands import Command
from application.service import CommandResult

WRITE = responses(401, 403, 404, 409, 422)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

Arguments = Callable[[Request], Awaitable[dict[str, Any] | None]]


def command_route(router: APIRouter, path: str, command: type[Command], summary: str, *,
                  created: bool = False) -> None:
    """Add ``POST path`` that executes ``command``; ``{name}`` segments of the path fill those fields."""
    path_fields = tuple(re.findall(r"{(\w+)}", path))
    request_body = body_of(command, *path_fields) if path_fields else command
    status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    path_types: dict[str, Any] = {name: command.model_fields[name].annotation for name in path_fields}
    path_adapters = {name: TypeAdapter(annotation) for name, annotation in path_types.items()}

    def endpoint(system: Any, who: Any, body: Any, key: Any = None, correlation: Any = None,
                 **path_values: Any) -> Response:
        values = {**body.model_dump(exclude_unset=True), **path_values}
        try:
            cmd = command.model_validate(values)
        except ValidationError as exc:  # a path value out of bounds
            raise RequestValidationError(exc.errors()) from None
        result = system.service.execute(cmd, who, idempotency_key=key, correlation_id=correlation)
        # What FastAPI would write for the response model, without its second validation and thread-pool hop
        return Response(result.model_dump_json(by_alias=True), status_code, media_type="application/json")

    async def arguments(request: Request) -> dict[str, Any] | None:
        """The endpoint's arguments as FastAPI's dependencies and validation would give them, when the request (its
        body already read) is ordinary; else ``None``: FastAPI's own handling decides, and answers any refusal."""
        headers = request.headers
        key, correlation = headers.get("idempotency-key"), headers.get("x-correlation-id")
        if (headers.get("content-type") != "application/json" or (key is not None and len(key) > KEY_LENGTH)
                or (correlation is not None and _UUID.fullmatch(correlation) is None)):
            return None
        try:
            who = await authenticated(request, await bearer(request))
            path_values = {name: path_adapters[name].validate_python(value)
                           for name, value in request.path_params.items()}
            body = request_body.model_validate(await request.json(), from_attributes=True)
        except Exception:  # whatever is wrong, FastAPI's handling says so
            return None
        return {"system": await system(request), "who": who, "body": body, "key": key,
                "correlation": None if correlation is None else UUID(correlation), **path_values}

    parameters = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
        for name, annotation in path_types.items()
    ] + [
        inspect.Parameter("system", inspect.Parameter.KEYWORD_ONLY, annotation=SystemDep),
        inspect.Parameter("who", inspect.Parameter.KEYWORD_ONLY, annotation=PrincipalDep),
        inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=request_body, default=Body()),
        inspect.Parameter("key", inspect.Parameter.KEYWORD_ONLY, annotation=IdempotencyKey, default=None),
        inspect.Parameter("correlation", inspect.Parameter.KEYWORD_ONLY, annotation=CorrelationId, default=None),
    ]
    # FastAPI reads the parameters through inspect.signature(), which honours __signature__ (typeshed omits it).
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=CommandResult)  # type: ignore[attr-defined]
    endpoint.__name__ = re.sub(r"(?<!^)(?=[A-Z])", "_", command.__name__).lower()
    endpoint.__doc__ = command.__doc__
    router.add_api_route(path, endpoint, methods=["POST"], status_code=status_code, responses=WRITE, summary=summary,
                         response_model=CommandResult, openapi_extra={"x-command": command.__name__},
                         route_class_override=route_class(arguments))


def route_class(arguments: Arguments) -> type[APIRoute]:
    """The route class of one command (see the module)."""

    class CommandRoute(ShortRoute):
        """A command's route: the endpoint called at once with ``arguments`` when they are found."""

        async def arguments(self, request: Request) -> dict[str, Any] | None:
            return await arguments(request)

    return CommandRoute
