"""The operators' job page in the authorization matrix (tests/access/test_matrix.py): only the
system administrator sees background jobs and runs them again."""

from __future__ import annotations

from collections.abc import Iterator

from tests.access.personas import Objects

ROUTES = {"drift/jobber/"}
API_OPERATIONS: set[tuple[str, str]] = set()


def page_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, str, bool]]:
    admin = slug == "admin"
    yield "drift/jobber/", "GET", "/drift/jobber/", admin
    yield "drift/jobber/", "GET", "/drift/jobber/?vis=alle", admin
    # An empty retry is answered with a message on the page for the administrator.
    yield "drift/jobber/", "POST", "/drift/jobber/", admin


def api_cases(slug: str, objs: Objects) -> Iterator[tuple[str, str, bool]]:
    return iter(())
