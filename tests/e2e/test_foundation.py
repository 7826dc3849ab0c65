"""The foundation in a real browser: demo login, front pages, language switch, API."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import DemoServer, login

pytestmark = pytest.mark.e2e


def test_guardian_logs_in_and_sees_children_on_a_phone(page: Any, demo_server: DemoServer) -> None:
    login(page, demo_server, "guardian")
    expect(page.locator("h1")).to_have_text(re.compile(r"^Hei"))
    cards = page.locator("section[aria-labelledby=children-h] .card")
    expect(cards).to_have_count(4)  # + the baby sibling who can apply (admission demo)
    expect(page.get_by_text("SFO", exact=True).first).to_be_visible()


def test_keyboard_reaches_main_content_and_language_switch(
    page: Any, demo_server: DemoServer
) -> None:
    page.goto(demo_server.url + "/login/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Hopp til innholdet"
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log in")


def test_teacher_sees_own_class(page: Any, demo_server: DemoServer) -> None:
    login(page, demo_server, "teacher")
    expect(page.get_by_role("heading", name="Mine grupper")).to_be_visible()
    expect(page.locator("details table tbody tr").nth(3)).to_be_attached()  # more than 3 rows


def test_api_against_the_running_server(demo_server: DemoServer) -> None:
    url = demo_server.url + "/api/v1"
    assert requests.get(url + "/children", timeout=5).status_code == 401
    guardian = demo_server.token("guardian")
    own = requests.get(url + "/children", headers=guardian, timeout=5).json()
    assert own["count"] == 4
    own_ids = {c["id"] for c in own["items"]}
    teacher = demo_server.token("teacher")
    listed = requests.get(url + "/children?limit=500", headers=teacher, timeout=5).json()
    groups = {
        g["id"] for g in requests.get(url + "/groups", headers=teacher, timeout=5).json()["items"]
    }
    assert listed["count"] > 0 and groups
    for child in listed["items"]:
        detail = requests.get(f"{url}/children/{child['id']}", headers=teacher, timeout=5).json()
        assert {p["group_id"] for p in detail["placements"]} & groups
        if child["id"] not in own_ids:
            r = requests.get(f"{url}/children/{child['id']}", headers=guardian, timeout=5)
            assert r.status_code in (403, 404)
