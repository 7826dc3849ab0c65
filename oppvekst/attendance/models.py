"""Daily life in kindergarten and SFO: check-in and check-out, pick-up, absence and holidays,
staff present, and the owners' holiday rules (domain/operations.md §3)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oppvekst.daterange import ValidityQuerySet
from oppvekst.dbutils import valid_range_constraint


def month_day(value: str) -> tuple[int, int]:
    """ "06-16" -> (6, 16); ValueError when it is no day of a (leap) year."""
    month, day = (int(part) for part in value.split("-"))
    dt.date(2000, month, day)
    return month, day


def validate_month_day(value: str) -> None:
    try:
        if len(value) != 5:
            raise ValueError(value)
        month_day(value)
    except ValueError:
        raise ValidationError(
            _("Skriv dagen som MM-DD, for eksempel 06-16."), code="month_day"
        ) from None


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", _("Syk")
    HOLIDAY = "holiday", _("Ferie")
    OTHER = "other", _("Annet fravær")


class Absence(models.Model):
    """Reported by a guardian (or by staff on the guardian's word) for the child, not for one
    unit: one report covers every unit the child attends those days (kindergarten, or school
    and SFO)."""

    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="absences")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    first_day = models.DateField(_("fra"))
    last_day = models.DateField(_("til"))
    reason = models.CharField(_("årsak"), max_length=20, choices=AbsenceReason.choices)
    note = models.CharField(_("merknad"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("fravær")
        verbose_name_plural = _("fravær")
        ordering = ["first_day", "pk"]
        indexes = [
            models.Index(fields=["child", "first_day"]),
            models.Index(fields=["first_day", "last_day"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="absence_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.first_day}–{self.last_day} {self.reason}"


class Attendance(models.Model):
    """One child's day at one unit: checked in, and checked out to a named person."""

    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="attendances")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="attendances")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "core.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("dato"))
    checked_in_at = models.DateTimeField(_("kom"))
    checked_in_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_out_at = models.DateTimeField(_("gikk"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    picked_up_by = models.CharField(_("hentet av"), max_length=150, blank=True)
    pickup = models.ForeignKey(
        "PickupAuthorization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("oppmøte")
        verbose_name_plural = _("oppmøte")
        ordering = ["day", "checked_in_at"]
        indexes = [models.Index(fields=["unit", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["child", "unit", "day"], name="attendance_one_a_day"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="attendance_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.unit_id} {self.day}"


class StaffPresence(models.Model):
    """An adult at work in the unit today (arrived, left): the live children-per-adult figure
    counts these, never the employment register (operations.md §1.7)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    arrived_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "unit", "day"], name="staff_presence_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.unit_id} {self.day}"


class PickupAuthorization(models.Model):
    """Who may pick the child up, kept by the guardians (operations.md §3.1: the parents decide;
    no law sets who or a minimum age). `one_off` is a "picked up by X today" notice."""

    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="pickup_authorizations"
    )
    name = models.CharField(_("navn"), max_length=150)
    relation = models.CharField(_("relasjon"), max_length=60, blank=True)
    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    note = models.CharField(_("merknad"), max_length=200, blank=True)
    one_off = models.BooleanField(_("bare denne dagen"), default=False)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    granted_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("hentetillatelse")
        verbose_name_plural = _("hentetillatelser")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["child", "valid_from"])]
        constraints = [valid_range_constraint("pickup_valid_range")]

    def __str__(self) -> str:
        return f"{self.name} → {self.child_id}"

    def valid_on(self, day: dt.date) -> bool:
        return (
            self.withdrawn_at is None
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class PickupRestriction(models.Model):
    """A court or agency restriction on who may pick the child up. Restricted record: unit
    leaders and caseworkers only (operations.md §3.1, the Bergen/Vigilo fine); staff at check-out
    see only "contact the leader"."""

    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="pickup_restrictions"
    )
    description = models.TextField(_("beskrivelse"))
    basis = models.CharField(_("grunnlag"), max_length=150)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("hentebegrensning")
        verbose_name_plural = _("hentebegrensninger")
        constraints = [valid_range_constraint("restriction_valid_range")]

    def __str__(self) -> str:
        return f"restriction {self.child_id}"


class HolidayRule(models.Model):
    """The owner's holiday rule (operations.md §3.2: local vedtekter, not national law). One per
    municipality for its own kindergartens, or one per private kindergarten (`unit`)."""

    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.OneToOneField(
        "core.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    total_weeks = models.PositiveSmallIntegerField(_("ferieuker i alt"), default=4)
    consecutive_weeks = models.PositiveSmallIntegerField(_("uker sammenhengende"), default=3)
    # Days of the year as "MM-DD" (the same every year).
    window_start = models.CharField(
        _("sommerferie tidligst fra (MM-DD)"), max_length=5, validators=[validate_month_day]
    )
    window_end = models.CharField(
        _("sommerferie senest til (MM-DD)"), max_length=5, validators=[validate_month_day]
    )
    deadline = models.CharField(
        _("frist for sommerferieplan (MM-DD)"), max_length=5, validators=[validate_month_day]
    )
    planning_days_count = models.BooleanField(
        _("planleggingsdager teller som ferie"), default=False
    )
    school_starter_cutoff = models.CharField(
        _("skolestartere: ferien ferdig innen (MM-DD)"),
        max_length=5,
        default="07-31",
        validators=[validate_month_day],
    )

    class Meta:
        verbose_name = _("ferieregel")
        verbose_name_plural = _("ferieregler")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(unit__isnull=True),
                name="holiday_rule_one_per_municipality",
            )
        ]

    def __str__(self) -> str:
        return f"{self.total_weeks}/{self.consecutive_weeks}"


# -- the child's record for the staff who need it (domain/operations.md §3.3, §3.4) ---------------


class NoteKind(models.TextChoices):
    ALLERGY = "allergy", _("Allergi")
    DIET = "diet", _("Kosthold")
    HEALTH = "health", _("Helseopplysning")


class ChildNote(models.Model):
    """Allergies and diet (every adult who serves the child food needs them) and health notes
    (special category, GDPR art. 9: the child's own staff and leaders only, every read
    audited; operations.md §3.3)."""

    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=NoteKind.choices)
    text = models.CharField(_("tekst"), max_length=500)
    recorded_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["child", "kind"])]
        ordering = ["kind", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind}"


class ConsentPurpose(models.TextChoices):
    PHOTO_INTERNAL = "photo_internal", _("Bilder internt i enheten")
    PHOTO_PARENT_APP = "photo_parent_app", _("Bilder til foresatte i appen")
    PHOTO_PUBLIC_WEB = "photo_public_web", _("Bilder på offentlige nettsider")
    PRESS = "press", _("Bilder og omtale i presse")
    CONTACT_LIST = "contact_list", _("Kontaktinformasjon på foreldrelisten")
    TRIPS = "trips", _("Turer og transport i åpningstiden")


class Consent(models.Model):
    """One guardian's answer for one purpose at one time. The history is kept: a new answer is a
    new row, the newest row is in force; a withdrawal is a "no" (operations.md §3.4: consent per
    child, purpose and guardian, with time stamps, withdrawable in part or in full)."""

    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consents")
    guardian = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("formål"), max_length=30, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("samtykke gitt"))
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["child", "purpose", "at"])]
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.child_id} {self.purpose} {self.granted}"


class EmergencyContact(models.Model):
    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("navn"), max_length=150)
    relation = models.CharField(_("relasjon"), max_length=60, blank=True)
    phone = models.CharField(_("telefon"), max_length=20)
    added_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.name
