"""The authorization matrix: every URL pattern and API operation × every persona × own/other
object. A new endpoint without an entry here fails `test_every_endpoint_has_a_rule`."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Exists, OuterRef
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from oppvekst.access.models import AuditEvent
from oppvekst.access.services import service_token_create
from oppvekst.api.base import api
from oppvekst.demo.models import DemoPersona
from oppvekst.people.identity import make_number
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement
from tests.access.personas import PERSONAS, Objects, child, fet_child, objects_for

pytestmark = pytest.mark.django_db

STAFF_SEARCH = {
    "teacher",
    "principal",
    "kindergarten-head",
    "private-kindergarten-head",
    "caseworker",
}
UNIT_LOG = {"guardian", "principal", "kindergarten-head", "private-kindergarten-head"}

# Page routes: route -> how to test it ("public" routes answer everyone alike).
PAGE_RULES: dict[str, str] = {
    "healthz": "public",
    "": "public",
    "login/": "public",
    "logout/": "post-public",
    "i18n/setlang/": "post-public",
    "barn/": "children_search",
    "barn/ny/": "child_create",
    "barn/<int:child_id>/": "child_own_other",
    "barn/<int:child_id>/innsyn/": "child_log",
    "admin/": "admin_site",
    "api/v1/": "api",
}
AUTH_PREFIX = "auth/"  # the OpenID Connect flow: public by nature, tested in test_oidc.py

API_RULES: dict[tuple[str, str], str] = {
    ("GET", "/me"): "all",
    ("GET", "/children"): "list_children",
    ("GET", "/children/{child_id}"): "child_own_other",
    ("POST", "/children"): "child_create",
    ("GET", "/units"): "all",
    ("GET", "/units/{unit_id}"): "unit_own_other",
    ("GET", "/groups"): "all",
    ("GET", "/groups/{group_id}"): "group_own_other",
}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            route = prefix + str(p.pattern)
            if route.startswith(("admin/", "api/v1/")):
                yield (
                    route.split("/")[0]
                    + "/"
                    + (route.split("/")[1] + "/" if route.startswith("api") else "")
                )
            else:
                yield from _routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _api_operations() -> set[tuple[str, str]]:
    ops = set()
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    ops.add((method, path if path.startswith("/") else "/" + path))
    return ops


# Each domain app adds its endpoints to the matrix in tests/<app>/matrix_cases.py with:
#   ROUTES: set[str]                      page routes it owns (as in the URLconf, e.g. "opptak/")
#   API_OPERATIONS: set[tuple[str, str]]  ("GET", "/applications") ...
#   def page_cases(slug, objs) -> Iterator[(route, method, url, expected_allowed)]
#   def api_cases(slug, objs) -> Iterator[(operation, url, expected_allowed)]
def _matrix_modules() -> list[Any]:
    """`tests/<app>/matrix_cases.py` of every installed Oppvekst app that has one."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("oppvekst."):
            continue
        package = f"tests.{config.name.removeprefix('oppvekst.')}"
        if importlib.util.find_spec(package) is None:
            continue
        if importlib.util.find_spec(f"{package}.matrix_cases") is not None:
            found.append(importlib.import_module(f"{package}.matrix_cases"))
    return found


EXTENSIONS = _matrix_modules()
for _ext in EXTENSIONS:
    PAGE_RULES.update(dict.fromkeys(_ext.ROUTES, "extension"))
    API_RULES.update(dict.fromkeys(_ext.API_OPERATIONS, "extension"))


def test_every_endpoint_has_a_rule() -> None:
    routes = {r for r in _routes(get_resolver().url_patterns) if not r.startswith(AUTH_PREFIX)}
    routes = {r.replace("^", "").replace("$", "") for r in routes}
    missing = routes - set(PAGE_RULES)
    assert not missing, f"endpoints without an access rule in the matrix: {sorted(missing)}"
    ops = {(m, p.replace("//", "/")) for m, p in _api_operations()}
    missing_ops = ops - set(API_RULES)
    assert not missing_ops, f"API operations without a rule: {sorted(missing_ops)}"


def _client(slug: str) -> Client:
    c = Client()
    c.force_login(DemoPersona.objects.get(slug=slug).user)
    return c


def _token(slug: str) -> dict[str, str]:
    _t, plaintext = service_token_create(
        user=DemoPersona.objects.get(slug=slug).user, name="matrix"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _group_of(child_id: int | None) -> int | None:
    if child_id is None:
        return None
    return (
        Placement.objects.filter(child_id=child_id, group__isnull=False)
        .values_list("group_id", flat=True)
        .first()
    )


def _page_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, str, bool]]:
    """(route, method, url, expected_allowed)."""
    yield "", "GET", "/", True
    yield "healthz", "GET", "/healthz", True
    yield "login/", "GET", "/login/", True
    yield "barn/", "GET", "/barn/", slug in STAFF_SEARCH
    yield "barn/ny/", "GET", "/barn/ny/", slug == "caseworker"
    if objs.own_child is not None:
        yield "barn/<int:child_id>/", "GET", f"/barn/{objs.own_child}/", True
        yield (
            "barn/<int:child_id>/innsyn/",
            "GET",
            f"/barn/{objs.own_child}/innsyn/",
            slug in UNIT_LOG,
        )
    yield "barn/<int:child_id>/", "GET", f"/barn/{objs.other_child}/", False
    yield "barn/<int:child_id>/innsyn/", "GET", f"/barn/{objs.other_child}/innsyn/", False
    yield "admin/", "GET", "/admin/", slug == "admin"
    for ext in EXTENSIONS:
        yield from ext.page_cases(slug, objs)


def _api_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, bool]]:
    yield "/me", "/api/v1/me", True
    yield "/children", "/api/v1/children?limit=500", True
    if objs.own_child is not None:
        yield "/children", f"/api/v1/children?limit=500&q={child(objs.own_child).first_name}", True
    yield "/units", "/api/v1/units", True
    yield "/groups", "/api/v1/groups", True
    if objs.own_child is not None:
        yield "/children/{child_id}", f"/api/v1/children/{objs.own_child}", True
    yield "/children/{child_id}", f"/api/v1/children/{objs.other_child}", False
    if objs.own_unit is not None:
        yield "/units/{unit_id}", f"/api/v1/units/{objs.own_unit}", True
    # Guardians may look up every unit (the public register they apply from).
    yield "/units/{unit_id}", f"/api/v1/units/{objs.other_unit}", slug == "guardian"
    own_group = _group_of(objs.own_child)
    if own_group is not None:
        yield "/groups/{group_id}", f"/api/v1/groups/{own_group}", True
    other_group = _group_of(fet_child())
    assert other_group is not None
    yield "/groups/{group_id}", f"/api/v1/groups/{other_group}", False
    yield "POST /children", "/api/v1/children", slug == "caseworker"
    for ext in EXTENSIONS:
        yield from ext.api_cases(slug, objs)


def _new_child(slug: str) -> dict[str, str]:
    birth = dt.date(2022, 1, 1) + dt.timedelta(days=PERSONAS.index(slug))
    number = next(n for i in range(500, 999) if (n := make_number(birth, i, synthetic=True)))
    return {"identity_number": number, "first_name": "Ny", "last_name": slug}


def _allowed(status: int) -> bool:
    if status in (200, 201):
        return True
    assert status in (302, 401, 403, 404), status
    return False


def _children_by_name() -> dict[str, int]:
    """Every child in the demo by the full name a page would show (names that more than one
    person carries are left out: they cannot tell whose data a page shows)."""
    seen: dict[str, list[int]] = {}
    for pk, first, last in Person.objects.values_list("pk", "first_name", "last_name"):
        seen.setdefault(f"{first} {last}", []).append(pk)
    placed = set(
        Person.objects.filter(Exists(Placement.objects.filter(child=OuterRef("pk")))).values_list(
            "pk", flat=True
        )
    )
    return {name: ids[0] for name, ids in seen.items() if len(ids) == 1 and ids[0] in placed}


class AuditCheck:
    """Counts 200 responses that show a child's name, and those that wrote no audit row for
    that child during the request."""

    def __init__(self) -> None:
        self.names = _children_by_name()
        self.shown = 0
        self.unaudited: list[str] = []

    def last_id(self) -> int:
        return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def check(self, label: str, response: Any, before: int) -> None:
        if response.status_code != 200 or (
            "html" not in response.get("Content-Type", "")
            and ("json" not in response.get("Content-Type", ""))
        ):
            return
        raw = (
            b"".join(response.streaming_content)
            if getattr(response, "streaming", False)
            else response.content
        )
        body = raw.decode("utf-8", "replace")
        shown = {pk for name, pk in self.names.items() if name in body}
        if not shown:
            return
        self.shown += 1
        audited = set(AuditEvent.objects.filter(pk__gt=before).values_list("target_id", flat=True))
        missing = shown - audited
        if missing:
            names = sorted(name for name, pk in self.names.items() if pk in missing)
            self.unaudited.append(f"{label} shows {names} without an audit row")


def test_authorization_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    cases = 0
    unexpected: list[str] = []
    audit_check = AuditCheck()
    for slug in PERSONAS:
        objs = objects_for(slug)
        client = _client(slug)
        for route, method, url, expected in _page_cases(slug, objs):
            before = audit_check.last_id()
            response = client.get(url) if method == "GET" else client.post(url, {})
            cases += 1
            if _allowed(response.status_code) != expected:
                unexpected.append(f"{slug} {method} {url} -> {response.status_code} ({route})")
            if method == "GET":
                audit_check.check(f"{slug} GET {url}", response, before)
        headers = _token(slug)
        anonymous = Client()
        for op, url, expected in _api_cases(slug, objs):
            if op.startswith("POST "):
                body = json.dumps(_new_child(slug))
                response = anonymous.post(url, body, content_type="application/json", **headers)
            else:
                before = audit_check.last_id()
                response = anonymous.get(url, **headers)
                audit_check.check(f"{slug} API GET {url}", response, before)
            cases += 1
            if _allowed(response.status_code) != expected:
                unexpected.append(f"{slug} GET {url} -> {response.status_code} ({op})")
            if op == "/children" and "q=" in url:
                ids = {item["id"] for item in response.json()["items"]}
                cases += 1
                if objs.own_child not in ids or objs.other_child in ids:
                    unexpected.append(f"{slug} list /children leaks or misses a child")
    anonymous = Client()
    for url in ("/api/v1/me", "/api/v1/children", "/api/v1/units", "/api/v1/groups"):
        cases += 1
        if anonymous.get(url).status_code != 401:
            unexpected.append(f"anonymous GET {url} is not 401")
    for url in ("/barn/", "/admin/"):
        cases += 1
        if _allowed(anonymous.get(url).status_code):
            unexpected.append(f"anonymous GET {url} allowed")
    with capsys.disabled():
        print(f"\nauthorization matrix: {cases} cases, {len(unexpected)} unexpected")
        print(
            f"audit completeness: {audit_check.shown} responses showed a child, "
            f"{len(audit_check.unaudited)} without an audit row"
        )
    assert not unexpected, "\n".join(unexpected)
    assert not audit_check.unaudited, "\n".join(audit_check.unaudited)
