"""The guardian's billing pages in the portal (/portal/betaling/): current fees line by line,
each invoice and why it changed, and applications for reduced fees."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oppvekst import clock
from oppvekst.access import audit, edge
from oppvekst.billing import selectors, services
from oppvekst.billing.engine.rules import YearMonth
from oppvekst.billing.explain import portal_reverse
from oppvekst.billing.forms import ReductionApplicationForm
from oppvekst.billing.models import ReductionStatus
from oppvekst.billing.permissions import BillingAction
from oppvekst.billing.views import _apply_errors, _invoice_page, _letter_response
from oppvekst.core.idempotency import once
from oppvekst.errors import DomainError, NotFoundError


@never_cache
@require_GET
def fees(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, BillingAction.PORTAL)
    today = clock.today()
    month = YearMonth(today.year, today.month)
    # Children without a kindergarten or SFO place this month (school only, a baby) are left
    # out: they have no fee.
    children = [c for c in selectors.current_fees(actor, month) if c.services or c.problem]
    invoices = selectors.payer_invoices(actor)
    applications = selectors.own_reductions(actor)
    audit.record(actor, "billing.read_fees", [c.child.pk for c in children], request=request)
    return render(
        request,
        "billing/portal_fees.html",
        {
            "month": month.first_day,
            "children": children,
            "invoices": invoices,
            "applications": applications,
            "total_ore": sum(c.total_ore for c in children),
            "food_ore": sum(c.food_ore for c in children),
        },
    )


@never_cache
@require_GET
def invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.PORTAL)
    response: HttpResponse = _invoice_page(request, actor, invoice_id, portal=True)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def reduction_new(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, BillingAction.REDUCTION_APPLY)
    years = services.reduction_years(clock.today())
    form = ReductionApplicationForm(
        request.POST or None, request.FILES or None, years=years, initial={"year_start": years[0]}
    )
    if request.method == "POST" and form.is_valid():
        person = actor.person
        assert person is not None  # a guardian role comes from a person
        try:
            application_id, _created = once(
                scope="billing.reduction_apply",
                key=form.cleaned_data["idempotency_key"],
                user_id=int(request.user.pk or 0),
                change=lambda: (
                    services.reduction_apply(
                        applicant=person,
                        year_start=form.cleaned_data["year_start"],
                        income_ore=form.income_ore,
                        reduced_fee=form.cleaned_data["reduced_fee"],
                        free_core_hours=form.cleaned_data["free_core_hours"],
                        documents=form.cleaned_data["documents"],
                        note=form.cleaned_data["note"],
                    ).pk
                ),
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Søknaden er sendt. Du får svar her og på e-post."))
            return redirect(portal_reverse("portal_billing_reduction", application_id))
    children = {
        year: services.reduction_children(actor.person, year) if actor.person else []
        for year in years
    }
    audit.record(
        actor,
        BillingAction.REDUCTION_APPLY,
        {c.pk for kids in children.values() for c in kids},
        request=request,
    )
    return render(
        request,
        "billing/portal_reduction_form.html",
        {"form": form, "children_by_year": children},
    )


@never_cache
@require_GET
def reduction_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.PORTAL)
    try:
        application: Any = selectors.reduction_detail(actor, application_id, own_only=True)
    except NotFoundError as exc:
        raise Http404 from exc
    audit.record(
        actor, "reduction.read", [c.pk for c in application.children.all()], request=request
    )
    return render(
        request,
        "billing/reduction_detail.html",
        {
            "application": application,
            "portal": True,
            "decidable": False,
            "pending": application.status == ReductionStatus.SUBMITTED,
        },
    )


@never_cache
@require_GET
def reduction_letter(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.PORTAL)
    response: HttpResponse = _letter_response(request, actor, application_id, own=True)
    return response
