"""Work billing leaves for people: reduced-fee applications and invoice runs."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from oppvekst.workspace import tasks_registry


class BillingTask(StrEnum):
    REDUCTION_DECIDE = "billing.reduction_decide"
    RUN_APPROVE = "billing.run_approve"
    RUN_LOCK = "billing.run_lock"


tasks_registry.register(BillingTask.REDUCTION_DECIDE, _("Behandle søknad om redusert betaling"))
tasks_registry.register(BillingTask.RUN_APPROVE, _("Godkjenn fakturakjøring"))
tasks_registry.register(BillingTask.RUN_LOCK, _("Lås fakturakjøring og send til økonomi"))
