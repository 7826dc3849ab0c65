"""Accounts. A user is a login for a Person; what the user may do follows from that person's
data (guardianships, employments, group assignments), never from flags granted by hand."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    person = models.OneToOneField(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
    )


class AuditEvent(models.Model):
    """Append-only record of a read or write of a person's data. Never changed or deleted by
    the application (save/delete refuse it); on PostgreSQL a trigger refuses UPDATE and DELETE
    (migration 0003)."""

    at = models.DateTimeField(db_index=True)
    # Who acted stays recorded as an id after the account or person is deleted or
    # pseudonymised: no database constraint and no cascade, so deleting a user never rewrites
    # (SQLite) or fails on (the PostgreSQL trigger) an audit row
    # (docs/decisions/0004-audit-retention.md).
    actor_user = models.ForeignKey(
        "access.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_person = models.ForeignKey(
        "people.Person",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    # The role the read was made in (guardian, contact_teacher, caseworker, ...).
    actor_role = models.CharField(max_length=50, blank=True)
    on_behalf_of = models.ForeignKey(
        "people.Person",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=60)
    target = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="audit_events"
    )
    endpoint = models.CharField(max_length=300)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")


class ServiceToken(models.Model):
    """A bearer token for the API: stored as a SHA-256 hash, scoped to actions, revocable.
    It acts as `user` (a service account or, in demo mode, a persona) limited to `scopes`."""

    name = models.CharField(max_length=100)
    user = models.ForeignKey("access.User", on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    scopes = models.JSONField(default=list, blank=True)  # empty: all actions of the user
    # Printed by `oppvekst demo-token`: refused unless the server runs in demo mode.
    demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
