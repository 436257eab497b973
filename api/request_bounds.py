"""The bounds of ``domain.bounds`` on what a request is before any route reads it: its body's size (413) and the
text of its path and query string (422: no control characters, e.g. ``%00``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response
from domain.bounds import MAX_BODY_BYTES, text_problem

TOO_LARGE = f"the request body is larger than {MAX_BODY_BYTES} bytes"


class RequestBounds:
    """ASGI middleware: refuses a body over :data:`domain.bounds.MAX_BODY_BYTES` (by its ``Content-Length``, or
    while it is read) and a path or query string whose text breaks the bounds."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and not length.isdigit():
            await self._refuse(scope, receive, send, 400, "malformed-body", "Malformed request",
                               "the Content-Length header is not a number")
            return
        if length is not None and int(length) > MAX_BODY_BYTES:
            await self._refuse(scope, receive, send, 413, "body-too-large", "Request body too large", TOO_LARGE)
            return
        if (problem := self._text_problem(scope)) is not None:
            field, message = problem
            await self._refuse(scope, receive, send, 422, "invalid-request", "The request is not valid",
                               f"{field}: {message}", errors=[{"field": field, "message": message}])
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counted, send)

    @staticmethod
    def _text_problem(scope: Scope) -> tuple[str, str] | None:
        """The field and the reason of the first text that breaks the bounds."""
        if (problem := text_problem(scope["path"], free=False)) is not None:
            return "path", problem
        query = scope.get("query_string", b"").decode("utf-8", "replace")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if (problem := text_problem(name, free=False)) is not None:
                return "query", problem
            if (problem := text_problem(value, free=False)) is not None:
                return name, problem
        return None

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, code: str, title: str,
                      detail: str, **extra: Any) -> None:
        response = problem_response(status, code, title, detail, Request(scope), **extra)
        await response(scope, receive, send)
