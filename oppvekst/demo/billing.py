"""Billing in the demo municipality: every municipality gets a price zone and the municipal
prices (SFO place types, food money per kindergarten). Deterministic, no randomness."""

from __future__ import annotations

from oppvekst.billing.services import billing_setup_municipality
from oppvekst.core.models import Municipality


def build_billing_demo() -> int:
    """Idempotent: municipalities that already have prices are left alone."""
    return sum(
        billing_setup_municipality(municipality=municipality)
        for municipality in Municipality.objects.order_by("pk")
    )
