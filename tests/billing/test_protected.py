"""Protected addresses and locations in billing (domain/norway.md §6.1): the decision letter,
the invoice page, the compensation list and the ERP files follow the same address and location
rule as the pages, also when protection is raised after a letter or a file was made."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from oppvekst.access.models import User
from oppvekst.billing import services
from oppvekst.billing.export import CSV_COLUMNS, build_export
from oppvekst.billing.letters import decision_letter_pdf
from oppvekst.billing.models import Invoice, InvoiceRun, ReductionApplication, ReductionStatus
from oppvekst.people.models import AddressProtection, Person
from oppvekst.staff.models import Employment, Position
from tests.access.documents import pdf_text
from tests.billing.scenario import Town, run_month

pytestmark = pytest.mark.django_db
COL = {name: i for i, name in enumerate(CSV_COLUMNS)}


def _protect(person: Person, level: str) -> None:
    Person.objects.filter(pk=person.pk).update(address_protection=level)
    person.refresh_from_db()


def _client(person: Person) -> Client:
    user, _ = User.objects.get_or_create(username=f"u{person.pk}", defaults={"person": person})
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def caseworker(town: Town) -> Client:
    person = Person.objects.create(
        first_name="Saks", last_name="Behandler", birth_date=dt.date(1980, 1, 1)
    )
    Employment.objects.create(
        person=person,
        municipality=town.municipality,
        position=Position.CASEWORKER,
        percentage=100,
        valid_from=dt.date(2020, 1, 1),
    )
    return _client(person)


def _kari_application(town: Town) -> ReductionApplication:
    return ReductionApplication.objects.get(applicant=town.kari)


def test_decision_letter_prints_no_protected_address(town: Town) -> None:
    application = _kari_application(town)
    children = list(application.children.all())
    open_letter = pdf_text(decision_letter_pdf(application, children, dt.date(2026, 10, 9)))
    assert town.kari.street_address in open_letter
    _protect(town.kari, AddressProtection.CONFIDENTIAL)
    letter = pdf_text(decision_letter_pdf(application, children, dt.date(2026, 10, 9)))
    assert town.kari.full_name in letter
    assert town.kari.street_address not in letter
    assert town.kari.postal_code not in letter


def test_a_stored_letter_served_after_protection_was_raised_has_no_address(
    town: Town, caseworker: Client
) -> None:
    application = _kari_application(town)
    application.status = ReductionStatus.SUBMITTED
    application.save()
    decided = services.reduction_decide(
        application=application,
        decided_by=town.ola,
        grant=True,
        reason="",
        expected_version=application.version,
    )
    assert town.kari.street_address in pdf_text(bytes(decided.letter_pdf or b""))
    _protect(town.kari, AddressProtection.STRICT)  # FREG raises the grading later
    url = reverse("billing_reduction_letter", args=[decided.pk])
    for client, path in (
        (caseworker, url),
        (_client(town.kari), reverse("portal:portal_billing_reduction_letter", args=[decided.pk])),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        text = pdf_text(response.content)
        assert "Vedtak om redusert foreldrebetaling" in text
        assert town.kari.street_address not in text


def _invoice_of(run: InvoiceRun, payer: Person) -> Invoice:
    return Invoice.objects.get(run=run, payer=payer)


def test_invoice_page_names_no_unit_next_to_a_strictly_protected_child(
    town: Town, caseworker: Client
) -> None:
    october = run_month(town.municipality, dt.date(2026, 10, 1))
    invoice = _invoice_of(october, town.hanne)
    _protect(town.jonas, AddressProtection.STRICT)
    html = caseworker.get(reverse("billing_invoice", args=[invoice.pk])).content.decode()
    jonas = html.split(f'id="child-{town.jonas.pk}"')[1].split("</section>")[0]
    emma = html.split(f'id="child-{town.emma.pk}"')[1].split("</section>")[0]
    assert town.kindergarten.name not in jonas
    assert town.kindergarten.name in emma
    # The family knows where its child is.
    own = _client(town.hanne).get(reverse("portal:portal_billing_invoice", args=[invoice.pk]))
    jonas = own.content.decode().split(f'id="child-{town.jonas.pk}"')[1].split("</section>")[0]
    assert town.kindergarten.name in jonas


def _download(client: Client, url: str) -> str:
    response: Any = client.get(url)
    return b"".join(response.streaming_content).decode()


def _csv_rows(text: str, first_name: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return [r for r in rows[1:-1] if r[COL["barn_fornavn"]] == first_name]


def test_erp_files_name_no_unit_of_a_strictly_protected_child(town: Town) -> None:
    _protect(town.jonas, AddressProtection.STRICT)
    files = build_export(run_month(town.municipality, dt.date(2026, 10, 1)))
    rows = _csv_rows(files.csv_text, "Jonas")
    assert rows and all(r[COL["enhet_navn"]] == r[COL["enhet_orgnr"]] == "" for r in rows)
    assert all(r[COL["enhet_navn"]] for r in _csv_rows(files.csv_text, "Emma"))
    assert "Jonas Fjell" in files.json_text
    for doc in json.loads(files.json_text)["fakturagrunnlag"]:
        for line in doc["fakturalinjer"]:
            if line["fritekst"][0] == "Jonas Fjell":
                assert town.kindergarten.name not in line["fritekst"]


def test_a_locked_export_served_again_applies_protection_raised_since(
    town: Town, caseworker: Client
) -> None:
    october = run_month(town.municipality, dt.date(2026, 10, 1))
    url = reverse("billing_run_export", args=[october.pk, "csv"])
    before = _download(caseworker, url)
    assert town.hanne.street_address in before
    assert all(r[COL["enhet_navn"]] for r in _csv_rows(before, "Jonas"))
    _protect(town.hanne, AddressProtection.CONFIDENTIAL)
    _protect(town.jonas, AddressProtection.STRICT)
    after = _download(caseworker, url)
    rows = list(csv.reader(io.StringIO(after), delimiter=";"))
    hanne = [r for r in rows[1:-1] if r[COL["fornavn"]] == "Hanne"]
    assert hanne and all(r[COL["adresse"]] == r[COL["postnummer"]] == "" for r in hanne)
    assert all(r[COL["enhet_navn"]] == "" for r in _csv_rows(after, "Jonas"))
    assert all(r[COL["enhet_navn"]] for r in _csv_rows(after, "Emma"))
    assert rows[-1] == list(csv.reader(io.StringIO(before), delimiter=";"))[-1]  # same totals
    document = json.loads(
        _download(caseworker, reverse("billing_run_export", args=[october.pk, "json"]))
    )
    for doc in document["fakturagrunnlag"]:
        person = doc["mottaker"]["person"]
        if person["navn"]["fornavn"] == "Hanne":
            assert person["bostedsadresse"]["adresselinje"] == [""]
        for line in doc["fakturalinjer"]:
            if line["fritekst"][0] == "Jonas Fjell":
                assert town.kindergarten.name not in line["fritekst"]


def test_compensation_list_hides_a_strictly_protected_child_from_the_caseworker(
    town: Town, caseworker: Client
) -> None:
    run_month(town.municipality, dt.date(2026, 10, 1))
    url = reverse("billing_compensation", args=[town.private.pk])
    assert "Theo" in caseworker.get(url).content.decode()
    _protect(town.theo, AddressProtection.STRICT)
    html = caseworker.get(url).content.decode()
    assert "Theo" not in html and "Skjermet barn" in html
    assert "Theo" not in caseworker.get(url + "?format=csv").content.decode()
