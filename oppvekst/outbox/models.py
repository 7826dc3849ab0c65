"""Every message to an external system goes through the outbox (DESIGN.md "Integrations"):
written in the same transaction as the change that causes it, delivered by the worker with
retries, never lost, never sent twice (the idempotency key is unique)."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"  # gave up after MAX_ATTEMPTS

    channel = models.CharField(max_length=30)  # email, svarut, erp, ...
    idempotency_key = models.CharField(max_length=200, unique=True)
    recipient = models.CharField(max_length=300)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient} ({self.status})"
