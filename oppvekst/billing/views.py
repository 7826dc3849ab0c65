"""Billing pages for caseworkers (/betaling/): invoice runs, invoices, reduced-fee applications
and the compensation lists of private kindergartens. Thin: parse, call a selector or service,
render."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oppvekst import clock
from oppvekst.access import audit, edge
from oppvekst.access.policy import Actor, can
from oppvekst.billing import selectors, services
from oppvekst.billing.compute import add_months
from oppvekst.billing.engine.rules import YearMonth
from oppvekst.billing.explain import COMPENSATED_TABLES, kr, month_label, rule_label
from oppvekst.billing.export import export_to_serve
from oppvekst.billing.forms import DecisionForm, RunActionForm, StartRunForm
from oppvekst.billing.letters import decision_letter_to_serve
from oppvekst.billing.models import InvoiceLine, ReductionStatus, RunStatus
from oppvekst.billing.permissions import BillingAction
from oppvekst.core.confirm import Confirmation, confirm_page, confirmed
from oppvekst.core.idempotency import once
from oppvekst.documents import document_response
from oppvekst.errors import DomainError, NotFoundError, json_errors
from oppvekst.paging import page_of, pager
from oppvekst.params import int_param

PAGE_SIZE = 25


def _page(request: HttpRequest) -> int:
    return page_of(request)


def _pager(request: HttpRequest, count: int) -> dict[str, Any]:
    return pager(request, count, PAGE_SIZE)


def _apply_errors(form: Any, exc: DomainError) -> None:
    for name, message in exc.fields.items():
        form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


# -- overview ------------------------------------------------------------------------------------


def _next_month(actor: Actor, municipality_id: int | None) -> dt.date:
    rows, _count = selectors.runs(actor, municipality_id=municipality_id, limit=1)
    if rows:
        latest = rows[0].month
        return add_months(YearMonth(latest.year, latest.month), 1).first_day
    return clock.today().replace(day=1)


@never_cache
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, BillingAction.OPEN)
    municipalities = selectors.billing_municipalities(actor)
    choices = [(m.pk, m.name) for m in municipalities]
    selected = int_param(request.GET.get("kommune")) or (choices[0][0] if choices else 0)
    if selected not in {pk for pk, _name in choices}:
        selected = choices[0][0] if choices else 0
    form = StartRunForm(
        request.POST or None,
        municipalities=choices,
        initial={
            "municipality": selected,
            "month": _next_month(actor, selected).strftime("%Y-%m"),
        },
    )
    if request.method == "POST" and form.is_valid():
        municipality = next(m for m in municipalities if m.pk == form.cleaned_data["municipality"])
        try:
            run_id, _created = once(
                scope="billing.run_start",
                key=form.cleaned_data["idempotency_key"],
                user_id=int(request.user.pk or 0),
                change=lambda: (
                    services.invoice_run_start(
                        municipality=municipality,
                        month=form.cleaned_data["month"],
                        started_by=actor.person,
                    ).pk
                ),
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("billing_run", run_id=run_id)
    page = _page(request)
    rows, count = selectors.runs(
        actor,
        municipality_id=selected or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    counts = selectors.reduction_counts(actor)
    return render(
        request,
        "billing/overview.html",
        {
            "form": form,
            "runs": rows,
            "municipalities": municipalities,
            "selected": selected,
            "pending": counts.get(ReductionStatus.SUBMITTED, 0),
            **_pager(request, count),
        },
    )


# -- one run ------------------------------------------------------------------------------------


def _run_or_404(actor: Actor, run_id: int) -> Any:
    try:
        return selectors.run_detail(actor, run_id)
    except NotFoundError as exc:
        raise Http404 from exc


def _warning_text(code: str) -> str:
    texts = {
        "no_payer": _("Barn uten betaler (ingen foresatt med foreldreansvar registrert)"),
        "sfo_price": _("SFO-plass uten kommunal pris for plasstypen"),
        "sfo_grade": _("SFO-plass for et barn utenfor 1.–7. trinn"),
    }
    return texts.get(code, code)


@never_cache
@require_http_methods(["GET", "POST"])
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.OPEN)
    run = _run_or_404(actor, run_id)
    action_form = RunActionForm(request.POST or None)
    action_error = ""
    if request.method == "POST":
        if action_form.is_valid():
            action = action_form.cleaned_data["action"]
            version = action_form.cleaned_data["version"]
            handlers = {
                "approve": services.invoice_run_approve,
                "lock": services.invoice_run_lock,
                "recompute": services.invoice_run_recompute,
            }
            # Each write has its own action; reading a run does not authorize changing it.
            write_actions = {
                "approve": BillingAction.APPROVE_RUN,
                "lock": BillingAction.LOCK_RUN,
            }
            if action in write_actions:
                allowed = can(actor, write_actions[action], run)
            else:
                allowed = can(actor, BillingAction.RUN, run.municipality)
            if not allowed:
                raise PermissionDenied
            if action in write_actions and not confirmed(request):
                return _run_confirmation(request, run, action, version)
            try:
                handlers[action](run=run, by=actor.person, expected_version=version)
            except DomainError as exc:
                action_error = str(exc.message)
            else:
                done = {
                    "approve": _("Kjøringen er godkjent."),
                    "lock": _("Kjøringen er låst, og fakturagrunnlaget er laget."),
                    "recompute": _("Kjøringen beregnes på nytt."),
                }
                messages.success(request, done[action])
                return redirect("billing_run", run_id=run.pk)
        else:
            action_error = _("Ugyldig handling. Last siden på nytt og prøv igjen.")
        run = _run_or_404(actor, run_id)
    search = request.GET.get("q", "")[:100]
    ordering = request.GET.get("sorter", "difference")
    page = _page(request)
    changes, count = selectors.run_changes(
        run, search=search, ordering=ordering, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    audit.record(
        actor,
        "billing.read_fees",
        [c.change.child_id for c in changes],
        request=request,
    )
    warning_children = selectors.run_warning_children(run)
    warnings = [
        {
            "text": _warning_text(w["code"]),
            "count": w["count"],
            "children": [
                warning_children[e["child"]]
                for e in w.get("examples", [])
                if e.get("child") in warning_children
            ],
        }
        for w in run.warnings
    ]
    context = {
        "run": run,
        "changes": changes,
        "search": search,
        "ordering": ordering,
        "warnings": warnings,
        "action_error": action_error,
        "busy": run.status in (RunStatus.QUEUED, RunStatus.COMPUTING),
        "corrected_months": [
            dt.date.fromisoformat(f"{m}-01") for m in (run.corrected_months or [])
        ],
        "export": getattr(run, "export", None) if run.is_locked else None,
        "unconfirmed": selectors.unconfirmed_labels(run),
        **_pager(request, count),
    }
    return render(request, "billing/run_detail.html", context, status=200)


def _run_confirmation(request: HttpRequest, run: Any, action: str, version: int) -> HttpResponse:
    month = month_label(run.month)
    facts = [
        (_("Kommune"), run.municipality.name),
        (_("Måned"), month),
        (_("Fakturaer"), run.invoice_count),
        (_("Sum til fakturering"), kr(run.total_ore)),
    ]
    if action == "approve":
        title = _("Godkjenn fakturakjøringen for %(month)s") % {"month": month}
        intro = _(
            "Når kjøringen er godkjent, ser foresatte fakturaene i portalen, og den kan ikke"
            " lenger beregnes på nytt."
        )
        button = _("Bekreft godkjenning")
    else:
        title = _("Lås fakturakjøringen for %(month)s") % {"month": month}
        intro = _(
            "En låst kjøring endres aldri igjen. Fakturagrunnlaget til økonomisystemet lages nå;"
            " senere endringer blir korreksjoner i en senere måned."
        )
        button = _("Bekreft og lås")
    return confirm_page(
        request,
        Confirmation(
            title=title,
            intro=intro,
            button=button,
            cancel_url=reverse("billing_run", args=[run.pk]),
            facts=facts,
            hidden=[("action", action), ("version", version)],
        ),
    )


@never_cache
@require_GET
@json_errors(always=True)
def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    actor = edge.require(request, BillingAction.OPEN)
    run = _run_or_404(actor, run_id)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "done": run.progress_done,
            "total": run.progress_total,
            "percent": run.progress_percent,
            "label": run.progress_label,
            "busy": run.status in (RunStatus.QUEUED, RunStatus.COMPUTING),
        }
    )


@never_cache
@require_GET
def run_invoices(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.OPEN)
    run = _run_or_404(actor, run_id)
    search = request.GET.get("q", "")[:100]
    ordering = request.GET.get("sorter", "number")
    page = _page(request)
    rows, count = selectors.run_invoices(
        run, search=search, ordering=ordering, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "billing/run_invoices.html",
        {
            "run": run,
            "invoices": rows,
            "search": search,
            "ordering": ordering,
            **_pager(request, count),
        },
    )


@never_cache
@require_GET
def run_export(request: HttpRequest, run_id: int, fmt: str) -> HttpResponseBase:
    actor = edge.require(request, BillingAction.OPEN)
    run = _run_or_404(actor, run_id)
    export = getattr(run, "export", None) if run.is_locked else None
    if export is None or fmt not in ("csv", "json"):
        raise Http404
    # Every child the file names, invoiced or not (lines below the minimum are listed too).
    children = InvoiceLine.objects.filter(run=run).values_list("child_id", flat=True)
    audit.record(actor, "billing.export", set(children), request=request)
    with (export.csv_file if fmt == "csv" else export.json_file).open("rb") as handle:
        stored = handle.read().decode()
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    name = f"fakturagrunnlag-{run.municipality.number}-{run.month:%Y-%m}.{fmt}"
    body = io.BytesIO(export_to_serve(run, fmt, stored).encode())
    return FileResponse(body, as_attachment=True, filename=name, content_type=content_type)


def _invoice_page(request: HttpRequest, actor: Actor, invoice_id: int, *, portal: bool) -> Any:
    try:
        view = selectors.invoice_detail(actor, invoice_id, payer_only=portal)
    except NotFoundError as exc:
        raise Http404 from exc
    if portal and view.run.status not in (RunStatus.APPROVED, RunStatus.LOCKED):
        raise Http404
    audit.record(
        actor, "billing.read_invoice", [c.child.pk for c in view.children], request=request
    )
    return render(
        request,
        "billing/invoice_detail.html",
        {"view": view, "invoice": view.invoice, "run": view.run, "portal": portal},
    )


@never_cache
@require_GET
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.OPEN)
    response: HttpResponse = _invoice_page(request, actor, invoice_id, portal=False)
    return response


# -- reduced-fee applications --------------------------------------------------------------------


@never_cache
@require_GET
def reductions(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, BillingAction.OPEN)
    status = request.GET.get("status", ReductionStatus.SUBMITTED)
    search = request.GET.get("q", "")[:100]
    ordering = request.GET.get("sorter", "-submitted")
    page = _page(request)
    rows, count = selectors.reductions(
        actor,
        status=status,
        search=search,
        ordering=ordering,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        "billing/reductions.html",
        {
            "applications": rows,
            "status": status,
            "statuses": ReductionStatus.choices,
            "search": search,
            "ordering": ordering,
            **_pager(request, count),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def reduction_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.OPEN)
    try:
        application = selectors.reduction_detail(actor, application_id)
    except NotFoundError as exc:
        raise Http404 from exc
    may_decide = selectors.can_decide(actor, application)
    if not may_decide:
        raise Http404
    # No decision is preselected: the caseworker chooses after seeing the calculation.
    form = DecisionForm(request.POST or None, initial={"version": application.version})
    submitted = application.status == ReductionStatus.SUBMITTED
    children = [c.pk for c in application.children.all()]
    if request.method == "POST" and submitted and form.is_valid():
        data = form.cleaned_data
        grant = data["decision"] == "grant"
        if not confirmed(request):
            audit.record(actor, "reduction.read", children, request=request)
            return _decision_confirmation(request, application, form, grant)
        try:
            services.reduction_decide(
                application=application,
                decided_by=actor.person,  # type: ignore[arg-type]
                grant=grant,
                reason=data["reason"],
                effective_from=data["effective_from"],
                expected_version=data["version"],
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Vedtaket er lagret, og vedtaksbrevet er laget."))
            return redirect("billing_reduction", application_id=application.pk)
    audit.record(actor, "reduction.read", children, request=request)
    decidable = application.status == ReductionStatus.SUBMITTED
    return render(
        request,
        "billing/reduction_detail.html",
        {
            "application": application,
            "form": form,
            "decidable": decidable,
            "calculation": selectors.reduction_calculation(application) if decidable else None,
            "portal": False,
        },
    )


def _decision_confirmation(
    request: HttpRequest, application: Any, form: DecisionForm, grant: bool
) -> HttpResponse:
    data = form.cleaned_data
    month = data["effective_from"] or application.earliest_effective
    facts: list[tuple[str, Any]] = [
        (_("Søker"), application.applicant.full_name),
        (_("Vedtak"), _("Innvilg") if grant else _("Avslå")),
    ]
    if grant:
        facts.append((_("Gjelder fra"), month_label(month)))
    if data["reason"]:
        facts.append((_("Begrunnelse"), data["reason"]))
    chosen = data["effective_from"]
    hidden = [
        ("decision", data["decision"]),
        ("effective_from", chosen.strftime("%Y-%m") if chosen else ""),
        ("reason", data["reason"]),
        ("version", data["version"]),
    ]
    return confirm_page(
        request,
        Confirmation(
            title=_("Bekreft vedtak om redusert betaling"),
            intro=_(
                "Vedtaket lagres, vedtaksbrevet lages og søkeren får beskjed. Kontroller"
                " beregningen før du bekrefter."
            )
            if grant
            else _("Avslaget lagres, vedtaksbrevet lages og søkeren får beskjed."),
            button=_("Bekreft og lag vedtaksbrev"),
            cancel_url=reverse("billing_reduction", args=[application.pk]),
            facts=facts,
            hidden=hidden,
            include="billing/_reduction_calculation.html" if grant else "",
            stylesheets=[static("billing/billing.css")],
        ),
        calculation=selectors.reduction_calculation(application, month) if grant else None,
    )


def _letter_response(request: HttpRequest, actor: Actor, application_id: int, own: bool) -> Any:
    try:
        application = selectors.reduction_detail(actor, application_id, own_only=own)
    except NotFoundError as exc:
        raise Http404 from exc
    letter = decision_letter_to_serve(application)
    if letter is None:
        raise Http404
    audit.record(
        actor, "reduction.read_letter", [c.pk for c in application.children.all()], request=request
    )
    response = HttpResponse(letter, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="vedtak-RB-{application.pk}.pdf"'
    return response


@never_cache
@require_GET
def reduction_letter(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.OPEN)
    response: HttpResponse = _letter_response(request, actor, application_id, own=False)
    return response


@never_cache
@require_GET
def reduction_document(request: HttpRequest, application_id: int, document_id: int) -> Any:
    actor = edge.require(request)
    try:
        application = selectors.reduction_detail(actor, application_id)
    except NotFoundError as exc:
        raise Http404 from exc
    document = application.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    audit.record(
        actor,
        "reduction.read_document",
        [c.pk for c in application.children.all()],
        request=request,
    )
    stem = document.original_name.rsplit(".", 1)[0] or "dokument"
    return document_response(document.file, stem)


# -- private kindergartens ------------------------------------------------------------------------


@never_cache
@require_GET
def compensation_units(request: HttpRequest) -> HttpResponse:
    actor = edge.require(request, BillingAction.COMPENSATION_OPEN)
    units = selectors.compensation_units(actor)
    return render(request, "billing/compensation_units.html", {"units": units})


@never_cache
@require_GET
def compensation(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = edge.require(request, BillingAction.COMPENSATION_OPEN)
    try:
        unit, runs = selectors.compensation(actor, unit_id)
    except NotFoundError as exc:
        raise Http404 from exc
    audit.record(
        actor,
        "billing.read_compensation",
        [e.child.pk for r in runs for e in r["children"]],
        request=request,
    )
    if request.GET.get("format") == "csv":
        return _compensation_csv(unit, runs)
    tables = list(COMPENSATED_TABLES)
    return render(
        request,
        "billing/compensation.html",
        {
            "unit": unit,
            "runs": runs,
            "tables": [(t, rule_label(t)) for t in tables],
        },
    )


def _compensation_csv(unit: Any, runs: list[dict[str, Any]]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(
        ["maaned", "fornavn", "etternavn", "fodselsdato", *COMPENSATED_TABLES, "kompensasjon_ore"]
    )
    for entry in runs:
        for row in entry["children"]:
            shown = row.located
            writer.writerow(
                [
                    entry["run"].month.strftime("%Y-%m"),
                    row.child.first_name if shown else _("Skjermet barn"),
                    row.child.last_name if shown else "",
                    row.child.birth_date.isoformat() if shown else "",
                    *[-row.by_table.get(t, 0) for t in COMPENSATED_TABLES],
                    row.total_ore,
                ]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kompensasjon-{unit.pk}.csv"'
    return response
