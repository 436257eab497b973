"""Command endpoints, declared once: ``POST path`` → a command → ``Zeren.execute`` → ``CommandResult``.

The request body is the command minus the fields the path supplies; the actor comes from the bearer token; the
``Idempotency-Key`` and ``X-Correlation-ID`` headers are passed on. One route per command, no hand-written glue;
the OpenAPI operation names its command (``x-command``).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from fastapi import APIRouter, Body, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.deps import CorrelationId, IdempotencyKey, PrincipalDep, SystemDep, body_of
from api.problems import responses
from application.commands import Command
from application.service import CommandResult

WRITE = responses(401, 403, 404, 409, 422)


def command_route(router: APIRouter, path: str, command: type[Command], summary: str, *,
                  created: bool = False) -> None:
    """Add ``POST path`` that executes ``command``; ``{name}`` segments of the path fill those fields."""
    path_fields = tuple(re.findall(r"{(\w+)}", path))
    request_body = body_of(command, *path_fields) if path_fields else command

    def endpoint(system: Any, who: Any, body: Any, key: Any = None, correlation: Any = None,
                 **path_values: Any) -> CommandResult:
        values = {**body.model_dump(exclude_unset=True), **path_values}
        try:
            cmd = command.model_validate(values)
        except ValidationError as exc:  # a path value out of bounds
            raise RequestValidationError(exc.errors()) from None
        return system.service.execute(cmd, who, idempotency_key=key, correlation_id=correlation)

    parameters = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=command.model_fields[name].annotation)
        for name in path_fields
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
    router.post(path, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK, responses=WRITE,
                summary=summary, response_model=CommandResult,
                openapi_extra={"x-command": command.__name__})(endpoint)
