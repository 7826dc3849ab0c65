"""Numbers past what the database holds are the client's mistake: the API answers 422 in its
error shape and pages fall back to their default, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client

from oppvekst.access.services import service_token_create
from oppvekst.demo.models import DemoPersona
from oppvekst.params import int_param, page_param

pytestmark = pytest.mark.django_db

HUGE = str(2**80)


def _headers(slug: str = "caseworker") -> dict[str, str]:
    _, token = service_token_create(user=DemoPersona.objects.get(slug=slug).user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/units?offset={HUGE}", "offset"),
        (f"/api/v1/units?municipality={HUGE}", "municipality"),
        (f"/api/v1/groups?unit={HUGE}", "unit"),
        (f"/api/v1/groups?offset={2**63}", "offset"),
        (f"/api/v1/children?offset={HUGE}", "offset"),
        (f"/api/v1/applications?offset={2**63}", "offset"),
        (f"/api/v1/invoices?offset={2**63}", "offset"),
    ],
)
def test_huge_query_numbers_are_422_in_the_error_shape(url: str, field: str) -> None:
    response = Client(raise_request_exception=False).get(url, **_headers())
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and field in body["fields"]


@pytest.mark.parametrize("url", [f"/api/v1/units/{HUGE}", f"/api/v1/children/{HUGE}"])
def test_huge_path_ids_are_not_found(url: str) -> None:
    response = Client(raise_request_exception=False).get(url, **_headers())
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_huge_numbers_in_a_body_are_422() -> None:
    response = Client(raise_request_exception=False).post(
        "/api/v1/applications",
        {
            "child_id": 2**70,
            "service": "kindergarten",
            "desired_start": "2027-08-01",
            "wishes": [2**70],
            "weekly_hours": "1e400",
        },
        content_type="application/json",
        **_headers("guardian"),
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert {"child_id", "wishes.0", "weekly_hours"} <= set(fields)


@pytest.mark.parametrize(
    ("slug", "url"),
    [
        ("caseworker", f"/barn/?side={HUGE}"),
        ("caseworker", f"/opptak/soknader/?side={HUGE}"),
        ("caseworker", f"/betaling/?kommune={HUGE}"),
    ],
)
def test_pages_treat_huge_numbers_as_absent(persona_client, slug: str, url: str) -> None:
    client = persona_client(slug)
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code in (200, 302), response.status_code


def test_number_parameters_are_bounded() -> None:
    assert int_param("12") == 12
    assert int_param(HUGE) is None and int_param("9" * 5000) is None
    assert int_param("-1") is None and int_param("x") is None and int_param(None) is None
    assert page_param(HUGE) == 1 and page_param("3") == 3
