"""Persons, their registered address and its protection, and guardianship."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oppvekst.daterange import ValidityQuerySet
from oppvekst.dbutils import valid_range_constraint
from oppvekst.people.identity import InvalidIdentityNumber, normalise, parse

IDENTITY_MESSAGES = {
    "digits": _("Fødselsnummeret kan bare inneholde siffer."),
    "length": _("Fødselsnummeret må ha nøyaktig 11 siffer."),
    "checksum": _("Kontrollsifrene i fødselsnummeret stemmer ikke."),
    "date": _("De seks første sifrene i fødselsnummeret er ikke en gyldig dato."),
    "help_number": _("Hjelpenummer (H- og FH-nummer) kan ikke brukes her."),
    "synthetic": _("Syntetiske testnummer er ikke tillatt i denne installasjonen."),
}


def validate_identity_number(value: str) -> None:
    try:
        parse(value, allow_synthetic=settings.ALLOW_SYNTHETIC_IDS)
    except InvalidIdentityNumber as exc:
        raise ValidationError(IDENTITY_MESSAGES[exc.code], code=f"identity_{exc.code}") from exc


class IdentityNumberField(models.CharField):
    """Stores, and looks up, an identity number in its one ASCII spelling (identity.normalise),
    whatever path it arrives by (forms, API, admin, imports, ORM filters), so the unique
    constraint cannot be passed with fullwidth or Arabic-Indic digits."""

    def to_python(self, value: object) -> str | None:
        text = super().to_python(value)
        return normalise(text) if isinstance(text, str) else text

    def get_prep_value(self, value: object) -> object:
        value = super().get_prep_value(value)
        return normalise(value) if isinstance(value, str) else value


class AddressProtection(models.TextChoices):
    """Adressebeskyttelse (domain/norway.md §6.1)."""

    NONE = "none", _("Ingen")
    CONFIDENTIAL = "fortrolig", _("Fortrolig")
    STRICT = "strengt_fortrolig", _("Strengt fortrolig")
    STRICT_ABROAD = "strengt_fortrolig_utland", _("Strengt fortrolig utland")


STRICT_LEVELS = {AddressProtection.STRICT, AddressProtection.STRICT_ABROAD}


class Sex(models.TextChoices):
    """Legal sex as the population register records it (FREG ``kjoenn``); never derived from
    the identity number, which from 2032 carries none (norway.md §5.3)."""

    FEMALE = "female", _("Kvinne")
    MALE = "male", _("Mann")


class Person(models.Model):
    identity_number = IdentityNumberField(
        _("fødselsnummer"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_identity_number],
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    middle_name = models.CharField(_("mellomnavn"), max_length=100, blank=True)
    last_name = models.CharField(_("etternavn"), max_length=100)
    birth_date = models.DateField(_("fødselsdato"))
    sex = models.CharField(_("kjønn"), max_length=6, choices=Sex.choices, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    municipality = models.ForeignKey(
        "core.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("bostedskommune"),
    )
    street_address = models.CharField(_("adresse"), max_length=150, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    postal_town = models.CharField(_("poststed"), max_length=60, blank=True)
    address_protection = models.CharField(
        _("adressebeskyttelse"),
        max_length=30,
        choices=AddressProtection.choices,
        default=AddressProtection.NONE,
    )
    # Same registered dwelling in the population register: siblings are derived from it.
    household_key = models.CharField(_("husstand"), max_length=40, blank=True, db_index=True)
    school_district = models.ForeignKey(
        "core.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="district_residents",
        verbose_name=_("nærskole (skolekrets)"),
    )
    basic_statistical_unit = models.CharField(_("grunnkrets"), max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def has_protected_address(self) -> bool:
        return self.address_protection != AddressProtection.NONE


class Guardianship(models.Model):
    """A guardian's relation to a child for a period: parental responsibility (foreldreansvar)
    and/or daily care, and where the child lives (shared residence splits by agreement)."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardianships")
    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="wards")
    parental_responsibility = models.BooleanField(_("foreldreansvar"), default=True)
    daily_care = models.BooleanField(_("daglig omsorg"), default=True)
    resident = models.BooleanField(_("barnet bor her"), default=True)
    residence_share_percent = models.PositiveSmallIntegerField(_("andel bosted (%)"), default=100)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("foresatt-forhold")
        verbose_name_plural = _("foresatt-forhold")
        indexes = [models.Index(fields=["guardian", "child"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(child=models.F("guardian")), name="guardianship_not_self"
            ),
            models.CheckConstraint(
                condition=Q(parental_responsibility=True) | Q(daily_care=True),
                name="guardianship_has_a_basis",
            ),
            models.CheckConstraint(
                condition=Q(residence_share_percent__lte=100), name="guardianship_share_max_100"
            ),
            valid_range_constraint("guardianship_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.child}"


class ReviewKind(models.TextChoices):
    GUARDIAN_LINK = "guardian_link", _("Kobling til foresatt")
    KNOWN_NUMBER = "known_number", _("Fødselsnummeret er registrert fra før")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Venter på kontroll")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avvist")


class IdentityReview(models.Model):
    """A hand registration that touched an identity number outside the caseworker's reach,
    held for a second, cleared caseworker: a guardian to link, or a child's number that is
    registered already. Registration answers the same either way, so it never tells whether a
    number exists or whose it is (forvaltningsloven § 13; domain/norway.md §6.1)."""

    kind = models.CharField(_("type"), max_length=20, choices=ReviewKind.choices)
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identity_reviews")
    identity_number = models.CharField(_("fødselsnummer"), max_length=11)
    requested_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registrert"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    decided_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("kontrollert"), null=True, blank=True)

    class Meta:
        verbose_name = _("kontroll av fødselsnummer")
        verbose_name_plural = _("kontroller av fødselsnummer")
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
