"""Staff pages for daily kindergarten and SFO life: the day's list with check-in and check-out
(made for a tablet in the department or a phone), the fire-drill roll call, departments, and
staffing. Thin: parse, ask the policy, call a service or selector, render."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oppvekst import clock
from oppvekst.access import audit, edge
from oppvekst.access.policy import Actor, actor_for_request, allowed_ids, can
from oppvekst.attendance import selectors, services
from oppvekst.attendance.forms import ChildNoteForm, DepartmentForm, KeyedForm, MoveForm
from oppvekst.attendance.models import Attendance
from oppvekst.attendance.permissions import AttendanceAction as A
from oppvekst.core.idempotency import once
from oppvekst.core.models import Unit
from oppvekst.errors import DomainError
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement

# The edge (oppvekst.access.edge): 403 without the capability, 404 for what the actor may not
# know exists.


def _actor(request: HttpRequest, capability: str) -> Actor:
    return edge.require(request, capability)


def _unit_for(request: HttpRequest, unit_id: int, action: str = A.UNIT_ATTENDANCE) -> Unit:
    return edge.load(request, action, Unit.objects.all(), unit_id)


def _child_for(request: HttpRequest, child_id: int, action: str = A.CHECK) -> Person:
    return edge.load(request, action, Person.objects.all(), child_id)


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


def _day_url(unit: Unit, group: str | None, child_id: int | None = None) -> str:
    url = reverse("attendance:day", args=[unit.pk])
    if group:
        url += f"?avdeling={group}"
    if child_id is not None:
        url += f"#barn-{child_id}"
    return url


def _group_param(request: HttpRequest) -> str | None:
    value = request.GET.get("avdeling") or request.POST.get("avdeling") or ""
    return value if value.isdigit() else None


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


@require_GET
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, A.WORK)
    units = selectors.units_on_duty(actor)
    return render(request, "attendance/index.html", {"units": units})


@require_GET
@never_cache
def day(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The day's list: expected, here, gone home, absent; one tap to check in."""
    actor = _actor(request, A.WORK)
    unit = _unit_for(request, unit_id)
    group = _group_param(request)
    today = clock.today()
    view = selectors.day_view(actor, unit, today, group_id=int(group) if group else None)
    audit.record(actor, A.READ, [r.child.pk for r in view.rows], request=request)
    now = clock.now()
    undoable = {
        r.attendance_id
        for r in view.rows
        if r.attendance_id is not None
        and now - (r.checked_out or r.checked_in or now) <= services.UNDO_WINDOW
    }
    return render(
        request,
        "attendance/day.html",
        {
            "unit": unit,
            "view": view,
            "departments": selectors.departments(unit, today),
            "group": group,
            "undoable": undoable,
            # One fresh key per rendered page: a retried tap from this page is the same
            # submission; a tap from a newer page is a new one.
            "page_key": uuid.uuid4().hex,
            "can_manage": can(actor, A.UNIT_DEPARTMENTS, unit),
            "present_self": selectors.is_present(actor, unit, today),
        },
    )


def _confirm(
    request: HttpRequest, unit: Unit, title: str, child: Person | None, **extra: Any
) -> HttpResponse:
    if child is not None:
        audit.record(actor_for_request(request), A.READ, [child.pk], request=request)
    return render(
        request,
        "attendance/confirm.html",
        {
            "unit": unit,
            "title": title,
            "child": child,
            "form": KeyedForm(),
            "group": _group_param(request),
            **extra,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def check_in(request: HttpRequest, unit_id: int, child_id: int) -> HttpResponse:
    actor = _actor(request, A.WORK)
    unit = _unit_for(request, unit_id)
    child = _child_for(request, child_id)
    if request.method == "GET":
        return _confirm(request, unit, _("Sjekk inn"), child, action="in")
    form = KeyedForm(request.POST)
    form.is_valid()
    try:
        once(
            scope="attendance_in",
            key=form.cleaned_data.get("idempotency_key"),
            user_id=_user_id(request),
            change=lambda: services.attendance_check_in(child=child, unit=unit, by=actor.person).pk,
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        audit.record(actor, A.CHECK, [child.pk], request=request)
        messages.success(request, _("%(name)s er sjekket inn.") % {"name": child.first_name})
    return redirect(_day_url(unit, _group_param(request), child.pk))


@require_http_methods(["GET", "POST"])
@never_cache
def check_out(request: HttpRequest, unit_id: int, child_id: int) -> HttpResponse:
    """Check-out: choose who picks the child up from the child's list. A court or agency
    restriction shows only as "contact the leader" (operations.md §3.1)."""
    actor = _actor(request, A.WORK)
    unit = _unit_for(request, unit_id)
    child = _child_for(request, child_id)
    today = clock.today()
    options = selectors.pickup_options(child, today)
    restricted = bool(selectors.restricted_ids([child.pk], today))
    error = ""
    if request.method == "POST":
        form = KeyedForm(request.POST)
        form.is_valid()
        who = (request.POST.get("picked_up_by") or request.POST.get("picked_up_by_name") or "")[
            :150
        ]
        try:
            once(
                scope="attendance_out",
                key=form.cleaned_data.get("idempotency_key"),
                user_id=_user_id(request),
                change=lambda: (
                    services.attendance_check_out(
                        child=child, unit=unit, by=actor.person, picked_up_by=who
                    ).pk
                ),
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            audit.record(actor, A.CHECK, [child.pk], request=request)
            messages.success(
                request, _("%(name)s er hentet og sjekket ut.") % {"name": child.first_name}
            )
            return redirect(_day_url(unit, _group_param(request), child.pk))
    audit.record(actor, A.READ_PICKUP, [child.pk], request=request)
    return render(
        request,
        "attendance/check_out.html",
        {
            "unit": unit,
            "child": child,
            "options": options,
            "restricted": restricted,
            "form": KeyedForm(),
            "error": error,
            "group": _group_param(request),
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@never_cache
def undo(request: HttpRequest, unit_id: int, attendance_id: int) -> HttpResponse:
    actor = _actor(request, A.WORK)
    unit = _unit_for(request, unit_id)
    record = Attendance.objects.filter(pk=attendance_id, unit=unit).first()
    if record is None or not allowed_ids(actor, A.CHECK, [record.child_id]):
        raise Http404
    child = _child_for(request, record.child_id)
    if request.method == "GET":
        return _confirm(request, unit, _("Angre siste registrering"), child, action="undo")
    form = KeyedForm(request.POST)
    form.is_valid()
    try:
        once(
            scope="attendance_undo",
            key=form.cleaned_data.get("idempotency_key"),
            user_id=_user_id(request),
            change=lambda: _undo(record),
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        audit.record(actor, A.CHECK, [child.pk], request=request)
        messages.success(request, _("Registreringen er angret."))
    return redirect(_day_url(unit, _group_param(request), child.pk))


def _undo(record: Attendance) -> int:
    services.attendance_undo(record=record)
    return record.pk


@require_GET
@never_cache
def roll_call(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The fire-drill roll call: every child in the building now, by department."""
    actor = _actor(request, A.WORK)
    unit = _unit_for(request, unit_id)
    today = clock.today()
    view = selectors.day_view(actor, unit, today)
    present = [r for r in view.rows if r.status == "present"]
    audit.record(actor, A.READ, [r.child.pk for r in present], request=request)
    return render(
        request,
        "attendance/roll_call.html",
        {"unit": unit, "view": view, "present": present, "now": clock.now()},
    )


@require_http_methods(["GET", "POST"])
@never_cache
def presence(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Staff register themselves as present (or gone) for the live children-per-adult figure."""
    actor = _actor(request, A.WORK)
    unit = _unit_for(request, unit_id)
    if actor.person is None:
        raise PermissionDenied
    here = selectors.is_present(actor, unit, clock.today())
    if request.method == "GET":
        return _confirm(
            request,
            unit,
            _("Registrer at du går") if here else _("Registrer at du er på jobb"),
            None,
            action="presence",
        )
    if here:
        services.staff_presence_leave(person=actor.person, unit=unit)
    else:
        services.staff_presence_arrive(person=actor.person, unit=unit)
    return redirect(_day_url(unit, _group_param(request)))


# -- departments ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def departments(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Departments (or SFO groups) with their children (age by the August rule, place size) and
    staff; a leader adds departments here."""
    actor = _actor(request, A.MANAGE_DEPARTMENTS)
    unit = _unit_for(request, unit_id, A.UNIT_DEPARTMENTS)
    today = clock.today()
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            once(
                scope="department_create",
                key=data["idempotency_key"],
                user_id=_user_id(request),
                change=lambda: (
                    services.department_create(
                        unit=unit,
                        name=data["name"],
                        min_age=data["min_age"],
                        max_age=data["max_age"],
                    ).pk
                ),
            )
        except DomainError as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else None, str(message))
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Avdelingen er opprettet."))
            return redirect("attendance:departments", unit_id=unit.pk)
    overview = selectors.department_overview(actor, unit, today)
    audit.record(
        actor,
        "child.read_basic",
        [c.child.pk for d in overview for c in d.children],
        request=request,
    )
    return render(
        request,
        "attendance/departments.html",
        {"unit": unit, "overview": overview, "form": form, "today": today},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@never_cache
def move(request: HttpRequest, unit_id: int, placement_id: int) -> HttpResponse:
    actor = _actor(request, A.MANAGE_DEPARTMENTS)
    unit = _unit_for(request, unit_id, A.UNIT_DEPARTMENTS)
    today = clock.today()
    placement = (
        Placement.objects.not_ended_by(today)
        .filter(pk=placement_id, unit=unit)
        .select_related("child", "group")
        .first()
    )
    if placement is None or not allowed_ids(actor, A.MOVE_DEPARTMENT, [placement.child_id]):
        raise Http404
    groups = [g for g in selectors.departments(unit, today) if g.pk != placement.group_id]
    form = MoveForm(request.POST or None, initial={"from_day": today + dt.timedelta(days=1)})
    form.fields["group"].choices = [(g.pk, g.name) for g in groups]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = next(g for g in groups if g.pk == data["group"])
        try:
            once(
                scope="department_move",
                key=data["idempotency_key"],
                user_id=_user_id(request),
                change=lambda: (
                    services.department_move(
                        placement=placement, group=group, from_day=data["from_day"]
                    ).pk
                ),
            )
        except DomainError as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else None, str(message))
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            audit.record(actor, A.MOVE_DEPARTMENT, [placement.child_id], request=request)
            messages.success(
                request,
                _("%(name)s flyttes til %(group)s fra %(day)s.")
                % {
                    "name": placement.child.full_name,
                    "group": group.name,
                    "day": data["from_day"].strftime("%d.%m.%Y"),
                },
            )
            return redirect("attendance:departments", unit_id=unit.pk)
    audit.record(actor, "child.read_basic", [placement.child_id], request=request)
    return render(
        request,
        "attendance/move.html",
        {"unit": unit, "placement": placement, "form": form},
        status=400 if form.errors else 200,
    )


# -- staffing -----------------------------------------------------------------------------------


def _day_param(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("dato", ""))
    except ValueError:
        return clock.today()


@require_GET
@never_cache
def staffing(request: HttpRequest) -> HttpResponse:
    """Every kindergarten the actor may see: the formal norms on a date and, today, the live
    children-per-adult figure, kept apart (operations.md §1.7)."""
    actor = _actor(request, A.VIEW_STAFFING)
    day = _day_param(request)
    rows = selectors.staffing_rows(actor, day)
    return render(
        request,
        "attendance/staffing.html",
        {"rows": rows, "day": day, "is_today": day == clock.today()},
    )


@require_GET
@never_cache
def staffing_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One kindergarten: today's formal and live figures, and the formal norms for each day of
    the week with a bar chart."""
    actor = _actor(request, A.VIEW_STAFFING)
    unit = _unit_for(request, unit_id, A.UNIT_STAFFING)
    day = _day_param(request)
    monday = day - dt.timedelta(days=day.weekday())
    rows = selectors.staffing_rows(actor, day, unit_id=unit.pk)
    week = selectors.week_norms(unit, monday)
    return render(
        request,
        "attendance/staffing_unit.html",
        {
            "unit": unit,
            "row": rows[0],
            "day": day,
            "is_today": day == clock.today(),
            "week": selectors.week_chart(week),
            "previous_week": monday - dt.timedelta(days=7),
            "next_week": monday + dt.timedelta(days=7),
        },
    )


# -- the child's record -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def child_record(request: HttpRequest, child_id: int) -> HttpResponse:
    """Allergies and diet, health notes (only for the child's own staff and leaders, every
    read audited), consents per purpose and guardian, emergency contacts, guardians' phone
    and e-mail. No identity number, no address."""
    actor = _actor(request, A.WORK)
    child = _child_for(request, child_id, A.READ_RECORD)
    can_write = can(actor, A.WRITE_NOTE, child)
    form = ChildNoteForm(request.POST or None)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                once(
                    scope="child_note",
                    key=data["idempotency_key"],
                    user_id=_user_id(request),
                    change=lambda: (
                        services.child_note_add(
                            child=child, kind=data["kind"], text=data["text"], by=actor.person
                        ).pk
                    ),
                )
            except DomainError as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, str(message))
            else:
                audit.record(actor, A.WRITE_NOTE, [child.pk], request=request)
                messages.success(request, _("Opplysningen er lagret."))
                return redirect("attendance:child", child_id=child.pk)
    record = selectors.child_record(actor, child)
    audit.record(actor, A.READ_RECORD, [child.pk], request=request)
    if record.health is not None:
        audit.record(actor, A.READ_HEALTH, [child.pk], request=request)
    return render(
        request,
        "attendance/child_record.html",
        {"record": record, "form": form if can_write else None},
        status=400 if form.errors else 200,
    )
