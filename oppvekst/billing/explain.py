"""Words for rules and changes: what a line is, and why an amount differs from last month.

Reason codes are stored (``InvoiceChange.reasons``) and turned into text in the reader's
language here, so a Norwegian and an English reader see the same explanation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from oppvekst.billing.engine.money import format_nok

RULE_LABELS: dict[str, Promise] = {
    "kindergarten_max_price": gettext_lazy("Maksimalpris barnehage"),
    "kindergarten_part_time": gettext_lazy("Deltidsplass (andel av full plass)"),
    "kindergarten_sibling_discount": gettext_lazy("Søskenmoderasjon"),
    "kindergarten_income_cap": gettext_lazy("Redusert foreldrebetaling (maks 6 % av inntekt)"),
    "kindergarten_free_core_hours": gettext_lazy("Gratis kjernetid (20 timer i uka)"),
    "billing_months": gettext_lazy("Betalingsfri måned"),
    "food": gettext_lazy("Kostpenger"),
    "sfo_list_price": gettext_lazy("SFO-plass"),
    "sfo_free_hours": gettext_lazy("Gratis SFO-timer (12 timer i uka)"),
    "sfo_special_needs_free": gettext_lazy("Gratis SFO, særskilte behov 5.–7. trinn"),
    "sfo_income_cap": gettext_lazy("Redusert SFO-betaling (maks 6 % av inntekt)"),
}

# The law behind each rule table, by name, for people (the rule rows' ``source`` is written for
# whoever maintains the tables and may carry working notes). Paragraphs as in norway.md § 2
# (forskrift om foreldrebetaling i barnehager, FOR-2005-12-16-1478) and § 3 (opplæringslova
# § 4-5 and the municipality's own forskrift om SFO).
_KG_FEES = gettext_lazy("Forskrift om foreldrebetaling i barnehager")
LAW_NAMES: dict[str, Promise] = {
    "kindergarten_max_price": gettext_lazy("Forskrift om foreldrebetaling i barnehager § 1"),
    "kindergarten_part_time": gettext_lazy("Forskrift om foreldrebetaling i barnehager § 2"),
    "kindergarten_sibling_discount": gettext_lazy("Forskrift om foreldrebetaling i barnehager § 3"),
    "kindergarten_income_cap": gettext_lazy("Forskrift om foreldrebetaling i barnehager § 3"),
    "kindergarten_free_core_hours": gettext_lazy("Forskrift om foreldrebetaling i barnehager § 3"),
    "sfo_list_price": gettext_lazy("Opplæringslova § 4-5 og kommunens forskrift om SFO"),
    "sfo_free_hours": gettext_lazy("Forskrift til opplæringslova (gratis SFO 12 timer i uka)"),
    "sfo_special_needs_free": gettext_lazy("Opplæringslova § 4-5"),
    "sfo_income_cap": gettext_lazy("Forskrift til opplæringslova (redusert betaling i SFO)"),
}
_SERVICE_LAW: dict[str, Promise] = {
    "kindergarten": _KG_FEES,
    "sfo": gettext_lazy("Kommunens forskrift om SFO"),
}

# Reductions the municipality compensates a private kindergarten for (forskrift om
# foreldrebetaling § 3: the owner is compensated for the discounts, norway.md § 2.3).
COMPENSATED_TABLES = (
    "kindergarten_income_cap",
    "kindergarten_free_core_hours",
    "kindergarten_sibling_discount",
)


def rule_label(table: str) -> str:
    label = RULE_LABELS.get(table)
    return str(label) if label is not None else table


def law_name(table: str, service: str = "") -> str:
    """The law a line rests on, by its name (never a rule key or a working note)."""
    law = LAW_NAMES.get(table) or _SERVICE_LAW.get(service)
    return str(law) if law is not None else ""


def rule_label_nb(table: str) -> str:
    """The Norwegian label (for files that leave the system, whatever the user's language)."""
    with override("nb"):
        return rule_label(table)


def kr(ore: int) -> str:
    """``123456`` → ``1 234,56 kr`` (Norwegian) in the active language's number format."""
    return f"{formats.number_format(ore / 100, 2, use_l10n=True, force_grouping=True)} kr"


def month_label(value: dt.date | str) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(f"{value}-01")
    return formats.date_format(day, "F Y")


def explain(reason: dict[str, Any]) -> str:
    """One reason code as a sentence in the active language."""
    code = reason.get("code")
    if code == "new":
        return _("Ny på fakturaen denne måneden.")
    if code == "ended":
        return _("Ingen betaling denne måneden (plassen er avsluttet eller flyttet).")
    if code == "rule":
        return _("%(rule)s: %(before)s forrige måned, %(after)s nå.") % {
            "rule": rule_label(reason["table"]),
            "before": kr(reason["before"]),
            "after": kr(reason["after"]),
        }
    if code == "correction":
        amount = reason["amount"]
        text = (
            _("Tilbakebetaling for %(month)s: %(amount)s.")
            if amount < 0
            else _("Etterbetaling for %(month)s: %(amount)s.")
        )
        return text % {"month": month_label(reason["period"]), "amount": kr(abs(amount))}
    if code == "previous_correction":
        return _("Forrige faktura hadde en korreksjon for %(month)s på %(amount)s.") % {
            "month": month_label(reason["period"]),
            "amount": kr(reason["amount"]),
        }
    return str(code)


def explain_all(reasons: list[dict[str, Any]]) -> list[str]:
    return [explain(r) for r in reasons]


def amount_nok(ore: int) -> str:
    return format_nok(ore)


def portal_reverse(name: str, *args: Any) -> str:
    """Reverse a portal page whether the portal URLconf is namespaced or not."""
    try:
        return reverse(f"portal:{name}", args=args)
    except NoReverseMatch:
        return reverse(name, args=args)
