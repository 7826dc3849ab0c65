"""`oppvekst billing_demo`: give every municipality a price zone and demo municipal prices
(SFO place types, food money). Idempotent; `oppvekst demo` does it too."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from oppvekst.demo.billing import build_billing_demo


class Command(BaseCommand):
    help = "Set up demo price zones and municipal prices for billing."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{build_billing_demo()} rows created")
