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


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Åpen")
    DONE = "done", _("Utført")


class Task(models.Model):
    """Work that waits for someone: one row per piece of work (a claim to assess, a run to
    approve), addressed to a role at a unit or in a municipality, or to one person. It closes
    itself when the module finishes the work, for everyone who had it."""

    kind = models.CharField(_("type"), max_length=40)  # a registered task kind
    subject_type = models.CharField(max_length=40)  # "admission.claim", "billing.run", ...
    subject_id = models.PositiveBigIntegerField()
    title = models.CharField(_("tittel"), max_length=200)
    url = models.CharField(max_length=300, blank=True)
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Either a role (at the unit, or in the municipality without a unit) or one person.
    role = models.CharField(_("rolle"), max_length=40, blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # For a family role ("the guardians of this child"): the child the task is about.
    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due = models.DateField(_("frist"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    handed_to = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("oppgave")
        verbose_name_plural = _("oppgaver")
        ordering = ["due", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id"], name="task_one_per_subject"
            )
        ]
        indexes = [
            models.Index(fields=["status", "municipality", "role"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return self.title


class TaskMute(models.Model):
    """A person who does not want notifications of one kind (tasks stay on the list)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("dempet varseltype")
        verbose_name_plural = _("dempede varseltyper")
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="task_mute_unique")]

    def __str__(self) -> str:
        return self.kind
