"""Reads for the operators' job page (no personal data: kinds, keys and states only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from oppvekst.access.actor import Actor
from oppvekst.access.policy import can
from oppvekst.jobs.models import JobLease, JobStatus
from oppvekst.jobs.permissions import JobAction
from oppvekst.jobs.services import STALE_AFTER


@dataclass
class JobRow:
    lease: JobLease
    stuck: bool
    can_retry: bool


def job_list(
    actor: Actor, *, problems_only: bool, limit: int, offset: int
) -> tuple[list[JobRow], int]:
    """Newest first. `problems_only`: failed, restarted, and those whose heartbeat stopped."""
    if not can(actor, JobAction.MANAGE):
        return [], 0
    now = timezone.now()
    qs = JobLease.objects.all()
    stale = now - STALE_AFTER * 2
    stuck_q = Q(status__in=[JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.RESTARTED]) & (
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True)
    )
    if problems_only:
        qs = qs.filter(Q(status__in=[JobStatus.FAILED, JobStatus.RESTARTED]) | stuck_q)
    count = qs.count()
    rows = []
    for lease in qs.order_by("-heartbeat_at", "-pk")[offset : offset + limit]:
        stuck = _stuck(lease, stale)
        rows.append(
            JobRow(lease=lease, stuck=stuck, can_retry=lease.status == JobStatus.FAILED or stuck)
        )
    return rows, count


def _stuck(lease: JobLease, stale: dt.datetime) -> bool:
    return lease.status in (JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.RESTARTED) and (
        lease.heartbeat_at is None or lease.heartbeat_at < stale
    )
