"""Background work for admission (django-tasks; run by the worker)."""

from __future__ import annotations

from django_tasks import task

from oppvekst.admission.services import offers_lapse, round_notify


@task()
def lapse_offers() -> int:
    """Offers not answered by their deadline lapse (domain §1.3). Schedule daily."""
    return offers_lapse()


@task()
def notify_round(round_id: int) -> int:
    """Offer letters and answers without an offer after a committed round."""
    return round_notify(round_id=round_id)
