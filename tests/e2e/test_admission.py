"""Admission in a real browser (Debian's chromium), on a phone-sized screen:

the private kindergarten head reports free places, the guardian applies for the baby, the
caseworker verifies a claim, previews the main admission (table and chart) and commits, the
guardian accepts the offer and the placement appears; then a place size change and notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.e2e.conftest import DemoServer, login

pytestmark = pytest.mark.e2e


@contextmanager
def as_persona(browser: Any, server: DemoServer, slug: str) -> Iterator[Any]:
    context = browser.new_context(locale="nb-NO", viewport={"width": 412, "height": 915})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, server, slug)
        yield page
    finally:
        context.close()


def test_apply_offer_accept_becomes_a_placement(browser: Any, demo_server: DemoServer) -> None:
    url = demo_server.url
    # 1. The private kindergarten head reports the free places of their own unit.
    with as_persona(browser, demo_server, "private-kindergarten-head") as head:
        head.get_by_role("link", name="Opptak").first.click()
        own_unit = head.locator("section[aria-labelledby=units-h] li span").first.inner_text()
        head.get_by_role("link", name=re.compile("Hovedopptak barnehage 2027")).click()
        rows = head.locator("table tbody tr")
        assert rows.count() == 1  # only their own unit
        assert own_unit in rows.first.inner_text()
        head.locator("input.seats").first.fill("40")
        head.get_by_role("button", name="Lagre kapasitet").click()
        assert head.get_by_text("Kapasiteten er lagret.").is_visible()

    # 2. The guardian applies for the baby: start, size, two ranked wishes, a claim; sends.
    with as_persona(browser, demo_server, "guardian") as guardian:
        guardian.get_by_role("link", name="Søknader og plasser").first.click()
        sibling_kg = guardian.locator("li[data-service=kindergarten] .unit-name").first.inner_text()
        guardian.get_by_role("link", name="Søk barnehageplass").click()
        baby = guardian.locator("#child option").last
        guardian.select_option("#child", baby.get_attribute("value"))
        guardian.fill("#desired_start", "2027-08-01")
        guardian.get_by_role("button", name="Lagre utkast og gå videre").click()
        assert guardian.locator("[data-status=draft]").is_visible()
        for name in (own_unit, sibling_kg):
            guardian.fill("#f-q", name)
            guardian.fill("#f-km", "")
            guardian.select_option("#f-alder", "")
            guardian.get_by_role("button", name="Filtrer").click()
            guardian.locator("#finder-results li", has_text=name).first.get_by_role(
                "button", name=re.compile("Legg til")
            ).click()
        wishes = guardian.locator(".wishlist li")
        assert wishes.count() == 2 and own_unit in wishes.first.inner_text()
        guardian.get_by_text("Legg til krav om prioritet").click()
        guardian.select_option("#kind", "sibling")
        guardian.select_option("#claim-unit", label=sibling_kg)
        guardian.get_by_role("button", name="Legg til kravet").click()
        assert guardian.get_by_text("Søsken i barnehagen").first.is_visible()
        guardian.get_by_role("button", name="Send søknaden").click()
        assert guardian.locator("[data-status=submitted]").is_visible()
        application_url = guardian.url

    # 3. The caseworker verifies a pending claim, previews the main admission and commits.
    with as_persona(browser, demo_server, "caseworker") as office:
        office.goto(url + "/opptak/soknader/?krav=1&status=submitted")
        office.locator("table tbody tr a").first.click()
        pending = office.locator("[data-claim-status=pending]").first.locator(
            "xpath=ancestor::div[contains(@class,'card')][1]"
        )
        pending.get_by_role("button", name="Godkjenn").click()
        assert office.get_by_text("Vurderingen er lagret").is_visible()
        office.goto(url + "/opptak/")
        office.locator("table a", has_text="Hovedopptak barnehage 2027").first.click()
        office.get_by_role("button", name="Prøvekjør opptaket").click()
        assert office.locator("svg.chart rect").count() > 3
        assert int(office.locator("[data-figure=assigned]").inner_text()) > 10
        office.get_by_label("Jeg har sett over prøvekjøringen").check()
        # The demo's today is before the deadline: committing needs the logged exception.
        office.get_by_label("Fatt vedtak før fristen (unntak)").check()
        office.get_by_label("Begrunnelse for unntaket").fill("Demo: kjøres før fristen.")
        office.get_by_role("button", name="Fatt vedtak og send tilbud").click()
        assert office.get_by_text(re.compile(r"Vedtak er fattet: \d+ tilbud")).is_visible()
        assert office.locator("[data-status=committed]").is_visible()

    # 4. The guardian sees the offer with its deadline and accepts: a placement appears.
    with as_persona(browser, demo_server, "guardian") as guardian:
        guardian.goto(application_url)
        assert guardian.locator("[data-status=offered]").is_visible()
        guardian.goto(url + "/portal/")
        guardian.get_by_role("link", name="Se tilbudet og svar").first.click()
        assert guardian.get_by_text("Klagefristen er tre uker").first.is_visible()
        guardian.get_by_label("Ja, jeg tar imot plassen").check()
        guardian.get_by_role("button", name="Send svar").click()
        assert guardian.locator("[data-status=accepted]").is_visible()
        pdf = guardian.request.get(guardian.url + "brev.pdf")
        assert pdf.ok and pdf.body()[:4] == b"%PDF"
        guardian.goto(url + "/portal/")
        baby_card = guardian.locator("section.card").last
        assert own_unit in baby_card.inner_text()
        assert "01.08.2027" in baby_card.inner_text()

    # 5. The private head sees the applicant in their own queue, placed.
    with as_persona(browser, demo_server, "private-kindergarten-head") as head:
        head.goto(url + "/opptak/soknader/?status=placed")
        assert head.locator("table tbody tr").count() >= 1
        assert "Har fått plass" in head.locator("table tbody").inner_text()


def test_guardian_changes_place_size_and_ends_a_place(
    browser: Any, demo_server: DemoServer
) -> None:
    with as_persona(browser, demo_server, "guardian") as guardian:
        guardian.get_by_role("link", name="Søknader og plasser").first.click()
        guardian.locator("li[data-service=kindergarten] a").first.click()
        guardian.select_option("#place_size", "80|33")
        guardian.get_by_role("button", name="Endre plasstørrelse").click()
        assert guardian.get_by_text("Plasstørrelsen er endret.").is_visible()
        assert "80 %" in guardian.locator("main").inner_text()
        guardian.locator("li[data-service=kindergarten] a").last.click()
        guardian.get_by_label("Jeg vil si opp plassen").check()
        guardian.get_by_role("button", name="Si opp plassen").click()
        assert guardian.get_by_text("Plassen er sagt opp.").is_visible()
        assert guardian.get_by_text("Plassen for").first.is_visible()  # the notification
