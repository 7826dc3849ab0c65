"""One pager for list pages: the page from ``?side=`` and what ``_pager.html`` needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oppvekst.params import page_param


def page_of(request: HttpRequest) -> int:
    return page_param(request.GET.get("side"))


def pager(request: HttpRequest, count: int, page_size: int) -> dict[str, Any]:
    """The page, the number of pages and the query without ``side`` (for the page links)."""
    page = page_of(request)
    pages = max(1, -(-count // page_size))
    query = request.GET.copy()
    query.pop("side", None)
    return {
        "page": page,
        "pages": pages,
        "count": count,
        "has_previous": page > 1,
        "has_next": page < pages,
        "query": query.urlencode(),
    }
