"""Every message to an external system goes through the outbox (DESIGN.md "Integrations"):
written in the same transaction as the change that causes it, delivered by the worker with
retries, never lost, never sent twice silently (the idempotency key is unique, and every
delivery carries it so the receiver can drop a repeat).

Delivery marks a message `sending` and commits before it talks to the receiver, then records
the outcome: a worker killed in between leaves a `sending` row that is delivered again after
SENDING_TIMEOUT with the same key (at-least-once), never a row marked `sent` that was not."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"  # handed to the receiver; the outcome is not recorded yet
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
    sending_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient} ({self.status})"
