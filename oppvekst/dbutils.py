"""Small database helpers shared by the apps."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


def valid_range_constraint(name: str) -> models.CheckConstraint:
    """valid_to is empty (open-ended) or not before valid_from: the one rule for date ranges."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name=name
    )
