"""The billing pages: a caseworker runs a month through preview, approval and lock; guardians
see fees and invoices; list pages have pinned query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oppvekst.billing import services
from oppvekst.billing.models import BillingSettings, Invoice, InvoiceRun, RunStatus
from oppvekst.core.models import Municipality
from oppvekst.demo.models import DemoPersona
from oppvekst.placements.models import Placement

pytestmark = pytest.mark.django_db
OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def _skedsmo_run(month: dt.date, lock: bool = True) -> InvoiceRun:
    skedsmo = Municipality.objects.get(number="0231")
    run = services.invoice_run_start(municipality=skedsmo, month=month, started_by=None)
    services.invoice_run_compute(run_id=run.pk)
    run.refresh_from_db()
    if lock:
        run = services.invoice_run_approve(run=run, by=None, expected_version=run.version)
        run = services.invoice_run_lock(run=run, by=None, expected_version=run.version)
    return run


def _make_applications(count: int) -> None:
    from oppvekst.billing.models import ReductionApplication
    from oppvekst.people.models import Guardianship

    skedsmo = Municipality.objects.get(number="0231")
    guardians = (
        Guardianship.objects.filter(child__placements__municipality=skedsmo)
        .values_list("guardian_id", flat=True)
        .distinct()[:count]
    )
    for guardian in guardians:
        application = ReductionApplication.objects.create(
            municipality=skedsmo,
            applicant_id=guardian,
            year_start=2026,
            income_ore=300_000_00,
            submitted_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
            application_month=NOV,
        )
        application.children.set(
            Guardianship.objects.filter(guardian_id=guardian).values_list("child_id", flat=True)
        )


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def test_caseworker_runs_a_month_through_preview_approval_and_lock(
    persona_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = persona_client("caseworker")
    page = client.get("/betaling/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form["month"].value() == "2026-11"  # no runs yet: the current month
    data = {
        "municipality": form["municipality"].value(),
        "month": "2026-10",
        "idempotency_key": form["idempotency_key"].value(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/betaling/", data)
    assert started.status_code == 302
    run = InvoiceRun.objects.get(month=OCT, municipality__number="0231")
    assert run.status == RunStatus.PREVIEW  # the task ran (immediate backend in tests)
    status = client.get(f"/betaling/kjoring/{run.pk}/status/").json()
    assert status["busy"] is False and status["percent"] == 100
    detail = client.get(started["Location"])
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Godkjenn" in body and "Satser som ikke er bekreftet" in body
    # The municipality's four-eyes setting is on by default: the caseworker who computed the
    # run may not approve it.
    BillingSettings.objects.create(municipality=run.municipality, separate_approver=False)
    approve = {"action": "approve", "version": run.version, "confirm": "1"}
    assert client.post(started["Location"], approve)["Location"]
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    client.post(started["Location"], {"action": "lock", "version": run.version, "confirm": "1"})
    run.refresh_from_db()
    assert run.status == RunStatus.LOCKED
    export = client.get(f"/betaling/kjoring/{run.pk}/eksport.csv")
    assert b"".join(export.streaming_content).startswith(b"posttype;ordrenummer")
    # A repeated or stale action is refused with a message, not an error page.
    stale = {"action": "lock", "version": run.version - 1, "confirm": "1"}
    again = client.post(started["Location"], stale)
    assert again.status_code == 200 and "endret av noen andre" in again.content.decode()


def test_the_preview_explains_each_difference_from_last_month(persona_client: Any) -> None:
    _skedsmo_run(OCT)
    placement = (
        Placement.objects.filter(municipality__number="0231", service="sfo", valid_to__isnull=False)
        .select_related("unit")
        .filter(unit__owner="municipal")
        .order_by("pk")
        .first()
    )
    assert placement is not None
    Placement.objects.filter(pk=placement.pk).update(valid_to=dt.date(2026, 9, 30))
    november = _skedsmo_run(NOV, lock=False)
    assert november.changed_count >= 1
    client = persona_client("caseworker")
    body = client.get(f"/betaling/kjoring/{november.pk}/").content.decode()
    assert "Tilbakebetaling for oktober 2026" in body
    assert "Endringer fra forrige måned" in body


def test_list_pages_have_pinned_query_counts(persona_client: Any) -> None:
    """Pinned with rows on every list (changes, invoices, applications): the counts do not grow
    with the number of rows."""
    run = _skedsmo_run(OCT)
    ended = Placement.objects.filter(
        municipality__number="0231", service="sfo", unit__owner="municipal"
    ).order_by("pk")[:30]
    Placement.objects.filter(pk__in=[p.pk for p in ended]).update(valid_to=dt.date(2026, 10, 31))
    _make_applications(6)
    caseworker = persona_client("caseworker")
    assert _count(caseworker, "/betaling/") <= 17
    november = _skedsmo_run(NOV, lock=False)
    assert november.changed_count >= 25
    assert _count(caseworker, f"/betaling/kjoring/{november.pk}/") <= 12
    assert _count(caseworker, f"/betaling/kjoring/{run.pk}/fakturaer/") <= 11
    assert _count(caseworker, f"/betaling/kjoring/{run.pk}/fakturaer/?side=2") <= 11
    assert _count(caseworker, "/betaling/soknader/?status=all") <= 10
    invoice = Invoice.objects.filter(run=run).order_by("-line_count").first()
    assert invoice is not None
    assert _count(caseworker, f"/betaling/faktura/{invoice.pk}/") <= 12
    guardian = persona_client("guardian")
    assert _count(guardian, "/portal/betaling/") <= 30


def test_guardian_sees_current_fees_and_own_invoices(persona_client: Any) -> None:
    run = _skedsmo_run(OCT)
    kari = DemoPersona.objects.get(slug="guardian").user.person
    client = persona_client("guardian")
    body = client.get("/portal/betaling/").content.decode()
    assert "Pris nå" in body and "SFO" in body
    invoice = Invoice.objects.get(run=run, payer=kari)
    assert f"/portal/betaling/faktura/{invoice.pk}/" in body
    page = client.get(f"/portal/betaling/faktura/{invoice.pk}/")
    assert page.status_code == 200
    api = client.get("/api/v1/invoices")
    assert api.status_code == 401  # the API takes bearer tokens only


def test_guardian_api_lists_only_own_invoices(persona_client: Any) -> None:
    from oppvekst.access.services import service_token_create

    run = _skedsmo_run(OCT)
    kari = DemoPersona.objects.get(slug="guardian").user
    _token, secret = service_token_create(user=kari, name="test")
    response = persona_client("guardian").get(
        "/api/v1/invoices", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == list(
        Invoice.objects.filter(run=run, payer=kari.person).values_list("pk", flat=True)
    )
    detail = persona_client("guardian").get(
        f"/api/v1/invoices/{items[0]['id']}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert detail.status_code == 200 and detail.json()["lines"]


def test_the_administrator_sees_unconfirmed_rates_flagged(persona_client: Any) -> None:
    admin = persona_client("admin")
    response = admin.get("/admin/billing/raterule/?bekreftet=nei")
    assert response.status_code == 200
    body = response.content.decode()
    assert "ikke er bekreftet i kildene" in body
    assert "kg.max_price.standard.2026-01" in body
    assert "icon-no" in body  # the boolean flag column
