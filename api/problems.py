"""RFC 9457 problem details: every error the API returns, as ``application/problem+json``."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from application.following import FollowerFailed
from domain.bounds import DAY_PATTERN, LINE_PATTERN, MOMENT_PATTERN
from domain.errors import DomainError

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: ``type`` names the kind of problem (``urn:zeren:problem:<code>``)."""

    type: str = Field(examples=["urn:zeren:problem:invalid-credit-code"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str = Field(description="stable slug of the problem, the last part of type")
    field: str | None = Field(default=None, description="the input it concerns")
    basis: str | None = Field(default=None, description="the rule or law that refused it")
    errors: list[FieldError] | None = None


def problem_response(status: int, code: str, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    body = Problem(type=f"urn:zeren:problem:{code}", title=title, status=status, detail=detail,
                   instance=str(request.url.path), code=code, **extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "1"}
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE, headers=headers)


class ApiError(Exception):
    """An error raised by the HTTP layer itself (authentication, waiting for projections)."""

    def __init__(self, status: int, code: str, title: str, detail: str):
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def _strings(value: Any) -> list[str]:
    """The text leaves of a submitted value (strings and numbers, in dicts and lists)."""
    if isinstance(value, dict):
        return [s for v in (*value.keys(), *value.values()) for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [str(value)]
    return []


def _message(error: dict[str, Any]) -> str:
    """Pydantic's message for an invalid value, never echoing what was submitted (some messages quote it, e.g. an
    unknown union tag; the submission may be a whistleblower's identity, docs/rules.md R11): a message that contains the
    input falls back to its first clause, then to the error type."""
    submitted = [s for s in _strings(error.get("input")) if len(s) >= 2]
    message = error["msg"]
    for candidate in (message, message.split(",")[0]):
        if not any(s in candidate for s in submitted):
            return candidate
    return f"invalid value ({error['type']})"


def _allowed(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document declares for ``path``."""
    return sorted({method.upper() for template, operations in app.openapi().get("paths", {}).items()
                   if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path)
                   for method in operations})


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(exc.status, exc.code, type(exc).title, exc.detail, request,
                                field=exc.field, basis=exc.basis)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(exc.status, exc.code, exc.title, exc.detail, request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(field=_location(tuple(e["loc"])), message=_message(e)) for e in exc.errors()]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        return problem_response(422, "invalid-request", "The request is not valid", detail, request,
                                errors=[e.model_dump() for e in errors])

    @app.exception_handler(FollowerFailed)
    async def unreadable(request: Request, exc: FollowerFailed) -> JSONResponse:
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return problem_response(503, "event-unreadable", "A stored event cannot be read",
                                f"the event at log position {exc.position} cannot be read by this version", request)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = {400: "malformed-body", 404: "not-found", 405: "method-not-allowed",
                413: "body-too-large"}.get(exc.status_code, "http-error")
        response = problem_response(exc.status_code, code, str(exc.detail), str(exc.detail), request)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # every operation of the path, not only the route the router tried first
            response.headers["Allow"] = ", ".join(_allowed(request.app, request.url.path))
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal-error", "Internal error",
                                "the server failed; nothing was written unless a position was returned", request)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems a route can answer with."""
    described = {
        400: "Bad request", 401: "Missing or invalid bearer token", 403: "Role or jurisdiction does not allow it",
        404: "Not found", 409: "Conflict: stale version, concurrent change or duplicate",
        410: "Gone: destroyed for good (a shredded identity)",
        422: "Invalid input or refused by a domain rule", 503: "Read model not yet at min_position; retry",
    }
    return {s: {"model": Problem, "description": described[s], "content": {MEDIA_TYPE: {}}} for s in statuses}


FORMAT_PATTERNS = {"date-time": MOMENT_PATTERN, "date": DAY_PATTERN}


def decimal_pattern(number: dict[str, Any]) -> str:
    """The ``pattern`` of an amount written as text (yuan, at most two decimals), as bounded below as its number;
    a score of 0 to 100 (an assessment item's) as bounded as its number on both sides."""
    if number.get("minimum") == 0 and number.get("maximum") == 100:
        return r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$"
    if number.get("exclusiveMinimum") == 0:
        return r"^[1-9]\d{0,11}(\.\d{1,2})?$"
    return r"^\d{1,12}(\.\d{1,2})?$" if number.get("minimum") == 0 else r"^-?\d{1,12}(\.\d{1,2})?$"

READ_PROBLEMS = responses(401, 403, 422, 503)
"""What a query can answer with besides its result."""


def bounds_documented(document: dict[str, Any]) -> None:
    """Write the value bounds (domain/bounds.py), which every command and query enforces generically, into the
    schemas of what a client sends, so that what the document admits is what the API accepts: text on one line
    without control characters (free text, ``domain.bounds.FreeText``, carries its own pattern admitting newlines and
    tabs), times with their offset inside the window, a discriminator always named, a decimal written as one,
    a header never null (a client cannot send a null header). Schemas only answers use are left as they are."""
    components = document.get("components", {}).get("schemas", {})
    reached: set[str] = set()

    def bound(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                bound(item)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and (name := ref.rpartition("/")[2]) not in reached and name in components:
            reached.add(name)
            bound(components[name])
        if node.get("type") == "string" and not {"enum", "const", "pattern"} & node.keys():
            kind = node.get("format")
            if kind is None:
                node["pattern"] = LINE_PATTERN
            elif kind in FORMAT_PATTERNS:
                node["pattern"] = FORMAT_PATTERNS[kind]
        branches: list[dict[str, Any]] = node.get("anyOf") or []
        number = next((b for b in branches if b.get("type") == "number"), None)
        if number is not None and any(b.get("type") == "string" for b in branches):
            for branch in branches:  # pydantic's Decimal: a number, or a string that must spell one
                if branch.get("type") == "string" and "pattern" not in branch:
                    branch["pattern"] = decimal_pattern(number)
            number.setdefault("multipleOf", 0.01)  # an amount in yuan: fen at most (the string's two decimals)
            number.setdefault("maximum", 999_999_999_999.99)  # and at most 12 digits of yuan, as the string
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict):
            for target in discriminator.get("mapping", {}).values():
                required = components.get(target.rpartition("/")[2], {}).setdefault("required", [])
                if discriminator["propertyName"] not in required:
                    required.append(discriminator["propertyName"])
        for key, value in node.items():
            if key not in ("example", "examples", "default", "$ref"):
                bound(value)

    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "header" and isinstance(schema.get("anyOf"), list):
                    present = [b for b in schema["anyOf"] if b.get("type") != "null"]
                    if len(present) == 1:
                        parameter["schema"] = schema = {**{k: v for k, v in schema.items() if k != "anyOf"},
                                                        **present[0]}
                bound(schema)
            bound(operation.get("requestBody", {}))


def document(app: FastAPI) -> None:
    """Make the OpenAPI document say what every route can answer: a ``422`` problem (invalid parameters, path or
    query text out of bounds — FastAPI would describe it as plain JSON), a ``413`` problem for a route that takes a
    body, and a ``503`` problem for one that accepts ``min_position``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        problem = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                answers["422"] = {"description": "Invalid input or refused by a domain rule", "content": problem}
                if "requestBody" in operation:
                    answers["400"] = {"description": "The body is not UTF-8 JSON", "content": problem}
                    answers["413"] = {"description": "Request body too large", "content": problem}
                if any(p.get("name") == "min_position" for p in operation.get("parameters", [])):
                    answers.setdefault("503", {"description": "Read model behind or stuck", "content": problem})
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        bounds_documented(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend its OpenAPI document
