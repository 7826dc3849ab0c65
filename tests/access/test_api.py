from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oppvekst import clock
from oppvekst.access.models import ServiceToken
from oppvekst.access.services import service_token_create, service_token_revoke
from oppvekst.demo.models import DemoPersona
from tests.access.personas import objects_for

pytestmark = pytest.mark.django_db


def _headers(slug: str, **kwargs: object) -> dict[str, str]:
    _t, token = service_token_create(
        user=DemoPersona.objects.get(slug=slug).user,
        name="t",
        **kwargs,  # type: ignore[arg-type]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_missing_or_bad_token_is_401_in_the_error_shape() -> None:
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": "Basic x"}):
        response = Client().get("/api/v1/children", **headers)
        assert response.status_code == 401
        assert response.json() == {
            "code": "unauthorized",
            "message": "A valid bearer token is required.",
            "fields": {},
        }


def test_tokens_are_stored_hashed_and_can_be_revoked() -> None:
    user = DemoPersona.objects.get(slug="teacher").user
    token, plaintext = service_token_create(user=user, name="x")
    assert plaintext not in token.token_hash and len(token.token_hash) == 64
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    assert Client().get("/api/v1/me", **headers).status_code == 200
    service_token_revoke(token=token)
    assert Client().get("/api/v1/me", **headers).status_code == 401


def test_expired_token_is_refused() -> None:
    headers = _headers("teacher", expires_at=clock.now() - dt.timedelta(minutes=1))
    assert Client().get("/api/v1/me", **headers).status_code == 401


def test_token_scopes_limit_actions() -> None:
    headers = _headers("teacher", scopes=["unit.read"])
    assert Client().get("/api/v1/units", **headers).json()["count"] > 0
    assert Client().get("/api/v1/children", **headers).json()["count"] == 0
    with pytest.raises(ValueError, match="unknown actions"):
        service_token_create(
            user=DemoPersona.objects.get(slug="teacher").user, name="x", scopes=["everything"]
        )
    assert not ServiceToken.objects.filter(name="x", scopes=["everything"]).exists()


def test_guardian_lists_only_own_children() -> None:
    body = Client().get("/api/v1/children", **_headers("guardian")).json()
    me = Client().get("/api/v1/me", **_headers("guardian")).json()
    assert {c["id"] for c in body["items"]} == {c["id"] for c in me["children"]}
    assert body["count"] == 4  # three in kindergarten, SFO, school + the baby (admission demo)


def test_pagination_and_validation_errors() -> None:
    headers = _headers("caseworker")
    first = Client().get("/api/v1/children?limit=5&offset=0", **headers).json()
    second = Client().get("/api/v1/children?limit=5&offset=5", **headers).json()
    assert len(first["items"]) == 5 and first["count"] == second["count"] > 10
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}
    bad = Client().get("/api/v1/children?limit=9999&offset=-1", **headers)
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"
    assert set(bad.json()["fields"]) == {"limit", "offset"}


def test_unknown_child_and_other_family_are_404() -> None:
    headers = _headers("guardian")
    other = objects_for("guardian").other_child
    for child_id in (other, 999999999):
        response = Client().get(f"/api/v1/children/{child_id}", **headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("limit", [5, 50])
def test_children_list_query_count_does_not_grow_with_page_size(limit: int) -> None:
    headers = _headers("caseworker")
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(f"/api/v1/children?limit={limit}", **headers)
    assert response.status_code == 200 and len(response.json()["items"]) == limit
    assert len(queries) <= 9, [q["sql"][:120] for q in queries]


def test_openapi_document_lists_the_operations() -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/children", "/api/v1/children/{child_id}", "/api/v1/me"} <= set(spec["paths"])


def test_security_headers_on_pages_and_api() -> None:
    response = Client().get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    api = Client().get("/api/v1/me", **_headers("teacher"))
    assert api["Cache-Control"] == "no-store, private"
