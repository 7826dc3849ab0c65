"""Municipalities, units, groups, school years and the municipal calendar."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.no import orgnr

from oppvekst.daterange import ValidityQuerySet
from oppvekst.dbutils import valid_range_constraint


def validate_organisation_number(value: str) -> None:
    if not orgnr.is_valid(value):
        raise ValidationError(
            _("«%(value)s» er ikke et gyldig organisasjonsnummer (9 siffer, kontrollsiffer)."),
            code="invalid_orgnr",
            params={"value": value},
        )


def validate_municipality_number(value: str) -> None:
    if len(value) != 4 or not value.isdigit():
        raise ValidationError(_("Kommunenummer har fire siffer."), code="invalid_municipality_no")


class Municipality(models.Model):
    """The tenant. `number` is the number the municipality had when created; the dated history
    is in MunicipalityNumber (numbers change with county reforms, domain/norway.md §6.3)."""

    name = models.CharField(_("navn"), max_length=100)
    number = models.CharField(
        _("kommunenummer"), max_length=4, validators=[validate_municipality_number]
    )
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    succeeded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("etterfulgt av"),
    )

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]
        constraints = [
            valid_range_constraint("municipality_valid_range"),
            models.CheckConstraint(
                condition=~Q(succeeded_by=models.F("id")), name="municipality_not_own_successor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class MunicipalityNumber(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="numbers")
    number = models.CharField(max_length=4, validators=[validate_municipality_number])
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "valid_from"], name="municipality_number_unique_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.valid_from}–{self.valid_to or ''}"


class UnitKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Barnehage")
    SCHOOL = "school", _("Skole")
    SFO = "sfo", _("SFO")


class CareService(models.TextChoices):
    """The services a family applies for and pays for: kindergarten and SFO (school is a
    right, not an application or a fee)."""

    KINDERGARTEN = "kindergarten", _("Barnehage")
    SFO = "sfo", _("SFO")


class SfoPlaceType(models.TextChoices):
    """The kinds of SFO place a family applies for and the municipality prices."""

    FULL = "full", _("Hel plass")
    PART = "part", _("Deltidsplass")
    DAYS = "days", _("Enkeltdager")


class Owner(models.TextChoices):
    MUNICIPAL = "municipal", _("Kommunal")
    PRIVATE = "private", _("Privat")


class Unit(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="units", verbose_name=_("kommune")
    )
    kind = models.CharField(_("type"), max_length=20, choices=UnitKind.choices)
    owner = models.CharField(_("eier"), max_length=20, choices=Owner.choices)
    is_special_school = models.BooleanField(_("spesialskole"), default=False)
    is_family_kindergarten = models.BooleanField(_("familiebarnehage"), default=False)
    organisation_number = models.CharField(
        _("organisasjonsnummer"),
        max_length=9,
        unique=True,
        validators=[validate_organisation_number],
    )
    name = models.CharField(_("navn"), max_length=150)
    street_address = models.CharField(_("adresse"), max_length=150, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    postal_town = models.CharField(_("poststed"), max_length=60, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    first_grade = models.PositiveSmallIntegerField(_("fra trinn"), null=True, blank=True)
    last_grade = models.PositiveSmallIntegerField(_("til trinn"), null=True, blank=True)
    school = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sfos",
        verbose_name=_("skole (for SFO)"),
    )
    opens_at = models.TimeField(_("åpner"), null=True, blank=True)
    closes_at = models.TimeField(_("stenger"), null=True, blank=True)
    valid_from = models.DateField(_("gyldig fra"), default=dt.date(2000, 1, 1))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        ordering = ["name"]
        indexes = [models.Index(fields=["municipality", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="school")
                | (Q(first_grade__isnull=True) & Q(last_grade__isnull=True)),
                name="unit_grades_only_for_schools",
            ),
            models.CheckConstraint(
                condition=Q(kind="school", first_grade__isnull=False, last_grade__isnull=False)
                | ~Q(kind="school"),
                name="unit_school_has_grades",
            ),
            models.CheckConstraint(
                condition=Q(first_grade__isnull=True)
                | Q(
                    first_grade__gte=1, last_grade__lte=10, first_grade__lte=models.F("last_grade")
                ),
                name="unit_grade_range",
            ),
            models.CheckConstraint(
                condition=Q(kind="sfo") | Q(school__isnull=True), name="unit_school_only_for_sfo"
            ),
            models.CheckConstraint(
                condition=Q(kind="school") | Q(is_special_school=False),
                name="unit_special_only_for_school",
            ),
            models.CheckConstraint(
                condition=Q(kind="kindergarten") | Q(is_family_kindergarten=False),
                name="unit_family_only_for_kindergarten",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == UnitKind.SFO and self.school_id is None:
            raise ValidationError({"school": _("En SFO hører til en skole.")})
        if self.kind == UnitKind.SCHOOL and (self.first_grade is None or self.last_grade is None):
            raise ValidationError({"first_grade": _("En skole må ha trinn (for eksempel 1–7).")})


class SchoolYear(models.Model):
    """1 August – 31 July (domain/norway.md §4.2). Also the kindergarten year by default."""

    start_year = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["start_year"]

    def __str__(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    @property
    def starts(self) -> dt.date:
        return dt.date(self.start_year, 8, 1)

    @property
    def ends(self) -> dt.date:
        return dt.date(self.start_year + 1, 7, 31)

    @staticmethod
    def start_year_for(day: dt.date) -> int:
        return day.year if day.month >= 8 else day.year - 1


class GroupKind(models.TextChoices):
    CLASS = "class", _("Klasse")
    DEPARTMENT = "department", _("Avdeling")
    SFO_GROUP = "sfo_group", _("SFO-gruppe")


class Group(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="groups")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=GroupKind.choices)
    name = models.CharField(_("navn"), max_length=100)
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, null=True, blank=True, related_name="groups"
    )
    grade = models.PositiveSmallIntegerField(_("trinn"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("fra alder"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("til alder"), null=True, blank=True)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("gruppe")
        verbose_name_plural = _("grupper")
        ordering = ["unit_id", "grade", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="class")
                | Q(grade__isnull=False, school_year__isnull=False, grade__gte=1, grade__lte=10),
                name="group_class_has_grade_and_year",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="group_age_range",
            ),
            valid_range_constraint("group_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} – {self.name}"


class ClosedDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ferie")
    PLANNING = "planning", _("Planleggingsdag")
    CLOSED = "closed", _("Stengt")


class ClosedDay(models.Model):
    """A day without school (or with kindergarten/SFO closed) in a municipality. Public holidays
    are not stored: they come from the `holidays` package (domain/norway.md §7.1)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=ClosedDayKind.choices)
    applies_to = models.CharField(max_length=20, choices=UnitKind.choices)
    description = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "date", "applies_to"], name="closed_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class IdempotencyRecord(models.Model):
    """A submission's idempotency key: a repeat of the same submission returns the first
    result instead of doing the change twice (DESIGN.md house rules)."""

    scope = models.CharField(max_length=60)
    key = models.CharField(max_length=100)
    user_id = models.BigIntegerField()
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "user_id", "key"], name="idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
