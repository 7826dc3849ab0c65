"""`{% timetable_links as links %}`: the timetable entry of the main menu, and
`{% timetable_front %}`: the timetable links on the front page (a teacher's week at a glance,
the leader's timetables, a guardian's children's classes)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from oppvekst.access import edge
from oppvekst.access.policy import can
from oppvekst.timetable.permissions import TimetableAction

register = template.Library()


@register.simple_tag(takes_context=True)
def timetable_links(context: dict[str, Any]) -> list[dict[str, str]]:
    actor = edge.template_actor(context)
    if actor is None:
        return []
    if not can(actor, TimetableAction.VIEW):
        return []
    return [{"url": reverse("timetable:index"), "label": _("Timeplan")}]


@register.inclusion_tag("timetable/_front.html", takes_context=True)
def timetable_front(context: dict[str, Any]) -> dict[str, Any]:
    actor = edge.template_actor(context)
    if actor is None:
        return {"show": False}
    if not can(actor, TimetableAction.VIEW):
        return {"show": False}
    # Capabilities decided from the roles alone: the front page pays no extra query.
    teacher = can(actor, TimetableAction.OWN_WEEK)
    leader = can(actor, TimetableAction.LEAD)
    guardian = can(actor, TimetableAction.FAMILY_WEEK)
    return {
        "show": teacher or leader or guardian,
        "teacher": teacher,
        "leader": leader,
        "guardian": guardian,
    }
