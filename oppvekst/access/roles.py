"""Roles derived from data (DESIGN.md "Access"), effective the moment the data changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oppvekst import clock
from oppvekst.core.models import Owner, UnitKind
from oppvekst.daterange import active_q
from oppvekst.people.models import Guardianship, Person
from oppvekst.staff.models import AssignmentRole, Employment, GroupAssignment, Position


@dataclass(frozen=True)
class Role:
    name: str
    municipality_id: int | None = None
    unit_id: int | None = None
    group_id: int | None = None
    child_id: int | None = None
    address_clearance: bool = False
    unit_kind: str = ""  # kindergarten, school or sfo for roles at a unit


def roles_for(person: Person, on: dt.date | None = None) -> list[Role]:
    day = on or clock.today()
    roles: list[Role] = []
    for g in Guardianship.objects.filter(active_q(day), guardian=person).only(
        "child_id", "parental_responsibility"
    ):
        name = "guardian" if g.parental_responsibility else "daily_carer"
        roles.append(Role(name, child_id=g.child_id))
    for e in Employment.objects.filter(active_q(day), person=person).select_related("unit"):
        if e.position == Position.CASEWORKER:
            roles.append(
                Role(
                    "caseworker",
                    municipality_id=e.municipality_id,
                    address_clearance=e.address_clearance,
                )
            )
        elif e.position == Position.SYSTEM_ADMIN:
            roles.append(Role("system_admin", municipality_id=e.municipality_id))
        elif e.unit is not None:
            if e.position == Position.PRINCIPAL:
                private_kg = e.unit.kind == UnitKind.KINDERGARTEN and e.unit.owner == Owner.PRIVATE
                name = "private_kindergarten_head" if private_kg else "unit_leader"
            elif e.position in (Position.DEPUTY, Position.DEPARTMENT_LEADER):
                name = "unit_leader"
            elif e.position == Position.ADMINISTRATIVE:
                name = "administrative"
            else:
                name = "staff"
            roles.append(
                Role(
                    name,
                    municipality_id=e.municipality_id,
                    unit_id=e.unit_id,
                    unit_kind=e.unit.kind,
                )
            )
    assignments = GroupAssignment.objects.filter(active_q(day), person=person)
    for a in assignments.select_related("group__unit"):
        name = "contact_teacher" if a.role == AssignmentRole.CONTACT_TEACHER else a.role
        roles.append(
            Role(
                name,
                municipality_id=a.group.municipality_id,
                unit_id=a.group.unit_id,
                group_id=a.group_id,
                unit_kind=a.group.unit.kind,
            )
        )
    return roles


def role_names(person: Person | None, on: dt.date | None = None) -> set[str]:
    if person is None:
        return set()
    return {r.name for r in roles_for(person, on)}
