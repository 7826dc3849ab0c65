from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from oppvekst.access.policy import actor_for_request, can
from oppvekst.people.permissions import ChildAction


def site(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"demo_mode": settings.DEMO_MODE, "can_search_children": False}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["can_search_children"] = can(actor_for_request(request), ChildAction.SEARCH)
    return context
