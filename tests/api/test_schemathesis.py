"""schemathesis over the OpenAPI document, for every persona: generated requests (valid and
invalid data, a bounded number, derandomized) never give a server error, and every response
matches the schema the document gives for its status code.

Each generated request is sent once per persona's token, so generation (the slow part) is paid
once per example, not once per persona."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from oppvekst.access.services import service_token_create
from oppvekst.demo.models import DemoPersona
from oppvekst.wsgi import application

pytestmark = pytest.mark.django_db

PERSONAS = [
    "guardian",
    "teacher",
    "principal",
    "kindergarten-head",
    "private-kindergarten-head",
    "caseworker",
    "admin",
]
MAX_EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction on PostgreSQL; Django's own test client disconnects the same
    signal handler."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _tokens() -> dict[str, dict[str, str]]:
    headers = {}
    for slug in PERSONAS:
        user = DemoPersona.objects.get(slug=slug).user
        _, token = service_token_create(user=user, name="schemathesis")
        headers[slug] = {"Authorization": f"Bearer {token}"}
    return headers


def _run(operation: Any, mode: GenerationMode, tokens: dict[str, dict[str, str]]) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=MAX_EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        for slug, headers in tokens.items():
            response = case.call(headers=headers)
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report all
                first = " ".join(str(exc).split())[:400]
                failures.append(f"{slug} {case.method} {case.formatted_path} {case.query}: {first}")
                return

    check()
    return failures


def test_no_server_error_and_no_schema_mismatch_for_any_persona() -> None:
    tokens = _tokens()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _run(operation, mode, tokens)
    assert operations > 10
    assert not failures, "\n".join(failures)


def test_the_harness_reports_a_server_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: an operation that raises is reported as a server error."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr("oppvekst.access.api.scope", broken)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    tokens = _tokens()
    failures = _run(schema["/api/v1/me"]["GET"], GenerationMode.POSITIVE, tokens)
    assert failures and all("/api/v1/me" in f for f in failures)
