"""Pages for caseworkers and unit leaders at /opptak/: application queue, claims, rounds with
capacity, preview and commit, waiting lists, criteria, and the right-to-place report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oppvekst.access import audit, edge
from oppvekst.access.policy import Actor, actor_for_request, allowed_ids, can, scope
from oppvekst.admission import charts, selectors, services
from oppvekst.admission.forms import (
    CapacityForm,
    ClaimVerifyForm,
    CriteriaForm,
    RoundCommitForm,
    RoundCreateForm,
)
from oppvekst.admission.models import (
    AdmissionCriterion,
    AdmissionRound,
    AdmissionService,
    ApplicationStatus,
    CriterionKind,
    PriorityClaim,
    RoundCapacity,
    RoundKind,
    RoundStatus,
)
from oppvekst.admission.permissions import AdmissionAction
from oppvekst.core.confirm import confirmed
from oppvekst.core.models import Municipality, Owner, Unit, UnitKind
from oppvekst.core.permissions import UnitAction
from oppvekst.documents import document_response
from oppvekst.errors import DomainError, NotFoundError
from oppvekst.paging import page_of
from oppvekst.params import int_param

PAGE_SIZE = 25
PREVIEW_PAGE = 50


def _int(value: str | None) -> int | None:
    return int_param(value, low=0)


def _field_errors(form: forms.Form) -> dict[str, Any]:
    """The form's first message per field, as the templates show them (`form` above it)."""
    if not form.is_bound:
        return {}
    errors = {name: str(errs[0]) for name, errs in form.errors.items() if name != "__all__"}
    if form.non_field_errors():
        errors["form"] = str(form.non_field_errors()[0])
    return errors


def _municipalities(actor: Actor) -> list[Municipality]:
    ids = actor.ids("municipality_id", ["caseworker"])
    return list(Municipality.objects.filter(pk__in=ids).order_by("name"))


# -- home: rounds ----------------------------------------------------------------------------


def _home_context(actor: Actor, **extra: Any) -> dict[str, Any]:
    units = list(
        scope(actor, AdmissionAction.UNIT_MANAGE, Unit.objects.all())
        .filter(pk__in=actor.ids("unit_id", ["unit_leader", "private_kindergarten_head"]))
        .order_by("name")
    )
    return {
        "rounds": selectors.rounds_for(actor),
        "can_manage": bool(_municipalities(actor)),
        "municipalities": _municipalities(actor),
        "own_units": units,
        "counts": selectors.summary_counts(actor),
        "statuses": ApplicationStatus.choices,
        "kinds": RoundKind.choices,
        "services": AdmissionService.choices,
        "errors": {},
        "form": {},
        **extra,
    }


@require_GET
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    return render(request, "admission/home.html", _home_context(actor))


@require_POST
@never_cache
def round_create(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    munis = {m.pk: m for m in _municipalities(actor)}
    if not munis:
        raise PermissionDenied
    form = RoundCreateForm(request.POST, municipalities=munis)
    errors: dict[str, Any] = _field_errors(form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rnd = services.round_create(
                municipality=data["municipality"],
                service=data["service"],
                kind=data["kind"],
                name=data["name"],
                deadline=data["deadline"],
                start_date=data["start_date"],
            )
        except DomainError as exc:
            errors = {"form": exc.message, **exc.fields}
        else:
            messages.success(request, _("Opptaket er opprettet."))
            return redirect("admission:round", round_id=rnd.pk)
    return render(
        request, "admission/home.html", _home_context(actor, errors=errors, form=form.data)
    )


# -- the application queue -------------------------------------------------------------------


@require_GET
@never_cache
def queue(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    filters = selectors.QueueFilters(
        search=request.GET.get("q", "")[:100],
        status=request.GET.get("status", ""),
        service=request.GET.get("tjeneste", ""),
        round_id=_int(request.GET.get("runde")),
        unit_id=_int(request.GET.get("enhet")),
        pending_claims=request.GET.get("krav") == "1",
        ordering=request.GET.get("sorter", "-submitted"),
    )
    page = page_of(request)
    items, count = selectors.application_queue(
        actor, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    audit.record(actor, "application.read", [a.child_id for a in items], request=request)
    pages = max(1, -(-count // PAGE_SIZE))
    units = list(
        scope(actor, UnitAction.READ, Unit.objects.filter(kind=UnitKind.KINDERGARTEN))
        .filter(pk__in=scope(actor, AdmissionAction.UNIT_MANAGE, Unit.objects.all()).values("pk"))
        .order_by("name")
        .only("pk", "name")
    )
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "admission/queue.html",
        {
            "applications": items,
            "count": count,
            "filters": filters,
            "page": page,
            "pages": pages,
            "has_previous": page > 1,
            "has_next": page < pages,
            "query": query.urlencode(),
            "statuses": ApplicationStatus.choices,
            "services": AdmissionService.choices,
            "rounds": selectors.rounds_for(actor),
            "units": units,
            "orderings": [
                ("-submitted", _("Nyeste først")),
                ("submitted", _("Eldste først")),
                ("name", _("Navn (A–Å)")),
                ("-name", _("Navn (Å–A)")),
                ("birth_date", _("Eldste barn først")),
                ("-birth_date", _("Yngste barn først")),
                ("status", _("Status")),
            ],
        },
    )


def _detail_context(actor: Actor, application_id: int, **extra: Any) -> dict[str, Any]:
    app = selectors.application_detail(actor, application_id)
    claims = list(app.claims.all())
    documents = allowed_ids(
        actor, AdmissionAction.CLAIM_READ_DOCUMENT, [c.pk for c in claims if c.document]
    )
    shown = selectors.shown_units(actor, app.child)
    offers = [(o, shown is None or o.unit_id in shown) for o in app.offers.all()]
    outcome = selectors.outcome_for(app)
    return {
        "app": app,
        "claims": claims,
        "documents": documents,
        "can_decide": can(actor, AdmissionAction.APPLICATION_DECIDE, app),
        "positions": selectors.wish_positions(app),
        "claim_effects": selectors.wish_claim_effects(app),
        "offers": offers,
        "outcome": outcome,
        "outcome_unit_shown": outcome is not None and (shown is None or outcome.unit_id in shown),
        "verify_errors": {},
        **extra,
    }


@require_GET
@never_cache
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    try:
        context = _detail_context(actor, application_id)
    except NotFoundError as exc:
        raise Http404 from exc
    audit.record(actor, "application.read", [context["app"].child_id], request=request)
    return render(request, "admission/application_detail.html", context)


@require_POST
@never_cache
def claim_verify(request: HttpRequest, claim_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    claim = PriorityClaim.objects.filter(pk=claim_id).select_related("application").first()
    if claim is None or not can(actor, AdmissionAction.APPLICATION_DECIDE, claim.application):
        raise Http404
    form = ClaimVerifyForm(request.POST)
    errors: dict[str, Any] = {}
    if not form.is_valid():
        errors = {"claim": claim.pk, **_field_errors(form)}
    else:
        try:
            assert actor.person is not None
            services.claim_verify(
                claim_id=claim.pk,
                by=actor.person,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            errors = {"claim": claim.pk, "form": exc.message, **exc.fields}
        else:
            audit.record(actor, "application.decide", [claim.application.child_id], request=request)
            messages.success(request, _("Vurderingen er lagret, og foresatte er varslet."))
            return redirect("admission:application", application_id=claim.application_id)
    context = _detail_context(actor, claim.application_id, verify_errors=errors)
    return render(request, "admission/application_detail.html", context)


@require_GET
@never_cache
def claim_document(request: HttpRequest, claim_id: int) -> FileResponse:
    if not request.user.is_authenticated:
        raise PermissionDenied
    actor = actor_for_request(request)
    claim = (
        scope(actor, AdmissionAction.CLAIM_READ_DOCUMENT, PriorityClaim.objects.all())
        .select_related("application")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None or not claim.document:
        raise Http404
    audit.record(actor, "claim.read_document", [claim.application.child_id], request=request)
    return document_response(claim.document, f"dokumentasjon-{claim.pk}")


# -- rounds ----------------------------------------------------------------------------------


def _round_context(actor: Actor, round_id: int, **extra: Any) -> dict[str, Any]:
    rnd = selectors.round_detail(actor, round_id)
    return {
        "round": rnd,
        "can_manage": can(actor, AdmissionAction.ROUND_MANAGE, rnd),
        "capacity": selectors.round_capacity(actor, rnd),
        "age_groups": selectors.age_groups_for(rnd.service),
        "errors": {},
        "before_deadline": actor.day <= rnd.deadline,
        **extra,
    }


def _round_or_404(actor: Actor, round_id: int) -> AdmissionRound:
    try:
        return selectors.round_detail(actor, round_id)
    except NotFoundError as exc:
        raise Http404 from exc


@require_GET
@never_cache
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    _round_or_404(actor, round_id)
    return render(request, "admission/round.html", _round_context(actor, round_id))


@require_POST
@never_cache
def capacity_set(request: HttpRequest, round_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    rnd = _round_or_404(actor, round_id)
    errors: dict[str, Any] = {}
    manageable = set(
        scope(
            actor,
            AdmissionAction.UNIT_MANAGE,
            Unit.objects.filter(municipality_id=rnd.municipality_id),
        ).values_list("pk", flat=True)
    )
    form = CapacityForm(request.POST)
    changes: list[tuple[int, str, int]] = []
    if form.is_valid():
        changes = form.changes()
    else:
        errors.update(_field_errors(form))
    if any(unit_id not in manageable for unit_id, _group, _seats in changes):
        raise Http404
    if not changes and not errors:
        errors["form"] = _("Ingen plasser ble sendt inn.")
    current = {(c.unit_id, c.age_group): c.seats for c in RoundCapacity.objects.filter(round=rnd)}
    changes = [c for c in changes if current.get((c[0], c[1]), -1) != c[2]]
    if not errors:
        try:
            for unit_id, group, seats in changes:
                services.round_capacity_set(
                    round_id=rnd.pk, unit_id=unit_id, age_group=group, seats=seats
                )
        except DomainError as exc:
            errors["form"] = exc.message
        else:
            messages.success(request, _("Kapasiteten er lagret."))
            return redirect("admission:round", round_id=rnd.pk)
    return render(request, "admission/round.html", _round_context(actor, rnd.pk, errors=errors))


def _preview_context(actor: Actor, request: HttpRequest, rnd: AdmissionRound) -> dict[str, Any]:
    preview = rnd.preview or {}
    rows = preview.get("rows", [])
    only = request.GET.get("vis", "")
    if only == "uten":
        rows = [r for r in rows if r[1] is None]
    elif only == "rett":
        rows = [r for r in rows if r[1] is None and r[3]]
    page = page_of(request)
    pages = max(1, -(-len(rows) // PREVIEW_PAGE))
    shown = rows[(page - 1) * PREVIEW_PAGE : page * PREVIEW_PAGE]
    from oppvekst.admission.models import Application

    apps = {
        a.pk: a
        for a in scope(
            actor,
            AdmissionAction.APPLICATION_READ,
            Application.objects.filter(pk__in=[r[0] for r in shown]),
        ).select_related("child")
    }
    names = {u["id"]: u["name"] for u in preview.get("units", [])}
    table = [
        {
            "app": apps.get(r[0]),
            "unit": names.get(r[1]) if r[1] else None,
            "rank": r[2],
            "has_right": r[3],
            "age_group": r[4],
        }
        for r in shown
        if r[0] in apps
    ]
    audit.record(actor, "application.read", [row["app"].child_id for row in table], request=request)
    generated = preview.get("generated_at")
    return {
        "round": rnd,
        "preview": preview,
        "generated_at": dt.datetime.fromisoformat(generated) if generated else None,
        "table": table,
        "chart": charts.wishes_vs_places(preview.get("units", [])),
        "only": only,
        "page": page,
        "pages": pages,
        "has_previous": page > 1,
        "has_next": page < pages,
        "can_manage": can(actor, AdmissionAction.ROUND_MANAGE, rnd),
        # The same computation as the right-to-place report links to.
        "unplaced_right": len(selectors.unplaced_right_holders(rnd)),
        "before_deadline": actor.day <= rnd.deadline,
        "errors": {},
    }


@require_http_methods(["GET", "POST"])
@never_cache
def round_preview(request: HttpRequest, round_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    rnd = _round_or_404(actor, round_id)
    if not can(actor, AdmissionAction.ROUND_MANAGE, rnd):
        raise Http404
    if request.method == "POST":
        try:
            services.round_preview(round_id=rnd.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("admission:preview", round_id=rnd.pk)
    return render(request, "admission/preview.html", _preview_context(actor, request, rnd))


@require_POST
@never_cache
def round_commit(request: HttpRequest, round_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    rnd = _round_or_404(actor, round_id)
    if not can(actor, AdmissionAction.ROUND_MANAGE, rnd):
        raise Http404
    errors: dict[str, Any] = {}
    commit_form = RoundCommitForm(request.POST)
    commit_form.is_valid()
    early = bool(commit_form.cleaned_data.get("early"))
    early_reason = str(commit_form.cleaned_data.get("early_reason") or "")[:2000]
    if not confirmed(request):
        errors["confirm"] = _("Bekreft at du har sett over prøvekjøringen.")
    if actor.day <= rnd.deadline and not (early and early_reason.strip()):
        errors["early_reason"] = _(
            "Søknadsfristen er ikke ute. Kryss av for unntak og skriv hvorfor vedtaket fattes nå."
        )
    if not errors:
        try:
            assert actor.person is not None
            result = services.round_commit(
                round_id=rnd.pk, by=actor.person, early_reason=early_reason if early else ""
            )
        except DomainError as exc:
            errors["form"] = exc.message
        else:
            messages.success(
                request,
                _("Vedtak er fattet: %(offers)s tilbud er sendt, %(unplaced)s står på venteliste.")
                % {"offers": result.offers, "unplaced": result.unplaced},
            )
            return redirect("admission:round", round_id=rnd.pk)
    rnd.refresh_from_db()
    context = _preview_context(actor, request, rnd)
    context["errors"] = errors
    context["early"] = early
    context["early_reason"] = early_reason
    return render(request, "admission/preview.html", context)


@require_GET
@never_cache
def right_report(request: HttpRequest, round_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    rnd = _round_or_404(actor, round_id)
    if not can(actor, AdmissionAction.ROUND_MANAGE, rnd):
        raise Http404
    return _right_report_page(request, actor, rnd)


def _right_report_page(
    request: HttpRequest, actor: Actor, rnd: AdmissionRound, errors: dict[str, Any] | None = None
) -> HttpResponse:
    rows = selectors.right_to_place_report(actor, rnd)
    audit.record(actor, "application.read", [r.child.pk for r in rows], request=request)
    return render(
        request,
        "admission/right_report.html",
        {
            "round": rnd,
            "rows": rows,
            "committed": rnd.status == RoundStatus.COMMITTED,
            "errors": errors or {},
        },
    )


@require_POST
@never_cache
def right_offer(request: HttpRequest, round_id: int) -> HttpResponse:
    """One click from the right-to-place report: offer the child the proposed seat."""
    actor = edge.require(request, AdmissionAction.WORK)
    rnd = _round_or_404(actor, round_id)
    if not can(actor, AdmissionAction.ROUND_MANAGE, rnd):
        raise Http404
    application_id = _int(request.POST.get("application"))
    unit_id = _int(request.POST.get("unit"))
    if application_id is None or unit_id is None:
        return _right_report_page(request, actor, rnd, {"form": _("Velg barn og barnehage.")})
    try:
        assert actor.person is not None
        offer = services.offer_to_right_holder(
            round_id=rnd.pk, application_id=application_id, unit_id=unit_id, by=actor.person
        )
    except NotFoundError as exc:
        raise Http404 from exc
    except DomainError as exc:
        return _right_report_page(request, actor, rnd, {"form": exc.message})
    messages.success(
        request,
        _("Tilbud om plass i %(unit)s er sendt. Foresatte har fått beskjed.")
        % {"unit": offer.unit.name},
    )
    return redirect("admission:right_report", round_id=rnd.pk)


# -- units: waiting list and criteria --------------------------------------------------------


def _managed_unit(actor: Actor, unit_id: int) -> Unit:
    unit = scope(actor, AdmissionAction.UNIT_MANAGE, Unit.objects.all()).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


@require_GET
@never_cache
def waiting_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    unit = _managed_unit(actor, unit_id)
    service = AdmissionService.SFO if unit.kind == UnitKind.SFO else AdmissionService.KINDERGARTEN
    lists = selectors.waiting_lists(unit, service)
    audit.record(
        actor, "application.read", [r.application.child_id for r in lists.rows()], request=request
    )
    return render(
        request,
        "admission/waiting_list.html",
        {"unit": unit, "lists": lists, "age_groups": dict(selectors.age_groups_for(service))},
    )


def _criteria_context(actor: Actor, unit: Unit, **extra: Any) -> dict[str, Any]:
    own = list(AdmissionCriterion.objects.filter(unit=unit).order_by("position"))
    municipal = list(
        AdmissionCriterion.objects.filter(
            municipality_id=unit.municipality_id, unit__isnull=True
        ).order_by("position")
    )
    current = own or (municipal if unit.owner == Owner.MUNICIPAL else [])
    return {
        "unit": unit,
        "own": own,
        "municipal": municipal,
        "current": current,
        "kinds": CriterionKind.choices,
        "slots": range(1, len(CriterionKind.choices) + 1),
        "selected": [c.kind for c in current],
        "editable": _criteria_context_editable(actor, unit),
        "errors": {},
        **extra,
    }


@require_http_methods(["GET", "POST"])
@never_cache
def criteria(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = edge.require(request, AdmissionAction.WORK)
    unit = _managed_unit(actor, unit_id)
    if request.method == "POST":
        if not can(actor, AdmissionAction.CRITERIA_EDIT, unit):
            raise PermissionDenied
        form = CriteriaForm(request.POST)
        if not form.is_valid():
            context = _criteria_context(actor, unit, errors=_field_errors(form))
            return render(request, "admission/criteria.html", context)
        try:
            services.criteria_set(
                municipality_id=unit.municipality_id, unit_id=unit.pk, kinds=form.kinds()
            )
        except DomainError as exc:
            context = _criteria_context(actor, unit, errors={"form": exc.message})
            return render(request, "admission/criteria.html", context)
        messages.success(request, _("Opptakskriteriene er lagret."))
        return redirect("admission:criteria", unit_id=unit.pk)
    return render(request, "admission/criteria.html", _criteria_context(actor, unit))


def _criteria_context_editable(actor: Actor, unit: Unit) -> bool:
    return can(actor, AdmissionAction.CRITERIA_EDIT, unit)
