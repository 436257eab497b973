"""A property-based sweep of the whole HTTP API (schemathesis, from ``/api/v1/openapi.json``), issue #9 §5.

Every operation gets a bounded number of generated requests, valid and invalid, with an admin token: no answer is a
5xx, every status and content type is the one the OpenAPI document declares for the operation, every response body
matches its schema, no invalid request is accepted, and no request the document admits is refused as malformed (the
value bounds of domain/bounds.py are written into the document: api/problems.py ``bounds_documented``). Reads run
on the demo history (the shared, read-only demo store); commands on a small store of their own, so the sweep's
writes never touch the demo. An undeclared method is
answered 405 with ``Allow``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta

import pytest
import schemathesis
import schemathesis.specs.openapi.checks  # registers the OpenAPI checks
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, CheckFunction
from schemathesis.core.transport import Response
from starlette.types import ASGIApp

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import System
from tests.builders import World

EXAMPLES = 2
"""Generated requests per operation and mode (valid, invalid): the sweep stays well under a minute."""
CHECKED = frozenset({"not_a_server_error", "status_code_conformance", "content_type_conformance",
                     "response_headers_conformance", "response_schema_conformance", "negative_data_rejection",
                     "missing_required_header", "ignored_auth"})
"""Every check but those that need state across calls, and schemathesis's ``positive_data_acceptance``: a schema-valid
command is still refused (404, 409, 422) by the domain rules when, say, the generated unit id names nothing. In its
place, :func:`refused_as_invalid` holds the document to its word: a request the document admits is never refused as
malformed."""
MALFORMED = frozenset({"invalid-request", "malformed-body", "body-too-large"})
"""Problem codes of the request layer (api/problems.py, api/request_bounds.py): refusals of the shape, not the facts."""
NOT_SWEPT = frozenset({"/api/v1/events/live"})
"""The live tail streams for minutes by design (tested in tests/test_event_feed.py)."""


def admin(system: System) -> dict[str, str]:
    token = issue_token(system.settings.resolved_jwt_secret, subject="sweep@350000", role="admin",
                        jurisdiction="350000", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


def sweep(app: ASGIApp, headers: dict[str, str], method: str) -> tuple[Counter[int], list[str]]:
    """Run the generated requests of every ``method`` operation; the statuses seen and the failures found."""
    checks: list[CheckFunction] = [check for check in CHECKS.get_all()
                                   if check.__name__ in CHECKED and not isinstance(check, type)]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != method or operation.path in NOT_SWEPT:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def run(case: schemathesis.Case) -> None:
                if isinstance(case.query, dict) and isinstance(case.query.get("wait"), int | float):
                    case.query["wait"] = 0  # a long-poll would only wait
                response = case.call(headers=headers)
                statuses[response.status_code] += 1
                try:
                    case.validate_response(response, headers=headers, checks=checks)
                    if case.meta is not None and case.meta.generation.mode.is_positive:
                        refused_as_invalid(response)
                except Exception as exc:
                    failures.append(f"{case.operation.label} [{response.status_code}] {case.as_curl_command(headers)}\n"
                                    f"    {str(exc).strip().splitlines()[0]}: {response.text[:300]}")

            with suppress(Unsatisfiable):  # no invalid request exists for an operation without parameters
                run()
    return statuses, failures


def refused_as_invalid(response: Response) -> None:
    """Fail when a request the OpenAPI document admits was refused as malformed (its schema promised too much)."""
    if response.status_code in (400, 413, 422) and response.json().get("code") in MALFORMED:
        raise AssertionError("valid data refused as malformed: the document admits what the validator refuses")


@pytest.fixture
def demo_client(demo: System) -> Iterator[TestClient]:
    with TestClient(create_app(demo, follow=False)) as client:
        yield client


def test_every_read_answers_as_documented_on_the_demo_store(demo: System, demo_client: TestClient) -> None:
    statuses, failures = sweep(demo_client.app, admin(demo), "GET")
    assert not failures, "\n".join(failures)
    assert not [status for status in statuses if status >= 500]
    assert statuses[200] > 0


def test_every_command_answers_as_documented(system: System, client: TestClient) -> None:
    World(system)
    statuses, failures = sweep(client.app, admin(system), "POST")
    assert not failures, "\n".join(failures)
    assert not [status for status in statuses if status >= 500]
    assert statuses[422] > 0


def test_an_undeclared_method_is_405_with_allow(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, operations in paths.items():
        declared = {method.upper() for method in operations}
        url = path.replace("{", "").replace("}", "")
        response = client.request("DELETE", url)
        assert response.status_code == 405, path
        assert set(response.headers["allow"].replace(" ", "").split(",")) == declared, path
        assert response.headers["content-type"] == "application/problem+json"
