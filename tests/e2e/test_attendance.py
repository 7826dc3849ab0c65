"""Daily life in a real browser (Debian's chromium):

a department's morning on a tablet-sized screen — the kindergarten head checks a child in, an
absence phoned in by the family appears in the list, a person not on the pick-up list is
refused, and the child is checked out to an authorised person — and a guardian reporting
illness on a phone-sized screen, which the school sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from tests.e2e.conftest import DemoServer, login, nav_link

pytestmark = pytest.mark.e2e
TABLET = {"width": 800, "height": 1280}
PHONE = {"width": 390, "height": 844}


@contextmanager
def as_persona(
    browser: Any, server: DemoServer, slug: str, viewport: dict[str, int]
) -> Iterator[Any]:
    context = browser.new_context(locale="nb-NO", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, server, slug)
        yield page
    finally:
        context.close()


def test_a_departments_morning_on_a_tablet(browser: Any, demo_server: DemoServer) -> None:
    with as_persona(browser, demo_server, "kindergarten-head", TABLET) as head:
        nav_link(head, "Oppmøte").click()
        head.locator("ul.cards a").first.click()
        expected = head.locator("li.att-row[data-status=expected]")
        assert expected.count() >= 2, "the demo leaves children to check in"
        child = expected.first.get_attribute("data-child")
        other = expected.nth(1).get_attribute("data-child")
        row = head.locator(f"#barn-{child}")

        # One tap checks the child in; the row turns "present" with an undo button.
        row.get_by_role("button", name=re.compile("^Kom")).click()
        assert head.locator(f"#barn-{child}").get_attribute("data-status") == "present"
        assert (
            head.locator(f"#barn-{child}")
            .get_by_role("button", name=re.compile("Angre"))
            .is_visible()
        )

        # The family phones in that the other child is ill; staff record it (the API a
        # department tablet app would use) and the list shows it.
        found = re.search(r"/oppmote/enhet/(\d+)/", head.url)
        assert found is not None
        unit_id = found.group(1)
        unit_path = f"{demo_server.url}/oppmote/enhet/{unit_id}/"
        response = requests.post(
            f"{demo_server.url}/api/v1/children/{other}/absences",
            json={"from": "2026-11-25", "to": "2026-11-25", "reason": "illness", "note": "Feber"},
            headers={**demo_server.token("kindergarten-head"), "Idempotency-Key": "e2e-ill-1"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        head.reload()
        absent = head.locator(f"#barn-{other}")
        assert absent.get_attribute("data-status") == "absent"
        assert "Meldt syk" in absent.inner_text()

        # Pick-up: someone not on the list is refused; an authorised person is accepted.
        head.locator(f"#barn-{child}").get_by_role("link", name=re.compile("^Hentet")).click()
        head.fill("#other-name", "Fremmed Person")
        head.get_by_role("button", name="Sjekk ut").click()
        assert head.get_by_text(re.compile("står ikke på hentelisten")).is_visible()
        head.locator("input[name=picked_up_by]").first.check()
        head.get_by_role("button", name="Sjekk ut").click()
        assert head.url.startswith(unit_path)
        assert head.locator(f"#barn-{child}").get_attribute("data-status") == "left"
        assert "Hentet" in head.locator(f"#barn-{child}").inner_text()

        # The live figure and the roll call agree with the list.
        listing = requests.get(
            f"{demo_server.url}/api/v1/units/{unit_id}/attendance",
            headers=demo_server.token("kindergarten-head"),
            timeout=10,
        ).json()
        assert int(child or 0) in {c["id"] for c in listing["left"]}
        head.get_by_role("link", name="Opprop (brannøvelse)").first.click()
        assert head.locator(f"#seen-{child}").count() == 0


def test_guardian_reports_illness_on_a_phone_and_the_school_sees_it(
    browser: Any, demo_server: DemoServer
) -> None:
    with as_persona(browser, demo_server, "guardian", PHONE) as guardian:
        nav_link(guardian, "Hverdag").click()
        cards = guardian.locator("section.card")
        assert cards.count() >= 3
        # The child in SFO (and school): the report goes to both.
        sfo_child = None
        for i in range(cards.count()):
            card = cards.nth(i)
            card.get_by_role("link", name="Meld syk i dag").click()
            if "SFO" in guardian.locator("main").inner_text():
                sfo_child = guardian.url.split("/hverdag/")[1].split("/")[0]
                break
            guardian.go_back()
        assert sfo_child is not None
        note = guardian.locator("main p.muted").first.inner_text()
        assert "skole" in note.lower() and "SFO" in note
        guardian.fill("#id_note", "Feber i natt")
        guardian.get_by_role("button", name="Send").click()
        assert guardian.get_by_text(re.compile("Fraværet er meldt til")).is_visible()
        assert guardian.get_by_text(re.compile("Feber i natt")).is_visible()

    # The school's leader sees the absence through the same data (one report for every unit).
    absences = requests.get(
        f"{demo_server.url}/api/v1/children/{sfo_child}/absences",
        headers=demo_server.token("principal"),
        timeout=10,
    )
    assert absences.status_code == 200
    assert [a["reason"] for a in absences.json()] == ["illness"]
