"""Pages of the timetable app (mounted at /timeplan/). Thin: parse, call a service or a
selector, render.

Every page that changes something answers GET with a small form or confirmation page (the
keyboard- and script-free way to do it) and POST with the change. The pages' scripts
(static/timetable/grid.js and progress.js) use the JSON answers of the same URLs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oppvekst import clock
from oppvekst.access import audit, edge
from oppvekst.access.policy import Actor, actor_for_user, can
from oppvekst.core.confirm import confirmed
from oppvekst.core.idempotency import once, seen
from oppvekst.core.models import Group, GroupKind, SchoolYear, Unit
from oppvekst.errors import DomainError, NotFoundError, json_error, json_errors, wants_json
from oppvekst.people.models import Person
from oppvekst.staff.models import Employment
from oppvekst.timetable import ical, selectors, services
from oppvekst.timetable.adapters import build_instance
from oppvekst.timetable.forms import (
    FeedForm,
    LockForm,
    MoveForm,
    SolveForm,
    TeacherUnavailableForm,
    TimetableCreateForm,
    new_key,
    posted,
)
from oppvekst.timetable.generate import timetable_generate
from oppvekst.timetable.models import (
    DAY_NAMES,
    CalendarFeed,
    FeedKind,
    JobMode,
    LessonPlacement,
    Room,
    SolveJob,
    Timetable,
    TimetableConstraint,
    TimetableVersion,
)
from oppvekst.timetable.permissions import TimetableAction

# The solve's idempotency scope: the progress script asks for its job by the form's key.
SOLVE_SCOPE = "timetable.solve"


# -- helpers -------------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


def _not_found(exc: Exception | None = None) -> Http404:
    return Http404(_("Fant ikke timeplanen."))


def _timetable(request: HttpRequest, timetable_id: int, *, edit: bool = False) -> Any:
    actor = edge.require(request)
    try:
        tt, access = selectors.timetable_get(actor, timetable_id)
    except NotFoundError as exc:
        raise _not_found(exc) from exc
    if edit and not access.edit:
        raise _not_found()
    return actor, tt, access


def _version(
    request: HttpRequest, version_id: int, *, edit: bool = False, class_id: int | None = None
) -> tuple[Actor, TimetableVersion, selectors.Access]:
    actor = edge.require(request)
    try:
        version, access = selectors.version_get(actor, version_id, class_id=class_id)
    except NotFoundError as exc:
        raise _not_found(exc) from exc
    if edit and not access.edit:
        raise _not_found()
    return actor, version, access


# -- index ---------------------------------------------------------------------------------


@require_GET
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request)
    if not can(actor, TimetableAction.VIEW):
        raise Http404
    rows = selectors.school_rows(actor)
    return render(
        request,
        "timetable/index.html",
        {
            "schools": rows,
            "class_links": selectors.guardian_class_links(actor),
            "is_teacher": bool(selectors.own_teacher_employments(actor)),
            "current_year": SchoolYear.start_year_for(actor.day),
        },
    )


# -- generating the model ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def timetable_create(request: HttpRequest, unit_id: int, start_year: int) -> HttpResponse:
    actor = edge.require(request)
    unit = Unit.objects.filter(pk=unit_id).first()
    year = SchoolYear.objects.filter(start_year=start_year).first()
    if unit is None or year is None or not can(actor, TimetableAction.EDIT, unit):
        raise _not_found()
    existing = Timetable.objects.filter(unit=unit, school_year=year).first()
    has_drafts = existing is not None and existing.versions.exists()
    error = ""
    if request.method == "POST":
        form = TimetableCreateForm(posted(request))
        if not form.is_valid():
            error, _fields = form.messages()
        elif (done := seen("timetable.create", form.key(), _user_id(request))) is not None:
            return redirect("timetable:detail", done)
        elif has_drafts and not form.cleaned_data["replace"]:
            error = _("Bekreft at utkastene skal slettes.")
        else:
            try:
                tt_id, _created = once(
                    scope="timetable.create",
                    key=form.key(),
                    user_id=_user_id(request),
                    change=lambda: (
                        timetable_generate(unit=unit, school_year=year, replace=has_drafts).pk
                    ),
                )
            except DomainError as exc:
                error = str(exc.message)
            else:
                messages.success(request, _("Grunnlaget for timeplanen er laget."))
                return redirect("timetable:detail", tt_id)
    classes = Group.objects.filter(unit=unit, school_year=year, kind=GroupKind.CLASS).count()
    return render(
        request,
        "timetable/create.html",
        {
            "unit": unit,
            "year": year,
            "existing": existing,
            "has_drafts": has_drafts,
            "classes": classes,
            "error": error,
            "idempotency_key": new_key(),
        },
    )


# -- one timetable -------------------------------------------------------------------------


@require_GET
@never_cache
def timetable_detail(request: HttpRequest, timetable_id: int) -> HttpResponse:
    _a, tt, access = _timetable(request, timetable_id)
    context = {
        "tt": tt,
        "access": access,
        **selectors.timetable_overview(tt, access),
        "solve_form": _solve_form_context(tt, None),
    }
    return render(request, "timetable/detail.html", context)


def _solve_form_context(tt: Any, base_version_id: int | None) -> dict[str, Any]:
    versions = list(tt.versions.order_by("-number"))
    return {
        "versions": versions,
        "base_version_id": base_version_id,
        "modes": JobMode.choices,
        "idempotency_key": new_key(),
        "time_limit": 30,
        "seed": 0,
        "workers": 0,
    }


@require_http_methods(["GET", "POST"])
@never_cache
@json_errors()
def solve_start(request: HttpRequest, timetable_id: int) -> HttpResponse:
    _a, tt, access = _timetable(request, timetable_id, edit=True)
    form_context = _solve_form_context(tt, _int(request.GET.get("versjon")))
    errors: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        form = SolveForm(posted(request), timetable=tt)
        valid = form.is_valid()
        error, errors = form.messages()
        data = form.cleaned_data
        if valid:
            try:
                job_id, _created = once(
                    scope=SOLVE_SCOPE,
                    key=form.key(),
                    user_id=_user_id(request),
                    change=lambda: (
                        services.solve_job_start(
                            timetable=tt,
                            user=request.user,  # type: ignore[arg-type]
                            mode=data["mode"] or JobMode.NEW,
                            base_version=data["base_version"],
                            time_limit=data["time_limit"],
                            seed=data["seed"],
                            workers=data["workers"],
                            optimize=not data["first_only"],
                        ).pk
                    ),
                )
            except DomainError as exc:
                error = str(exc.message)
                errors.update({k: str(v) for k, v in exc.fields.items()})
            else:
                job = SolveJob.objects.get(pk=job_id)
                if wants_json(request):
                    return JsonResponse({"ok": True, "job": selectors.job_as_dict(job)})
                return redirect(reverse("timetable:detail", args=[tt.pk]) + "#fremdrift")
        if wants_json(request):
            return json_error(DomainError(error, fields=errors), status=400, ok=False)
        form_data = form.data
        form_context.update(
            {
                "time_limit": form_data.get("time_limit", ""),
                "seed": form_data.get("seed", ""),
                "workers": form_data.get("workers", ""),
                "base_version_id": _int(form_data.get("base_version")),
            }
        )
    return render(
        request,
        "timetable/solve.html",
        {
            "tt": tt,
            "access": access,
            "solve_form": form_context,
            "errors": errors,
            "error": error,
        },
    )


@require_GET
@never_cache
@json_errors(always=True)
def job_status(request: HttpRequest, timetable_id: int) -> JsonResponse:
    """Progress of the timetable's latest solve (or of the one started with `nokkel`)."""
    _a, tt, _access = _timetable(request, timetable_id, edit=True)
    jobs = SolveJob.objects.filter(timetable=tt)
    key = request.GET.get("nokkel", "")
    if key:
        job_id = seen(SOLVE_SCOPE, key, _user_id(request))
        job = jobs.filter(pk=job_id).first() if job_id is not None else None
    else:
        job = jobs.order_by("-pk").first()
    if job is None:
        return JsonResponse({"status": "waiting", "finished": False})
    data = selectors.job_as_dict(job)
    if job.result_version_id:
        data["version_url"] = reverse("timetable:version", args=[job.result_version_id])
    return JsonResponse(data)


# -- rules -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def rules(request: HttpRequest, timetable_id: int) -> HttpResponse:
    _a, tt, _access = _timetable(request, timetable_id, edit=True)
    errors: dict[str, str] = {}
    error = ""
    periods = list(tt.periods.order_by("index"))
    teachers = selectors.school_teachers(tt)
    if request.method == "POST":
        form = TeacherUnavailableForm(
            posted(request),
            teachers=teachers,
            days=list(range(tt.days)),
            periods=[p.index for p in periods if not p.is_break],
        )
        valid = form.is_valid()
        error, errors = form.messages()
        if valid:
            data = form.cleaned_data
            try:
                once(
                    scope="timetable.rule",
                    key=form.key(),
                    user_id=_user_id(request),
                    change=lambda: (
                        services.teacher_unavailable_add(
                            timetable=tt,
                            teacher=data["teacher"],
                            slots=[(d, h) for d in data["day"] for h in data["period"]],
                            hard=data["hard"],
                            weight=data["weight"] or 100,
                            note=data["note"],
                        ).pk
                    ),
                )
            except DomainError as exc:
                error = str(exc.message)
                errors.update({k: str(v) for k, v in exc.fields.items()})
            else:
                messages.success(request, _("Regelen er lagret. Legg timeplanen på nytt."))
                return redirect("timetable:rules", tt.pk)
    built = build_instance(tt)
    rows = [
        {"rule": r, "label": built.labels.get(f"c{r.pk}", str(r))} for r in selectors.rules_list(tt)
    ]
    return render(
        request,
        "timetable/rules.html",
        {
            "tt": tt,
            "rows": rows,
            "teachers": teachers,
            "periods": [p for p in periods if not p.is_break],
            "days": [(i, DAY_NAMES[i]) for i in range(tt.days)],
            "errors": errors,
            "error": error,
            "idempotency_key": new_key(),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def rule_delete(request: HttpRequest, timetable_id: int, rule_id: int) -> HttpResponse:
    _a, tt, _access = _timetable(request, timetable_id, edit=True)
    rule = TimetableConstraint.objects.filter(timetable=tt, pk=rule_id).first()
    if rule is None:
        raise _not_found()
    if confirmed(request):
        services.constraint_delete(rule=rule)
        messages.success(request, _("Regelen er slettet."))
        return redirect("timetable:rules", tt.pk)
    label = build_instance(tt).labels.get(f"c{rule.pk}", str(rule))
    return render(request, "timetable/rule_delete.html", {"tt": tt, "rule": rule, "label": label})


# -- one version: the grid -------------------------------------------------------------------


def _view_choice(
    request: HttpRequest, version: TimetableVersion, access: selectors.Access
) -> tuple[selectors.Views, str, int | None, str]:
    views = selectors.version_views(version, access)
    for kind, param, options in (
        ("teacher", "laerer", views.teachers),
        ("room", "rom", views.rooms),
        ("class", "klasse", views.classes),
    ):
        wanted = _int(request.GET.get(param))
        if wanted is not None:
            match = next((name for pk, name in options if pk == wanted), None)
            if match is None:
                raise _not_found()
            return views, kind, wanted, match
    if views.classes:
        return views, "class", views.classes[0][0], views.classes[0][1]
    return views, "class", None, ""


def _grid_for(
    version: TimetableVersion, kind: str, target: int | None, name: str
) -> selectors.Grid:
    return selectors.version_grid(
        version,
        title=name,
        kind=kind,
        class_id=target if kind == "class" else None,
        teacher_id=target if kind == "teacher" else None,
        room_id=target if kind == "room" else None,
    )


@require_GET
@never_cache
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    class_id = _int(request.GET.get("klasse"))
    _a, version, access = _version(request, version_id, class_id=class_id)
    views, kind, target, name = _view_choice(request, version, access)
    if not access.read_all and (kind != "class" or target != class_id):
        raise _not_found()
    if not access.read_all:
        views.classes = [c for c in views.classes if c[0] == class_id]
    grid = _grid_for(version, kind, target, name)
    param = {"class": "klasse", "teacher": "laerer", "room": "rom"}[kind]
    return render(
        request,
        "timetable/version.html",
        {
            "version": version,
            "tt": version.timetable,
            "access": access,
            "views": views,
            "kind": kind,
            "target": target,
            "grid": grid,
            "view_query": f"{param}={target}" if target is not None else "",
            "editable": access.edit and version.is_draft,
        },
    )


@require_GET
@never_cache
@json_errors(always=True)
def move_targets(request: HttpRequest, version_id: int) -> JsonResponse:
    """For one lesson: every slot of the week with ok / warn / conflict and why."""
    _a, version, _access = _version(request, version_id, edit=True)
    placement_id = _int(request.GET.get("plassering"))
    if placement_id is None:
        return json_error(DomainError(_("Velg en time.")), ok=False)
    payload = selectors.move_targets(version, placement_id)
    if payload is None:
        raise _not_found()
    return JsonResponse(payload)


@require_http_methods(["GET", "POST"])
@never_cache
@json_errors()
def move(request: HttpRequest, version_id: int) -> HttpResponse:
    """Move one lesson. GET: a form listing every target (keyboard and script free)."""
    _a, version, _access = _version(request, version_id, edit=True)
    source = request.POST if request.method == "POST" else request.GET
    placement_id = _int(source.get("plassering"))
    back = source.get("tilbake", "")
    back_url = reverse("timetable:version", args=[version.pk]) + (
        f"?{back}"
        if back and "=" in back and back.split("=")[0] in {"klasse", "laerer", "rom"}
        else ""
    )
    error = ""
    if request.method == "POST":
        form = MoveForm(request.POST)
        if not form.is_valid():
            error = str(form.non_field_errors()[0]) if form.non_field_errors() else ""
            error = error or _("Velg timen og hvor den skal flyttes.")
            if wants_json(request):
                return json_error(DomainError(error), ok=False)
        else:
            move_to = form.cleaned_data
            try:
                outcome = services.placement_move(
                    version_id=version.pk,
                    placement_id=move_to["plassering"],
                    day=move_to["day"],
                    period=move_to["period"],
                    revision=move_to["revision"],
                )
            except DomainError as exc:
                error = str(exc.message)
                if wants_json(request):
                    status = 404 if exc.code == "not_found" else 409
                    return json_error(exc, status=status, ok=False)
            else:
                text = _("Timen er flyttet.")
                if outcome.swapped_with:
                    text = _("Timen har byttet plass med %(lesson)s.") % {
                        "lesson": outcome.swapped_with
                    }
                if outcome.warnings:
                    text += " " + _("Merk: %(rules)s.") % {"rules": "; ".join(outcome.warnings)}
                messages.success(request, text)
                if wants_json(request):
                    return JsonResponse(
                        {
                            "ok": True,
                            "message": text,
                            "warnings": outcome.warnings,
                            "revision": outcome.revision,
                            "hard_violations": outcome.hard_violations,
                            "soft_penalty": outcome.soft_penalty,
                        }
                    )
                return redirect(back_url)
    if placement_id is None:
        if request.method == "POST":
            return render(
                request,
                "timetable/move.html",
                {"version": version, "tt": version.timetable, "error": error, "payload": None},
            )
        raise _not_found()
    payload = selectors.move_targets(version, placement_id)
    if payload is None:
        raise _not_found()
    periods = {p.index: p for p in version.timetable.periods.all()}
    options = [
        {
            **t,
            "day_name": DAY_NAMES[t["day"]],
            "period_obj": periods.get(t["period"]),
        }
        for t in payload["targets"]
        if not (periods.get(t["period"]) and periods[t["period"]].is_break)
    ]
    return render(
        request,
        "timetable/move.html",
        {
            "version": version,
            "tt": version.timetable,
            "payload": payload,
            "options": options,
            "error": error,
            "back": back,
            "back_url": back_url,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@json_errors()
def lock(request: HttpRequest, version_id: int) -> HttpResponse:
    _a, version, _access = _version(request, version_id, edit=True)
    source = request.POST if request.method == "POST" else request.GET
    placement = (
        LessonPlacement.objects.filter(version=version, pk=_int(source.get("plassering")) or 0)
        .select_related("lesson__course__subject", "lesson__course__group")
        .first()
    )
    back = source.get("tilbake", "")
    back_url = reverse("timetable:version", args=[version.pk]) + (
        f"?{back}" if back and back.split("=")[0] in {"klasse", "laerer", "rom"} else ""
    )
    error = ""
    lock_form = LockForm(request.POST if request.method == "POST" else None)
    if placement is not None and "locked" in request.POST and lock_form.is_valid():
        want = lock_form.cleaned_data["locked"]
        try:
            version = services.placement_set_locked(
                version_id=version.pk,
                placement_id=placement.pk,
                locked=want,
                revision=lock_form.cleaned_data["revision"],
            )
        except DomainError as exc:
            error = str(exc.message)
            if wants_json(request):
                return json_error(exc, status=409, ok=False)
        else:
            text = _("Timen er låst.") if want else _("Timen er låst opp.")
            if wants_json(request):
                messages.success(request, text)
                return JsonResponse({"ok": True, "message": text, "revision": version.revision})
            messages.success(request, text)
            return redirect(back_url)
    if placement is None and request.method == "GET":
        raise _not_found()
    return render(
        request,
        "timetable/lock.html",
        {
            "version": version,
            "tt": version.timetable,
            "placement": placement,
            "error": error or (_("Velg en time.") if placement is None else ""),
            "back": back,
            "back_url": back_url,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def publish(request: HttpRequest, version_id: int) -> HttpResponse:
    _a, version, _access = _version(request, version_id, edit=True)
    error = ""
    if confirmed(request):
        if version.status == "published":
            messages.info(request, _("Versjonen er allerede publisert."))
            return redirect("timetable:version", version.pk)
        try:
            services.version_publish(version_id=version.pk, user=request.user)  # type: ignore[arg-type]
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(
                request,
                _("Timeplanen er publisert. Lærere, elever og foresatte ser den nå."),
            )
            return redirect("timetable:version", version.pk)
    elif request.method == "POST":
        error = _("Bekreft publiseringen.")
    return render(
        request,
        "timetable/publish.html",
        {"version": version, "tt": version.timetable, "error": error},
    )


@require_GET
@never_cache
def version_pdf(request: HttpRequest, version_id: int) -> HttpResponse:
    from oppvekst.timetable.pdf import grids_pdf

    class_id = _int(request.GET.get("klasse"))
    _a, version, access = _version(request, version_id, class_id=class_id)
    views, kind, target, name = _view_choice(request, version, access)
    if not access.read_all and (kind != "class" or target != class_id):
        raise _not_found()
    if request.GET.get("alle") == "klasser" and access.read_all:
        grids = [_grid_for(version, "class", pk, n) for pk, n in views.classes]
    else:
        grids = [_grid_for(version, kind, target, name)]
    tt = version.timetable
    title = f"{tt.unit.name} {tt.school_year}"
    response = HttpResponse(grids_pdf(title, grids), content_type="application/pdf")
    filename = f"timeplan-{version.pk}-{kind}-{target or 'alle'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# -- a teacher's week ------------------------------------------------------------------------


@require_GET
@never_cache
def my_week(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request)
    rows = selectors.teacher_week(actor)
    if not rows:
        raise Http404
    dates = selectors.week_dates(actor.day)
    weeks = []
    for row in rows:
        version = row["version"]
        grid = None
        closed: set[int] = set()
        if version is not None:
            grid = selectors.version_grid(
                version,
                title=row["employment"].person.full_name,
                kind="teacher",
                teacher_id=row["employment"].pk,
            )
            from oppvekst.core.calendar import school_days

            tt = version.timetable
            open_days = set(school_days(tt.municipality, tt.school_year))
            closed = {i for i, d in enumerate(dates) if d not in open_days}
            grid.days = [
                f"{name} {d.day}.{d.month}." for name, d in zip(grid.days, dates, strict=False)
            ]
        weeks.append({**row, "grid": grid, "closed": closed})
    return render(
        request,
        "timetable/my_week.html",
        {"weeks": weeks, "dates": dates, "today": actor.day},
    )


# -- calendar feeds --------------------------------------------------------------------------


def _feed_options(actor: Actor) -> dict[str, Any]:
    teachers = selectors.own_teacher_employments(actor)
    staff_roles = ["unit_leader", "administrative", "staff", "contact_teacher", "teacher"]
    units = list(Unit.objects.filter(pk__in=actor.ids("unit_id", staff_roles), kind="school"))
    read_units = [u for u in units if can(actor, TimetableAction.READ, u)]
    classes = list(
        Group.objects.filter(unit__in=read_units, kind=GroupKind.CLASS)
        .filter(school_year__start_year__gte=SchoolYear.start_year_for(actor.day))
        .order_by("unit__name", "grade", "name")
    )
    links = selectors.guardian_class_links(actor)
    for link in links:
        if link.group not in classes:
            classes.append(link.group)
    rooms = list(
        Room.objects.filter(timetable__unit__in=read_units)
        .filter(timetable__school_year__start_year__gte=SchoolYear.start_year_for(actor.day))
        .select_related("timetable__school_year")
        .order_by("timetable__school_year__start_year", "kind", "name")
    )
    pupils = list(
        Person.objects.filter(pk__in=actor.ids("child_id", ["guardian", "daily_carer"]))
        .filter(placements__service="school")
        .distinct()
        .order_by("birth_date")
    )
    return {"teachers": teachers, "classes": classes, "rooms": rooms, "pupils": pupils}


def _feed_url(request: HttpRequest, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("timetable:feed", args=[services.feed_token(feed)]))


@require_http_methods(["GET", "POST"])
@never_cache
def feeds(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request)
    if not can(actor, TimetableAction.VIEW):
        raise Http404
    options = _feed_options(actor)
    error = ""
    if request.method == "POST":
        form = FeedForm(posted(request))
        if not form.is_valid():
            error, _fields = form.messages()
            error = error or next(iter(_fields.values()), "")
        else:
            kind, target = form.cleaned_data["kind"], form.cleaned_data["target"]
            kwargs: dict[str, Any] = {}
            if kind == FeedKind.TEACHER:
                kwargs["teacher"] = (
                    Employment.objects.filter(pk=target).select_related("unit", "person").first()
                )
            elif kind == FeedKind.CLASS:
                kwargs["group"] = Group.objects.filter(pk=target, kind=GroupKind.CLASS).first()
            elif kind == FeedKind.ROOM:
                kwargs["room"] = (
                    Room.objects.filter(pk=target).select_related("timetable__unit").first()
                )
            elif kind == FeedKind.PUPIL:
                kwargs["pupil"] = Person.objects.filter(pk=target).first()
            try:
                feed_id, _created = once(
                    scope="timetable.feed",
                    key=form.key(),
                    user_id=_user_id(request),
                    change=lambda: (
                        services.feed_create(
                            actor=actor,
                            user=request.user,  # type: ignore[arg-type]
                            kind=kind,
                            **kwargs,
                        ).pk
                    ),
                )
            except DomainError as exc:
                error = str(exc.message)
            else:
                feed = CalendarFeed.objects.get(pk=feed_id)
                messages.success(
                    request,
                    _("Kalenderen «%(label)s» er laget. Kopier adressen inn i kalenderen din.")
                    % {"label": feed.label},
                )
                return redirect(reverse("timetable:feeds") + f"#feed-{feed.pk}")
    rows = [
        {"feed": f, "url": _feed_url(request, f)}
        for f in selectors.feeds_for(int(request.user.pk or 0))
    ]
    return render(
        request,
        "timetable/feeds.html",
        {"rows": rows, "error": error, "idempotency_key": new_key(), **options},
    )


@require_http_methods(["GET", "POST"])
@never_cache
def feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    edge.require(request)
    feed = CalendarFeed.objects.filter(
        pk=feed_id, owner_id=request.user.pk, revoked_at__isnull=True
    ).first()
    if feed is None:
        raise _not_found()
    if confirmed(request):
        services.feed_revoke(feed=feed)
        messages.success(request, _("Kalenderadressen er slettet og virker ikke lenger."))
        return redirect("timetable:feeds")
    return render(request, "timetable/feed_revoke.html", {"feed": feed})


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The public .ics (no login: the token is the key). Reads of a pupil's timetable are
    audited with the feed's owner as the actor."""
    found = services.feed_lookup(token)
    if found is None:
        raise Http404
    owner = actor_for_user(found.owner)
    owner.label = f"{found.owner.get_username()} (kalender {found.prefix}…)"
    if not services.feed_allowed(found, owner):
        raise Http404
    host = request.get_host().split(":")[0] or "oppvekst"
    items, _versions = ical.occurrences(found, host)
    if found.pupil_id:
        audit.record(
            owner,
            "timetable.feed_read",
            [found.pupil_id],
            request=request,
            endpoint=f"{reverse('timetable:feeds')}{found.prefix}…",
        )
    CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=clock.now())
    body = ical.calendar_bytes(found.label, items)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="timeplan-{found.pk}.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
