"""The statutory reports as pages and downloads: GSI (1 October) and BASIL (15 December)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from oppvekst import clock
from oppvekst.access import edge
from oppvekst.access.policy import scope
from oppvekst.core.models import Municipality
from oppvekst.params import int_param
from oppvekst.reports import export, selectors
from oppvekst.reports.forms import ReportForm
from oppvekst.reports.permissions import ReportAction

REPORTS = {
    "gsi": (selectors.gsi_report, export.gsi_rows, (10, 1)),
    "basil": (selectors.basil_report, export.basil_rows, (12, 15)),
}
PROBLEM_TEXT = {
    "pupil_without_sex": gettext_lazy("Elev uten registrert kjønn i folkeregisteret"),
    "pupil_without_class": gettext_lazy("Elev uten klasse (trinn mangler)"),
    "teacher_without_fte": gettext_lazy("Lærer uten stillingsprosent"),
    "child_without_hours": gettext_lazy("Barn uten oppholdstid"),
    "staff_without_fte": gettext_lazy("Ansatt uten stillingsprosent"),
    "staffing_norm_not_met": gettext_lazy("Bemanningsnormen er ikke oppfylt"),
    "pedagogue_norm_not_met": gettext_lazy("Pedagognormen er ikke oppfylt"),
}
TOTAL_LABELS = {
    "pupils": gettext_lazy("Elever"),
    "girls": gettext_lazy("Jenter"),
    "boys": gettext_lazy("Gutter"),
    "schools": gettext_lazy("Skoler"),
    "teacher_fte": gettext_lazy("Lærerårsverk"),
    "sfo_pupils": gettext_lazy("Elever i SFO"),
    "children": gettext_lazy("Barn"),
    "kindergartens": gettext_lazy("Barnehager"),
    "under_3": gettext_lazy("Under 3 år"),
    "over_3": gettext_lazy("Over 3 år"),
    "children_corrected": gettext_lazy("Korrigerte barn"),
    "fte_basic": gettext_lazy("Årsverk grunnbemanning"),
    "pedagogues_required": gettext_lazy("Pedagogiske ledere som kreves"),
}


def _problem_text(code: str) -> str:
    if code.startswith("teacher_norm_"):
        return _("Flere elever per lærerårsverk enn lærernormen på %(stage)s. trinn") % {
            "stage": code.removeprefix("teacher_norm_")
        }
    if code.startswith("no_teacher_fte_"):
        return _("Ingen lærerårsverk på %(stage)s. trinn") % {
            "stage": code.removeprefix("no_teacher_fte_")
        }
    return str(PROBLEM_TEXT.get(code, code))


def _default_day(month_day: tuple[int, int]) -> dt.date:
    today = clock.today()
    candidate = dt.date(today.year, *month_day)
    return candidate if candidate <= today else dt.date(today.year - 1, *month_day)


@require_GET
@never_cache
def report(request: HttpRequest, kind: str) -> HttpResponse:
    actor = edge.require(request, ReportAction.OPEN)
    if kind not in REPORTS:
        raise Http404
    build, rows_of, month_day = REPORTS[kind]
    allowed = scope(actor, ReportAction.STATUTORY, Municipality.objects.order_by("name"))
    asked = request.GET.get("municipality", "")
    if asked:
        # Another municipality's report (or no municipality at all): not even its existence.
        number = int_param(asked)
        if number is None or not allowed.filter(pk=number).exists():
            raise Http404
    form = ReportForm(request.GET or None, municipalities=allowed, default=_default_day(month_day))
    context: dict[str, Any] = {"kind": kind, "form": form, "report": None}
    if form.is_valid():
        municipality = form.cleaned_data["municipality"]
        day = form.cleaned_data["date"]
        data = build(municipality, day)
        fmt = request.GET.get("format", "")
        if fmt in ("csv", "xlsx"):
            rows = rows_of(data)
            name = f"{kind}-{municipality.number}-{day.isoformat()}.{fmt}"
            if fmt == "csv":
                body, mime = export.as_csv(rows), "text/csv; charset=utf-8"
            else:
                body = export.as_xlsx(rows, kind.upper())
                mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            response = HttpResponse(body, content_type=mime)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        names = {
            row["unit_id"]: row["name"]
            for row in data.get("schools", data.get("kindergartens", []))
        }
        context.update(
            report=data,
            rows=rows_of(data),
            problems=[
                {"unit": names.get(p["unit_id"], ""), "text": _problem_text(p["code"])}
                for p in data["problems"]
            ],
            query=request.GET.urlencode(),
            totals=[(TOTAL_LABELS.get(k, k), v) for k, v in data["totals"].items()],
        )
    return render(request, "reports/report.html", context)
