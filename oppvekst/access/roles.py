"""Roles derived from data (DESIGN.md "Access"), effective the moment the data changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from oppvekst import clock
from oppvekst.core.models import Owner, UnitKind
from oppvekst.people.models import Guardianship, Person
from oppvekst.staff.models import Employment, GroupAssignment, Position


class RoleName(StrEnum):
    """Every role the data can give a person. Rules compare these, templates never do."""

    GUARDIAN = "guardian"  # parental responsibility
    DAILY_CARER = "daily_carer"  # lives with the child, no parental responsibility
    CONTACT_TEACHER = "contact_teacher"
    TEACHER = "teacher"
    PEDAGOGICAL_LEADER = "pedagogical_leader"
    DEPARTMENT_STAFF = "department_staff"
    SFO_STAFF = "sfo_staff"
    UNIT_LEADER = "unit_leader"
    ADMINISTRATIVE = "administrative"
    STAFF = "staff"
    PRIVATE_KINDERGARTEN_HEAD = "private_kindergarten_head"
    CASEWORKER = "caseworker"
    SYSTEM_ADMIN = "system_admin"


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
    for g in (
        Guardianship.objects.active_on(day)
        .filter(guardian=person)
        .only("child_id", "parental_responsibility")
    ):
        name = RoleName.GUARDIAN if g.parental_responsibility else RoleName.DAILY_CARER
        roles.append(Role(name, child_id=g.child_id))
    for e in Employment.objects.active_on(day).filter(person=person).select_related("unit"):
        if e.position == Position.CASEWORKER:
            roles.append(
                Role(
                    RoleName.CASEWORKER,
                    municipality_id=e.municipality_id,
                    address_clearance=e.address_clearance,
                )
            )
        elif e.position == Position.SYSTEM_ADMIN:
            roles.append(Role(RoleName.SYSTEM_ADMIN, municipality_id=e.municipality_id))
        elif e.unit is not None:
            if e.position == Position.PRINCIPAL:
                private_kg = e.unit.kind == UnitKind.KINDERGARTEN and e.unit.owner == Owner.PRIVATE
                name = RoleName.PRIVATE_KINDERGARTEN_HEAD if private_kg else RoleName.UNIT_LEADER
            elif e.position in (Position.DEPUTY, Position.DEPARTMENT_LEADER):
                name = RoleName.UNIT_LEADER
            elif e.position == Position.ADMINISTRATIVE:
                name = RoleName.ADMINISTRATIVE
            else:
                name = RoleName.STAFF
            roles.append(
                Role(
                    name,
                    municipality_id=e.municipality_id,
                    unit_id=e.unit_id,
                    unit_kind=e.unit.kind,
                )
            )
    assignments = GroupAssignment.objects.active_on(day).filter(person=person)
    for a in assignments.select_related("group__unit"):
        name = RoleName(a.role)
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


# Which positions give a role at a unit or in a municipality (the same mapping as roles_for).
_ROLE_POSITIONS: dict[str, tuple[str, ...]] = {
    RoleName.CASEWORKER: (Position.CASEWORKER,),
    RoleName.SYSTEM_ADMIN: (Position.SYSTEM_ADMIN,),
    RoleName.UNIT_LEADER: (Position.PRINCIPAL, Position.DEPUTY, Position.DEPARTMENT_LEADER),
    RoleName.PRIVATE_KINDERGARTEN_HEAD: (Position.PRINCIPAL,),
    RoleName.ADMINISTRATIVE: (Position.ADMINISTRATIVE,),
}


def holders_of(
    role: str, *, municipality_id: int, unit_id: int | None, on: dt.date
) -> list[Person]:
    """The people who hold `role` at the unit (or in the municipality) on a day, by the same
    rule roles_for uses. Roles from group assignments and family roles have no holders here."""
    positions = _ROLE_POSITIONS.get(role)
    if positions is None:
        return []
    employments = Employment.objects.active_on(on).filter(position__in=positions)
    if unit_id is not None:
        employments = employments.filter(unit_id=unit_id)
    else:
        employments = employments.filter(municipality_id=municipality_id, unit__isnull=True)
    people = Person.objects.filter(pk__in=employments.values("person_id")).order_by(
        "last_name", "first_name"
    )
    found = list(people[:500])
    if role in (RoleName.UNIT_LEADER, RoleName.PRIVATE_KINDERGARTEN_HEAD) and unit_id is not None:
        # A principal of a private kindergarten is its head, not a unit leader (roles_for).
        found = [p for p in found if any(r.name == role for r in roles_for(p, on))]
    return found
