"""Timetable actions: school leaders edit their school's timetable; the school's staff read its
published timetables; guardians read the published timetable of their children's classes.
Timetables are a school matter: staff of kindergartens and SFOs have none."""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, Q

from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.builders import FAMILY, GROUP_ROLES, family_of_child, has_role
from oppvekst.access.roles import RoleName
from oppvekst.core.models import Group, Unit, UnitKind
from oppvekst.people.models import Person
from oppvekst.placements.models import Placement

TIMETABLE_STAFF_ROLES = frozenset(
    {RoleName.UNIT_LEADER, RoleName.ADMINISTRATIVE, RoleName.STAFF} | GROUP_ROLES
)


class TimetableAction(StrEnum):
    VIEW = "timetable.view"  # open the timetable pages at all
    EDIT = "timetable.edit"  # on a school
    READ = "timetable.read"  # on a school
    READ_CLASS = "timetable.read_class"  # on a class
    READ_PUPIL = "timetable.read_pupil"  # on a child
    OWN_WEEK = "timetable.own_week"  # a teacher's own week
    LEAD = "timetable.lead"  # build and publish a school's timetables
    FAMILY_WEEK = "timetable.family_week"  # a guardian's children's weeks


class TimetableAuditEvent(StrEnum):
    FEED_READ = "timetable.feed_read"  # a calendar subscription fetched a pupil's timetable


def timetable_edit(actor: Actor) -> Q:
    return Q(kind=UnitKind.SCHOOL, pk__in=actor.ids("unit_id", [RoleName.UNIT_LEADER]))


def timetable_read(actor: Actor) -> Q:
    return Q(kind=UnitKind.SCHOOL, pk__in=actor.ids("unit_id", TIMETABLE_STAFF_ROLES))


def timetable_read_class(actor: Actor) -> Q:
    q = Q(
        kind="class",
        unit__kind=UnitKind.SCHOOL,
        unit_id__in=actor.ids("unit_id", TIMETABLE_STAFF_ROLES),
    )
    own = actor.ids("child_id", FAMILY)
    if own:
        current = Placement.objects.not_ended_by(actor.day).filter(
            group=OuterRef("pk"),
            child_id__in=own,
        )
        q |= Q(kind="class") & Q(Exists(current))
    return q


def timetable_view(actor: Actor) -> bool:
    return has_role(actor, *FAMILY) or any(
        r.name in TIMETABLE_STAFF_ROLES and r.unit_kind == UnitKind.SCHOOL for r in actor.roles
    )


registry.capability(TimetableAction.VIEW, timetable_view)
registry.capability(
    TimetableAction.OWN_WEEK,
    lambda a: has_role(a, RoleName.CONTACT_TEACHER, RoleName.TEACHER),
)
registry.capability(TimetableAction.LEAD, lambda a: bool(a.ids("unit_id", [RoleName.UNIT_LEADER])))
registry.capability(TimetableAction.FAMILY_WEEK, lambda a: has_role(a, *FAMILY))
registry.object_rule(TimetableAction.EDIT, Unit, timetable_edit)
registry.object_rule(TimetableAction.READ, Unit, timetable_read)
registry.object_rule(TimetableAction.READ_CLASS, Group, timetable_read_class)
registry.object_rule(TimetableAction.READ_PUPIL, Person, family_of_child)
registry.audit_events(TimetableAuditEvent)
