"""Error pages, the administration and the API docs speak the user's language and carry the
site's frame: 403/404/500 in Norwegian (English when chosen) with a way back; Norwegian names
for every application and model in the administration; money as Norwegian kroner."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from django.utils.text import camel_case_to_spaces

from oppvekst.billing.explain import kr
from oppvekst.demo.models import DemoPersona
from oppvekst.security import CSP

pytestmark = pytest.mark.django_db


def _client(slug: str | None = None) -> Client:
    client = Client()
    if slug:
        client.force_login(DemoPersona.objects.get(slug=slug).user)
    return client


def test_not_found_is_a_norwegian_page_with_a_way_back() -> None:
    response = _client("teacher").get("/finnes-ikke/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Fant ikke siden" in html and "Not Found" not in html
    assert 'href="/"' in html and "Gå til forsiden" in html
    assert 'class="site-header"' in html  # the site's frame, not a bare page


def test_forbidden_is_a_norwegian_page_with_a_way_back() -> None:
    response = _client("kindergarten-head").get("/betaling/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Ingen tilgang" in html and "Forbidden" not in html
    assert "Gå til forsiden" in html


def test_anonymous_forbidden_page_offers_login() -> None:
    html = _client().get("/barn/").content.decode()
    assert "Du må logge inn" in html and 'href="/login/"' in html


def test_error_pages_are_english_when_english_is_chosen() -> None:
    client = _client("teacher")
    client.cookies["django_language"] = "en"
    html = client.get("/finnes-ikke/").content.decode()
    assert '<html lang="en">' in html
    assert "Page not found" in html and "Fant ikke siden" not in html


def test_server_error_page_renders_without_a_request_in_both_languages() -> None:
    assert "Noe gikk galt" in render_to_string("500.html")
    with translation.override("en"):
        assert "Something went wrong" in render_to_string("500.html")
    assert "Skjemaet er utløpt" in render_to_string("403_csrf.html")


def test_every_admin_application_and_model_has_a_norwegian_name() -> None:
    english_defaults = []
    for model in admin.site._registry:
        meta = model._meta
        auto = camel_case_to_spaces(meta.object_name)
        if str(meta.verbose_name) == auto and auto.isascii() and " " in auto:
            english_defaults.append(meta.label)
        if str(meta.verbose_name_plural) == f"{auto}s":
            english_defaults.append(meta.label)
        config = apps.get_app_config(meta.app_label)
        if str(config.verbose_name) in (config.label.title(), "Tasks Database Backend", "Axes"):
            english_defaults.append(config.label)
    assert not english_defaults


def test_admin_index_is_norwegian_and_lists_each_model_once() -> None:
    html = _client("admin").get("/admin/").content.decode()
    cells = re.findall(r'<th scope="row" id="[^"]*">(.*?)</th>', html, flags=re.S)
    names = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    assert names, "no models listed"
    assert len(names) == len(set(names)), sorted(names)
    for english in ("Closed days", "Task Results", "Grade hourss", "Access attempts", "ACCESS"):
        assert english not in html
    assert "Grupper" in names


def test_admin_shows_money_as_norwegian_kroner() -> None:
    assert kr(54850000) == "548\xa0500,00 kr"
    html = _client("admin").get("/admin/billing/raterule/").content.decode()
    assert re.search(r"\d\xa0\d{3},\d\d kr|\d{1,3},\d\d kr", html)
    assert not re.search(r"\d\.\d\d kr", html)


def test_api_docs_serve_swagger_from_the_application_under_the_site_csp() -> None:
    response = _client().get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "cdn." not in html and "https://" not in html
    assert re.search(r'<html lang="nb">', html)
    assert "<main" in html and "<h1" in html
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert _client().get(asset).status_code == 200, asset
