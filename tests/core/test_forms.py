"""One form style everywhere (_form.html): an error summary first that links to each field,
labels above fields, check boxes beside their label."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client

from oppvekst.demo.models import DemoPersona

pytestmark = pytest.mark.django_db


class _Sample(forms.Form):
    name = forms.CharField(label="Navn")
    agree = forms.BooleanField(label="Jeg bekrefter", required=True)


def test_a_form_with_errors_starts_with_a_summary_linking_to_the_fields() -> None:
    form = _Sample(data={})
    html = render_to_string("_form.html", {"form": form})
    assert html.index("error-summary") < html.index("<label")
    assert 'href="#id_name"' in html and 'href="#id_agree"' in html
    assert 'role="alert"' in html


def test_check_boxes_sit_beside_their_label() -> None:
    html = render_to_string("_form.html", {"form": _Sample()})
    check = html[html.index('class="field check') :]
    assert check.index('type="checkbox"') < check.index("<label")


def test_the_registration_page_shows_the_summary_on_bad_input() -> None:
    client = Client()
    client.force_login(DemoPersona.objects.get(slug="caseworker").user)
    response = client.post("/barn/ny/", {"first_name": "", "idempotency_key": "k1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Skjemaet har feil som må rettes" in html
    assert 'href="#id_identity_number"' in html
