"""Leases for long background jobs and the heartbeats of the workers that run them.

A long job (an invoice run, the admission letters, a timetable solve, and whatever later
modules add) holds a lease while it works and renews its heartbeat every few seconds. A
lease whose heartbeat stopped belongs to a worker that died: the reaper marks it restarted
and the job runs again, resuming from its checkpoint or from scratch, idempotently
(docs/decisions/0005-jobs-leases.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Kjører")
    RESTARTED = "restarted", _("Restartet")
    DONE = "done", _("Ferdig")
    FAILED = "failed", _("Feilet")


class JobLease(models.Model):
    kind = models.CharField(max_length=60)  # "billing.invoice_run"
    key = models.CharField(max_length=100)  # the job's object, e.g. the run's id
    label = models.CharField(max_length=200, blank=True)  # what people see, Norwegian
    task_path = models.CharField(max_length=200)  # the django-task that runs it again
    task_kwargs = models.JSONField(default=dict, blank=True)
    restart_hook = models.CharField(max_length=200, blank=True)  # dotted path, see services
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    worker_id = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    restarts = models.PositiveIntegerField(default=0)
    checkpoint = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="job_lease_unique")]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} ({self.status})"


class WorkerBeat(models.Model):
    """A running worker process. One that stopped beating is dead: its tasks run again."""

    worker_id = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=100, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id
