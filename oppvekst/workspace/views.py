from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from oppvekst import clock
from oppvekst.access.roles import roles_for
from oppvekst.core.models import Municipality
from oppvekst.workspace import selectors


@never_cache
def front_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return render(request, "workspace/landing.html")
    person = getattr(user, "person", None)
    day = clock.today()
    roles = roles_for(person, day) if person is not None else []
    names = {r.name for r in roles}
    context = {
        "person": person,
        "role_names": sorted(names),
        "today": day,
        "children": selectors.guardian_children(roles, day)
        if names & {"guardian", "daily_carer"}
        else [],
        "groups": selectors.teacher_groups(roles, day),
        "units": selectors.leader_units(roles, day),
        "municipality_units": selectors.municipality_units(roles, day)
        if "caseworker" in names
        else [],
        "is_admin": "system_admin" in names or user.is_superuser,
        "municipalities": Municipality.objects.all() if "system_admin" in names else [],
    }
    return render(request, "workspace/front_page.html", context)
