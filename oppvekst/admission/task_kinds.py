"""Work admission leaves for people: claims to assess, offers to answer."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from oppvekst.workspace import tasks_registry


class AdmissionTask(StrEnum):
    CLAIM_ASSESS = "admission.claim_assess"
    OFFER_ANSWER = "admission.offer_answer"


tasks_registry.register(AdmissionTask.CLAIM_ASSESS, _("Vurder prioriteringskrav"))
tasks_registry.register(AdmissionTask.OFFER_ANSWER, _("Svar på tilbud om plass"))
