from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from oppvekst.access.policy import actor_for_request, can
from oppvekst.jobs.permissions import JobAction
from oppvekst.people.permissions import ChildAction


def site(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "demo_mode": settings.DEMO_MODE,
        "can_search_children": False,
        "can_manage_jobs": False,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        actor = actor_for_request(request)
        context["can_search_children"] = can(actor, ChildAction.SEARCH)
        context["can_manage_jobs"] = can(actor, JobAction.MANAGE)
    return context
