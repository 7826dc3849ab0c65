"""`{% attendance_links as links %}`: the main-menu entries for daily kindergarten and SFO life
(check-in for staff, staffing for leaders and the sector office, daily life for families)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from oppvekst.access import edge
from oppvekst.access.policy import can
from oppvekst.attendance.permissions import AttendanceAction as A

register = template.Library()


@register.simple_tag(takes_context=True)
def attendance_links(context: dict[str, Any]) -> list[dict[str, str]]:
    actor = edge.template_actor(context)
    if actor is None:
        return []
    links = []
    if can(actor, A.WORK):
        links.append({"url": reverse("attendance:index"), "label": _("Oppmøte")})
    if can(actor, A.VIEW_STAFFING):
        links.append({"url": reverse("attendance:staffing"), "label": _("Bemanning")})
    if can(actor, A.PORTAL):
        links.append({"url": reverse("portal:daily"), "label": _("Hverdag")})
    return links
