"""Pages for children: search, one child, and who has read the child's data."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oppvekst.access import audit
from oppvekst.access import selectors as access_selectors
from oppvekst.access.policy import actor_for_request, can
from oppvekst.access.selectors import AccessLogFilter
from oppvekst.core.idempotency import once
from oppvekst.errors import DomainError, NotFoundError
from oppvekst.params import page_param
from oppvekst.people import selectors
from oppvekst.people.forms import AccessLogForm, ChildRegisterForm
from oppvekst.people.models import Person
from oppvekst.people.permissions import ChildAction
from oppvekst.people.services import child_register

PAGE_SIZE = 25
LOG_PAGE_SIZE = 25


def _login_required(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied


def _page_number(request: HttpRequest) -> int:
    return page_param(request.GET.get("side"))


@require_GET
@never_cache
def children_list(request: HttpRequest) -> HttpResponse:
    _login_required(request)
    actor = actor_for_request(request)
    if not can(actor, ChildAction.SEARCH):
        raise PermissionDenied
    search = request.GET.get("q", "")[:100]
    ordering = request.GET.get("sorter", "name")
    page = _page_number(request)
    items, count = selectors.child_list(
        actor, search=search, ordering=ordering, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    audit.record(actor, "child.read_basic", [c.pk for c in items], request=request)
    pages = max(1, -(-count // PAGE_SIZE))
    return render(
        request,
        "people/children_list.html",
        {
            "children": items,
            "count": count,
            "search": search,
            "ordering": ordering,
            "page": page,
            "pages": pages,
            "has_previous": page > 1,
            "has_next": page < pages,
            "can_register": can(actor, ChildAction.CREATE),
        },
    )


@require_GET
@never_cache
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    _login_required(request)
    actor = actor_for_request(request)
    try:
        view = selectors.child_detail(actor, child_id)
    except NotFoundError as exc:
        raise Http404 from exc
    audit.record(actor, "child.read", [child_id], request=request)
    return render(
        request,
        "people/child_detail.html",
        {
            "child": view,
            "can_see_unit_log": can(actor, ChildAction.READ_UNIT_ACCESS_LOG, view.person),
            "can_see_own_log": can(actor, ChildAction.READ_ACCESS_LOG, view.person),
        },
    )


@require_GET
@never_cache
def child_access_log(request: HttpRequest, child_id: int) -> HttpResponse:
    """Guardians see which roles at which units read their child's data and when; unit leaders
    also see who. One's own reads are left out unless asked for."""
    _login_required(request)
    actor = actor_for_request(request)
    person = Person.objects.filter(pk=child_id).first()
    if person is None:
        raise Http404
    as_leader = can(actor, ChildAction.READ_UNIT_ACCESS_LOG, person)
    as_guardian = can(actor, ChildAction.READ_ACCESS_LOG, person)
    if not (as_leader or as_guardian):
        raise Http404
    filters = AccessLogForm(request.GET or None)
    wanted = filters.wanted() if filters.is_valid() else AccessLogFilter()
    page = _page_number(request)
    log = access_selectors.child_access_log(
        actor,
        child_id,
        wanted=wanted,
        show_names=as_leader,
        limit=LOG_PAGE_SIZE,
        offset=(page - 1) * LOG_PAGE_SIZE,
    )
    filters.fields["rolle"].widget.choices = [("", _("Alle roller")), *log.roles]
    pages = max(1, -(-log.count // LOG_PAGE_SIZE))
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "people/access_log.html",
        {
            "person": person,
            "log": log,
            "filters": filters,
            "show_names": as_leader,
            "page": page,
            "pages": pages,
            "has_previous": page > 1,
            "has_next": page < pages,
            "query": query.urlencode(),
            "filtered": bool(
                request.GET.get("rolle") or request.GET.get("fra") or request.GET.get("til")
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def child_register_page(request: HttpRequest) -> HttpResponse:
    """The sector office registers a child the population register has not delivered yet."""
    _login_required(request)
    actor = actor_for_request(request)
    if not can(actor, ChildAction.CREATE):
        raise PermissionDenied
    form = ChildRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        municipality_id = sorted(actor.ids("municipality_id", ["caseworker"]))[0]
        try:
            # The registration and its audit row commit together (one transaction per change).
            with transaction.atomic():
                child_id, _created = once(
                    scope="child_register",
                    key=data["idempotency_key"],
                    user_id=int(request.user.pk or 0),
                    change=lambda: (
                        child_register(
                            actor=actor,
                            municipality_id=municipality_id,
                            **{k: v for k, v in data.items() if k != "idempotency_key"},
                        ).pk
                    ),
                )
                audit.record(actor, "child.create", [child_id], request=request)
        except DomainError as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else None, str(message))
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            return redirect("child_detail", child_id=child_id)
    return render(
        request, "people/child_register.html", {"form": form}, status=400 if form.errors else 200
    )
