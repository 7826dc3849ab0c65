"""Billing in the authorization matrix (tests/access/test_matrix.py): every billing page and API
operation, per persona, on own and other objects.

The data is made on first use inside the matrix test's transaction: a locked October run for
Skedsmo (the caseworker's and the guardian's municipality) and a run in preview for Fet (the
"other" municipality), an application by the guardian persona (decided, with a letter and a
document) and one by a family in Fet.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.test import override_settings

from oppvekst.billing import services
from oppvekst.billing.models import (
    Invoice,
    InvoiceRun,
    ReductionApplication,
    ReductionDocument,
    ReductionStatus,
    RunStatus,
)
from oppvekst.core.models import Municipality, Unit
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Guardianship
from tests.access.personas import Objects
from tests.conftest import DEMO_TODAY

OCTOBER = dt.date(2026, 10, 1)
MEDIA = tempfile.mkdtemp(prefix="oppvekst-billing-matrix-")

ROUTES = {
    "betaling/",
    "betaling/kjoring/<int:run_id>/",
    "betaling/kjoring/<int:run_id>/status/",
    "betaling/kjoring/<int:run_id>/fakturaer/",
    "betaling/kjoring/<int:run_id>/eksport.<str:fmt>",
    "betaling/faktura/<int:invoice_id>/",
    "betaling/soknader/",
    "betaling/soknader/<int:application_id>/",
    "betaling/soknader/<int:application_id>/vedtak.pdf",
    "betaling/soknader/<int:application_id>/dokument/<int:document_id>/",
    "betaling/kompensasjon/",
    "betaling/kompensasjon/<int:unit_id>/",
    "portal/betaling/",
    "portal/betaling/faktura/<int:invoice_id>/",
    "portal/betaling/redusert/ny/",
    "portal/betaling/redusert/<int:application_id>/",
    "portal/betaling/redusert/<int:application_id>/vedtak.pdf",
}
API_OPERATIONS = {("GET", "/invoices"), ("GET", "/invoices/{invoice_id}")}


@dataclass
class Data:
    run: InvoiceRun
    other_run: InvoiceRun
    own_invoice: Invoice  # the guardian persona's invoice (Skedsmo)
    other_invoice: Invoice  # someone else's invoice in Skedsmo
    fet_invoice: Invoice
    own_application: ReductionApplication
    document: ReductionDocument
    other_application: ReductionApplication
    private_unit: Unit  # the private-kindergarten-head persona's kindergarten
    other_private_unit: Unit  # a private kindergarten in Fet


def _run(number: str, lock: bool) -> InvoiceRun:
    municipality = Municipality.objects.get(number=number)
    run = InvoiceRun.objects.filter(municipality=municipality, month=OCTOBER).first()
    if run is None:
        run = services.invoice_run_start(municipality=municipality, month=OCTOBER, started_by=None)
        services.invoice_run_compute(run_id=run.pk)
        run.refresh_from_db()
        if lock:
            run = services.invoice_run_approve(run=run, by=None, expected_version=run.version)
            run = services.invoice_run_lock(run=run, by=None, expected_version=run.version)
    return run


def _application(
    applicant_id: int, municipality: Municipality, granted: bool
) -> ReductionApplication:
    application = ReductionApplication.objects.filter(applicant_id=applicant_id).first()
    if application is None:
        application = ReductionApplication.objects.create(
            municipality=municipality,
            applicant_id=applicant_id,
            year_start=2026,
            income_ore=300_000_00,
            submitted_at=dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC),
            application_month=OCTOBER,
            status=ReductionStatus.GRANTED if granted else ReductionStatus.SUBMITTED,
            effective_from=OCTOBER if granted else None,
            letter_pdf=b"%PDF-1.4 matrix" if granted else None,
        )
        children = Guardianship.objects.filter(guardian_id=applicant_id).values_list(
            "child_id", flat=True
        )
        application.children.set(list(children))
    return application


def data() -> Data:
    run = _run("0231", lock=True)
    other_run = _run("0227", lock=False)
    guardian = DemoPersona.objects.get(slug="guardian").user.person
    assert guardian is not None
    own_invoice = Invoice.objects.get(run=run, payer=guardian)
    other_invoice = Invoice.objects.filter(run=run).exclude(payer=guardian).order_by("pk").first()
    fet_invoice = Invoice.objects.filter(run=other_run).order_by("pk").first()
    assert other_invoice is not None and fet_invoice is not None
    own_application = _application(guardian.pk, run.municipality, granted=True)
    document = own_application.documents.first()
    if document is None:
        document = ReductionDocument(
            application=own_application,
            original_name="skattemelding.pdf",
            content_type="application/pdf",
            size=16,
            uploaded_at=dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC),
        )
        document.file.save("skattemelding.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
        document.save()
    fet_guardian = Guardianship.objects.filter(
        child__placements__municipality__number="0227", parental_responsibility=True
    ).values_list("guardian_id", flat=True)[0]
    other_application = _application(fet_guardian, other_run.municipality, granted=False)
    head = DemoPersona.objects.get(slug="private-kindergarten-head").user.person
    assert head is not None
    private_unit = Unit.objects.get(employments__person=head, employments__position="principal")
    other_private_unit = Unit.objects.filter(
        municipality__number="0227", kind="kindergarten", owner="private"
    ).order_by("pk")[0]
    return Data(
        run=run,
        other_run=other_run,
        own_invoice=own_invoice,
        other_invoice=other_invoice,
        fet_invoice=fet_invoice,
        own_application=own_application,
        document=document,
        other_application=other_application,
        private_unit=private_unit,
        other_private_unit=other_private_unit,
    )


def page_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, str, bool]]:
    """(route, method, url, expected_allowed)."""
    with override_settings(MEDIA_ROOT=MEDIA):
        d = data()
        assert d.run.status == RunStatus.LOCKED
        cw = slug == "caseworker"
        guardian = slug == "guardian"
        run, other = d.run.pk, d.other_run.pk
        yield "betaling/", "GET", "/betaling/", cw
        yield "betaling/", "POST", "/betaling/", cw
        yield "betaling/kjoring/<int:run_id>/", "GET", f"/betaling/kjoring/{run}/", cw
        yield "betaling/kjoring/<int:run_id>/", "POST", f"/betaling/kjoring/{run}/", cw
        yield "betaling/kjoring/<int:run_id>/", "GET", f"/betaling/kjoring/{other}/", False
        yield "betaling/kjoring/<int:run_id>/", "POST", f"/betaling/kjoring/{other}/", False
        status = "betaling/kjoring/<int:run_id>/status/"
        yield status, "GET", f"/betaling/kjoring/{run}/status/", cw
        yield status, "GET", f"/betaling/kjoring/{other}/status/", False
        invoices = "betaling/kjoring/<int:run_id>/fakturaer/"
        yield invoices, "GET", f"/betaling/kjoring/{run}/fakturaer/", cw
        yield invoices, "GET", f"/betaling/kjoring/{other}/fakturaer/", False
        export = "betaling/kjoring/<int:run_id>/eksport.<str:fmt>"
        yield export, "GET", f"/betaling/kjoring/{run}/eksport.csv", cw
        yield export, "GET", f"/betaling/kjoring/{run}/eksport.json", cw
        yield export, "GET", f"/betaling/kjoring/{other}/eksport.csv", False
        invoice = "betaling/faktura/<int:invoice_id>/"
        yield invoice, "GET", f"/betaling/faktura/{d.own_invoice.pk}/", cw
        yield invoice, "GET", f"/betaling/faktura/{d.fet_invoice.pk}/", False
        yield "betaling/soknader/", "GET", "/betaling/soknader/", cw
        reduction = "betaling/soknader/<int:application_id>/"
        own_app, other_app = d.own_application.pk, d.other_application.pk
        yield reduction, "GET", f"/betaling/soknader/{own_app}/", cw
        yield reduction, "POST", f"/betaling/soknader/{own_app}/", cw
        yield reduction, "GET", f"/betaling/soknader/{other_app}/", False
        yield reduction, "POST", f"/betaling/soknader/{other_app}/", False
        letter = "betaling/soknader/<int:application_id>/vedtak.pdf"
        yield letter, "GET", f"/betaling/soknader/{own_app}/vedtak.pdf", cw
        yield letter, "GET", f"/betaling/soknader/{other_app}/vedtak.pdf", False
        document = "betaling/soknader/<int:application_id>/dokument/<int:document_id>/"
        doc_url = f"/betaling/soknader/{own_app}/dokument/{d.document.pk}/"
        # The applicant and the municipality's caseworkers read the documentation.
        yield document, "GET", doc_url, cw or guardian
        yield document, "GET", f"/betaling/soknader/{other_app}/dokument/{d.document.pk}/", False
        heads = cw or slug == "private-kindergarten-head"
        yield "betaling/kompensasjon/", "GET", "/betaling/kompensasjon/", heads
        compensation = "betaling/kompensasjon/<int:unit_id>/"
        yield compensation, "GET", f"/betaling/kompensasjon/{d.private_unit.pk}/", heads
        yield compensation, "GET", f"/betaling/kompensasjon/{d.other_private_unit.pk}/", False
        if objs.own_unit is not None and slug in ("kindergarten-head", "principal"):
            # A municipal unit's leader has no compensation list (only private kindergartens).
            yield compensation, "GET", f"/betaling/kompensasjon/{objs.own_unit}/", False
        yield "portal/betaling/", "GET", "/portal/betaling/", guardian
        portal_invoice = "portal/betaling/faktura/<int:invoice_id>/"
        yield portal_invoice, "GET", f"/portal/betaling/faktura/{d.own_invoice.pk}/", guardian
        yield portal_invoice, "GET", f"/portal/betaling/faktura/{d.other_invoice.pk}/", False
        yield "portal/betaling/redusert/ny/", "GET", "/portal/betaling/redusert/ny/", guardian
        yield "portal/betaling/redusert/ny/", "POST", "/portal/betaling/redusert/ny/", guardian
        portal_app = "portal/betaling/redusert/<int:application_id>/"
        yield portal_app, "GET", f"/portal/betaling/redusert/{own_app}/", guardian
        yield portal_app, "GET", f"/portal/betaling/redusert/{other_app}/", False
        portal_letter = "portal/betaling/redusert/<int:application_id>/vedtak.pdf"
        yield portal_letter, "GET", f"/portal/betaling/redusert/{own_app}/vedtak.pdf", guardian
        yield portal_letter, "GET", f"/portal/betaling/redusert/{other_app}/vedtak.pdf", False


def api_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, bool]]:
    d = data()
    yield "/invoices", "/api/v1/invoices", True
    own = d.own_invoice.pk
    yield "/invoices/{invoice_id}", f"/api/v1/invoices/{own}", slug in ("guardian", "caseworker")
    yield "/invoices/{invoice_id}", f"/api/v1/invoices/{d.fet_invoice.pk}", False
    other = d.other_invoice.pk
    # Payer only: the guardian never reads another family's invoice, even in the same run.
    yield "/invoices/{invoice_id}", f"/api/v1/invoices/{other}", slug == "caseworker"


_ = DEMO_TODAY  # the matrix runs on the demo day (October is the month before)
