"""Navigation links for admission (the guardian portal and the admission office)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from oppvekst.access.policy import actor_for_request, can
from oppvekst.admission.permissions import AdmissionAction

register = template.Library()


@register.simple_tag(takes_context=True)
def admission_links(context: dict[str, Any]) -> list[dict[str, str]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return []
    actor = actor_for_request(request)
    links = []
    if can(actor, AdmissionAction.APPLY):
        links.append({"url": "/portal/", "label": _("Søknader og plasser")})
    if can(actor, AdmissionAction.WORK):
        links.append({"url": "/opptak/", "label": _("Opptak")})
    return links
