"""`oppvekst billing_load_rates [--file rates.json]`: load the national price-rule tables into
the database (insert or update by rule id). Run it when rates.json changes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oppvekst.billing.engine.rules import RulesError, default_rules_data
from oppvekst.billing.models import RateRule
from oppvekst.billing.rulebook import load_national_rates
from oppvekst.safeio import SafeIOError, read_json


class Command(BaseCommand):
    help = "Load the national price-rule tables (rates.json) into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help="a rates.json file (default: the bundled one)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            try:
                data = read_json(options["file"])
            except SafeIOError as exc:
                raise CommandError(str(exc), returncode=2) from None
        else:
            data = default_rules_data()
        try:
            created, updated = load_national_rates(RateRule, data)
        except (RulesError, KeyError, ValueError) as exc:
            raise CommandError(f"rates not loaded: {exc}", returncode=2) from exc
        self.stdout.write(f"{created} created, {updated} updated")
