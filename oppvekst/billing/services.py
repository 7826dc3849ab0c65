"""Changes in billing: reduced-fee applications and decisions, invoice runs (start, compute,
approve, lock), municipal price set-up. One transaction each; a locked run is never changed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Max, Q, Sum
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from oppvekst import clock
from oppvekst.billing import compute, task_sources
from oppvekst.billing.compute import LineRow, add_months, kindergarten_year
from oppvekst.billing.engine.rules import MissingRuleError, RulesError, YearMonth
from oppvekst.billing.export import build_export
from oppvekst.billing.letters import MonthlyAmount, decision_letter_pdf
from oppvekst.billing.models import (
    BillingCustomer,
    BillingService,
    BillingSettings,
    ChildBasis,
    ErpExport,
    Invoice,
    InvoiceChange,
    InvoiceLine,
    InvoiceRun,
    LineKind,
    MunicipalPrice,
    ReductionApplication,
    ReductionDocument,
    ReductionStatus,
    RunStatus,
    SfoPlaceType,
    ZonePeriod,
)
from oppvekst.billing.rulebook import MissingZone, rules_fingerprint
from oppvekst.core.models import Municipality, Owner, Unit, UnitKind
from oppvekst.daterange import DateRange
from oppvekst.dbutils import bulk_insert
from oppvekst.errors import ConflictError, DomainError
from oppvekst.jobs import services as jobs
from oppvekst.people.models import Guardianship, Person
from oppvekst.placements.models import Placement, Service
from oppvekst.staff.models import Employment, Position
from oppvekst.workspace.services import notify

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8",),
    ".jpeg": (b"\xff\xd8",),
}
MAX_INCOME_ORE = 100_000_000_00  # 100 million kroner: above that the input is a typo


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def year_month(day: dt.date) -> YearMonth:
    return YearMonth(day.year, day.month)


# -- reduced-fee applications ------------------------------------------------------------------


def reduction_children(applicant: Person, year_start: int) -> list[Person]:
    """The applicant's children the application can cover: children the applicant has parental
    responsibility for and lives with, with a kindergarten or SFO place in the year."""
    year = DateRange(dt.date(year_start, 8, 1), dt.date(year_start + 1, 7, 31))
    child_ids = (
        Guardianship.objects.overlapping(year)
        .filter(
            guardian=applicant,
            parental_responsibility=True,
            resident=True,
        )
        .values("child_id")
    )
    placed = (
        Placement.objects.overlapping(year)
        .filter(
            child_id__in=child_ids,
            service__in=[Service.KINDERGARTEN, Service.SFO],
        )
        .values("child_id")
    )
    return list(Person.objects.filter(pk__in=placed).order_by("birth_date", "pk"))


def reduction_years(today: dt.date) -> list[int]:
    """Applications are made for the current kindergarten year or the next one (the usual
    deadline for August is in the spring, norway.md § 2.4)."""
    current = kindergarten_year(year_month(today))
    return [current, current + 1]


def _check_document(upload: UploadedFile) -> str | None:
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    signatures = DOCUMENT_SIGNATURES.get(suffix)
    if signatures is None:
        return _t("Last opp PDF, PNG eller JPG.")
    if (upload.size or 0) > MAX_DOCUMENT_BYTES:
        return _t("Filen er større enn 10 MB.")
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        return _t("Filen ser ikke ut til å være en gyldig %(type)s-fil.") % {
            "type": suffix[1:].upper()
        }
    return None


def reduction_apply(
    *,
    applicant: Person,
    year_start: int,
    income_ore: int,
    reduced_fee: bool,
    free_core_hours: bool,
    documents: Sequence[UploadedFile],
    note: str = "",
) -> ReductionApplication:
    """A guardian applies for reduced fees for the household for one kindergarten year."""
    now = clock.now()
    fields: dict[str, Any] = {}
    if year_start not in reduction_years(now.date()):
        fields["year_start"] = _("Velg inneværende eller neste barnehageår.")
    if not (reduced_fee or free_core_hours):
        fields["reduced_fee"] = _("Kryss av for minst én ordning.")
    if not 0 <= income_ore <= MAX_INCOME_ORE:
        fields["income"] = _("Oppgi husholdningens samlede inntekt per år i kroner.")
    if not documents:
        fields["documents"] = _("Last opp dokumentasjon av inntekten (for eksempel skattemelding).")
    for upload in documents:
        problem = _check_document(upload)
        if problem:
            fields["documents"] = f"{upload.name}: {problem}"
    if fields:
        raise DomainError(_("Søknaden kan ikke sendes."), code="invalid", fields=fields)
    children = reduction_children(applicant, year_start)
    if not children:
        raise DomainError(
            _("Du har ingen barn med plass i barnehage eller SFO dette barnehageåret."),
            code="no_children",
        )
    municipality_id: int | None = (
        Placement.objects.filter(
            child__in=children, service__in=[Service.KINDERGARTEN, Service.SFO]
        )
        .order_by("-valid_from")
        .values_list("municipality_id", flat=True)
        .first()
    )
    assert municipality_id is not None  # the children were found through their placements
    with transaction.atomic():
        Person.objects.select_for_update().only("pk").get(pk=applicant.pk)
        pending = ReductionApplication.objects.filter(
            applicant=applicant, year_start=year_start, status=ReductionStatus.SUBMITTED
        ).exists()
        if pending:
            raise ConflictError(
                _("Du har allerede en søknad for dette barnehageåret som ikke er behandlet."),
                code="already_applied",
            )
        application = ReductionApplication.objects.create(
            municipality_id=municipality_id,
            applicant=applicant,
            year_start=year_start,
            income_ore=income_ore,
            reduced_fee=reduced_fee,
            free_core_hours=free_core_hours,
            note=note[:2000],
            submitted_at=now,
            application_month=first_of_month(now.date()),
        )
        application.children.set(children)
        for upload in documents:
            document = ReductionDocument(
                application=application,
                original_name=(upload.name or "dokument")[:200],
                content_type=(upload.content_type or "")[:100],
                size=upload.size or 0,
                uploaded_at=now,
            )
            document.file.save(upload.name or "dokument", upload, save=False)
            document.save()
        caseworkers = Person.objects.filter(
            employments__in=Employment.objects.active_on(now.date()).filter(
                municipality_id=municipality_id, position=Position.CASEWORKER
            )
        ).distinct()
        notify(
            recipients=caseworkers,
            source="billing",
            title=_t("Ny søknad om redusert foreldrebetaling"),
            body=_t("%(name)s har søkt for barnehageåret %(year)s.")
            % {"name": applicant.full_name, "year": application.year_label},
            url=f"/betaling/soknader/{application.pk}/",
            dedupe_key=f"reduction-submitted:{application.pk}",
            email=False,
            municipality_id=municipality_id,
        )
        task_sources.reduction_task_publish(application)
    return application


def reduction_decide(
    *,
    application: ReductionApplication,
    decided_by: Person,
    grant: bool,
    reason: str,
    expected_version: int,
    effective_from: dt.date | None = None,
) -> ReductionApplication:
    """Grant or refuse. The decision never applies before the application month; the letter is
    written now and kept with the application."""
    reason = reason.strip()
    with transaction.atomic():
        locked = ReductionApplication.objects.select_for_update().get(pk=application.pk)
        if locked.version != expected_version:
            raise ConflictError(
                _("Søknaden er endret av noen andre. Last siden på nytt."), code="stale"
            )
        if locked.status != ReductionStatus.SUBMITTED:
            raise ConflictError(_("Søknaden er allerede behandlet."), code="already_decided")
        if not grant and not reason:
            raise DomainError(
                _("Skriv en begrunnelse for avslaget."),
                fields={"reason": _("Et avslag må begrunnes.")},
            )
        earliest = locked.earliest_effective
        if grant:
            start = effective_from or earliest
            if start.day != 1:
                raise DomainError(
                    _("Vedtaket gjelder fra den første i en måned."),
                    fields={"effective_from": _("Velg den første i en måned.")},
                )
            if start < earliest:
                raise DomainError(
                    _("Et vedtak kan ikke gjelde fra før søknadsmåneden (%(month)s).")
                    % {"month": formats.date_format(earliest, "YEAR_MONTH_FORMAT")},
                    code="before_application",
                    fields={"effective_from": _("For tidlig.")},
                )
            if start > dt.date(locked.year_start + 1, 7, 1):
                raise DomainError(
                    _("Vedtaket må gjelde fra en måned i barnehageåret."),
                    fields={"effective_from": _("Utenfor barnehageåret.")},
                )
            locked.effective_from = start
        now = clock.now()
        locked.status = ReductionStatus.GRANTED if grant else ReductionStatus.REFUSED
        locked.decided_by = decided_by
        locked.decided_at = now
        locked.decision_reason = reason[:4000]
        locked.version += 1
        children = list(locked.children.order_by("birth_date", "pk"))
        monthly = _monthly_after_grant(locked, children) if grant else None
        locked.letter_pdf = decision_letter_pdf(locked, children, now.date(), monthly=monthly)
        locked.save()
        task_sources.reduction_task_close(locked.pk)
        applicant = Person.objects.get(pk=locked.applicant_id)
        notify(
            recipients=[applicant],
            source="billing",
            title=_t("Vedtak om redusert foreldrebetaling")
            if grant
            else _t("Søknaden om redusert foreldrebetaling er avslått"),
            body=_t("Vedtaksbrevet ligger på siden for betaling."),
            url=f"/portal/betaling/redusert/{locked.pk}/",
            dedupe_key=f"reduction-decided:{locked.pk}",
            municipality_id=locked.municipality_id,
        )
    return locked


def _monthly_after_grant(
    application: ReductionApplication, children: list[Person]
) -> list[MonthlyAmount] | None:
    """Each child's new monthly parent fee from the first month of a grant, for the letter
    (None when the month cannot be priced yet; the invoice then shows it)."""
    start = application.effective_from or application.earliest_effective
    try:
        effects = compute.reduction_effect(
            municipality_id=application.municipality_id,
            child_ids=[c.pk for c in children],
            month=year_month(start),
            income_ore=application.income_ore,
            reduced_fee=application.reduced_fee,
            free_core_hours=application.free_core_hours,
        )
    except (MissingRuleError, MissingZone):
        return None
    names = {c.pk: c.full_name for c in children}
    return [
        MonthlyAmount(names[e.child_id], e.service, e.before_ore, e.after_ore)
        for e in effects
        if e.child_id in names
    ]


# -- invoice runs ------------------------------------------------------------------------------


def _enqueue(run_id: int) -> None:
    from oppvekst.billing.tasks import compute_invoice_run

    transaction.on_commit(lambda: compute_invoice_run.enqueue(run_id=run_id))


def invoice_run_start(
    *, municipality: Municipality, month: dt.date, started_by: Person | None
) -> InvoiceRun:
    """Queue the run for ``month`` (computed by a background task). Runs go month by month:
    every earlier run must be locked, and a locked month is never run again."""
    month = first_of_month(month)
    with transaction.atomic():
        Municipality.objects.select_for_update().only("pk").get(pk=municipality.pk)
        runs = InvoiceRun.objects.filter(municipality=municipality)
        if runs.filter(month__gte=month).exists():
            raise ConflictError(
                _("Det finnes allerede en kjøring for denne eller en senere måned."),
                code="run_exists",
            )
        if runs.filter(month__lt=month).exclude(status=RunStatus.LOCKED).exists():
            raise ConflictError(
                _("En tidligere kjøring er ikke låst ennå. Lås den før du kjører neste måned."),
                code="previous_open",
            )
        run = InvoiceRun.objects.create(
            municipality=municipality,
            month=month,
            status=RunStatus.QUEUED,
            created_by=started_by,
            computed_by=started_by,
            created_at=clock.now(),
            progress_label="I kø",
        )
        _enqueue(run.pk)
    return run


def _check_version(run: InvoiceRun, expected_version: int) -> None:
    if run.version != expected_version:
        raise ConflictError(
            _("Kjøringen er endret av noen andre. Last siden på nytt."), code="stale"
        )


def invoice_run_recompute(
    *, run: InvoiceRun, by: Person | None, expected_version: int
) -> InvoiceRun:
    """Compute a run in preview (or a failed one) again, with today's data."""
    with transaction.atomic():
        locked = InvoiceRun.objects.select_for_update().get(pk=run.pk)
        _check_version(locked, expected_version)
        if locked.status not in (RunStatus.PREVIEW, RunStatus.FAILED):
            raise ConflictError(
                _("Bare en kjøring til kontroll kan beregnes på nytt."), code="not_preview"
            )
        locked.status = RunStatus.QUEUED
        locked.computed_by = by
        locked.error = ""
        locked.progress_done = locked.progress_total = 0
        locked.progress_label = "I kø"
        locked.version += 1
        locked.save()
        _enqueue(locked.pk)
    return locked


def invoice_run_approve(*, run: InvoiceRun, by: Person | None, expected_version: int) -> InvoiceRun:
    with transaction.atomic():
        locked = InvoiceRun.objects.select_for_update().get(pk=run.pk)
        _check_version(locked, expected_version)
        if locked.status != RunStatus.PREVIEW:
            raise ConflictError(_("Bare en kjøring til kontroll kan godkjennes."), code="state")
        if (
            by is not None
            and locked.computed_by_id == by.pk
            and BillingSettings.separate_approver_for(locked.municipality_id)
        ):
            # The municipality's four-eyes setting (BillingSettings.separate_approver).
            raise DomainError(
                _(
                    "Du beregnet denne kjøringen, så en annen må godkjenne den. Kommunen krever"
                    " to personer for å godkjenne en fakturakjøring."
                ),
                code="same_person",
            )
        locked.status = RunStatus.APPROVED
        locked.approved_by = by
        locked.approved_at = clock.now()
        locked.version += 1
        locked.save()
        task_sources.run_approved(locked)
    return locked


def invoice_run_lock(*, run: InvoiceRun, by: Person | None, expected_version: int) -> InvoiceRun:
    """Lock an approved run and write its ERP files. Nothing in a locked run changes again."""
    with transaction.atomic():
        locked = InvoiceRun.objects.select_for_update().get(pk=run.pk)
        _check_version(locked, expected_version)
        if locked.status != RunStatus.APPROVED:
            raise ConflictError(_("Kjøringen må godkjennes før den låses."), code="state")
        locked.status = RunStatus.LOCKED
        locked.locked_by = by
        locked.locked_at = clock.now()
        locked.version += 1
        locked.save()
        task_sources.run_locked(locked)
        files = build_export(locked)
        stem = f"fakturagrunnlag-{locked.municipality_id}-{locked.month:%Y-%m}"
        export = ErpExport(
            run=locked,
            csv_sha256=files.csv_sha256,
            json_sha256=files.json_sha256,
            invoice_count=files.invoice_count,
            line_count=files.line_count,
            control_total_ore=files.control_total_ore,
            created_at=clock.now(),
        )
        export.csv_file.save(f"{stem}.csv", ContentFile(files.csv_text.encode()), save=False)
        export.json_file.save(f"{stem}.json", ContentFile(files.json_text.encode()), save=False)
        export.save()
    return locked


class _ProgressWriter:
    """Writes progress to the run row every few seconds of work (an UPDATE, outside the
    transaction that writes the lines, so the page sees it while the task works)."""

    def __init__(self, run_id: int, total: int) -> None:
        self.run_id = run_id
        self.total = total
        self.base = 0

    def set(self, done: int, label: str) -> None:
        InvoiceRun.objects.filter(pk=self.run_id).update(
            progress_done=min(done, self.total), progress_total=self.total, progress_label=label
        )

    def step(self, label: str) -> Callable[[int], None]:
        base = self.base

        def callback(done: int) -> None:
            self.set(base + done, label)

        return callback


RUN_TASK = "oppvekst.billing.tasks.compute_invoice_run"


def invoice_run_job_restarted(key: str, *, retry: bool) -> None:
    """The jobs reaper's hook: a run whose worker died is computed again from scratch (its
    lines are written in one transaction at the end, so nothing half-written exists); the
    people waiting see that it restarted. An administrator's retry queues a failed run."""
    if retry:
        InvoiceRun.objects.filter(pk=int(key), status=RunStatus.FAILED).update(
            status=RunStatus.QUEUED, error="", progress_label="I kø"
        )
        return
    InvoiceRun.objects.filter(
        pk=int(key), status__in=[RunStatus.QUEUED, RunStatus.COMPUTING]
    ).update(progress_label="Restartet etter avbrudd, beregner på nytt")


def invoice_run_compute(*, run_id: int) -> InvoiceRun | None:
    """Compute a queued run (the background task) under a job lease: a run whose worker died
    is taken over and computed again. Returns None if a live worker has it or it is done."""
    with jobs.lease(
        kind="billing.invoice_run",
        key=run_id,
        task=RUN_TASK,
        kwargs={"run_id": run_id},
        restart_hook="oppvekst.billing.services.invoice_run_job_restarted",
        label=f"Fakturakjøring {run_id}",
    ) as lease:
        if lease is None:
            return None
        label = "Restartet, laster data" if lease.restarted else "Laster data"
        claimed = InvoiceRun.objects.filter(
            pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.COMPUTING]
        ).update(status=RunStatus.COMPUTING, progress_label=label)
        if not claimed:
            return None
        run = InvoiceRun.objects.get(pk=run_id)
        try:
            _compute_run(run, lease)
        except (MissingRuleError, MissingZone, RulesError) as exc:
            # The page shows ``error`` to caseworkers: plain words and what to do; the rule
            # detail goes to the log for the administrator.
            log.warning("invoice run %s cannot be computed: %s", run_id, exc)
            InvoiceRun.objects.filter(pk=run_id).update(
                status=RunStatus.FAILED, error=_run_error_text(exc), progress_label=""
            )
        except (jobs.LeaseLost, OperationalError, InterfaceError):
            raise  # another worker computes it, or it runs again when the database is back
        except Exception:
            log.exception("invoice run %s failed", run_id)
            InvoiceRun.objects.filter(pk=run_id).update(
                status=RunStatus.FAILED,
                error=gettext(
                    "En uventet feil stoppet beregningen. Prøv å beregne på nytt; hjelper ikke det,"
                    " kontakt administrator."
                ),
            )
            raise
    return InvoiceRun.objects.get(pk=run_id)


def _run_error_text(exc: Exception) -> str:
    if isinstance(exc, MissingZone) or isinstance(exc.__cause__, MissingZone):
        return gettext(
            "Kommunen mangler prissone for måneden. Administrator må legge den inn i oppsettet"
            " for betaling før kjøringen kan beregnes."
        )
    if isinstance(exc, RulesError):
        return gettext(
            "Satstabellene i oppsettet er ikke gyldige. Administrator må rette dem før"
            " kjøringen kan beregnes."
        )
    return gettext(
        "Det mangler satser for måneden. Administrator må legge dem inn i oppsettet for"
        " betaling før kjøringen kan beregnes."
    )


def _unconfirmed_task(run: InvoiceRun) -> None:
    """Rates not confirmed in the sources are a configuration task for the administrator
    (never shown to families): one task per municipality and set of rates."""
    if not run.unconfirmed_rules:
        return
    admins = Person.objects.filter(
        employments__in=Employment.objects.active_on(clock.today())
        .filter(position=Position.SYSTEM_ADMIN)
        .filter(Q(municipality_id=run.municipality_id) | Q(municipality=None))
    ).distinct()
    key = ",".join(sorted(run.unconfirmed_rules))
    notify(
        recipients=admins,
        source="billing",
        title=gettext("Kontroller satser for betaling"),
        body=gettext(
            "Fakturakjøringen for %(month)s bruker %(count)d satser som ikke er bekreftet i"
            " kildene. Kontroller dem mot lovdata.no eller udir.no og merk dem som bekreftet"
            " i oppsettet."
        )
        % {"month": run.month.strftime("%m.%Y"), "count": len(run.unconfirmed_rules)},
        url="/admin/billing/raterule/?bekreftet=nei",
        dedupe_key=f"billing-unconfirmed:{run.municipality_id}:{key}"[:200],
        email=False,
        is_task=True,
        municipality_id=run.municipality_id,
    )


def _compute_run(run: InvoiceRun, lease: jobs.Lease) -> None:
    month = year_month(run.month)
    municipality_id = run.municipality_id
    rules_hash = rules_fingerprint(municipality_id)
    # How far back a run looks for changes to locked months (correction lines).
    window_start = add_months(month, -int(settings.OPPVEKST_BILLING_CORRECTION_MONTHS)).first_day
    locked_runs = list(
        InvoiceRun.objects.filter(
            municipality_id=municipality_id,
            status=RunStatus.LOCKED,
            month__lt=run.month,
            month__gte=window_start,
        ).order_by("month")
    )
    past_months = [year_month(r.month) for r in locked_runs]
    inputs = compute.load_inputs(municipality_id, past_months[0] if past_months else month, month)
    families = len(inputs.placements)  # children; progress counts children priced
    progress = _ProgressWriter(run.pk, families + 1)
    progress.set(0, "Beregner")
    lines = compute.compute_month(inputs, month, progress=progress.step("Beregner"))
    fingerprints = compute.fingerprints(inputs, rules_hash)
    corrections: list[LineRow] = []
    corrected: list[str] = []
    if locked_runs:
        progress.set(families, "Ser etter endringer i låste måneder")
        latest = locked_runs[-1]
        previous = dict(
            ChildBasis.objects.filter(run=latest).values_list("child_id", "fingerprint")
        )
        changed = {cid for cid, fp in fingerprints.items() if previous.get(cid) != fp}
        changed |= set(previous) - set(fingerprints)
        if changed:
            corrections = _corrections(inputs, municipality_id, past_months, changed)
            corrected = sorted({line.period.strftime("%Y-%m") for line in corrections})
    progress.set(families, "Lagrer")
    previous_run = (
        InvoiceRun.objects.filter(municipality_id=municipality_id, month__lt=run.month)
        .order_by("-month")
        .first()
    )
    with transaction.atomic():
        lease.confirm()  # a worker that lost its lease must not write the lines a second time
        current = InvoiceRun.objects.select_for_update().get(pk=run.pk)
        if current.status != RunStatus.COMPUTING:
            return  # cancelled or taken over meanwhile
        _write_run(current, lines + corrections, fingerprints, previous_run, inputs)
        current.status = RunStatus.PREVIEW
        current.computed_at = clock.now()
        current.zone = inputs.zones.zone_for(month)
        current.warnings = inputs.warnings.as_list()
        current.unconfirmed_rules = sorted(inputs.unconfirmed)
        current.corrected_months = corrected
        current.rules_hash = rules_hash
        current.progress_done = current.progress_total = families + 1
        current.progress_label = "Ferdig"
        current.version += 1
        current.save()
        task_sources.run_computed(current)
        _unconfirmed_task(current)


def _corrections(
    inputs: compute.Inputs, municipality_id: int, months: list[YearMonth], changed: set[int]
) -> list[LineRow]:
    """Correction lines for the locked ``months``: what the lines should be today minus what
    the locked runs billed, for the households of the ``changed`` children."""
    out: list[LineRow] = []
    for month in months:
        expected = compute.compute_month(inputs, month, child_ids=changed)
        children = changed | {line.child_id for line in expected}
        billed: dict[tuple[Any, ...], int] = {}
        billed_rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        child_list = sorted(children)
        for start in range(0, len(child_list), 900):
            rows = (
                InvoiceLine.objects.filter(
                    run__municipality_id=municipality_id,
                    run__status=RunStatus.LOCKED,
                    period=month.first_day,
                    child_id__in=child_list[start : start + 900],
                )
                .values_list(
                    "child_id",
                    "payer_id",
                    "service",
                    "rule_id",
                    "is_food",
                    "unit_id",
                    "rule_table",
                    "source",
                    "invoiced",
                    "confirmed",
                )
                .annotate(total=Sum("amount_ore"))
                .order_by()
            )
            for *key_and_more, total in rows:
                key = tuple(key_and_more[:6])
                billed[key] = billed.get(key, 0) + total
                billed_rows[key] = tuple(key_and_more)
        want: dict[tuple[Any, ...], int] = {}
        want_rows: dict[tuple[Any, ...], LineRow] = {}
        for line in expected:
            key = (
                line.child_id,
                line.payer_id,
                line.service,
                line.rule_id,
                line.is_food,
                line.unit_id,
            )
            want[key] = want.get(key, 0) + line.amount_ore
            want_rows.setdefault(key, line)
        tables = {key: row.rule_table for key, row in want_rows.items()}
        for key, row in billed_rows.items():
            tables.setdefault(key, row[6])
        ordered = sorted((_line_order(key, tables[key]), key) for key in set(want) | set(billed))
        for _order, key in ordered:
            difference = want.get(key, 0) - billed.get(key, 0)
            if not difference:
                continue
            template = want_rows.get(key)
            if template is not None:
                out.append(
                    LineRow(
                        month.first_day,
                        template.child_id,
                        template.payer_id,
                        template.unit_id,
                        template.placement_id,
                        template.service,
                        template.rule_id,
                        template.rule_table,
                        template.source,
                        difference,
                        template.share_percent,
                        template.is_food,
                        template.invoiced,
                        template.confirmed,
                        LineKind.CORRECTION,
                    )
                )
            else:
                child, payer, service, rule_id, is_food, unit, table, source, invoiced, ok = (
                    billed_rows[key]
                )
                out.append(
                    LineRow(
                        month.first_day,
                        child,
                        payer,
                        unit,
                        None,
                        service,
                        rule_id,
                        table,
                        source,
                        difference,
                        100,
                        is_food,
                        invoiced,
                        ok,
                        LineKind.CORRECTION,
                    )
                )
    return out


# The order of lines within a child, as the engine emits them (norway.md § 2 order).
LINE_ORDER = {
    table: index
    for index, table in enumerate(
        (
            "billing_months",
            "kindergarten_max_price",
            "kindergarten_part_time",
            "kindergarten_income_cap",
            "kindergarten_free_core_hours",
            "kindergarten_sibling_discount",
            "sfo_list_price",
            "sfo_special_needs_free",
            "sfo_income_cap",
            "sfo_free_hours",
            "food",
        )
    )
}


def _line_order(key: tuple[Any, ...], table: str) -> tuple[Any, ...]:
    child, payer, service, rule_id, is_food, _unit = key
    return (child, payer or 0, service, is_food, LINE_ORDER.get(table, 99), rule_id)


# -- writing a run -----------------------------------------------------------------------------

LINE_FIELDS = (
    "run_id",
    "municipality_id",
    "child_id",
    "payer_id",
    "unit_id",
    "placement_id",
    "service",
    "period",
    "kind",
    "rule_id",
    "rule_table",
    "source",
    "amount_ore",
    "share_percent",
    "is_food",
    "invoiced",
    "confirmed",
)


def _write_run(
    run: InvoiceRun,
    rows: list[LineRow],
    fingerprints: dict[int, str],
    previous_run: InvoiceRun | None,
    inputs: compute.Inputs,
) -> None:
    InvoiceLine.objects.filter(run=run).delete()
    Invoice.objects.filter(run=run).delete()
    InvoiceChange.objects.filter(run=run).delete()
    ChildBasis.objects.filter(run=run).delete()
    municipality_id = run.municipality_id
    bulk_insert(
        InvoiceLine,
        LINE_FIELDS,
        (
            (
                run.pk,
                municipality_id,
                r.child_id,
                r.payer_id,
                r.unit_id,
                r.placement_id,
                r.service,
                r.period,
                r.kind,
                r.rule_id,
                r.rule_table,
                r.source,
                r.amount_ore,
                r.share_percent,
                r.is_food,
                r.invoiced,
                r.confirmed,
            )
            for r in rows
        ),
    )
    # Invoices: one per payer with invoiced lines.
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        if r.invoiced and r.payer_id is not None:
            t = totals[r.payer_id]
            t[0] += r.amount_ore
            t[1] += 1
            if r.kind == LineKind.CORRECTION:
                t[2] += r.amount_ore
    numbers = _customer_numbers(municipality_id, sorted(totals))
    previous_totals: dict[int, int] = {}
    if previous_run is not None:
        previous_totals = dict(
            Invoice.objects.filter(run=previous_run).values_list("payer_id", "total_ore")
        )
    municipality_number = Municipality.objects.values_list("number", flat=True).get(
        pk=municipality_id
    )
    ordered = sorted(totals, key=lambda payer: numbers[payer])
    invoice_rows = []
    for seq, payer in enumerate(ordered, start=1):
        total, count, correction = totals[payer]
        previous = previous_totals.get(payer, 0) if previous_run is not None else None
        invoice_rows.append(
            (
                run.pk,
                municipality_id,
                payer,
                str(numbers[payer]),
                f"{municipality_number}-{run.month:%Y%m}-{seq:06d}",
                total,
                previous,
                count,
                correction,
            )
        )
    bulk_insert(
        Invoice,
        (
            "run_id",
            "municipality_id",
            "payer_id",
            "customer_number",
            "order_number",
            "total_ore",
            "previous_total_ore",
            "line_count",
            "correction_ore",
        ),
        invoice_rows,
    )
    changes = _changes(run, rows, previous_run) if previous_run is not None else []
    bulk_insert(
        InvoiceChange,
        ("run_id", "child_id", "payer_id", "previous_ore", "current_ore", "reasons"),
        changes,
    )
    bulk_insert(
        ChildBasis,
        ("run_id", "child_id", "fingerprint"),
        ((run.pk, cid, fp) for cid, fp in sorted(fingerprints.items())),
    )
    run.child_count = len({r.child_id for r in rows if r.kind == LineKind.CHARGE})
    run.line_count = len(rows)
    run.invoice_count = len(invoice_rows)
    run.total_ore = sum(r.amount_ore for r in rows if r.invoiced and r.payer_id is not None)
    run.correction_ore = sum(
        r.amount_ore for r in rows if r.kind == LineKind.CORRECTION and r.invoiced
    )
    run.private_compensation_ore = -sum(
        r.amount_ore for r in rows if not r.invoiced and r.rule_table in _COMPENSATED
    )
    run.changed_count = len(changes)


_COMPENSATED = {
    "kindergarten_income_cap",
    "kindergarten_free_core_hours",
    "kindergarten_sibling_discount",
}


def _customer_numbers(municipality_id: int, payers: list[int]) -> dict[int, int]:
    """Stable ERP customer numbers: existing ones kept, new payers numbered after the last."""
    numbers: dict[int, int] = {}
    for start in range(0, len(payers), 900):
        numbers.update(
            BillingCustomer.objects.filter(
                municipality_id=municipality_id, person_id__in=payers[start : start + 900]
            ).values_list("person_id", "number")
        )
    missing = [p for p in payers if p not in numbers]
    if missing:
        last = (
            BillingCustomer.objects.filter(municipality_id=municipality_id).aggregate(
                m=Max("number")
            )["m"]
            or 100000
        )
        new_rows = []
        for offset, person in enumerate(missing, start=1):
            numbers[person] = last + offset
            new_rows.append((municipality_id, person, last + offset))
        bulk_insert(BillingCustomer, ("municipality_id", "person_id", "number"), new_rows)
    return numbers


def _changes(
    run: InvoiceRun, rows: list[LineRow], previous_run: InvoiceRun
) -> list[tuple[Any, ...]]:
    """Per payer and child: the difference from the previous run, with its reasons. Totals are
    compared first (one small aggregate); the breakdown by rule is read only for the pairs
    whose total changed."""
    Agg = dict[tuple[int | None, int], dict[tuple[str, str, str], int]]
    after: Agg = defaultdict(dict)
    for r in rows:
        if not r.invoiced:
            continue
        key = (r.kind, r.rule_table, r.period.strftime("%Y-%m"))
        bucket = after[(r.payer_id, r.child_id)]
        bucket[key] = bucket.get(key, 0) + r.amount_ore
    previous_totals = {
        (payer, child): total
        for payer, child, total in InvoiceLine.objects.filter(run=previous_run, invoiced=True)
        .values_list("payer_id", "child_id")
        .annotate(total=Sum("amount_ore"))
        .order_by()
    }
    changed = [
        pair
        for pair in set(previous_totals) | set(after)
        if previous_totals.get(pair, 0) != sum(after.get(pair, {}).values())
        or (pair in previous_totals) != (pair in after)
    ]
    before: Agg = defaultdict(dict)
    changed_children = sorted({child for _payer, child in changed})
    for start in range(0, len(changed_children), 900):
        for payer, child, kind, table, period, total in (
            InvoiceLine.objects.filter(
                run=previous_run,
                invoiced=True,
                child_id__in=changed_children[start : start + 900],
            )
            .values_list("payer_id", "child_id", "kind", "rule_table", "period")
            .annotate(total=Sum("amount_ore"))
            .order_by()
        ):
            key = (kind, table, period.strftime("%Y-%m"))
            bucket = before[(payer, child)]
            bucket[key] = bucket.get(key, 0) + total
    out: list[tuple[Any, ...]] = []
    for pair in sorted(changed, key=lambda p: (p[0] or 0, p[1])):
        old, new = before.get(pair, {}), after.get(pair, {})
        old_total, new_total = sum(old.values()), sum(new.values())
        if old_total == new_total:
            continue
        reasons: list[dict[str, Any]] = []
        if not old:
            reasons.append({"code": "new"})
        elif not new:
            reasons.append({"code": "ended"})
        else:
            tables: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for (kind, table, _period), amount in old.items():
                if kind == LineKind.CHARGE:
                    tables[table][0] += amount
            for (kind, table, _period), amount in new.items():
                if kind == LineKind.CHARGE:
                    tables[table][1] += amount
            for table, (b, a) in sorted(tables.items()):
                if a != b:
                    reasons.append({"code": "rule", "table": table, "before": b, "after": a})
        corrections: dict[str, int] = defaultdict(int)
        for (kind, _table, period), amount in new.items():
            if kind == LineKind.CORRECTION:
                corrections[period] += amount
        for period, amount in sorted(corrections.items()):
            if amount:
                reasons.append({"code": "correction", "period": period, "amount": amount})
        earlier: dict[str, int] = defaultdict(int)
        for (kind, _table, period), amount in old.items():
            if kind == LineKind.CORRECTION:
                earlier[period] += amount
        for period, amount in sorted(earlier.items()):
            if amount:
                reasons.append({"code": "previous_correction", "period": period, "amount": amount})
        payer, child = pair
        out.append((run.pk, child, payer, old_total, new_total, json.dumps(reasons)))
    return out


# -- municipal set-up ------------------------------------------------------------------------

DEMO_SFO_PRICES_ORE = {SfoPlaceType.FULL: 3_300_00, SfoPlaceType.PART: 2_150_00}
DEMO_FOOD_ORE: dict[str, int] = {Owner.MUNICIPAL: 400_00, Owner.PRIVATE: 480_00}
DEMO_SFO_FOOD_ORE = 250_00


def billing_setup_municipality(
    *,
    municipality: Municipality,
    zone: str = "standard",
    valid_from: dt.date = dt.date(2020, 1, 1),
    sfo_prices_ore: dict[str, int] | None = None,
    sfo_food_ore: int = DEMO_SFO_FOOD_ORE,
    kindergarten_food_ore: dict[str, int] | None = None,
) -> int:
    """Give a municipality a zone and municipal prices if it has none (idempotent): the SFO
    place types and food money, per owner type for kindergartens (private kindergartens set
    their own kost). Returns how many rows were created. Used by the demo and by tests."""
    created = 0
    with transaction.atomic():
        if not ZonePeriod.objects.filter(municipality=municipality).exists():
            ZonePeriod.objects.create(
                municipality=municipality,
                zone=zone,
                valid_from=valid_from,
                source="SSB sentralitetsindeks (demo)",
            )
            created += 1
        if MunicipalPrice.objects.filter(municipality=municipality).exists():
            return created
        prices = sfo_prices_ore or DEMO_SFO_PRICES_ORE
        rows = [
            MunicipalPrice(
                municipality=municipality,
                kind=MunicipalPrice.Kind.SFO_PLACE,
                service=BillingService.SFO,
                place_type=place_type,
                monthly_ore=amount,
                valid_from=valid_from,
                source="Kommunestyrets vedtak om SFO-satser (demo)",
            )
            for place_type, amount in prices.items()
        ]
        rows.append(
            MunicipalPrice(
                municipality=municipality,
                kind=MunicipalPrice.Kind.FOOD,
                service=BillingService.SFO,
                monthly_ore=sfo_food_ore,
                valid_from=valid_from,
                source="Kostpenger SFO (demo)",
            )
        )
        food = kindergarten_food_ore or DEMO_FOOD_ORE
        for unit in Unit.objects.filter(municipality=municipality, kind=UnitKind.KINDERGARTEN):
            rows.append(
                MunicipalPrice(
                    municipality=municipality,
                    unit=unit,
                    kind=MunicipalPrice.Kind.FOOD,
                    service=BillingService.KINDERGARTEN,
                    monthly_ore=food[unit.owner],
                    valid_from=valid_from,
                    source="Kostpenger per barnehage (demo)",
                )
            )
        MunicipalPrice.objects.bulk_create(rows)
        created += len(rows)
    return created
