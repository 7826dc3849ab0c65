"""Job leases: one live holder, takeover after the heartbeat stops, the reaper restarts what a
dead worker left and tells the people waiting, administrators retry failed jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oppvekst.billing import services as billing
from oppvekst.billing.models import InvoiceRun, RunStatus
from oppvekst.core.models import Municipality
from oppvekst.demo.models import DemoPersona
from oppvekst.jobs import services as jobs
from oppvekst.jobs.models import JobLease, JobStatus

pytestmark = pytest.mark.django_db

TASK = "oppvekst.billing.tasks.compute_invoice_run"


def _hold(key: str, worker: str) -> JobLease:
    """A lease as a worker that then died would leave it."""
    return JobLease.objects.create(
        kind="test.job",
        key=key,
        task_path=TASK,
        task_kwargs={"run_id": 0},
        status=JobStatus.RUNNING,
        worker_id=worker,
        heartbeat_at=timezone.now(),
        started_at=timezone.now(),
        attempts=1,
    )


def test_a_live_lease_of_another_worker_is_not_taken() -> None:
    _hold("a", "someone-else")
    with jobs.lease(kind="test.job", key="a", task=TASK, kwargs={}) as held:
        assert held is None


def test_a_lease_whose_heartbeat_stopped_is_taken_over_with_its_checkpoint() -> None:
    row = _hold("b", "dead-worker")
    JobLease.objects.filter(pk=row.pk).update(
        heartbeat_at=timezone.now() - jobs.STALE_AFTER * 2, checkpoint={"done": 7}
    )
    with jobs.lease(kind="test.job", key="b", task=TASK, kwargs={}) as held:
        assert held is not None and held.restarted and held.attempt == 2
        assert held.checkpoint == {"done": 7}
        held.save_checkpoint({"done": 9})
    row.refresh_from_db()
    assert row.status == JobStatus.DONE and row.checkpoint == {"done": 9}


def test_a_finished_job_run_again_starts_fresh() -> None:
    for _ in range(2):
        with jobs.lease(kind="test.job", key="c", task=TASK, kwargs={}) as held:
            assert held is not None and not held.restarted and held.attempt == 1


def test_a_lost_lease_refuses_to_commit_the_result() -> None:
    with jobs.lease(kind="test.job", key="d", task=TASK, kwargs={}) as held:
        assert held is not None
        JobLease.objects.filter(kind="test.job", key="d").update(worker_id="another", attempts=9)
        with pytest.raises(jobs.LeaseLost):
            held.confirm()


def test_a_failing_job_is_recorded_failed() -> None:
    with pytest.raises(ZeroDivisionError):
        with jobs.lease(kind="test.job", key="e", task=TASK, kwargs={}):
            _ = 1 / 0
    row = JobLease.objects.get(kind="test.job", key="e")
    assert row.status == JobStatus.FAILED and "ZeroDivisionError" in row.error


def _october_run() -> InvoiceRun:
    municipality = Municipality.objects.get(number="0227")
    return billing.invoice_run_start(
        municipality=municipality, month=dt.date(2026, 10, 1), started_by=None
    )


def test_an_invoice_run_whose_worker_died_is_restarted_and_finished_by_the_reaper(
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = _october_run()
    InvoiceRun.objects.filter(pk=run.pk).update(status=RunStatus.COMPUTING, progress_label="x")
    JobLease.objects.update_or_create(
        kind="billing.invoice_run",
        key=str(run.pk),
        defaults={
            "task_path": TASK,
            "task_kwargs": {"run_id": run.pk},
            "restart_hook": "oppvekst.billing.services.invoice_run_job_restarted",
            "status": JobStatus.RUNNING,
            "worker_id": "killed-worker",
            "heartbeat_at": timezone.now() - dt.timedelta(minutes=5),
            "attempts": 1,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        reaped = jobs.jobs_reap()  # the immediate backend runs the enqueued task right away
    assert reaped.leases_restarted == 1 and reaped.jobs_enqueued == 1
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW
    lease = JobLease.objects.get(kind="billing.invoice_run", key=str(run.pk))
    assert lease.status == JobStatus.DONE and lease.restarts == 1 and lease.attempts == 2
    assert jobs.jobs_reap().leases_restarted == 0


def test_the_restart_hook_tells_the_people_waiting() -> None:
    run = _october_run()
    InvoiceRun.objects.filter(pk=run.pk).update(status=RunStatus.COMPUTING)
    billing.invoice_run_job_restarted(str(run.pk), retry=False)
    run.refresh_from_db()
    assert run.progress_label.startswith("Restartet")


def test_an_administrator_sees_a_failed_job_and_runs_it_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = _october_run()
    billing.invoice_run_compute(run_id=run.pk)
    InvoiceRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error="boom")
    lease = JobLease.objects.get(kind="billing.invoice_run", key=str(run.pk))
    JobLease.objects.filter(pk=lease.pk).update(status=JobStatus.FAILED, error="boom")
    client = Client()
    client.force_login(DemoPersona.objects.get(slug="admin").user)
    page = client.get("/drift/jobber/")
    assert page.status_code == 200 and "boom" in page.content.decode()
    assert "Kjør på nytt" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post("/drift/jobber/", {"job": lease.pk})
    assert retried.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW  # computed again (immediate backend)
    lease.refresh_from_db()
    assert lease.status == JobStatus.DONE
    again = client.post("/drift/jobber/", {"job": lease.pk}, follow=True)
    assert "allerede ferdig" in again.content.decode()


def test_the_job_page_takes_a_fixed_number_of_queries() -> None:
    for i in range(30):
        JobLease.objects.create(
            kind="test.job", key=f"q{i}", task_path=TASK, status=JobStatus.FAILED
        )
    client = Client()
    client.force_login(DemoPersona.objects.get(slug="admin").user)
    client.get("/drift/jobber/")
    with CaptureQueriesContext(connection) as few:
        client.get("/drift/jobber/?vis=alle")
    for i in range(30, 60):
        JobLease.objects.create(
            kind="test.job", key=f"q{i}", task_path=TASK, status=JobStatus.FAILED
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/drift/jobber/?vis=alle")
    assert len(many) == len(few)
