from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from oppvekst.access import audit
from oppvekst.access.builders import FAMILY, has_role
from oppvekst.access.permissions import PlatformAction
from oppvekst.access.policy import actor_for_request, can
from oppvekst.core.models import Municipality
from oppvekst.people.permissions import ChildAction
from oppvekst.people.selectors import guardian_children
from oppvekst.reports.permissions import ReportAction
from oppvekst.workspace import selectors, task_selectors


@never_cache
def front_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "workspace/landing.html")
    actor = actor_for_request(request)
    children = guardian_children(actor) if has_role(actor, *FAMILY) else []
    groups = selectors.teacher_groups(actor)
    audit.record(
        actor,
        ChildAction.READ_BASIC,
        [c.pk for c in children] + [c.pk for g in groups for c in g["children"]],
        request=request,
    )
    today = task_selectors.needs_today(actor)
    context = {
        "person": actor.person,
        "has_roles": bool(actor.roles),
        "can_reports": can(actor, ReportAction.OPEN),
        "today_tasks": today.tasks,
        "task_count": today.task_count,
        "unread_count": today.unread,
        "today": actor.day,
        "children": children,
        "groups": groups,
        "units": selectors.leader_units(actor),
        "municipality_units": selectors.municipality_units(actor),
        "is_admin": can(actor, PlatformAction.CONFIGURE) or request.user.is_superuser,
        "municipalities": Municipality.objects.all()
        if can(actor, PlatformAction.CONFIGURE)
        else [],
    }
    return render(request, "workspace/front_page.html", context)
