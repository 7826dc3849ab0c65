"""The guardian portal at /portal/ (mobile first): apply for kindergarten and SFO, rank up to
five kindergartens found by list and filters, priority claims with documents, drafts, status,
offers with deadlines, and the family's places (change size, give notice). Both guardians
with parental responsibility see and act; the other is notified."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oppvekst import clock
from oppvekst.access import audit, edge
from oppvekst.access.policy import Actor, can, scope
from oppvekst.admission import letters, selectors, services
from oppvekst.admission.engine import rights
from oppvekst.admission.models import (
    MAX_WISHES,
    AdmissionService,
    AgeGroup,
    Application,
    ApplicationStatus,
    ClaimKind,
    OfferStatus,
    SfoPlaceType,
)
from oppvekst.admission.permissions import AdmissionAction
from oppvekst.core.confirm import Confirmation, confirm_page, confirmed
from oppvekst.core.idempotency import once
from oppvekst.errors import DomainError, NotFoundError
from oppvekst.people.models import Person
from oppvekst.placements.models import Service
from oppvekst.placements.services import notice_last_day

FINDER_PAGE = 12  # nearest first; "show all" lists the rest
WEEKDAY_LABELS = [
    ("mon", gettext_lazy("Mandag")),
    ("tue", gettext_lazy("Tirsdag")),
    ("wed", gettext_lazy("Onsdag")),
    ("thu", gettext_lazy("Torsdag")),
    ("fri", gettext_lazy("Fredag")),
]


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _size(value: str) -> tuple[int | None, Decimal | None]:
    """ "100|41" → (100, Decimal("41"))."""
    percent, _sep, hours = value.partition("|")
    return _int(percent), services.parse_hours(hours) if hours else None


def _size_choices(municipality_id: int) -> list[tuple[str, str]]:
    out = []
    for percent, hours in services.place_size_options(municipality_id):
        label = _("%(percent)s %% – %(hours)s timer per uke") % {
            "percent": percent,
            "hours": f"{hours.normalize():f}".replace(".", ","),
        }
        out.append((f"{percent}|{hours.normalize():f}", label))
    return out


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


# -- home ------------------------------------------------------------------------------------


@require_GET
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request)
    if not can(actor, AdmissionAction.APPLY):
        raise PermissionDenied
    family = selectors.family_overview(actor)
    audit.record(actor, "application.read", [f.child.pk for f in family], request=request)
    return render(
        request,
        "portal/home.html",
        {
            "family": family,
            "notifications": selectors.notifications_for(actor),
            "can_apply": can(actor, AdmissionAction.APPLY),
        },
    )


# -- a new application -----------------------------------------------------------------------


def _new_context(actor: Actor, service: str, **extra: Any) -> dict[str, Any]:
    children = selectors.family_children(actor)
    municipality_id = next(
        (c.municipality_id for c in children if c.municipality_id),
        actor.person.municipality_id if actor.person else None,
    )
    today = actor.day
    next_august = dt.date(today.year + (1 if today.month >= 3 else 0), 8, 1)
    children = [c for c in children if _may_apply(c, service, today, next_august)]
    schools = selectors.schools_with_sfo(municipality_id) if municipality_id else []
    preselect = extra.get("preselect")
    if preselect is None and len(children) == 1:
        extra["preselect"] = children[0].pk
    school = None
    if service == AdmissionService.SFO and extra.get("preselect") is not None:
        # The SFO belongs to the child's school: start from the school the child attends
        # (or is enrolled in) by the start date.
        school = selectors.child_school(extra["preselect"], next_august)
    return {
        "service": service,
        "children": children,
        "prefill_school": school,
        "sizes": _size_choices(municipality_id) if municipality_id else [],
        "schools": schools,
        "sfo_types": SfoPlaceType.choices,
        "weekdays": WEEKDAY_LABELS,
        "default_start": next_august,
        "key": uuid.uuid4().hex,
        "errors": {},
        "form": {},
        **extra,
    }


def _may_apply(child: Person, service: str, today: dt.date, start: dt.date) -> bool:
    """Offer only children the service is for: kindergarten until school start (norway.md
    § 4.1), SFO for pupils in 1st-7th grade by the start or today (opplæringslova § 4-5,
    norway.md § 3). The services validate the chosen start date as well."""
    if service == AdmissionService.KINDERGARTEN:
        return rights.school_start(child.birth_date) > today
    return any(1 <= services.sfo_grade(child.birth_date, day) <= 7 for day in (today, start))


@require_http_methods(["GET", "POST"])
@never_cache
def application_new(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request)
    if not can(actor, AdmissionAction.APPLY):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    service = source.get("tjeneste", AdmissionService.KINDERGARTEN)
    if service not in AdmissionService.values:
        service = AdmissionService.KINDERGARTEN
    if request.method == "GET":
        context = _new_context(actor, service, preselect=_int(request.GET.get("barn")))
        audit.record(
            actor,
            AdmissionAction.APPLICATION_CREATE,
            [c.pk for c in context["children"]],
            request=request,
        )
        return render(request, "portal/application_new.html", context)
    form = request.POST
    errors: dict[str, Any] = {}
    child_id = _int(form.get("child"))
    child = (
        scope(actor, AdmissionAction.APPLICATION_CREATE, Person.objects.all())
        .filter(pk=child_id)
        .first()
        if child_id
        else None
    )
    start = _date(form.get("desired_start"))
    if child is None:
        errors["child"] = _("Velg barnet du søker for.")
    if start is None:
        errors["desired_start"] = _("Oppgi ønsket oppstartsdato.")
    percent, hours = _size(form.get("place_size", ""))
    if service == AdmissionService.KINDERGARTEN and percent is None:
        errors["place_size"] = _("Velg plasstørrelse.")
    if not errors:
        assert child is not None and start is not None and actor.person is not None
        person = actor.person
        try:
            # The draft, its idempotency record and its audit row in one transaction.
            with transaction.atomic():
                application_id, _created = once(
                    scope="application_create",
                    key=form.get("idempotency_key", ""),
                    user_id=actor.user_id or 0,
                    change=lambda: (
                        services.application_create(
                            child=child,
                            service=service,
                            by=person,
                            desired_start=start,
                            place_percent=percent or 100,
                            weekly_hours=hours,
                            school_id=_int(form.get("school")),
                            sfo_place_type=form.get("sfo_place_type", ""),
                            sfo_days=form.getlist("sfo_days"),
                            note=form.get("note", ""),
                        )[0].pk
                    ),
                )
                audit.record(actor, "application.create", [child.pk], request=request)
        except DomainError as exc:
            errors = {"form": exc.message, **exc.fields}
        else:
            messages.success(request, _("Utkastet er lagret. Velg barnehager og send søknaden."))
            return redirect("portal:application", application_id=application_id)
    context = _new_context(actor, service, errors=errors, form=form)
    context["key"] = form.get("idempotency_key") or context["key"]
    return render(request, "portal/application_new.html", context)


# -- one application: wishes, claims, submit, withdraw ---------------------------------------


def _own_application(actor: Actor, application_id: int) -> Application:
    try:
        app = selectors.application_detail(actor, application_id)
    except NotFoundError as exc:
        raise Http404 from exc
    if not can(actor, AdmissionAction.APPLICATION_UPDATE, app):
        raise Http404
    return app


def _finder(request: HttpRequest, actor: Actor, app: Application) -> dict[str, Any]:
    try:
        max_km = float(request.GET["km"].replace(",", ".")) if request.GET.get("km") else None
    except ValueError:
        max_km = None

    def hhmm(value: str | None) -> dt.time | None:
        try:
            return dt.time.fromisoformat(value) if value else None
        except ValueError:
            return None

    start = max(app.desired_start, actor.day)
    default_age = rights.age_group(app.child.birth_date, start)
    filters = selectors.FinderFilters(
        age_group=request.GET.get("alder", default_age),
        max_km=max_km,
        opens_by=hhmm(request.GET.get("apner")),
        closes_after=hhmm(request.GET.get("stenger")),
        owner=request.GET.get("eier", ""),
        search=request.GET.get("q", "")[:100],
    )
    units = selectors.kindergarten_finder(
        actor, municipality_id=app.municipality_id, home=app.child, filters=filters
    )
    shown = units if request.GET.get("alle") else units[:FINDER_PAGE]
    query = request.GET.copy()
    query["alle"] = "1"
    return {
        "filters": filters,
        "units": shown,
        "units_total": len(units),
        "units_more": len(units) - len(shown),
        "all_query": query.urlencode(),
        "age_choices": AgeGroup.choices[:2],
    }


def _application_context(
    request: HttpRequest, actor: Actor, app: Application, **extra: Any
) -> dict[str, Any]:
    wishes = list(app.wishes.all())
    positions = selectors.wish_positions(app)
    context: dict[str, Any] = {
        "app": app,
        "wishes": wishes,
        "wished": {w.unit_id for w in wishes},
        "full": len(wishes) >= MAX_WISHES,
        "editable": services.is_editable(app),
        "positions": positions,
        "wish_rows": [(w, positions.get(w.unit_id)) for w in wishes],
        "claim_effects": selectors.wish_claim_effects(app),
        "claims": list(app.claims.all()),
        "claim_kinds": ClaimKind.choices,
        "sizes": _size_choices(app.municipality_id),
        "current_size": f"{app.place_percent}|{app.weekly_hours.normalize():f}"
        if app.weekly_hours is not None
        else "",
        "offers": list(app.offers.all()),
        "outcome": selectors.outcome_for(app),
        "receipt": request.GET.get("kvittering") == "1" and app.submitted_at is not None,
        "errors": {},
        "claim_errors": {},
        "withdrawable": app.status
        in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.OFFERED,
            ApplicationStatus.ACCEPTED,
        ),
        **extra,
    }
    if app.service == AdmissionService.KINDERGARTEN and context["editable"]:
        context.update(_finder(request, actor, app))
        context["finder"] = True
    return context


@require_http_methods(["GET", "POST"])
@never_cache
def _withdraw_confirmation(request: HttpRequest, app: Application, version: int | None) -> Any:
    facts = [
        (_("Barn"), app.child.full_name),
        (_("Søknad"), app.get_service_display()),
        (_("Status"), app.status_text),
    ]
    if app.status in (ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED):
        intro = _(
            "Søknaden trekkes, og tilbud du har fått, faller bort. Plassen går til noen andre."
        )
    else:
        intro = _("Søknaden trekkes og blir ikke med i opptaket. Du må søke på nytt for å angre.")
    return confirm_page(
        request,
        Confirmation(
            title=_("Trekk søknaden"),
            intro=intro,
            button=_("Ja, trekk søknaden"),
            cancel_url=reverse("portal:application", args=[app.pk]),
            facts=facts,
            hidden=[("handling", "trekk"), ("version", version if version is not None else "")],
        ),
    )


def application_page(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = edge.require(request)
    app = _own_application(actor, application_id)
    audit.record(actor, "application.read", [app.child_id], request=request)
    if request.method == "GET":
        return render(request, "portal/application.html", _application_context(request, actor, app))
    assert actor.person is not None
    form = request.POST
    action = form.get("handling", "")
    version = _int(form.get("version"))
    errors: dict[str, Any] = {}
    wishes = [w.unit_id for w in app.wishes.all()]
    unit_id = _int(form.get("unit"))
    try:
        if action == "lagre":
            percent, hours = _size(form.get("place_size", ""))
            data = services.ApplicationInput(
                desired_start=_date(form.get("desired_start")) or app.desired_start,
                place_percent=percent if app.service == AdmissionService.KINDERGARTEN else None,
                weekly_hours=hours,
                note=form.get("note"),
                school_id=_int(form.get("school")),
                sfo_place_type=form.get("sfo_place_type") or None,
                sfo_days=form.getlist("sfo_days") if "sfo_place_type" in form else None,
            )
            services.application_save_draft(
                application_id=app.pk, by=actor.person, expected_version=version, data=data
            )
            messages.success(request, _("Endringene er lagret."))
        elif action in ("legg_til", "fjern", "opp", "ned") and unit_id:
            if action == "legg_til" and unit_id not in wishes:
                wishes.append(unit_id)
            elif action == "fjern" and unit_id in wishes:
                wishes.remove(unit_id)
            elif action in ("opp", "ned") and unit_id in wishes:
                i = wishes.index(unit_id)
                j = i - 1 if action == "opp" else i + 1
                if 0 <= j < len(wishes):
                    wishes[i], wishes[j] = wishes[j], wishes[i]
            services.application_save_draft(
                application_id=app.pk,
                by=actor.person,
                expected_version=version,
                data=services.ApplicationInput(wishes=wishes),
            )
            messages.success(request, _("Ønskene er oppdatert."))
        elif action == "send":
            services.application_submit(
                application_id=app.pk, by=actor.person, expected_version=version
            )
            messages.success(request, _("Søknaden er sendt. Begge foresatte får beskjed."))
            url = reverse("portal:application", args=[app.pk])
            return redirect(f"{url}?kvittering=1")
        elif action == "trekk" and not confirmed(request):
            return _withdraw_confirmation(request, app, version)
        elif action == "trekk":
            services.application_withdraw(
                application_id=app.pk, by=actor.person, expected_version=version
            )
            messages.success(request, _("Søknaden er trukket."))
        elif action == "fjern_krav":
            claim_id = _int(form.get("claim"))
            if claim_id is None or not app.claims.filter(pk=claim_id).exists():
                raise Http404
            services.claim_remove(claim_id=claim_id, by=actor.person)
            messages.success(request, _("Kravet er fjernet."))
        else:
            errors["form"] = _("Velg hva du vil gjøre.")
    except DomainError as exc:
        errors = {"form": exc.message, **exc.fields}
    if not errors:
        return redirect("portal:application", application_id=app.pk)
    app = _own_application(actor, application_id)
    context = _application_context(request, actor, app, errors=errors)
    return render(request, "portal/application.html", context)


@require_http_methods(["POST"])
@never_cache
def claim_add(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = edge.require(request)
    app = _own_application(actor, application_id)
    assert actor.person is not None
    form = request.POST
    errors: dict[str, Any] = {}
    if not form.get("kind"):
        errors = {"kind": _("Velg grunnlag for prioritet.")}
    else:
        try:
            with transaction.atomic():  # the claim and its audit row together
                services.claim_add(
                    application_id=app.pk,
                    by=actor.person,
                    kind=form.get("kind", ""),
                    unit_id=_int(form.get("unit")),
                    description=form.get("description", ""),
                    document=request.FILES.get("document"),
                )
                audit.record(actor, "application.update", [app.child_id], request=request)
        except DomainError as exc:
            errors = {"form": exc.message, **exc.fields}
        else:
            messages.success(request, _("Kravet om prioritet er lagt til."))
            return redirect("portal:application", application_id=app.pk)
    app = _own_application(actor, application_id)
    context = _application_context(request, actor, app, claim_errors=errors)
    return render(request, "portal/application.html", context)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_GET
@never_cache
def no_offer_letter(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = edge.require(request)
    try:
        app = selectors.application_detail(actor, application_id)
    except NotFoundError as exc:
        raise Http404 from exc
    if not (
        can(actor, AdmissionAction.APPLICATION_UPDATE, app)
        or can(actor, AdmissionAction.APPLICATION_DECIDE, app)
    ):
        raise Http404
    outcome = selectors.outcome_for(app)
    if outcome is None or outcome.unit_id is not None:
        raise Http404
    audit.record(actor, "application.read", [app.child_id], request=request)
    return _pdf(letters.render_pdf(letters.no_offer_letter(app, outcome)), f"svar-{app.pk}.pdf")


# -- offers ----------------------------------------------------------------------------------


def _offer(actor: Actor, offer_id: int) -> Any:
    try:
        return selectors.offer_for(actor, offer_id)
    except NotFoundError as exc:
        raise Http404 from exc


@require_http_methods(["GET", "POST"])
@never_cache
def offer_page(request: HttpRequest, offer_id: int) -> HttpResponse:
    actor = edge.require(request)
    offer = _offer(actor, offer_id)
    audit.record(actor, "offer.read", [offer.child_id], request=request)
    can_answer = can(actor, AdmissionAction.OFFER_ANSWER, offer)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        if not can_answer:
            raise Http404
        assert actor.person is not None
        answer = request.POST.get("answer", "")
        try:
            if answer in ("accept", "accept_wait"):
                services.offer_accept(
                    offer_id=offer.pk, by=actor.person, keep_waiting=answer == "accept_wait"
                )
                messages.success(request, _("Takk! Plassen er din."))
            elif answer == "decline":
                services.offer_decline(offer_id=offer.pk, by=actor.person)
                messages.success(request, _("Du har takket nei. Plassen går videre."))
            else:
                errors["answer"] = _("Velg et svar.")
        except DomainError as exc:
            errors["form"] = exc.message
        if not errors:
            return redirect("portal:offer", offer_id=offer.pk)
        offer = _offer(actor, offer_id)
    return render(
        request,
        "portal/offer.html",
        {
            "offer": offer,
            "letter": letters.offer_letter(offer),
            "can_answer": can_answer and offer.status == OfferStatus.PENDING,
            "can_wait": (offer.wish_rank or 1) > 1,
            "errors": errors,
        },
    )


@require_GET
@never_cache
def offer_letter(request: HttpRequest, offer_id: int) -> HttpResponse:
    actor = edge.require(request)
    offer = _offer(actor, offer_id)
    audit.record(actor, "offer.read", [offer.child_id], request=request)
    return _pdf(letters.render_pdf(letters.offer_letter(offer)), f"tilbud-{offer.pk}.pdf")


# -- the family's places ---------------------------------------------------------------------


def _placement_context(actor: Actor, placement: Any, **extra: Any) -> dict[str, Any]:
    months = services.admission_settings(placement.municipality_id).notice_months
    today = clock.today()
    return {
        "placement": placement,
        "sizes": _size_choices(placement.municipality_id),
        "is_kindergarten": placement.service == Service.KINDERGARTEN,
        "current_size": f"{placement.place_percent}|{placement.weekly_hours.normalize():f}"
        if placement.weekly_hours is not None
        else "",
        "effective_default": max(_first_of_next_month(today), placement.valid_from),
        "notice_months": months,
        "earliest_last_day": notice_last_day(requested_on=today, notice_months=months),
        "errors": {},
        **extra,
    }


@require_http_methods(["GET", "POST"])
@never_cache
def placement_page(request: HttpRequest, placement_id: int) -> HttpResponse:
    actor = edge.require(request)
    try:
        placement = selectors.guardian_placement(actor, placement_id)
    except NotFoundError as exc:
        raise Http404 from exc
    audit.record(actor, "placement.read", [placement.child_id], request=request)
    if request.method == "GET":
        return render(request, "portal/placement.html", _placement_context(actor, placement))
    assert actor.person is not None
    form = request.POST
    errors: dict[str, Any] = {}
    action = form.get("handling", "")
    try:
        if action == "storrelse":
            percent, hours = _size(form.get("place_size", ""))
            effective = _date(form.get("effective_from"))
            if percent is None:
                errors["place_size"] = _("Velg plasstørrelse.")
            if effective is None:
                errors["effective_from"] = _("Oppgi fra hvilken dato.")
            if not errors:
                assert percent is not None and effective is not None
                services.place_change_size(
                    placement=placement,
                    by=actor.person,
                    place_percent=percent,
                    weekly_hours=hours,
                    effective_from=effective,
                )
                messages.success(request, _("Plasstørrelsen er endret."))
        elif action == "si_opp":
            if form.get("confirm") != "1":
                errors["confirm"] = _("Bekreft at du vil si opp plassen.")
            else:
                services.place_end(
                    placement=placement, by=actor.person, last_day=_date(form.get("last_day"))
                )
                messages.success(request, _("Plassen er sagt opp."))
        else:
            errors["form"] = _("Velg hva du vil gjøre.")
    except DomainError as exc:
        errors = {"form": exc.message, **exc.fields}
    if not errors:
        return redirect("portal:home")
    return render(
        request, "portal/placement.html", _placement_context(actor, placement, errors=errors)
    )
