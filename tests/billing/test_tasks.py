"""Billing's tasks: a computed run waits for approval, an approved one for locking; a reduced-fee
application waits for a caseworker until decided."""

from __future__ import annotations

import datetime as dt

import pytest

from oppvekst.billing.services import (
    invoice_run_approve,
    invoice_run_compute,
    invoice_run_lock,
    invoice_run_start,
)
from oppvekst.billing.task_kinds import BillingTask
from oppvekst.workspace.models import Task, TaskStatus
from tests.billing.scenario import Town

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)


def _open() -> list[str]:
    return list(
        Task.objects.filter(status=TaskStatus.OPEN, subject_type="billing.run").values_list(
            "kind", flat=True
        )
    )


def test_an_invoice_run_asks_for_approval_then_locking_then_nothing(town: Town) -> None:
    run = invoice_run_start(municipality=town.municipality, month=OCT, started_by=None)
    assert _open() == []
    invoice_run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert _open() == [BillingTask.RUN_APPROVE]
    run = invoice_run_approve(run=run, by=None, expected_version=run.version)
    assert _open() == [BillingTask.RUN_LOCK]
    invoice_run_lock(run=run, by=None, expected_version=run.version)
    assert _open() == []
