"""Changes to persons. Persons normally come from the population register (Folkeregisteret);
the sector office registers a child by hand when the register has not delivered it yet."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from oppvekst import clock
from oppvekst.access import audit
from oppvekst.access.policy import Actor, can, scope
from oppvekst.errors import ConflictError, DomainError, NotFoundError
from oppvekst.people.identity import InvalidIdentityNumber, normalise, parse
from oppvekst.people.models import (
    IDENTITY_MESSAGES,
    Guardianship,
    IdentityReview,
    Person,
    ReviewKind,
    ReviewStatus,
)
from oppvekst.people.permissions import ChildAction


def identity_error(value: str) -> str | None:
    """The user-facing reason an identity number is refused, or None when it is valid."""
    try:
        parse(value, allow_synthetic=settings.ALLOW_SYNTHETIC_IDS)
    except InvalidIdentityNumber as exc:
        return str(IDENTITY_MESSAGES[exc.code])
    return None


def child_register(
    *,
    actor: Actor,
    municipality_id: int,
    identity_number: str,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None = None,
    street_address: str = "",
    postal_code: str = "",
    postal_town: str = "",
    guardian_identity_number: str = "",
) -> Person:
    """Register a child by hand. The answer never depends on whether a number is known outside
    the caseworker's reach (forvaltningsloven § 13; domain/norway.md §6.1-6.2): a known child
    number the caseworker may not see, and a guardian the caseworker may not see, become an
    `IdentityReview` for a second, cleared caseworker instead of a refusal or a link."""
    fields: dict[str, str] = {}
    number = normalise(identity_number)
    guardian_number = normalise(guardian_identity_number) if guardian_identity_number else ""
    if (problem := identity_error(number)) is not None:
        fields["identity_number"] = problem
    if guardian_number and (problem := identity_error(guardian_number)) is not None:
        fields["guardian_identity_number"] = problem
    elif guardian_number and guardian_number == number:
        fields["guardian_identity_number"] = _("Barnet kan ikke være sin egen foresatte.")
    if not first_name.strip():
        fields["first_name"] = _("Fornavn må fylles ut.")
    if not last_name.strip():
        fields["last_name"] = _("Etternavn må fylles ut.")
    if postal_code and not (len(postal_code) == 4 and postal_code.isdigit()):
        fields["postal_code"] = _("Postnummer har fire siffer.")
    if fields:
        raise DomainError(_("Barnet kan ikke registreres."), code="validation_error", fields=fields)
    hint = parse(number, allow_synthetic=settings.ALLOW_SYNTHETIC_IDS).birth_date_hint
    if birth_date is None:
        birth_date = hint
    elif hint is not None and (birth_date.month, birth_date.day) != (hint.month, hint.day):
        raise DomainError(
            _("Fødselsdatoen stemmer ikke med fødselsnummeret."),
            code="validation_error",
            fields={"birth_date": _("Fødselsdatoen stemmer ikke med fødselsnummeret.")},
        )
    assert birth_date is not None
    now = clock.now()
    with transaction.atomic():
        known = Person.objects.select_for_update().filter(identity_number=number).first()
        if known is not None and can(actor, ChildAction.READ_BASIC, known):
            # The caseworker sees this child already: saying so reveals nothing new.
            raise ConflictError(
                _("Barnet er registrert fra før."),
                code="duplicate_identity_number",
                fields={"identity_number": _("Barnet er registrert fra før.")},
            )
        child = Person.objects.create(
            identity_number=None if known is not None else number,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            birth_date=birth_date,
            municipality_id=municipality_id,
            street_address=street_address.strip(),
            postal_code=postal_code,
            postal_town=postal_town.strip(),
        )
        review = {
            "municipality_id": municipality_id,
            "child": child,
            "requested_by": actor.person,
            "created_at": now,
        }
        if known is not None:
            IdentityReview.objects.create(
                kind=ReviewKind.KNOWN_NUMBER, identity_number=number, **review
            )
        if guardian_number:
            guardian = Person.objects.filter(identity_number=guardian_number).first()
            # Linked at once only where the caseworker may see the guardian's address anyway
            # (a resident, unprotected or with clearance); anything else waits for review.
            if guardian is not None and can(actor, ChildAction.READ_ADDRESS, guardian):
                Guardianship.objects.create(child=child, guardian=guardian, valid_from=birth_date)
            else:
                IdentityReview.objects.create(
                    kind=ReviewKind.GUARDIAN_LINK, identity_number=guardian_number, **review
                )
    return child


def identity_review_decide(*, actor: Actor, review_id: int, approve: bool) -> IdentityReview:
    """A second, cleared caseworker approves or rejects a held registration. Approving a
    guardian link creates the guardianship; a known number is then left to the population
    register import, which merges the hand-registered record."""
    with transaction.atomic():
        review = (
            scope(actor, ChildAction.REVIEW_IDENTITY, IdentityReview.objects.all())
            .select_for_update()
            .filter(pk=review_id, status=ReviewStatus.PENDING)
            .first()
        )
        if review is None:
            raise NotFoundError("Not found.")
        if approve and review.kind == ReviewKind.GUARDIAN_LINK:
            guardian = Person.objects.filter(identity_number=review.identity_number).first()
            if guardian is None:
                raise DomainError(
                    _("Ingen person har dette fødselsnummeret. Avvis koblingen."),
                    code="unknown_identity_number",
                )
            child = Person.objects.get(pk=review.child_id)
            Guardianship.objects.create(child=child, guardian=guardian, valid_from=child.birth_date)
        review.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
        review.decided_by = actor.person
        review.decided_at = clock.now()
        review.save()
        audit.record(
            actor,
            ChildAction.REVIEW_IDENTITY,
            [review.child_id],
            endpoint=f"identity-review/{review.pk}/{review.status}",
        )
    return review
