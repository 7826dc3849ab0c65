"""Employments and group assignments: the data that staff roles are derived from."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oppvekst.daterange import ValidityQuerySet
from oppvekst.dbutils import valid_range_constraint


class Position(models.TextChoices):
    PRINCIPAL = "principal", _("Rektor / styrer")
    DEPUTY = "deputy", _("Inspektør / assisterende leder")
    DEPARTMENT_LEADER = "department_leader", _("Avdelingsleder")
    TEACHER = "teacher", _("Lærer")
    PEDAGOGICAL_LEADER = "pedagogical_leader", _("Pedagogisk leder")
    ASSISTANT = "assistant", _("Assistent / barne- og ungdomsarbeider")
    SFO_STAFF = "sfo_staff", _("SFO-ansatt")
    ADMINISTRATIVE = "administrative", _("Merkantil / skolesekretær")
    CASEWORKER = "caseworker", _("Saksbehandler, sektorkontoret")
    SYSTEM_ADMIN = "system_admin", _("Systemadministrator")


# Positions held at the municipality level (the sector office, IT), not at a unit.
MUNICIPAL_POSITIONS = {Position.CASEWORKER, Position.SYSTEM_ADMIN}
LEADER_POSITIONS = {Position.PRINCIPAL, Position.DEPUTY, Position.DEPARTMENT_LEADER}


class Employment(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="employments"
    )
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="employments"
    )
    position = models.CharField(_("stilling"), max_length=30, choices=Position.choices)
    percentage = models.DecimalField(_("stillingsprosent"), max_digits=5, decimal_places=2)
    # Entitlement to read protected addresses (adressebeskyttelse, domain/norway.md §6.1):
    # granted to named sector-office caseworkers with a legal basis, recorded on the employment.
    address_clearance = models.BooleanField(_("klarert for beskyttet adresse"), default=False)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("arbeidsforhold")
        verbose_name_plural = _("arbeidsforhold")
        indexes = [models.Index(fields=["unit", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__gt=0, percentage__lte=100),
                name="employment_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(position__in=["caseworker", "system_admin"]),
                name="employment_unit_required",
            ),
            valid_range_constraint("employment_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_position_display()}"


class AssignmentRole(models.TextChoices):
    CONTACT_TEACHER = "contact_teacher", _("Kontaktlærer")
    TEACHER = "teacher", _("Faglærer")
    PEDAGOGICAL_LEADER = "pedagogical_leader", _("Pedagogisk leder")
    DEPARTMENT_STAFF = "department_staff", _("Ansatt på avdeling")
    SFO_STAFF = "sfo_staff", _("Ansatt i SFO-gruppe")


class GroupAssignment(models.Model):
    employment = models.ForeignKey(Employment, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("core.Group", on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("rolle"), max_length=30, choices=AssignmentRole.choices)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("gruppetilknytning")
        verbose_name_plural = _("gruppetilknytninger")
        indexes = [models.Index(fields=["person", "group"])]
        constraints = [valid_range_constraint("assignment_valid_range")]

    def __str__(self) -> str:
        return f"{self.person} – {self.group} ({self.get_role_display()})"


class GrantKind(models.TextChoices):
    EMPLOYMENT = "employment", _("Nytt arbeidsforhold")
    CLEARANCE = "clearance", _("Klarering for beskyttet adresse")
    GROUP_ASSIGNMENT = "group_assignment", _("Gruppetilknytning")
    USER_LINK = "user_link", _("Brukerkonto knyttet til person")


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Venter på godkjenning")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avvist")


class AccessGrant(models.Model):
    """A grant that would open children's data (an employment, clearance for protected
    addresses, a group assignment, a login linked to a person). The configuration admin only
    requests it; a second authorised person approves, and both steps are written to the
    append-only audit trail (domain/norway.md §6.1: protected data only for named, entitled
    caseworkers; docs/decisions/0002-grants-need-a-second-person.md)."""

    kind = models.CharField(_("type"), max_length=20, choices=GrantKind.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    municipality = models.ForeignKey(
        "core.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommune"),
    )
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enhet"),
    )
    position = models.CharField(_("stilling"), max_length=30, choices=Position.choices, blank=True)
    percentage = models.DecimalField(
        _("stillingsprosent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    employment = models.ForeignKey(
        Employment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("arbeidsforhold"),
    )
    group = models.ForeignKey(
        "core.Group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gruppe"),
    )
    role = models.CharField(_("rolle"), max_length=30, choices=AssignmentRole.choices, blank=True)
    user = models.ForeignKey(
        "access.User",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("brukerkonto"),
    )
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    requested_by = models.ForeignKey(
        "access.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bedt om av"),
    )
    requested_at = models.DateTimeField(_("bedt om"))
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "access.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avgjort av"),
    )
    decided_at = models.DateTimeField(_("avgjort"), null=True, blank=True)

    class Meta:
        verbose_name = _("tilgangsforespørsel")
        verbose_name_plural = _("tilgangsforespørsler")
        ordering = ["-requested_at", "-pk"]
        constraints = [valid_range_constraint("grant_valid_range")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person} ({self.get_status_display()})"
