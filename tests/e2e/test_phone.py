"""A phone-sized screen: the menu folds behind a button, the header stays small, and the
language switch and logout stay reachable from the menu."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import DemoServer, login
from tests.e2e.test_sweep import PHONE

pytestmark = pytest.mark.e2e


def test_menu_folds_behind_a_button_on_a_phone(page: Any, demo_server: DemoServer) -> None:
    page.set_viewport_size(PHONE)
    login(page, demo_server, "caseworker")
    button = page.get_by_role("button", name="Meny")
    nav = page.get_by_role("navigation", name="Hovedmeny")
    assert button.is_visible() and not nav.is_visible()
    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] <= 120  # brand, button and demo note
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Barn").is_visible()
    assert page.get_by_role("button", name="Logg ut").is_visible()
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")


def test_menu_is_open_on_a_wide_screen(page: Any, demo_server: DemoServer) -> None:
    page.set_viewport_size({"width": 1200, "height": 800})
    login(page, demo_server, "caseworker")
    assert not page.get_by_role("button", name="Meny").is_visible()
    assert page.get_by_role("navigation", name="Hovedmeny").is_visible()
