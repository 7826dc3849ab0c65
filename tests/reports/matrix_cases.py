"""The statutory reports in the authorization matrix: only the sector office opens them, and
only for its own municipality."""

from __future__ import annotations

from collections.abc import Iterator

from oppvekst.core.models import Municipality
from tests.access.personas import Objects

ROUTES = {"rapporter/<slug:kind>/"}
API_OPERATIONS: set[tuple[str, str]] = set()


def page_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, str, bool]]:
    own = Municipality.objects.get(number="0231")
    other = Municipality.objects.get(number="0227")
    route = "rapporter/<slug:kind>/"
    for kind, day in (("gsi", "2026-10-01"), ("basil", "2025-12-15")):
        yield route, "GET", f"/rapporter/{kind}/", slug == "caseworker"
        query = f"?municipality={own.pk}&date={day}"
        yield route, "GET", f"/rapporter/{kind}/{query}", slug == "caseworker"
        yield route, "GET", f"/rapporter/{kind}/{query}&format=xlsx", slug == "caseworker"
    # Another municipality is not in the caseworker's choice: the form refuses it (no report).
    yield route, "GET", f"/rapporter/gsi/?municipality={other.pk}&date=2026-10-01&format=csv", False


def api_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, bool]]:
    return iter(())
