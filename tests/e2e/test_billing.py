"""Parent fees in the browser: a guardian applies for a reduced fee, a caseworker grants it,
and the next monthly run reflects it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DemoServer, login, nav_link

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _run_month(page: Any, server: DemoServer, month: str) -> None:
    """As the caseworker: start the run for `month`, then approve and lock it."""
    page.goto(server.url + "/betaling/")
    page.fill("#id_month", month)
    page.get_by_role("button", name="Start beregning").click()
    page.wait_for_url(re.compile(r".*/betaling/kjoring/\d+/$"))
    page.get_by_role("button", name="Godkjenn").click()
    page.get_by_role("button", name="Bekreft godkjenning").click()
    page.get_by_text("Kjøringen er godkjent.").wait_for()
    page.get_by_role("button", name="Lås og lag fakturagrunnlag").click()
    page.get_by_role("button", name="Bekreft og lås").click()
    page.get_by_text("Kjøringen er låst").wait_for()
    expect(page.locator("#run-status")).to_have_text("Låst")


def test_guardian_applies_caseworker_grants_next_run_reflects_it(
    page: Any, demo_server: DemoServer
) -> None:
    demo_server.command("billing_demo")  # prices and zones (idempotent; `demo` does it too)
    # The demo has one caseworker persona, so this walk-through turns the four-eyes setting
    # off (it is tested on its own in tests/billing/test_confirmations.py).
    demo_server.command(
        "shell",
        "-c",
        "from oppvekst.billing.models import BillingSettings;"
        "from oppvekst.core.models import Municipality;"
        "[BillingSettings.objects.update_or_create(municipality=m,"
        " defaults={'separate_approver': False}) for m in Municipality.objects.all()]",
    )
    login(page, demo_server, "caseworker")
    _run_month(page, demo_server, "2026-10")

    # The guardian applies, with documentation of the income.
    login(page, demo_server, "guardian")
    nav_link(page, "Betaling").click()
    page.get_by_role("heading", name="Betaling for barnehage og SFO").wait_for()
    page.get_by_role("link", name="Søk om redusert betaling").click()
    page.fill("#id_income", "200000")
    page.check("#id_free_core_hours")
    page.set_input_files(
        "#id_documents",
        files=[{"name": "skattemelding.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_role("button", name="Send søknaden").click()
    page.get_by_text("Søknaden er sendt").wait_for()
    expect(page.locator("#reduction-status")).to_have_text("Mottatt")

    # The caseworker grants it; the letter is produced.
    login(page, demo_server, "caseworker")
    page.goto(demo_server.url + "/betaling/soknader/")
    page.locator("table.data a").first.click()
    page.locator("#reduction-calculation").wait_for()
    page.get_by_label("Innvilg").check()
    page.get_by_role("button", name="Gå videre til bekreftelse").click()
    page.get_by_role("button", name="Bekreft og lag vedtaksbrev").click()
    page.get_by_text("Vedtaket er lagret").wait_for()
    expect(page.locator("#reduction-status")).to_have_text("Innvilget")
    href = page.get_by_role("link", name="Vedtaksbrev (PDF)").get_attribute("href")
    letter = page.request.get(demo_server.url + href)
    assert letter.ok and letter.body().startswith(b"%PDF")

    # The next run reflects the decision, and explains the difference.
    _run_month(page, demo_server, "2026-11")
    expect(page.get_by_text("Gratis kjernetid (20 timer i uka)").first).to_be_visible()

    # The guardian sees the new invoice and why it changed.
    login(page, demo_server, "guardian")
    page.goto(demo_server.url + "/portal/betaling/")
    page.get_by_role("link", name="November 2026").click()
    why = page.locator(".why").first
    expect(why).to_contain_text("Redusert foreldrebetaling")
    expect(why).to_contain_text("Gratis kjernetid")
