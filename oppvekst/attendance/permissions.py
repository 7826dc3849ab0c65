"""Who may do what in daily kindergarten and SFO life (DESIGN.md "Access").

- Staff of a kindergarten or SFO (department staff, pedagogical leaders and SFO staff through
  their group; leaders and the office through the unit) check children in and out and see the
  day's lists, pick-up lists and absences of the children placed there.
- Guardians and daily carers report absence and see their own child's times; guardians with
  parental responsibility keep the pick-up list.
- Court or agency pick-up restrictions: the unit's leaders and the municipality's caseworkers
  only (domain/operations.md §3.1); staff at check-out see "contact the leader", nothing more.
- Leaders manage departments and see the staffing figures of their own kindergarten;
  caseworkers see the staffing figures of every kindergarten in the municipality (figures only).
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q

from oppvekst.access import registry
from oppvekst.access.actor import Actor
from oppvekst.access.builders import (
    FAMILY,
    GROUP_ROLES,
    GROUP_SENSITIVE_ROLES,
    UNIT_LEADERS,
    UNIT_ROLES,
    caseworker_of_municipality,
    family_of_child,
    guardian_of_child,
    has_role,
    role_at_unit,
    staff_where_child_is_placed,
)
from oppvekst.access.roles import RoleName
from oppvekst.core.models import Unit, UnitKind
from oppvekst.people.models import Person

DAYCARE_KINDS = (UnitKind.KINDERGARTEN, UnitKind.SFO)
# Everyone who works in a kindergarten or an SFO day to day; group roles carry their group's
# unit, so department staff see their unit's day lists.
DAYCARE_STAFF = GROUP_ROLES | UNIT_ROLES | {RoleName.STAFF}


class AttendanceAction(StrEnum):
    WORK = "attendance.work"  # open the check-in pages at all
    PORTAL = "attendance.portal"  # a family's daily-life pages
    MANAGE_DEPARTMENTS = "departments.manage"  # open the departments pages
    VIEW_STAFFING = "staffing.view"  # open the staffing pages
    CHECK = "attendance.check"  # on a child: check in and out
    READ = "attendance.read"  # on a child: check-in and check-out times
    REPORT_ABSENCE = "absence.report"  # on a child: a family's report
    RECORD_ABSENCE = "absence.record"  # on a child: staff record what the family phoned in
    READ_ABSENCE = "absence.read"  # on a child
    READ_PICKUP = "pickup.read"  # on a child: the pick-up list
    MANAGE_PICKUP = "pickup.manage"  # on a child: keep the pick-up list
    READ_RESTRICTION = "restriction.read"  # on a child: court or agency restrictions
    MOVE_DEPARTMENT = "department.move"  # on a child
    UNIT_ATTENDANCE = "unit.attendance"  # on a unit: its day lists and roll call
    UNIT_DEPARTMENTS = "unit.departments_manage"  # on a unit
    UNIT_STAFFING = "unit.staffing_read"  # on a unit: formal norms and the live figure
    READ_RECORD = "child_record.read"  # on a child: allergies, diet, consents, contacts
    READ_HEALTH = "health.read"  # on a child: health notes (special category)
    WRITE_NOTE = "child_note.write"  # on a child: record allergies, diet and health notes
    MANAGE_RECORD = "child_record.manage"  # on a child: a guardian's consents and contacts


def _works_in_daycare(actor: Actor, names: frozenset[str] | set[str]) -> bool:
    return any(r.name in names and r.unit_kind in DAYCARE_KINDS for r in actor.roles)


def children_on_duty(actor: Actor) -> Q:
    """Children placed in one of the actor's groups or units; services check that the place is
    a kindergarten or SFO place on the day."""
    return staff_where_child_is_placed(
        actor, group_names=GROUP_ROLES, unit_names=UNIT_ROLES, caseworker=False
    )


def family_or_duty(actor: Actor) -> Q:
    return family_of_child(actor) | children_on_duty(actor)


def restriction_readers(actor: Actor) -> Q:
    """The child's unit leaders and the municipality's caseworkers (operations.md §3.1)."""
    return staff_where_child_is_placed(
        actor, group_names=set(), unit_names=UNIT_LEADERS, caseworker=True
    )


def units_on_duty(actor: Actor) -> Q:
    return Q(kind__in=DAYCARE_KINDS) & role_at_unit(actor, DAYCARE_STAFF, field="pk")


def units_led(actor: Actor) -> Q:
    return Q(kind__in=DAYCARE_KINDS) & role_at_unit(actor, UNIT_LEADERS, field="pk")


def units_staffing(actor: Actor) -> Q:
    """A leader's own kindergarten; every kindergarten of a caseworker's municipality."""
    return Q(kind=UnitKind.KINDERGARTEN) & (
        role_at_unit(actor, UNIT_LEADERS, field="pk") | caseworker_of_municipality(actor)
    )


registry.capability(AttendanceAction.WORK, lambda a: _works_in_daycare(a, DAYCARE_STAFF))
registry.capability(AttendanceAction.PORTAL, lambda a: has_role(a, *FAMILY))
registry.capability(
    AttendanceAction.MANAGE_DEPARTMENTS, lambda a: _works_in_daycare(a, UNIT_LEADERS)
)
registry.capability(
    AttendanceAction.VIEW_STAFFING,
    lambda a: _works_in_daycare(a, UNIT_LEADERS) or has_role(a, RoleName.CASEWORKER),
)
registry.object_rule(AttendanceAction.CHECK, Person, children_on_duty)
registry.object_rule(AttendanceAction.READ, Person, family_or_duty)
registry.object_rule(AttendanceAction.REPORT_ABSENCE, Person, family_of_child)
registry.object_rule(AttendanceAction.RECORD_ABSENCE, Person, children_on_duty)
registry.object_rule(AttendanceAction.READ_ABSENCE, Person, family_or_duty)
registry.object_rule(AttendanceAction.READ_PICKUP, Person, family_or_duty)
registry.object_rule(AttendanceAction.MANAGE_PICKUP, Person, guardian_of_child)
registry.object_rule(AttendanceAction.READ_RESTRICTION, Person, restriction_readers)
registry.object_rule(
    AttendanceAction.MOVE_DEPARTMENT,
    Person,
    lambda a: staff_where_child_is_placed(
        a, group_names=set(), unit_names=UNIT_LEADERS, caseworker=False
    ),
)
registry.object_rule(AttendanceAction.READ_RECORD, Person, family_or_duty)
# Health notes: the family, the adults of the child's own group and the unit's leaders; not the
# office staff of the unit, not the sector office (GDPR art. 9; operations.md §3.3).
registry.object_rule(
    AttendanceAction.READ_HEALTH,
    Person,
    lambda a: (
        family_of_child(a)
        | staff_where_child_is_placed(
            a, group_names=GROUP_ROLES, unit_names=UNIT_LEADERS, caseworker=False
        )
    ),
)
registry.object_rule(
    AttendanceAction.WRITE_NOTE,
    Person,
    lambda a: staff_where_child_is_placed(
        a, group_names=GROUP_SENSITIVE_ROLES, unit_names=UNIT_LEADERS, caseworker=False
    ),
)
registry.object_rule(AttendanceAction.MANAGE_RECORD, Person, guardian_of_child)
registry.object_rule(AttendanceAction.UNIT_ATTENDANCE, Unit, units_on_duty)
registry.object_rule(AttendanceAction.UNIT_DEPARTMENTS, Unit, units_led)
registry.object_rule(AttendanceAction.UNIT_STAFFING, Unit, units_staffing)
