"""The report pages: the caseworker reads GSI and BASIL with a check list and downloads an XLSX
that opens; nobody else opens them."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from oppvekst.core.models import Municipality
from oppvekst.demo.models import DemoPersona

pytestmark = pytest.mark.django_db


def _client(slug: str) -> Client:
    client = Client()
    client.force_login(DemoPersona.objects.get(slug=slug).user)
    return client


def test_the_caseworker_reads_gsi_with_a_check_list_and_downloads_an_xlsx_that_opens() -> None:
    muni = Municipality.objects.get(number="0231")
    client = _client("caseworker")
    page = client.get(f"/rapporter/gsi/?municipality={muni.pk}&date=2026-10-01")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sjekkliste før innsending" in text and "Lærerårsverk" in text
    download = client.get(f"/rapporter/gsi/?municipality={muni.pk}&date=2026-10-01&format=xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Skole", "Elever")
    assert len(rows) > 1 and isinstance(rows[1][1], int)


def test_basil_as_csv_starts_with_its_header() -> None:
    muni = Municipality.objects.get(number="0231")
    response = _client("caseworker").get(
        f"/rapporter/basil/?municipality={muni.pk}&date=2025-12-15&format=csv"
    )
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").startswith("Barnehage;Eierform;Barn")


@pytest.mark.parametrize("slug", ["guardian", "teacher", "kindergarten-head", "admin"])
def test_nobody_but_the_sector_office_opens_the_reports(slug: str) -> None:
    assert _client(slug).get("/rapporter/gsi/").status_code == 403


def test_another_municipality_is_not_found() -> None:
    other = Municipality.objects.get(number="0227")
    response = _client("caseworker").get(f"/rapporter/basil/?municipality={other.pk}")
    assert response.status_code == 404
