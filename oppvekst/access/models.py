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
