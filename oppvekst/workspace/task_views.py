"""The task list, one task (with handing it over), and the notification list."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oppvekst import clock
from oppvekst.access import edge
from oppvekst.access.policy import can
from oppvekst.errors import DomainError
from oppvekst.paging import page_of, pager
from oppvekst.people.models import Person
from oppvekst.workspace import task_selectors as selectors
from oppvekst.workspace import tasks_registry
from oppvekst.workspace.forms import HandOverForm, MuteForm, NotificationActionForm
from oppvekst.workspace.models import Notification
from oppvekst.workspace.permissions import WorkspaceAction
from oppvekst.workspace.task_services import mute_set, task_hand_over

PAGE_SIZE = 50


@require_GET
@never_cache
def task_list(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, WorkspaceAction.VIEW)
    kinds = tasks_registry.kinds()
    kind = request.GET.get("type", "")
    kind = kind if kind in kinds else ""
    page = page_of(request)
    rows, count = selectors.task_page(
        actor, kind=kind, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "workspace/tasks.html",
        {
            "rows": rows,
            "count": count,
            "kinds": sorted(kinds.items(), key=lambda kv: kv[1]),
            "kind": kind,
            **pager(request, count, PAGE_SIZE),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = edge.require(request, WorkspaceAction.VIEW)
    task = selectors.task_get(actor, task_id)
    if task is None:
        raise Http404
    may_hand_over = can(actor, WorkspaceAction.TASK_HAND_OVER, task)
    colleagues = (
        selectors.colleagues_for(task, exclude=actor.person.pk if actor.person else None)
        if may_hand_over
        else []
    )
    form = HandOverForm(request.POST or None)
    if request.method == "POST":
        if not may_hand_over:
            raise Http404
        if form.is_valid():
            to = Person.objects.filter(pk=form.cleaned_data["to"]).first()
            try:
                if to is None:
                    raise DomainError(_("Velg en kollega."), fields={"to": _("Velg en kollega.")})
                task_hand_over(task=task, to=to, colleagues={p.pk for p in colleagues})
            except DomainError as exc:
                for field, text in exc.fields.items():
                    form.add_error(field if field in form.fields else None, str(text))
                if not exc.fields:
                    form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request, _("Oppgaven er gitt til %(name)s.") % {"name": to.full_name}
                )
                return redirect("task_list")
    return render(
        request,
        "workspace/task_detail.html",
        {
            "task": task,
            "kind_label": tasks_registry.label(task.kind),
            "colleagues": colleagues,
            "form": form,
            "may_hand_over": may_hand_over,
        },
    )


@require_GET
@never_cache
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, WorkspaceAction.VIEW)
    sources = selectors.notification_sources(actor)
    source = request.GET.get("kilde", "")
    source = source if source in sources else ""
    unread = request.GET.get("ulest") == "1"
    page = page_of(request)
    items, count = selectors.notifications(
        actor, source=source, unread_only=unread, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "workspace/notifications.html",
        {
            "items": items,
            "count": count,
            "sources": [(s, selectors.source_label(s)) for s in sources],
            "source": source,
            "unread": unread,
            "muted": selectors.muted_kinds(actor.person),
            **pager(request, count, PAGE_SIZE),
        },
    )


@require_POST
def notification_action(request: HttpRequest, notification_id: int) -> HttpResponse:
    actor = edge.require(request, WorkspaceAction.VIEW)
    form = NotificationActionForm(request.POST)
    if actor.person is None or not form.is_valid():
        raise Http404
    found = Notification.objects.filter(pk=notification_id, recipient=actor.person)
    if not found.exists():
        raise Http404
    now = clock.now()
    if form.cleaned_data["action"] == "read":
        found.filter(read_at__isnull=True).update(read_at=now)
    else:
        found.filter(done_at__isnull=True).update(done_at=now, read_at=now)
    return redirect("notification_list")


@require_POST
def notification_mute(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, WorkspaceAction.VIEW)
    form = MuteForm(request.POST)
    if actor.person is None or not form.is_valid():
        raise Http404
    kind = form.cleaned_data["kind"]
    if kind not in selectors.notification_sources(actor):
        raise Http404
    muted = form.cleaned_data["muted"]
    mute_set(person=actor.person, kind=kind, muted=muted)
    messages.success(request, _("Varslene er dempet.") if muted else _("Varslene vises igjen."))
    return redirect("notification_list")
