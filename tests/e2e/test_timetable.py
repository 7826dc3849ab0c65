"""Timetables in a real browser: the principal generates and solves a timetable for her school,
moves a lesson with the keyboard, sees a conflicting drag refused, publishes; the teacher then
subscribes to her calendar feed, which parses as iCalendar."""

from __future__ import annotations

import re
from typing import Any

import icalendar
import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import DemoServer, login, nav_link
from tests.e2e.test_sweep import PHONE, Axe, check_page

pytestmark = pytest.mark.e2e


def _find_lesson_with_free_target(page: Any) -> tuple[Any, dict[str, int]]:
    """Select lessons one by one (Space) until the server marks a free target."""
    lessons = page.locator("a.tt-lesson")
    for i in range(lessons.count()):
        lesson = lessons.nth(i)
        lesson.focus()
        page.keyboard.press("Space")
        page.wait_for_selector("#tt-grid td.tt-current")
        target = page.evaluate(
            """() => {
                const td = document.querySelector('#tt-grid td.tt-ok');
                return td ? {day: Number(td.dataset.day), period: Number(td.dataset.period)} : null;
            }"""
        )
        if target:
            return lesson, target
        page.keyboard.press("Escape")
    raise AssertionError("no lesson of the class can move anywhere")


def test_principal_builds_moves_publishes_and_teacher_subscribes(
    page: Any, demo_server: DemoServer
) -> None:
    login(page, demo_server, "principal")
    nav_link(page, "Timeplan").click()
    page.get_by_role("link", name=re.compile(r"^Lag grunnlag for")).first.click()
    page.get_by_role("button", name="Lag grunnlaget").click()
    page.wait_for_selector("#solve-form")
    expect(page.get_by_text("Grunnlaget for timeplanen er laget.")).to_be_visible()

    # Solve with live progress (the e2e server runs the task in-process). The limit is a
    # ceiling, not a claim of speed: stopping at the first valid timetable, the solve ends as
    # soon as it has one, however busy the machine is.
    page.fill("#id_time_limit", "120")
    page.get_by_text("Flere valg").click()
    page.get_by_label("Stopp ved første gyldige timeplan").check()
    page.get_by_role("button", name="Legg timeplan").click()
    page.wait_for_selector("#open-version", timeout=150_000)
    expect(page.locator("#progress-status")).to_contain_text("løsninger funnet")
    page.click("#open-version")
    page.wait_for_selector("#tt-grid")
    expect(page.locator("#tt-grid thead th").nth(1)).to_have_text("Mandag")

    # Move a lesson with the keyboard: select it, arrow keys to a free cell, Enter.
    lesson, target = _find_lesson_with_free_target(page)
    start = {
        "day": int(lesson.get_attribute("data-day")),
        "period": int(lesson.get_attribute("data-period")),
    }
    periods = page.evaluate(
        """() => [...new Set([...document.querySelectorAll('#tt-grid td[data-period]')]
              .map(td => Number(td.dataset.period)))].sort((a, b) => a - b)"""
    )
    steps_down = periods.index(target["period"]) - periods.index(start["period"])
    steps_right = target["day"] - start["day"]
    for _ in range(abs(steps_right)):
        page.keyboard.press("ArrowRight" if steps_right > 0 else "ArrowLeft")
    for _ in range(abs(steps_down)):
        page.keyboard.press("ArrowDown" if steps_down > 0 else "ArrowUp")
    assert page.evaluate("document.activeElement.classList.contains('tt-ok')")
    placement = lesson.get_attribute("data-placement")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=/Timen (er flyttet|har byttet plass)/")
    moved = page.locator(f"a.tt-lesson[data-placement='{placement}']")
    assert (int(moved.get_attribute("data-day")), int(moved.get_attribute("data-period"))) == (
        target["day"],
        target["period"],
    )

    # Drag a lesson onto a time where it clashes: refused with the reason, nothing changes.
    first = page.locator("a.tt-lesson").first
    placement = first.get_attribute("data-placement")
    before = (first.get_attribute("data-day"), first.get_attribute("data-period"))
    first.focus()
    page.keyboard.press("Space")
    page.wait_for_selector("#tt-grid td.tt-current")
    clash = page.locator("#tt-grid td.tt-conflict[title*=' har ']").first
    first.drag_to(clash)
    page.wait_for_selector("#tt-status.is-error")
    expect(page.locator("#tt-status")).to_contain_text("kan ikke flyttes")
    page.reload()
    first = page.locator(f"a.tt-lesson[data-placement='{placement}']")
    assert (first.get_attribute("data-day"), first.get_attribute("data-period")) == before

    # The draft's grid on a phone: readable contrast in every cell, headings in order.
    page.set_viewport_size(PHONE)
    assert check_page(page, Axe(), page.url) == []
    page.set_viewport_size({"width": 412, "height": 915})

    # Publish.
    page.get_by_role("link", name="Publiser", exact=True).click()
    page.get_by_role("button", name="Publiser").click()
    page.wait_for_selector("text=Timeplanen er publisert.")
    expect(page.locator(".tt-badge.published")).to_have_count(1)

    # The teacher subscribes to her own timetable.
    page.context.clear_cookies()
    login(page, demo_server, "teacher")
    page.get_by_role("link", name="Timeplanen i kalenderen din").click()
    page.get_by_role("button", name=re.compile(r"^Min timeplan")).click()
    url = page.locator("input.tt-feed-url").first.input_value()
    assert url.startswith(demo_server.url) and url.endswith(".ics")
    response = requests.get(url, timeout=20)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert events, "the teacher has lessons in the published timetable"
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]

    # On a phone the address fits the screen and has a copy button; the week shows one day at
    # a time in a scroll box the keyboard reaches; both pages pass axe.
    axe = Axe()
    page.set_viewport_size(PHONE)
    page.reload()
    assert check_page(page, axe, page.url) == []
    page.get_by_role("button", name="Kopier").first.click()
    page.wait_for_selector("text=Adressen er kopiert.")
    page.goto(demo_server.url + "/timeplan/min-uke/")
    page.wait_for_selector("#tt-days button[aria-pressed=true]")
    visible_days = page.locator("#tt-grid thead th[data-day]:visible")
    assert visible_days.count() == 1
    assert page.locator(".tt-scroll").first.get_attribute("tabindex") == "0"
    assert check_page(page, axe, page.url) == []
    page.get_by_role("button", name="Hele uken").first.click()
    assert visible_days.count() == 5
