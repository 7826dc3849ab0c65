"""One identity number has one spelling: fullwidth, Arabic-Indic and other Unicode digits are
normalised to ASCII before validation, wherever a number enters, so uniqueness holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from oppvekst.access.oidc import _identity_number
from oppvekst.access.services import service_token_create
from oppvekst.demo.models import DemoPersona
from oppvekst.people.forms import ChildRegisterForm
from oppvekst.people.identity import make_number, normalise, parse
from oppvekst.people.models import Person

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def _number(birth: dt.date) -> str:
    return next(n for i in range(500, 999) if (n := make_number(birth, i)))


@pytest.mark.parametrize("table", [FULLWIDTH, ARABIC_INDIC, DEVANAGARI])
def test_unicode_digits_parse_to_the_ascii_number(table: dict[int, str]) -> None:
    number = _number(dt.date(2021, 3, 4))
    spelled = number.translate(table)
    assert normalise(spelled) == number
    assert parse(spelled).value == number
    assert parse("\u200b" + number[:6] + "\u00a0" + number[6:]).value == number


@pytest.mark.parametrize("odd", ["¹²³", "①", "ⅫⅡ"])
def test_digit_lookalikes_that_are_not_decimal_digits_are_refused(odd: str) -> None:
    number = _number(dt.date(2021, 3, 4))
    with pytest.raises(ValueError):
        parse(odd + number[len(odd) :])


@pytest.mark.django_db
def test_the_database_stores_and_finds_one_spelling() -> None:
    person = Person.objects.filter(identity_number__isnull=False).first()
    assert person is not None and person.identity_number is not None
    fullwidth = person.identity_number.translate(FULLWIDTH)
    assert Person.objects.filter(identity_number=fullwidth).get() == person
    other = Person.objects.exclude(pk=person.pk).filter(identity_number__isnull=False).first()
    assert other is not None
    number = _number(dt.date(2020, 1, 2))
    other.identity_number = number.translate(ARABIC_INDIC)
    other.save()
    assert Person.objects.filter(pk=other.pk).values_list("identity_number", flat=True).get() == (
        number
    )


def _api() -> dict[str, str]:
    _, token = service_token_create(
        user=DemoPersona.objects.get(slug="caseworker").user, name="t", scopes=[]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
@pytest.mark.parametrize("table", [FULLWIDTH, ARABIC_INDIC])
def test_api_cannot_register_an_existing_number_again_in_other_digits(
    table: dict[int, str],
) -> None:
    number = _number(dt.date(2022, 6, 7))
    payload = {"identity_number": number, "first_name": "Ada", "last_name": "Ny"}
    first = Client().post("/api/v1/children", payload, content_type="application/json", **_api())
    assert first.status_code == 201, first.content
    again = Client().post(
        "/api/v1/children",
        {**payload, "identity_number": number.translate(table)},
        content_type="application/json",
        **_api(),
    )
    assert again.status_code < 500 and again.status_code not in (200, 201)
    assert Person.objects.filter(first_name="Ada", last_name="Ny").count() == 1
    assert Person.objects.filter(identity_number=number).count() == 1


@pytest.mark.django_db
def test_the_registration_form_cleans_to_ascii() -> None:
    number = _number(dt.date(2022, 6, 8))
    form = ChildRegisterForm(
        data={
            "identity_number": number.translate(FULLWIDTH),
            "guardian_identity_number": number.translate(ARABIC_INDIC),
            "first_name": "A",
            "last_name": "B",
            "idempotency_key": "k",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["identity_number"] == number
    assert form.cleaned_data["guardian_identity_number"] == number


def test_login_claims_are_normalised() -> None:
    number = _number(dt.date(2022, 6, 9))
    assert _identity_number(number.translate(FULLWIDTH)) == number
    assert _identity_number("１２３") is None
