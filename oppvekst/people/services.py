"""Changes to persons. Persons normally come from the population register (Folkeregisteret);
the sector office registers a child by hand when the register has not delivered it yet."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from oppvekst.errors import ConflictError, DomainError
from oppvekst.people.identity import InvalidIdentityNumber, normalise, parse
from oppvekst.people.models import IDENTITY_MESSAGES, Guardianship, Person


def identity_error(value: str) -> str | None:
    """The user-facing reason an identity number is refused, or None when it is valid."""
    try:
        parse(value, allow_synthetic=settings.ALLOW_SYNTHETIC_IDS)
    except InvalidIdentityNumber as exc:
        return str(IDENTITY_MESSAGES[exc.code])
    return None


def child_register(
    *,
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
    fields: dict[str, str] = {}
    number = normalise(identity_number)
    if (problem := identity_error(number)) is not None:
        fields["identity_number"] = problem
    if not first_name.strip():
        fields["first_name"] = _("Fornavn må fylles ut.")
    if not last_name.strip():
        fields["last_name"] = _("Etternavn må fylles ut.")
    if postal_code and not (len(postal_code) == 4 and postal_code.isdigit()):
        fields["postal_code"] = _("Postnummer har fire siffer.")
    guardian = None
    if guardian_identity_number:
        guardian = Person.objects.filter(
            identity_number=normalise(guardian_identity_number)
        ).first()
        if guardian is None:
            fields["guardian_identity_number"] = _("Fant ingen person med dette fødselsnummeret.")
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
    with transaction.atomic():
        if Person.objects.select_for_update().filter(identity_number=number).exists():
            raise ConflictError(
                _("Det finnes allerede en person med dette fødselsnummeret."),
                code="duplicate_identity_number",
                fields={"identity_number": _("Finnes allerede.")},
            )
        child = Person.objects.create(
            identity_number=number,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            birth_date=birth_date,
            municipality_id=municipality_id,
            street_address=street_address.strip(),
            postal_code=postal_code,
            postal_town=postal_town.strip(),
        )
        if guardian is not None:
            Guardianship.objects.create(child=child, guardian=guardian, valid_from=birth_date)
    return child
