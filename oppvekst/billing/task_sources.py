"""Billing's tasks in the workspace: a reduced-fee application waits for a caseworker; a
computed invoice run waits for approval, an approved one for locking. Called inside the
services' own transactions."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from oppvekst.access.roles import RoleName
from oppvekst.billing.models import InvoiceRun, ReductionApplication
from oppvekst.billing.task_kinds import BillingTask
from oppvekst.workspace.task_services import task_publish, tasks_close

REDUCTION = "billing.reduction"
RUN = "billing.run"


def reduction_task_publish(application: ReductionApplication) -> None:
    task_publish(
        kind=BillingTask.REDUCTION_DECIDE,
        subject_type=REDUCTION,
        subject_id=application.pk,
        title=_("Redusert betaling: søknad fra %(name)s")
        % {"name": application.applicant.full_name},
        url=reverse("billing_reduction", args=[application.pk]),
        municipality_id=application.municipality_id,
        role=RoleName.CASEWORKER,
    )


def reduction_task_close(application_id: int) -> None:
    tasks_close(subject_type=REDUCTION, subject_id=application_id)


def _run_task(run: InvoiceRun, kind: str, title: str) -> None:
    task_publish(
        kind=kind,
        subject_type=RUN,
        subject_id=run.pk,
        title=title % {"month": run.month.strftime("%m.%Y")},
        url=reverse("billing_run", args=[run.pk]),
        municipality_id=run.municipality_id,
        role=RoleName.CASEWORKER,
    )


def run_computed(run: InvoiceRun) -> None:
    """A fresh preview replaces any earlier step's task for the same run."""
    tasks_close(subject_type=RUN, subject_id=run.pk)
    _run_task(run, BillingTask.RUN_APPROVE, _("Godkjenn fakturakjøringen for %(month)s"))


def run_approved(run: InvoiceRun) -> None:
    tasks_close(subject_type=RUN, subject_id=run.pk, kind=BillingTask.RUN_APPROVE)
    _run_task(run, BillingTask.RUN_LOCK, _("Lås fakturakjøringen for %(month)s"))


def run_locked(run: InvoiceRun) -> None:
    tasks_close(subject_type=RUN, subject_id=run.pk)
