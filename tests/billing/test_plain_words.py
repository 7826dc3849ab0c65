"""Guardians and caseworkers read plain Norwegian: the law's name, never rule keys, working
notes of the rate tables ("1998 numbering", "paragraph not read") or "sats ikke bekreftet".
Unconfirmed rates become a task for the administrator."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from oppvekst.billing import services
from oppvekst.billing.models import Invoice, InvoiceRun
from oppvekst.core.models import Municipality
from oppvekst.demo.models import DemoPersona
from oppvekst.workspace.models import Notification

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)
RULE_KEY = re.compile(r"\b(?:kg|sfo|billing)\.[a-z_0-9]+(?:\.[a-z_0-9-]+)*")
DEVELOPER_TEXT = ("1998 numbering", "paragraph not read", "sats ikke bekreftet", "carried into")


def _run(lock: bool = True) -> InvoiceRun:
    skedsmo = Municipality.objects.get(number="0231")
    run = services.invoice_run_start(municipality=skedsmo, month=OCT, started_by=None)
    services.invoice_run_compute(run_id=run.pk)
    run.refresh_from_db()
    if lock:
        run = services.invoice_run_approve(run=run, by=None, expected_version=run.version)
        run = services.invoice_run_lock(run=run, by=None, expected_version=run.version)
    return run


def _assert_plain(body: str) -> None:
    text = re.sub(r"<[^>]+>", " ", body)  # what a reader sees, not the markup
    for phrase in DEVELOPER_TEXT:
        assert phrase not in text
    assert RULE_KEY.search(text) is None, RULE_KEY.search(text)


def test_guardian_fee_and_invoice_pages_name_the_law_not_rule_keys(persona_client: Any) -> None:
    run = _run()
    kari = DemoPersona.objects.get(slug="guardian").user.person
    client = persona_client("guardian")
    fees = client.get("/portal/betaling/").content.decode()
    _assert_plain(fees)
    assert "Forskrift om foreldrebetaling i barnehager" in fees
    invoice = Invoice.objects.get(run=run, payer=kari)
    page = client.get(f"/portal/betaling/faktura/{invoice.pk}/").content.decode()
    _assert_plain(page)
    assert "Forskrift" in page or "Opplæringslova" in page


def test_caseworker_run_and_invoice_pages_speak_plain_norwegian(persona_client: Any) -> None:
    run = _run(lock=False)
    assert run.unconfirmed_rules  # the 2026 maximum price is [?] in norway.md § 2.2
    client = persona_client("caseworker")
    body = client.get(f"/betaling/kjoring/{run.pk}/").content.decode()
    _assert_plain(body)
    assert "Satser som ikke er bekreftet" in body and "Maksimalpris barnehage" in body
    invoice = Invoice.objects.filter(run=run).order_by("-line_count").first()
    assert invoice is not None
    _assert_plain(client.get(f"/betaling/faktura/{invoice.pk}/").content.decode())


def test_unconfirmed_rates_become_a_task_for_the_administrator(persona_client: Any) -> None:
    run = _run(lock=False)
    admin = DemoPersona.objects.get(slug="admin").user.person
    task = Notification.objects.get(recipient=admin, source="billing")
    assert task.is_task and "Kontroller satser" in task.title
    kari = DemoPersona.objects.get(slug="guardian").user.person
    assert not Notification.objects.filter(recipient=kari, title__contains="satser").exists()
    # Computing again with the same rates does not add a second task.
    run = services.invoice_run_recompute(run=run, by=None, expected_version=run.version)
    services.invoice_run_compute(run_id=run.pk)
    assert Notification.objects.filter(recipient=admin, source="billing").count() == 1


def test_a_failed_run_explains_itself_in_norwegian(persona_client: Any) -> None:
    from oppvekst.billing.models import ZonePeriod

    skedsmo = Municipality.objects.get(number="0231")
    ZonePeriod.objects.filter(municipality=skedsmo).delete()
    run = services.invoice_run_start(municipality=skedsmo, month=OCT, started_by=None)
    services.invoice_run_compute(run_id=run.pk)
    body = persona_client("caseworker").get(f"/betaling/kjoring/{run.pk}/").content.decode()
    assert "Kommunen mangler prissone" in body
    assert "no price zone" not in body and "MissingRule" not in body
