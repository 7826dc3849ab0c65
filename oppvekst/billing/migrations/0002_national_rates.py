"""Load the national price-rule tables (oppvekst/billing/engine/rates.json) into RateRule.

Later changes to rates.json are loaded with `oppvekst billing_load_rates` (insert or update by
rule id); this migration only gives a fresh database the tables it needs to price anything."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from oppvekst.billing.engine.rules import default_rules_data
    from oppvekst.billing.rulebook import load_national_rates

    load_national_rates(apps.get_model("billing", "RateRule"), default_rules_data())


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("billing", "RateRule").objects.filter(municipality__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
