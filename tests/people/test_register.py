"""Identity numbers are refused with a clear message in forms and in the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from oppvekst.access.services import service_token_create
from oppvekst.demo.models import DemoPersona
from oppvekst.people.identity import make_number
from oppvekst.people.models import Person

pytestmark = pytest.mark.django_db

BAD = {
    "15108695077": "Kontrollsifrene i fødselsnummeret stemmer ikke.",
    "1510869508": "Fødselsnummeret må ha nøyaktig 11 siffer.",
    "31028695083": "De seks første sifrene i fødselsnummeret er ikke en gyldig dato.",
}


def _number(birth: dt.date, **kw: bool) -> str:
    return next(n for i in range(500, 999) if (n := make_number(birth, i, **kw)))


def _client() -> Client:
    c = Client()
    c.force_login(DemoPersona.objects.get(slug="caseworker").user)
    return c


def _impossible_date_number() -> str:
    from oppvekst.people.identity import W1, W2

    for i in range(100, 1000):
        nine = f"310286{i:03d}"
        k1 = (11 - sum(w * int(d) for w, d in zip(W1[:9], nine, strict=True)) % 11) % 11
        k2 = (11 - sum(w * int(d) for w, d in zip(W2[:10], nine + str(k1), strict=True)) % 11) % 11
        if k1 < 10 and k2 < 10:
            return f"{nine}{k1}{k2}"
    raise AssertionError


@pytest.mark.parametrize("number", ["15108695077", "1510869508", "date"])
def test_form_refuses_bad_numbers_with_a_clear_message(number: str) -> None:
    if number == "date":
        number, message = _impossible_date_number(), BAD["31028695083"]
    else:
        message = BAD[number]
    before = Person.objects.count()
    response = _client().post(
        "/barn/ny/",
        {"identity_number": number, "first_name": "A", "last_name": "B", "idempotency_key": "k"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Person.objects.count() == before


@pytest.mark.parametrize(
    "number",
    ["02013299997", "30108299939", "dnr", "synthetic"],
)
def test_form_accepts_d_numbers_2032_numbers_and_synthetic(number: str) -> None:
    if number == "dnr":
        number = _number(dt.date(2021, 5, 17), d_number=True)
    elif number == "synthetic":
        number = _number(dt.date(2021, 5, 18), synthetic=True)
    response = _client().post(
        "/barn/ny/",
        {
            "identity_number": number,
            "first_name": "Ada",
            "last_name": "Ny",
            "idempotency_key": number,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Person.objects.filter(identity_number=number).exists()


def test_form_submission_is_idempotent() -> None:
    number = _number(dt.date(2021, 6, 1), synthetic=True)
    data = {
        "identity_number": number,
        "first_name": "Ada",
        "last_name": "Ny",
        "idempotency_key": "same",
    }
    first = _client().post("/barn/ny/", data)
    second = _client().post("/barn/ny/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Person.objects.filter(identity_number=number).count() == 1


def _api() -> dict[str, str]:
    _t, token = service_token_create(user=DemoPersona.objects.get(slug="caseworker").user, name="r")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize("number", ["15108695077", "1510869508"])
def test_api_refuses_bad_numbers_in_the_error_shape(number: str) -> None:
    response = Client().post(
        "/api/v1/children",
        json.dumps({"identity_number": number, "first_name": "A", "last_name": "B"}),
        content_type="application/json",
        **_api(),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert BAD[number] in body["fields"]["identity_number"]


def test_api_create_is_idempotent_and_refuses_duplicates() -> None:
    number = _number(dt.date(2021, 7, 1), synthetic=True)
    payload = json.dumps({"identity_number": number, "first_name": "A", "last_name": "B"})
    headers = {**_api(), "HTTP_IDEMPOTENCY_KEY": "abc"}
    first = Client().post("/api/v1/children", payload, content_type="application/json", **headers)
    again = Client().post("/api/v1/children", payload, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = Client().post("/api/v1/children", payload, content_type="application/json", **_api())
    assert other.status_code == 409
    assert other.json()["code"] == "duplicate_identity_number"
