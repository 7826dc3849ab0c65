"""Enqueue and deliver outbox messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from oppvekst import clock
from oppvekst.outbox.models import OutboxMessage

MAX_ATTEMPTS = 8
Sender = Callable[[OutboxMessage], None]


def _send_email(message: OutboxMessage) -> None:
    EmailMessage(message.subject, message.body, to=[message.recipient]).send()


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


def outbox_deliver(limit: int = 100) -> int:
    """Deliver due messages; each is claimed with a row lock (SKIP LOCKED on PostgreSQL) so
    several workers never send one message twice. Returns how many were sent."""
    sent = 0
    now = clock.now()
    for _ in range(limit):
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if message is None:
                break
            message.attempts += 1
            try:
                SENDERS[message.channel](message)
            except Exception as exc:  # noqa: BLE001 - any failure is retried later
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboxMessage.Status.FAILED
                else:
                    message.next_attempt_at = now + dt.timedelta(minutes=2**message.attempts)
            else:
                message.status = OutboxMessage.Status.SENT
                message.sent_at = clock.now()
                sent += 1
            message.save()
    return sent
