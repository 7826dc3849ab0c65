"""Grants that open children's data (docs/decisions/0002-grants-need-a-second-person.md).

The configuration admin never creates an employment, a group assignment, clearance for
protected addresses or a login linked to a person directly: it records a request, a second
system administrator approves it, and both steps are appended to the audit trail with the
receiving person as the target (domain/norway.md §6.1: protected data only for named,
entitled caseworkers, and every access logged)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from oppvekst import clock
from oppvekst.access import audit
from oppvekst.access.models import User
from oppvekst.access.policy import Actor, can, scope
from oppvekst.core.models import Group, Municipality, Unit
from oppvekst.errors import DomainError, NotFoundError
from oppvekst.people.models import Person
from oppvekst.staff.models import (
    MUNICIPAL_POSITIONS,
    AccessGrant,
    AssignmentRole,
    Employment,
    GrantKind,
    GrantStatus,
    GroupAssignment,
    Position,
)
from oppvekst.staff.permissions import StaffAction, StaffAuditEvent


def grant_problems(
    *,
    kind: str,
    person: Person,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    municipality: Municipality | None = None,
    unit: Unit | None = None,
    position: str = "",
    percentage: Decimal | None = None,
    employment: Employment | None = None,
    group: Group | None = None,
    role: str = "",
    user: User | None = None,
) -> dict[str, str]:
    """Field -> what is wrong with a requested grant (empty when it can be recorded)."""
    fields: dict[str, str] = {}
    if kind == GrantKind.EMPLOYMENT:
        if municipality is None:
            fields["municipality"] = _("Velg kommune.")
        if position not in Position.values:
            fields["position"] = _("Velg stilling.")
        elif position not in MUNICIPAL_POSITIONS and unit is None:
            fields["unit"] = _("Stillingen hører til en enhet. Velg enhet.")
        if percentage is None or not (0 < percentage <= 100):
            fields["percentage"] = _("Stillingsprosenten må være over 0 og høyst 100.")
    elif kind == GrantKind.CLEARANCE:
        if employment is None or employment.person_id != person.pk:
            fields["employment"] = _("Velg et arbeidsforhold som saksbehandler for personen.")
        elif employment.position != Position.CASEWORKER:
            fields["employment"] = _("Bare saksbehandlere kan klareres for beskyttet adresse.")
    elif kind == GrantKind.GROUP_ASSIGNMENT:
        if group is None:
            fields["group"] = _("Velg gruppe.")
        if role not in AssignmentRole.values:
            fields["role"] = _("Velg rolle.")
        if employment is None or employment.person_id != person.pk:
            fields["employment"] = _("Velg personens arbeidsforhold.")
    elif kind == GrantKind.USER_LINK:
        if user is None:
            fields["user"] = _("Velg brukerkonto.")
        elif user.person_id is not None:
            fields["user"] = _("Brukerkontoen er allerede knyttet til en person.")
    else:
        fields["kind"] = _("Velg type.")
    if valid_to is not None and valid_to < valid_from:
        fields["valid_to"] = _("Sluttdatoen kan ikke være før startdatoen.")
    return fields


def access_grant_request(
    *,
    actor: Actor,
    kind: str,
    person: Person,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    municipality: Municipality | None = None,
    unit: Unit | None = None,
    position: str = "",
    percentage: Decimal | None = None,
    employment: Employment | None = None,
    group: Group | None = None,
    role: str = "",
    user: User | None = None,
) -> AccessGrant:
    """Record a pending grant; nothing opens until another administrator approves it."""
    if not can(actor, StaffAction.GRANT_REQUEST) or actor.user_id is None:
        raise NotFoundError("Not found.")
    fields = grant_problems(
        kind=kind,
        person=person,
        valid_from=valid_from,
        valid_to=valid_to,
        municipality=municipality,
        unit=unit,
        position=position,
        percentage=percentage,
        employment=employment,
        group=group,
        role=role,
        user=user,
    )
    if fields:
        raise DomainError(
            _("Forespørselen kan ikke registreres."), code="validation_error", fields=fields
        )
    with transaction.atomic():
        grant = AccessGrant.objects.create(
            kind=kind,
            person=person,
            municipality=municipality
            if municipality is not None
            else (employment.municipality if employment is not None else None),
            unit=unit,
            position=position,
            percentage=percentage,
            employment=employment,
            group=group,
            role=role,
            user=user,
            valid_from=valid_from,
            valid_to=valid_to,
            requested_by_id=actor.user_id,
            requested_at=clock.now(),
        )
        audit.record(actor, StaffAuditEvent.GRANT_REQUESTED, [person.pk], endpoint=_endpoint(grant))
    return grant


def access_grant_decide(*, actor: Actor, grant_id: int, approve: bool) -> AccessGrant:
    """Approve (the grant takes effect now) or reject a pending grant. Only another system
    administrator may decide: never the one who asked, never the one who receives it."""
    with transaction.atomic():
        grant = (
            scope(actor, StaffAction.GRANT_DECIDE, AccessGrant.objects.all())
            .select_for_update()
            .filter(pk=grant_id, status=GrantStatus.PENDING)
            .first()
        )
        if grant is None:
            raise NotFoundError("Not found.")
        if approve:
            _apply(grant)
        grant.status = GrantStatus.APPROVED if approve else GrantStatus.REJECTED
        grant.decided_by_id = actor.user_id
        grant.decided_at = clock.now()
        grant.save()
        event = StaffAuditEvent.GRANT_APPROVED if approve else StaffAuditEvent.GRANT_REJECTED
        audit.record(actor, event, [grant.person_id], endpoint=_endpoint(grant))
    return grant


def _endpoint(grant: AccessGrant) -> str:
    return f"admin/staff/accessgrant/{grant.pk}/{grant.kind}"


def _apply(grant: AccessGrant) -> None:
    if grant.kind == GrantKind.EMPLOYMENT:
        assert grant.municipality_id is not None and grant.percentage is not None
        Employment.objects.create(
            person_id=grant.person_id,
            municipality_id=grant.municipality_id,
            unit_id=grant.unit_id,
            position=grant.position,
            percentage=grant.percentage,
            valid_from=grant.valid_from,
            valid_to=grant.valid_to,
        )
    elif grant.kind == GrantKind.CLEARANCE:
        assert grant.employment_id is not None
        Employment.objects.filter(pk=grant.employment_id).update(address_clearance=True)
    elif grant.kind == GrantKind.GROUP_ASSIGNMENT:
        assert grant.employment_id is not None and grant.group_id is not None
        GroupAssignment.objects.create(
            employment_id=grant.employment_id,
            person_id=grant.person_id,
            group_id=grant.group_id,
            role=grant.role,
            valid_from=grant.valid_from,
            valid_to=grant.valid_to,
        )
    elif grant.kind == GrantKind.USER_LINK:
        assert grant.user_id is not None
        user = User.objects.select_for_update().get(pk=grant.user_id)
        if user.person_id is not None or User.objects.filter(person_id=grant.person_id).exists():
            raise DomainError(
                _("Kontoen eller personen er allerede knyttet til en annen."),
                code="conflict",
            )
        user.person_id = grant.person_id
        user.save(update_fields=["person"])
