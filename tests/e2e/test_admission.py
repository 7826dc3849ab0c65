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
from playwright.sync_api import expect

from tests.e2e.conftest import WAIT_MS, DemoServer, login, nav_link

pytestmark = pytest.mark.e2e


@contextmanager
def as_persona(browser: Any, server: DemoServer, slug: str) -> Iterator[Any]:
    context = browser.new_context(locale="nb-NO", viewport={"width": 412, "height": 915})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        login(page, server, slug)
        yield page
    finally:
        context.close()


def test_apply_offer_accept_becomes_a_placement(browser: Any, demo_server: DemoServer) -> None:
    url = demo_server.url
    # 1. The private kindergarten head reports the free places of their own unit.
    with as_persona(browser, demo_server, "private-kindergarten-head") as head:
        nav_link(head, "Opptak").click()
        own_unit = head.locator("section[aria-labelledby=units-h] li span").first.inner_text()
        head.get_by_role("link", name=re.compile("Hovedopptak barnehage 2027")).click()
        rows = head.locator("table tbody tr")
        expect(rows).to_have_count(1)  # only their own unit
        expect(rows.first).to_contain_text(own_unit)
        head.locator("input.seats").first.fill("40")
        head.get_by_role("button", name="Lagre kapasitet").click()
        expect(head.get_by_text("Kapasiteten er lagret.")).to_be_visible()

    # 2. The guardian applies for the baby: start, size, two ranked wishes, a claim; sends.
    with as_persona(browser, demo_server, "guardian") as guardian:
        nav_link(guardian, "Søknader og plasser").click()
        sibling_kg = guardian.locator("li[data-service=kindergarten] .unit-name").first.inner_text()
        guardian.get_by_role("link", name="Søk barnehageplass").click()
        baby = guardian.locator("#child option").last
        guardian.select_option("#child", baby.get_attribute("value"))
        guardian.fill("#desired_start", "2027-08-01")
        guardian.get_by_role("button", name="Lagre utkast og gå videre").click()
        expect(guardian.locator("[data-status=draft]")).to_be_visible()
        for name in (own_unit, sibling_kg):
            guardian.fill("#f-q", name)
            guardian.fill("#f-km", "")
            guardian.select_option("#f-alder", "")
            guardian.get_by_role("button", name="Filtrer").click()
            guardian.locator("#finder-results li", has_text=name).first.get_by_role(
                "button", name=re.compile("Legg til")
            ).click()
        wishes = guardian.locator(".wishlist li")
        expect(wishes).to_have_count(2)
        expect(wishes.first).to_contain_text(own_unit)
        guardian.get_by_text("Legg til krav om prioritet").click()
        guardian.select_option("#kind", "sibling")
        guardian.select_option("#claim-unit", label=sibling_kg)
        guardian.get_by_role("button", name="Legg til kravet").click()
        expect(guardian.get_by_text("Søsken i barnehagen").first).to_be_visible()
        guardian.get_by_role("button", name="Send søknaden").click()
        expect(guardian.locator("[data-status=submitted]")).to_be_visible()
        application_url = guardian.url

    # 3. The caseworker verifies a pending claim, previews the main admission and commits.
    with as_persona(browser, demo_server, "caseworker") as office:
        office.goto(url + "/opptak/soknader/?krav=1&status=submitted")
        office.locator("table tbody tr a").first.click()
        pending = office.locator("[data-claim-status=pending]").first.locator(
            "xpath=ancestor::div[contains(@class,'card')][1]"
        )
        pending.get_by_role("button", name="Godkjenn").click()
        expect(office.get_by_text("Vurderingen er lagret")).to_be_visible()
        office.goto(url + "/opptak/")
        office.locator("table a", has_text="Hovedopptak barnehage 2027").first.click()
        office.get_by_role("button", name="Prøvekjør opptaket").click()
        expect(office.locator("svg.chart rect").nth(3)).to_be_attached()  # more than 3 bars
        assert int(office.locator("[data-figure=assigned]").inner_text()) > 10
        office.get_by_label("Jeg har sett over prøvekjøringen").check()
        # The demo's today is before the deadline: committing needs the logged exception.
        office.get_by_label("Fatt vedtak før fristen (unntak)").check()
        office.get_by_label("Begrunnelse for unntaket").fill("Demo: kjøres før fristen.")
        office.get_by_role("button", name="Fatt vedtak og send tilbud").click()
        expect(office.get_by_text(re.compile(r"Vedtak er fattet: \d+ tilbud"))).to_be_visible()
        expect(office.locator("[data-status=committed]")).to_be_visible()

    # 4. The guardian sees the offer with its deadline and accepts: a placement appears.
    with as_persona(browser, demo_server, "guardian") as guardian:
        guardian.goto(application_url)
        expect(guardian.locator("[data-status=offered]")).to_be_visible()
        guardian.goto(url + "/portal/")
        guardian.get_by_role("link", name="Se tilbudet og svar").first.click()
        expect(guardian.get_by_text("Klagefristen er tre uker").first).to_be_visible()
        guardian.get_by_label("Ja, jeg tar imot plassen").check()
        guardian.get_by_role("button", name="Send svar").click()
        expect(guardian.locator("[data-status=accepted]")).to_be_visible()
        pdf = guardian.request.get(guardian.url + "brev.pdf")
        assert pdf.ok and pdf.body()[:4] == b"%PDF"
        guardian.goto(url + "/portal/")
        baby_card = guardian.locator("section.card").last
        expect(baby_card).to_contain_text(own_unit)
        expect(baby_card).to_contain_text("01.08.2027")

    # 5. The private head sees the applicant in their own queue, placed.
    with as_persona(browser, demo_server, "private-kindergarten-head") as head:
        head.goto(url + "/opptak/soknader/?status=placed")
        expect(head.locator("table tbody tr").first).to_be_attached()
        expect(head.locator("table tbody")).to_contain_text("Har fått plass")


def test_guardian_changes_place_size_and_ends_a_place(
    browser: Any, demo_server: DemoServer
) -> None:
    with as_persona(browser, demo_server, "guardian") as guardian:
        nav_link(guardian, "Søknader og plasser").click()
        guardian.locator("li[data-service=kindergarten] a").first.click()
        guardian.select_option("#place_size", "80|33")
        guardian.get_by_role("button", name="Endre plasstørrelse").click()
        expect(guardian.get_by_text("Plasstørrelsen er endret.")).to_be_visible()
        expect(guardian.locator("main")).to_contain_text("80 %")
        guardian.locator("li[data-service=kindergarten] a").last.click()
        guardian.get_by_label("Jeg vil si opp plassen").check()
        guardian.get_by_role("button", name="Si opp plassen").click()
        expect(guardian.get_by_text("Plassen er sagt opp.")).to_be_visible()
        expect(guardian.get_by_text("Plassen for").first).to_be_visible()  # the notification
