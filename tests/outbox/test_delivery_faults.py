"""Outbox delivery when a worker dies: marked `sending` before anything is sent, delivered again
with the same idempotency key if the outcome was never recorded, never `sent` undelivered."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from oppvekst.outbox import services
from oppvekst.outbox.models import OutboxMessage
from oppvekst.outbox.services import outbox_deliver, outbox_enqueue

pytestmark = pytest.mark.django_db


def test_the_message_is_marked_sending_before_it_is_sent(monkeypatch, settings) -> None:
    seen: list[str] = []

    def sender(message: OutboxMessage) -> None:
        seen.append(OutboxMessage.objects.get(pk=message.pk).status)

    monkeypatch.setitem(services.SENDERS, "email", sender)
    outbox_enqueue(channel="email", idempotency_key="mark-1", recipient="a@example.no")
    assert outbox_deliver() == 1
    assert seen == ["sending"]


def test_a_delivery_killed_before_its_outcome_is_sent_again_with_the_same_key(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    msg = outbox_enqueue(channel="email", idempotency_key="kill-1", recipient="a@example.no")
    # The worker marked it and handed it over, then died before recording the outcome.
    OutboxMessage.objects.filter(pk=msg.pk).update(
        status="sending", attempts=1, sending_since=timezone.now()
    )
    assert outbox_deliver() == 0  # not yet: the first delivery may still be under way
    OutboxMessage.objects.filter(pk=msg.pk).update(
        sending_since=timezone.now() - services.SENDING_TIMEOUT
    )
    assert services.outbox_due_count() == 1
    assert outbox_deliver() == 1
    msg.refresh_from_db()
    assert msg.status == "sent" and msg.attempts == 2 and "interrupted" in msg.last_error
    sent = mail.outbox[-1]
    assert sent.extra_headers["X-Idempotency-Key"] == "kill-1"
    assert sent.extra_headers["Message-ID"] == services._message_id("kill-1")


def test_a_failed_send_is_never_recorded_as_sent(monkeypatch) -> None:
    def broken(message: OutboxMessage) -> None:
        raise TimeoutError("gateway timeout")

    monkeypatch.setitem(services.SENDERS, "email", broken)
    msg = outbox_enqueue(channel="email", idempotency_key="fail-1", recipient="a@example.no")
    assert outbox_deliver() == 0
    msg.refresh_from_db()
    assert msg.status == "pending" and msg.sent_at is None and msg.sending_since is None
