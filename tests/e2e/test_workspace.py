"""The workspace in a real browser: the caseworker opens a task from the front page, decides
the claim, and the task is gone from the work list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DemoServer, login, start_demo_server, stop_demo_server

pytestmark = pytest.mark.e2e


def _open_count(page: Any, server: DemoServer) -> int:
    page.goto(server.url + "/oppgaver/")
    text = page.get_by_text(re.compile(r"Åpne oppgaver: \d+")).inner_text()
    return int(re.search(r"\d+", text).group())  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def fresh_server() -> Iterator[DemoServer]:
    """A demo of its own: the shared one may have had its round decided by another test, which
    leaves no claim waiting."""
    server = start_demo_server()
    yield server
    stop_demo_server(server)


def test_caseworker_opens_a_task_decides_the_claim_and_the_task_is_gone(
    page: Any, fresh_server: DemoServer
) -> None:
    demo_server = fresh_server
    login(page, demo_server, "caseworker")
    before = _open_count(page, demo_server)
    assert before > 0
    page.goto(demo_server.url + "/")
    today = page.locator("section[aria-labelledby=today-h]")
    expect(today.get_by_role("heading", name="Trenger deg i dag")).to_be_visible()
    today.get_by_role("link", name=re.compile("Vurder krav om prioritet")).first.click()
    expect(page).to_have_url(re.compile(r"/opptak/soknader/\d+/"))
    pending = page.locator("[data-claim-status=pending]").first.locator(
        "xpath=ancestor::div[contains(@class,'card')][1]"
    )
    pending.get_by_role("button", name="Godkjenn").click()
    expect(page.get_by_text("Vurderingen er lagret")).to_be_visible()
    assert _open_count(page, demo_server) == before - 1
