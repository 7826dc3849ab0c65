"""The background worker: django-tasks' database worker, made to survive a lost database
(reconnect with backoff instead of exiting), with a heartbeat that lets the other workers see
it is alive and a reaper that runs again what dead workers left
(docs/decisions/0005-jobs-leases.md).
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time

from django.db import close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from oppvekst.jobs import services

log = logging.getLogger("oppvekst.worker")

DB_ERRORS = (OperationalError, InterfaceError)
MAX_BACKOFF = 30.0
SWEEP_SECONDS = max(2.0, services.STALE_AFTER.total_seconds())


class ResilientWorker(Worker):
    """Claims with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL (several workers share one
    queue); a database error costs a pause, not the process."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._current: str | None = None
        self.backoff = 0.0

    def _claim(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                result: DBTaskResult | None = tasks.get_locked()
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None
                raise
            if result is not None:
                result.claim(self.worker_id)
        return result

    def _lost_database(self, exc: Exception) -> None:
        self.backoff = min(MAX_BACKOFF, max(0.5, self.backoff * 2))
        log.warning("database unavailable (%s); retrying in %.1f s", exc, self.backoff)
        connections.close_all()
        time.sleep(self.backoff * (0.75 + random.random() / 2))
        if self._current is not None:
            # The task was interrupted by the database, not by its own fault: run it again
            # (tasks are idempotent). If the database is still away, the next pass retries.
            try:
                DBTaskResult.objects.filter(
                    pk=self._current, status=TaskResultStatus.RUNNING
                ).update(status=TaskResultStatus.READY, run_after=timezone.now())
                self._current = None
            except DB_ERRORS:
                connections.close_all()

    def run(self) -> None:
        log.info("worker %s starting", self.worker_id)
        if self.startup_delay and self.interval:
            time.sleep(random.random())
        while self.running:
            try:
                close_old_connections()
                if self._current is not None:
                    raise OperationalError("an interrupted task is waiting to be re-queued")
                result = self._claim()
                if result is not None:
                    self._current = str(result.pk)
                    self.run_task(result)
                    self._current = None
                self.backoff = 0.0
            except DB_ERRORS as exc:
                self._lost_database(exc)
                continue
            if self.batch and result is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and result is None:
                time.sleep(self.interval)


class Pulse(threading.Thread):
    """Heartbeat, reaper and outbox sweep of one worker, on their own connection."""

    def __init__(self) -> None:
        super().__init__(name="worker-pulse", daemon=True)
        self.stop = threading.Event()
        self.started_at = timezone.now()

    def run(self) -> None:
        last_reap = last_sweep = 0.0
        try:
            while True:
                try:
                    services.worker_beat(started_at=self.started_at)
                    now = time.monotonic()
                    if now - last_reap >= services.REAP_SECONDS:
                        last_reap = now
                        reaped = services.jobs_reap()
                        if reaped.tasks_requeued or reaped.leases_restarted:
                            log.warning("restarted work of dead workers: %s", reaped)
                    if now - last_sweep >= SWEEP_SECONDS:
                        last_sweep = now
                        _sweep_outbox()
                except Exception:
                    log.warning("worker pulse failed", exc_info=True)
                    connections.close_all()
                if self.stop.wait(services.BEAT_SECONDS):
                    return
        finally:
            with contextlib.suppress(Exception):
                services.worker_gone()
            connections.close_all()


def _sweep_outbox() -> None:
    """Messages whose delivery task was lost (or whose retry is due) get a delivery task."""
    from oppvekst.outbox.services import outbox_due_count
    from oppvekst.outbox.tasks import deliver_outbox

    if not outbox_due_count():
        return
    path = f"{deliver_outbox.func.__module__}.{deliver_outbox.func.__name__}"
    if not DBTaskResult.objects.filter(
        task_path=path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists():
        deliver_outbox.enqueue()
