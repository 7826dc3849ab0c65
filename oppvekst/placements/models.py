"""A child's place in a unit (and group) for a period, with place size."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oppvekst.core.models import UnitKind
from oppvekst.daterange import ValidityQuerySet
from oppvekst.dbutils import valid_range_constraint

# A placement's service is the kind of its unit: one choice, under the name placement code
# reads best.
Service = UnitKind


class Placement(models.Model):
    """No two placements of the same service overlap for one child: refused in
    `services.placement_create` on every database, and by an exclusion constraint on PostgreSQL
    (migration 0002)."""

    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="placements")
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="placements")
    group = models.ForeignKey(
        "core.Group", on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    service = models.CharField(_("tjeneste"), max_length=20, choices=Service.choices)
    place_percent = models.PositiveSmallIntegerField(_("plasstørrelse (%)"), default=100)
    weekly_hours = models.DecimalField(
        _("timer per uke"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    valid_from = models.DateField(_("fra"))
    valid_to = models.DateField(_("til"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("plass")
        verbose_name_plural = _("plasser")
        ordering = ["valid_from"]
        indexes = [
            models.Index(fields=["child", "service"]),
            models.Index(fields=["unit", "valid_from"]),
            models.Index(fields=["municipality", "service"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(place_percent__gte=1, place_percent__lte=100),
                name="placement_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours__isnull=True)
                | Q(weekly_hours__gt=0, weekly_hours__lte=60),
                name="placement_hours_range",
            ),
            valid_range_constraint("placement_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.child} – {self.unit} ({self.valid_from}–{self.valid_to or ''})"
