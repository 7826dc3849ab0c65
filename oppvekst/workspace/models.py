"""Notifications and tasks for each person, from every module (the arbeidsflate)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="notifications"
    )
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("kilde"), max_length=30)  # admission, billing, timetable, ...
    title = models.CharField(_("tittel"), max_length=200)
    body = models.TextField(_("tekst"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    is_task = models.BooleanField(_("oppgave"), default=False)
    due = models.DateField(_("frist"), null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # The same event never notifies the same person twice.
    dedupe_key = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_unique_event"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title
