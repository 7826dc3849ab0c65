"""Navigation links for admission (the guardian portal and the admission office)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from oppvekst.access import edge
from oppvekst.access.policy import can
from oppvekst.admission.permissions import AdmissionAction

register = template.Library()


@register.simple_tag(takes_context=True)
def admission_links(context: dict[str, Any]) -> list[dict[str, str]]:
    actor = edge.template_actor(context)
    if actor is None:
        return []
    links = []
    if can(actor, AdmissionAction.APPLY):
        links.append({"url": "/portal/", "label": _("Søknader og plasser")})
    if can(actor, AdmissionAction.WORK):
        links.append({"url": "/opptak/", "label": _("Opptak")})
    return links
