"""Guardian pages for daily life (mounted under /portal/hverdag/): today's check-in and
check-out times, absence and holidays, and the pick-up list. Made for a phone."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oppvekst import clock
from oppvekst.access import audit, edge
from oppvekst.access.policy import Actor, allowed_ids
from oppvekst.attendance import selectors, services
from oppvekst.attendance.forms import (
    AbsenceForm,
    ConsentForm,
    ContactDetailsForm,
    EmergencyContactForm,
    KeyedForm,
    PickupForm,
)
from oppvekst.attendance.models import Absence, PickupAuthorization
from oppvekst.attendance.permissions import AttendanceAction as A
from oppvekst.core.idempotency import once
from oppvekst.errors import DomainError
from oppvekst.people.models import Person


def _actor(request: HttpRequest) -> Actor:
    return edge.require(request, A.PORTAL)


def _child(request: HttpRequest, child_id: int, action: str) -> Person:
    return edge.load(request, action, Person.objects.all(), child_id)


def _form_errors(form: KeyedForm, exc: DomainError) -> None:
    for field, message in exc.fields.items():
        form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields or not any(f in form.fields for f in exc.fields):
        form.add_error(None, str(exc.message))


@require_GET
@never_cache
def daily(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    family = selectors.family_overview(actor)
    audit.record(actor, A.READ, [f.child.pk for f in family], request=request)
    return render(request, "attendance/portal_daily.html", {"family": family})


@require_http_methods(["GET", "POST"])
@never_cache
def absence_new(request: HttpRequest, child_id: int) -> HttpResponse:
    """Ill today, absent from–to with a reason, or planned holidays. One report covers every
    unit the child attends those days (kindergarten, or school and SFO)."""
    actor = _actor(request)
    child = _child(request, child_id, A.REPORT_ABSENCE)
    today = clock.today()
    form = AbsenceForm(
        request.POST or None,
        initial={
            "reason": request.GET.get("arsak", "illness"),
            "first_day": today,
            "last_day": today,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            once(
                scope="absence_report",
                key=data["idempotency_key"],
                user_id=int(request.user.pk or 0),
                change=lambda: (
                    services.absence_report(
                        child=child,
                        first_day=data["first_day"],
                        last_day=data["last_day"],
                        reason=data["reason"],
                        note=data["note"],
                        reported_by=actor.person,
                    ).pk
                ),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            audit.record(actor, A.REPORT_ABSENCE, [child.pk], request=request)
            units = ", ".join(u.name for u in selectors.units_attended(child, data["first_day"]))
            messages.success(
                request,
                _("Fraværet er meldt til %(units)s.") % {"units": units}
                if units
                else _("Fraværet er meldt."),
            )
            return redirect("portal:daily")
    audit.record(actor, A.READ_ABSENCE, [child.pk], request=request)
    return render(
        request,
        "attendance/portal_absence.html",
        {"child": child, "form": form, "units": selectors.units_attended(child, today)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@never_cache
def absence_cancel(request: HttpRequest, absence_id: int) -> HttpResponse:
    actor = _actor(request)
    absence = Absence.objects.filter(pk=absence_id, cancelled_at__isnull=True).first()
    if absence is None or not allowed_ids(actor, A.REPORT_ABSENCE, [absence.child_id]):
        raise Http404
    if request.method == "POST":
        try:
            services.absence_cancel(absence=absence)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            audit.record(actor, A.REPORT_ABSENCE, [absence.child_id], request=request)
            messages.success(request, _("Fraværet er trukket tilbake."))
        return redirect("portal:daily")
    audit.record(actor, A.READ_ABSENCE, [absence.child_id], request=request)
    return render(
        request, "attendance/portal_confirm.html", {"absence": absence, "form": KeyedForm()}
    )


@require_http_methods(["GET", "POST"])
@never_cache
def pickup_new(request: HttpRequest, child_id: int) -> HttpResponse:
    """Add a person to the pick-up list, or a one-off "picked up by X today"."""
    actor = _actor(request)
    child = _child(request, child_id, A.MANAGE_PICKUP)
    form = PickupForm(
        request.POST or None,
        initial={"valid_from": clock.today(), "one_off": request.GET.get("engang") == "1"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            once(
                scope="pickup_add",
                key=data["idempotency_key"],
                user_id=int(request.user.pk or 0),
                change=lambda: (
                    services.pickup_authorization_add(
                        child=child,
                        name=data["name"],
                        relation=data["relation"],
                        phone=data["phone"],
                        valid_from=data["valid_from"],
                        valid_to=data["valid_to"],
                        one_off=data["one_off"],
                        granted_by=actor.person,
                    ).pk
                ),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            audit.record(actor, A.MANAGE_PICKUP, [child.pk], request=request)
            messages.success(request, _("Hentelisten er oppdatert."))
            return redirect("portal:daily")
    audit.record(actor, A.READ_PICKUP, [child.pk], request=request)
    return render(
        request,
        "attendance/portal_pickup.html",
        {"child": child, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@never_cache
def pickup_withdraw(request: HttpRequest, pickup_id: int) -> HttpResponse:
    actor = _actor(request)
    authorization = PickupAuthorization.objects.filter(
        pk=pickup_id, withdrawn_at__isnull=True
    ).first()
    if authorization is None or not allowed_ids(actor, A.MANAGE_PICKUP, [authorization.child_id]):
        raise Http404
    if request.method == "POST":
        services.pickup_authorization_withdraw(authorization=authorization)
        audit.record(actor, A.MANAGE_PICKUP, [authorization.child_id], request=request)
        messages.success(
            request, _("%(name)s er fjernet fra hentelisten.") % {"name": authorization.name}
        )
        return redirect("portal:daily")
    audit.record(actor, A.READ_PICKUP, [authorization.child_id], request=request)
    return render(
        request,
        "attendance/portal_confirm.html",
        {"pickup": authorization, "form": KeyedForm()},
    )


@require_http_methods(["GET", "POST"])
@never_cache
def child_card(request: HttpRequest, child_id: int) -> HttpResponse:
    """The guardian keeps the child's card: consents per purpose (with history and withdrawal),
    emergency contacts, and their own phone and e-mail (operations.md §3.3, §3.4)."""
    actor = _actor(request)
    child = _child(request, child_id, A.MANAGE_RECORD)
    if actor.person is None:
        raise PermissionDenied
    forms = {
        "consent": ConsentForm(request.POST if request.POST.get("form") == "consent" else None),
        "emergency": EmergencyContactForm(
            request.POST if request.POST.get("form") == "emergency" else None
        ),
        "contact": ContactDetailsForm(
            request.POST if request.POST.get("form") == "contact" else None,
            initial={"phone": actor.person.phone, "email": actor.person.email},
        ),
    }
    if request.method == "POST":
        which = request.POST.get("form", "")
        form = forms.get(which)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            person = actor.person
            changes = {
                "consent": lambda: (
                    services.consent_set(
                        child=child,
                        guardian=person,
                        purpose=data["purpose"],
                        granted=data["granted"],
                    ).pk
                ),
                "emergency": lambda: (
                    services.emergency_contact_add(
                        child=child,
                        name=data["name"],
                        relation=data["relation"],
                        phone=data["phone"],
                        by=person,
                    ).pk
                ),
                "contact": lambda: (
                    services.guardian_contact_update(
                        guardian=person, phone=data["phone"], email=data["email"]
                    ).pk
                ),
            }
            try:
                once(
                    scope=f"child_card_{which}",
                    key=data["idempotency_key"],
                    user_id=int(request.user.pk or 0),
                    change=changes[which],
                )
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                audit.record(actor, A.MANAGE_RECORD, [child.pk], request=request)
                messages.success(request, _("Endringen er lagret."))
                return redirect("portal:child_card", child_id=child.pk)
    record = selectors.child_record(actor, child)
    audit.record(actor, A.READ_RECORD, [child.pk], request=request)
    return render(
        request,
        "attendance/portal_card.html",
        {
            "record": record,
            "history": selectors.consent_history(child)[:50],
            "forms": forms,
            "key": uuid.uuid4().hex,
        },
        status=400 if any(f.errors for f in forms.values()) else 200,
    )
