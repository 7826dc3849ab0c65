"""Leases with a heartbeat for long jobs, and the reaper that restarts what a dead worker left.

Use in a task:

    with jobs.lease(kind="billing.invoice_run", key=run_id, task=compute_invoice_run,
                    kwargs={"run_id": run_id}, restart_hook="oppvekst.billing...") as lease:
        if lease is None:
            return  # another live worker has it
        ... lease.save_checkpoint({...}) ...

The job itself must be idempotent when run again (it may be restarted after any step);
`lease.checkpoint` holds what it saved last time, `lease.attempt` counts its starts.
See docs/decisions/0005-jobs-leases.md."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from oppvekst.jobs.models import JobLease, JobStatus, WorkerBeat

log = logging.getLogger(__name__)

# A heartbeat older than STALE_AFTER means the process died (or lost the database for as
# long): with the reaper running every REAP_SECONDS a dead job is found within a minute.
# Wall-clock time (timezone.now), not the injectable business clock: the demo stands on a
# fixed date, heartbeats must not. OPPVEKST_JOB_STALE_SECONDS shortens it for fault tests.
STALE_AFTER = dt.timedelta(seconds=settings.OPPVEKST_JOB_STALE_SECONDS)
CHECKPOINT_PAUSE = settings.OPPVEKST_JOB_CHECKPOINT_PAUSE
BEAT_SECONDS = max(0.5, STALE_AFTER.total_seconds() / 6)
REAP_SECONDS = max(1.0, STALE_AFTER.total_seconds() / 3)

_worker_id = f"{socket.gethostname()[:60]}-{os.getpid()}"


def worker_id() -> str:
    """This process's id in leases and worker heartbeats."""
    return _worker_id


def set_worker_id(value: str) -> None:
    global _worker_id
    _worker_id = value[:100]


class LeaseLost(Exception):
    """Another worker has taken the job over; this one must not write its result."""


@dataclass
class Lease:
    pk: int
    attempt: int
    checkpoint: dict[str, Any]
    restarted: bool
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def confirm(self) -> None:
        """Call inside the transaction that commits the job's result: locks the lease and
        raises LeaseLost if it was taken over meanwhile (this worker lost the database for
        longer than STALE_AFTER and another one restarted the job) -- a fencing token, so a
        result is never written twice."""
        held = (
            JobLease.objects.select_for_update()
            .filter(pk=self.pk, worker_id=worker_id(), attempts=self.attempt)
            .exists()
        )
        if not held:
            raise LeaseLost(f"lease {self.pk} was taken over")

    def save_checkpoint(self, data: dict[str, Any]) -> None:
        """Remember how far the job got (committed at once, outside any transaction)."""
        self.checkpoint = dict(data)
        JobLease.objects.filter(pk=self.pk, worker_id=worker_id()).update(
            checkpoint=self.checkpoint, heartbeat_at=timezone.now()
        )
        if CHECKPOINT_PAUSE > 0:
            time.sleep(CHECKPOINT_PAUSE)  # the fault harness only (0 in production)


def _path(task: Any) -> str:
    return task if isinstance(task, str) else f"{task.func.__module__}.{task.func.__name__}"


def _acquire(
    *, kind: str, key: str, task_path: str, kwargs: dict[str, Any], hook: str, label: str
) -> Lease | None:
    now = timezone.now()
    me = worker_id()
    with transaction.atomic():
        row, _created = JobLease.objects.select_for_update().get_or_create(
            kind=kind, key=key, defaults={"task_path": task_path, "task_kwargs": kwargs}
        )
        alive = row.heartbeat_at is not None and row.heartbeat_at >= now - STALE_AFTER
        if row.status == JobStatus.RUNNING and alive and row.worker_id != me:
            return None
        fresh = row.status in (JobStatus.DONE, JobStatus.FAILED) or _created
        restarted = not fresh and row.attempts > 0
        row.attempts = 1 if fresh else row.attempts + 1
        if fresh:
            row.checkpoint = {}
            row.restarts = 0
        row.status = JobStatus.RUNNING
        row.worker_id = me
        row.heartbeat_at = now
        row.started_at = now
        row.finished_at = None
        row.error = ""
        row.task_path = task_path
        row.task_kwargs = kwargs
        row.restart_hook = hook
        row.label = label[:200] or row.label
        row.save()
        return Lease(
            pk=row.pk, attempt=row.attempts, checkpoint=dict(row.checkpoint), restarted=restarted
        )


def _beat(lease: Lease) -> None:
    """Renew the lease until the job ends. Its own connection: the job may be inside a long
    transaction, and a lost connection only skips beats until it is back."""
    try:
        while not lease._stop.wait(BEAT_SECONDS):
            try:
                JobLease.objects.filter(
                    pk=lease.pk, worker_id=worker_id(), status=JobStatus.RUNNING
                ).update(heartbeat_at=timezone.now())
            except Exception:
                log.warning("job heartbeat failed", exc_info=True)
                connection.close()
    finally:
        connection.close()


def _finish(lease: Lease, status: str, error: str = "") -> None:
    try:
        JobLease.objects.filter(pk=lease.pk, worker_id=worker_id(), attempts=lease.attempt).update(
            status=status,
            finished_at=timezone.now(),
            error=error[:4000],
            heartbeat_at=timezone.now(),
        )
    except Exception:
        log.warning("could not record the end of job lease %s", lease.pk, exc_info=True)


@contextmanager
def lease(
    *,
    kind: str,
    key: str | int,
    task: Any,
    kwargs: dict[str, Any],
    restart_hook: str = "",
    label: str = "",
) -> Iterator[Lease | None]:
    """Hold the job's lease while the block runs; None if a live worker holds it already.
    `task` is the django-task (or its dotted path) that runs the job again after a restart;
    `restart_hook` a dotted path to `hook(key: str, *, retry: bool)` that tells the people
    waiting (a restart) or puts the job's object back in its queue (an administrator's retry)."""
    held = _acquire(
        kind=kind,
        key=str(key),
        task_path=_path(task),
        kwargs=kwargs,
        hook=restart_hook,
        label=label,
    )
    if held is None:
        yield None
        return
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):  # type: ignore[attr-defined]
        # (an in-memory database, the test suite's, cannot be shared with another thread)
        beater = threading.Thread(
            target=_beat, args=(held,), name=f"lease-{kind}-{key}", daemon=True
        )
        beater.start()
    try:
        yield held
    except LeaseLost:
        held._stop.set()
        raise
    except (OperationalError, InterfaceError):
        # The database went away: not the job's fault. It runs again once the database is back.
        held._stop.set()
        _finish(held, JobStatus.RESTARTED)
        raise
    except Exception as exc:
        held._stop.set()
        _finish(held, JobStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    except BaseException:
        # Shut down in the middle (SIGTERM twice, Ctrl+C): run again soon, from the checkpoint.
        held._stop.set()
        _finish(held, JobStatus.RESTARTED)
        raise
    else:
        held._stop.set()
        _finish(held, JobStatus.DONE)
    finally:
        held._stop.set()


# -- workers and the reaper ------------------------------------------------------------------


def worker_beat(*, started_at: dt.datetime) -> None:
    now = timezone.now()
    me = worker_id()
    updated = WorkerBeat.objects.filter(worker_id=me).update(heartbeat_at=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            worker_id=me,
            defaults={
                "host": socket.gethostname()[:100],
                "pid": os.getpid(),
                "started_at": started_at,
                "heartbeat_at": now,
            },
        )


def worker_gone() -> None:
    WorkerBeat.objects.filter(worker_id=worker_id()).delete()


@dataclass
class Reaped:
    tasks_requeued: int = 0
    leases_restarted: int = 0
    jobs_enqueued: int = 0


def _enqueue(task_path: str, kwargs: dict[str, Any]) -> None:
    import_string(task_path).enqueue(**kwargs)


def _call_hook(row: JobLease, *, retry: bool) -> None:
    if not row.restart_hook:
        return
    try:
        import_string(row.restart_hook)(row.key, retry=retry)
    except Exception:
        log.exception("restart hook of %s failed", row)


def _requeue_orphan_tasks(now: dt.datetime) -> int:
    """django-tasks rows RUNNING on a worker that stopped beating go back to READY: their
    tasks are idempotent and run again on a live worker (several workers claim with SKIP
    LOCKED on PostgreSQL)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    live = set(
        WorkerBeat.objects.filter(heartbeat_at__gte=now - STALE_AFTER).values_list(
            "worker_id", flat=True
        )
    )
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - STALE_AFTER
        )
        for result in running:
            owner = result.worker_ids[-1] if result.worker_ids else ""
            if owner in live:
                continue
            DBTaskResult.objects.filter(pk=result.pk).update(
                status=TaskResultStatus.READY, run_after=now
            )
            requeued += 1
    WorkerBeat.objects.filter(heartbeat_at__lt=now - STALE_AFTER * 4).delete()
    return requeued


def _waiting(task_path: str, kwargs: dict[str, Any]) -> bool:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    for args_kwargs in DBTaskResult.objects.filter(
        task_path=task_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", flat=True):
        if (args_kwargs or {}).get("kwargs") == kwargs:
            return True
    return False


def jobs_reap() -> Reaped:
    """Find what dead workers left and run it again. Safe to run in every worker at once."""
    from django.conf import settings

    now = timezone.now()
    out = Reaped()
    uses_db_queue = settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    if uses_db_queue:
        out.tasks_requeued = _requeue_orphan_tasks(now)
    waiting = [JobStatus.RUNNING, JobStatus.RESTARTED, JobStatus.QUEUED]
    stale = JobLease.objects.filter(status__in=waiting).exclude(heartbeat_at__gte=now - STALE_AFTER)
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            row = (
                JobLease.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=waiting)
                .exclude(heartbeat_at__gte=now - STALE_AFTER)
                .first()
            )
            if row is None:
                continue
            died = row.status == JobStatus.RUNNING
            if died:
                row.restarts += 1
                out.leases_restarted += 1
                row.status = JobStatus.RESTARTED
            # The heartbeat now dates the restart: the job gets STALE_AFTER to start again
            # before it is enqueued once more.
            row.heartbeat_at = now
            row.save(update_fields=["status", "restarts", "heartbeat_at"])
            if died:
                _call_hook(row, retry=False)
            if not uses_db_queue or not _waiting(row.task_path, row.task_kwargs):
                transaction.on_commit(
                    lambda p=row.task_path, k=row.task_kwargs: _enqueue(p, k)  # type: ignore[misc]
                )
                out.jobs_enqueued += 1
    return out


def job_retry(*, lease_id: int) -> JobLease:
    """An administrator runs a failed or stuck job again."""
    from django.utils.translation import gettext as _

    from oppvekst.errors import ConflictError, NotFoundError

    now = timezone.now()
    with transaction.atomic():
        row = JobLease.objects.select_for_update().filter(pk=lease_id).first()
        if row is None:
            raise NotFoundError(_("Fant ikke jobben."))
        alive = row.heartbeat_at is not None and row.heartbeat_at >= now - STALE_AFTER
        if row.status == JobStatus.RUNNING and alive:
            raise ConflictError(_("Jobben kjører. Vent til den er ferdig."), code="job_running")
        if row.status == JobStatus.DONE:
            raise ConflictError(_("Jobben er allerede ferdig."), code="job_done")
        _call_hook(row, retry=True)
        row.status = JobStatus.QUEUED
        row.heartbeat_at = now
        row.error = ""
        row.save(update_fields=["status", "heartbeat_at", "error"])
        transaction.on_commit(lambda: _enqueue(row.task_path, row.task_kwargs))
    return row


def job_is_stuck(row: JobLease, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return row.status in (JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.RESTARTED) and (
        row.heartbeat_at is None or row.heartbeat_at < now - STALE_AFTER * 2
    )
