"""`{% billing_links as links %}`: the billing entries of the main menu for the current user
(caseworkers: /betaling/; private kindergarten heads: their compensation list; guardians: fees
in the portal)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from oppvekst.access import edge
from oppvekst.access.policy import can
from oppvekst.billing.explain import portal_reverse
from oppvekst.billing.permissions import BillingAction

register = template.Library()


@register.simple_tag(takes_context=True)
def billing_links(context: dict[str, Any]) -> list[dict[str, str]]:
    actor = edge.template_actor(context)
    if actor is None:
        return []
    links = []
    if can(actor, BillingAction.OPEN):
        links.append({"url": reverse("billing_overview"), "label": _("Foreldrebetaling")})
    elif can(actor, BillingAction.COMPENSATION_OPEN):
        links.append({"url": reverse("billing_compensation_units"), "label": _("Kompensasjon")})
    if can(actor, BillingAction.PORTAL):
        links.append({"url": portal_reverse("portal_billing_fees"), "label": _("Betaling")})
    return links
