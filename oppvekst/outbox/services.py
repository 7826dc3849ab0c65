"""Enqueue and deliver outbox messages."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from oppvekst import clock
from oppvekst.outbox.models import OutboxMessage

MAX_ATTEMPTS = 8
# A message left `sending` this long was handed over by a worker that died before it could
# record the outcome: it is delivered again, with the same idempotency key.
SENDING_TIMEOUT = dt.timedelta(minutes=2)
Sender = Callable[[OutboxMessage], None]


def _message_id(key: str) -> str:
    """The same Message-ID for every delivery of one message (RFC 5322 §3.6.4): a mail system
    that sees it twice can drop the repeat."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@oppvekst.outbox>"


def _send_email(message: OutboxMessage) -> None:
    EmailMessage(
        message.subject,
        message.body,
        to=[message.recipient],
        headers={
            "Message-ID": _message_id(message.idempotency_key),
            "X-Idempotency-Key": message.idempotency_key,
        },
    ).send()


SENDERS: dict[str, Sender] = {"email": _send_email}


def outbox_enqueue(
    *,
    channel: str,
    idempotency_key: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Call inside the transaction of the change that causes the message. A repeat with the
    same key returns the first message and sends nothing more."""
    if channel not in SENDERS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    now = clock.now()
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                channel=channel,
                idempotency_key=idempotency_key,
                recipient=recipient,
                subject=subject[:300],
                body=body,
                payload=payload or {},
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        return OutboxMessage.objects.get(idempotency_key=idempotency_key)
    transaction.on_commit(_schedule_delivery)
    return message


def _schedule_delivery() -> None:
    from oppvekst.outbox.tasks import deliver_outbox

    deliver_outbox.enqueue()


def _claim(now: dt.datetime) -> OutboxMessage | None:
    """Mark one due message `sending` and commit, before anything is sent (see the model).
    `sending_since` is wall-clock time: the demo's business clock stands still."""
    wall = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
                | Q(status=OutboxMessage.Status.SENDING, sending_since__lte=wall - SENDING_TIMEOUT)
            )
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        if message.status == OutboxMessage.Status.SENDING:
            message.last_error = "interrupted delivery: sent again with the same key"
        message.status = OutboxMessage.Status.SENDING
        message.sending_since = wall
        message.attempts += 1
        message.save(update_fields=["status", "sending_since", "attempts", "last_error"])
    return message


def outbox_deliver(limit: int = 100) -> int:
    """Deliver due messages at least once. Each is claimed with a row lock (SKIP LOCKED on
    PostgreSQL) and marked `sending` in its own commit, so several workers never send one
    message at the same time, and a kill between sending and recording is redelivered with
    the same key instead of being lost or marked sent. Returns how many were sent."""
    sent = 0
    now = clock.now()
    for _ in range(limit):
        message = _claim(now)
        if message is None:
            break
        update: dict[str, Any] = {"sending_since": None}
        try:
            SENDERS[message.channel](message)
        except Exception as exc:  # noqa: BLE001 - any failure is retried later
            update["last_error"] = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                update["status"] = OutboxMessage.Status.FAILED
            else:
                update["status"] = OutboxMessage.Status.PENDING
                update["next_attempt_at"] = now + dt.timedelta(minutes=2**message.attempts)
        else:
            update["status"] = OutboxMessage.Status.SENT
            update["sent_at"] = clock.now()
            sent += 1
        OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxMessage.Status.SENDING, attempts=message.attempts
        ).update(**update)
    return sent


def outbox_due_count() -> int:
    """Messages waiting for a delivery (the worker's periodic sweep asks)."""
    now = clock.now()
    return OutboxMessage.objects.filter(
        Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        | Q(
            status=OutboxMessage.Status.SENDING, sending_since__lte=timezone.now() - SENDING_TIMEOUT
        )
    ).count()
