"""Browser tests: Playwright drives Debian's chromium against a real Oppvekst server.

The server is a separate process, as with `make run`: its own database (an SQLite file, or a
fresh database in the PostgreSQL test cluster when the suite runs on PostgreSQL), the demo
municipality at a small scale, demo login on. Tests act through the browser and the API only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

CHROMIUM = os.environ.get("OPPVEKST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
OPPVEKST = str(Path(sys.executable).with_name("oppvekst"))
# Waits, not claims of speed: actions and `expect` wait up to this long for what they need (a
# busy machine renders slowly) and go on as soon as it is there.
WAIT_MS = 30_000


@dataclass
class DemoServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def command(self, *args: str) -> str:
        """Run an `oppvekst` command against the server's database; returns stdout."""
        out = subprocess.run(
            [OPPVEKST, *args], env=self.env, check=True, capture_output=True, text=True
        )
        return out.stdout.strip()

    def token(self, persona: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.command('demo-token', persona)}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url(tmp: Path) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}"
    import psycopg

    name = f"e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def start_demo_server(today: str = "2026-11-25", scale: str = "0.05") -> DemoServer:
    tmp = Path(tempfile.mkdtemp(prefix="oppvekst-e2e-"))
    port = _free_port()
    env = {
        **os.environ,
        "OPPVEKST_DEMO": "1",
        "OPPVEKST_ALLOW_SYNTHETIC_IDS": "1",
        "OPPVEKST_VAR_DIR": str(tmp),
        "OPPVEKST_TODAY": today,
        "OPPVEKST_TASKS_IMMEDIATE": "1",
        "DATABASE_URL": _database_url(tmp),
        "DJANGO_SETTINGS_MODULE": "oppvekst.settings",
    }
    env.pop("OPPVEKST_TESTING", None)
    subprocess.run([OPPVEKST, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [OPPVEKST, "demo", "--seed", "7", "--scale", scale, "--no-progress"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log = (tmp / "server.log").open("wb")
    process = subprocess.Popen(
        [OPPVEKST, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    # Wait for the server itself, not for a guess at how fast it starts: on a busy machine the
    # system checks and imports take many seconds. Give up only if it exits or after minutes.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(url + "/healthz", timeout=5).status_code == 200:
                return DemoServer(url=url, env=env, process=process)
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError((tmp / "server.log").read_text())


def stop_demo_server(server: DemoServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
    shutil.rmtree(server.env["OPPVEKST_VAR_DIR"], ignore_errors=True)


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    server = start_demo_server()
    yield server
    stop_demo_server(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="nb-NO", viewport={"width": 412, "height": 915})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def login(page: Any, server: DemoServer, persona: str) -> None:
    page.goto(server.url + "/login/")
    page.click(f"button[data-persona='{persona}']")
    page.wait_for_url(server.url + "/")


def nav_link(page: Any, name: str) -> Any:
    """A link in the main menu; on a phone the menu is folded behind its button, so open it."""
    toggle = page.locator("button.menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    menu = page.get_by_role("navigation", name="Hovedmeny")
    return menu.get_by_role("link", name=name, exact=True)
