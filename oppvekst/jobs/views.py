"""The operators' page of background jobs: stuck and failed ones, with retry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from oppvekst.access.policy import actor_for_request, can
from oppvekst.errors import DomainError
from oppvekst.jobs import selectors, services
from oppvekst.jobs.permissions import JobAction

PAGE_SIZE = 50


@never_cache
@require_http_methods(["GET", "POST"])
def job_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        raise PermissionDenied
    actor = actor_for_request(request)
    if not can(actor, JobAction.MANAGE):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            lease_id = int(request.POST.get("job", ""))
        except ValueError:
            error = _("Velg jobben som skal kjøres på nytt.")
        else:
            try:
                services.job_retry(lease_id=lease_id)
            except DomainError as exc:
                error = str(exc.message)
            else:
                messages.success(request, _("Jobben er satt i kø igjen."))
                return redirect("jobs:list")
    show_all = request.GET.get("vis") == "alle"
    try:
        page = max(1, int(request.GET.get("side", "1")))
    except ValueError:
        page = 1
    rows, count = selectors.job_list(
        actor, problems_only=not show_all, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "jobs/list.html",
        {
            "rows": rows,
            "count": count,
            "show_all": show_all,
            "page": page,
            "has_next": page * PAGE_SIZE < count,
            "error": error,
        },
    )
