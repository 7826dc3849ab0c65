"""Every page of every persona in a phone-sized browser: no serious or critical accessibility
violation (axe-core) and nothing wider than a 360 px viewport.

The pages are discovered, not listed: for each demo persona the sweep follows the links on the
front page and on the pages they lead to (depth 2), so a new module's pages are covered as soon as
its navigation links to them. URLs that differ only in object ids or query values count as one
page (the first one found is checked), which keeps the sweep to a few minutes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import DemoServer, login

pytestmark = pytest.mark.e2e

PERSONAS = [
    "guardian",
    "teacher",
    "principal",
    "kindergarten-head",
    "private-kindergarten-head",
    "caseworker",
    "admin",
]
PHONE = {"width": 360, "height": 740}
DEPTH = int(os.environ.get("OPPVEKST_SWEEP_DEPTH", "2"))
# Impacts that fail the sweep (axe-core's scale: minor, moderate, serious, critical).
FAILING_IMPACTS = {"serious", "critical"}
# Links the sweep does not follow: leaving the session, switching language, files and feeds,
# and the JSON API (its documentation page is visited on its own).
SKIPPED_PATH = re.compile(
    r"^/(logout/|auth/|i18n/|static/|media/|api/)"
    r"|\.(pdf|ics|csv|xml|json|zip|txt|fet)$"
    r"|/(eksport|export|feed|kalender\.ics|pdf|last-ned)(/|$)"
)
# Django admin pages that only change data (deleting, history of writes) are not pages a sweep
# should visit; the admin's lists and forms are.
SKIPPED_ADMIN = re.compile(r"/(delete|history)/$|/logout/$|/password/")
EXTRA_PAGES = ["/api/v1/docs", "/denne-siden-finnes-ikke/"]

WIDTH_SCRIPT = """() => {
  const doc = document.documentElement;
  const wide = [];
  if (doc.scrollWidth > doc.clientWidth) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > doc.clientWidth + 1 && r.width > 0) {
        const id = el.id ? '#' + el.id : '';
        const cls = el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
        wide.push(el.tagName.toLowerCase() + id + cls + ' ' + Math.round(r.right) + 'px');
        if (wide.length >= 5) break;
      }
    }
  }
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide};
}"""

LINKS_SCRIPT = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download'))
  .map(a => a.href)"""


def page_key(url: str) -> str:
    """One key per kind of page: ids become N, query values are dropped. The administration's
    pages share Django's templates per kind (index, application, list, form), so one of each."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/N", parts.path)
    if path.startswith("/admin/"):
        path = re.sub(r"^/admin/[^/]+/[^/]+/", "/admin/APP/MODEL/", path)
        path = re.sub(r"^/admin/[a-z_]+/$", "/admin/APP/", path)
    path = re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27,}(?=/|$)", "/U", path)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Sweep:
    server: DemoServer
    persona: str
    visited: dict[str, str] = field(default_factory=dict)  # key -> url
    problems: list[str] = field(default_factory=list)

    def follow(self, url: str) -> bool:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.server.url:
            return False
        if SKIPPED_PATH.search(parts.path):
            return False
        if parts.path.startswith("/admin/") and SKIPPED_ADMIN.search(parts.path):
            return False
        return page_key(url) not in self.visited


def _axe() -> Any:
    return Axe()


def check_page(page: Any, axe: Any, url: str) -> list[str]:
    """The page's problems: serious/critical axe violations and overflow beyond 360 px."""
    problems: list[str] = []
    path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
    width = page.evaluate(WIDTH_SCRIPT)
    if width["scroll"] > width["client"]:
        problems.append(
            f"{path}: {width['scroll']} px wide at {width['client']} px: {', '.join(width['wide'])}"
        )
    results = axe.run(page, options={"resultTypes": ["violations"]})
    for violation in results.response["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            targets = [str(node["target"][0]) for node in violation["nodes"][:3]]
            problems.append(
                f"{path}: axe {violation['id']} ({violation['impact']}): {violation['help']} "
                f"at {', '.join(targets)}"
            )
    return problems


def sweep(page: Any, server: DemoServer, persona: str) -> Sweep:
    axe = _axe()
    result = Sweep(server=server, persona=persona)
    frontier = [server.url + "/"] + [server.url + p for p in EXTRA_PAGES]
    for depth in range(DEPTH + 1):
        found: list[str] = []
        for url in frontier:
            if not result.follow(url):
                continue
            result.visited[page_key(url)] = url
            try:
                response = page.goto(url)
            except Exception as exc:  # a download or an aborted navigation: not a page
                if "Download is starting" in str(exc):
                    continue
                raise
            if response is None:
                continue
            status = response.status
            expected_error = url.endswith("/denne-siden-finnes-ikke/")
            if status >= 400 and not expected_error:
                result.problems.append(f"{urlsplit(url).path}: HTTP {status}")
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            result.problems.extend(check_page(page, axe, url))
            if depth < DEPTH:
                found.extend(page.evaluate(LINKS_SCRIPT))
        frontier = list(dict.fromkeys(u.split("#")[0] for u in found))
    return result


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="nb-NO", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_pages_before_login_are_accessible_and_fit_a_phone(
    phone: Any, demo_server: DemoServer
) -> None:
    axe = _axe()
    problems: list[str] = []
    for path in ["/", "/login/", *EXTRA_PAGES]:
        phone.goto(demo_server.url + path)
        problems.extend(check_page(phone, axe, demo_server.url + path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_of_a_persona_is_accessible_and_fits_a_phone(
    phone: Any, demo_server: DemoServer, persona: str
) -> None:
    login(phone, demo_server, persona)
    result = sweep(phone, demo_server, persona)
    assert len(result.visited) >= 3, result.visited
    assert not result.problems, f"{len(result.visited)} pages checked:\n" + "\n".join(
        result.problems
    )
