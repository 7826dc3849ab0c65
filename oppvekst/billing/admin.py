"""Administration of the price rules: national and municipal rule rows, zones and municipal
prices. Rows not confirmed in the sources (norway.md [?]) are flagged in the list and warned
about at the top, so the administrator checks them before they are used in a run."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from oppvekst.billing.explain import kr
from oppvekst.billing.models import BillingSettings, MunicipalPrice, RateRule, ZonePeriod


def _hundredths(value: int) -> str:
    """Hundredths (of a percent or an hour) in the active language's number format."""
    return formats.number_format(value / 100, 2, use_l10n=True, force_grouping=True)


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("bekreftet")
    parameter_name = "bekreftet"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("nei", _("Ikke bekreftet")), ("ja", _("Bekreftet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "nei":
            return queryset.filter(confirmed=False)
        if self.value() == "ja":
            return queryset.filter(confirmed=True)
        return queryset


class _WarnUnconfirmed(admin.ModelAdmin):
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        unconfirmed = self.model._default_manager.filter(confirmed=False).count()
        if unconfirmed:
            messages.warning(
                request,
                _(
                    "Rader som ikke er bekreftet i kildene: %(count)d. Kontroller satsene mot"
                    " lovdata.no, udir.no eller regjeringen.no før de brukes i en fakturakjøring."
                )
                % {"count": unconfirmed},
            )
        return super().changelist_view(request, extra_context)


@admin.register(RateRule)
class RateRuleAdmin(_WarnUnconfirmed):
    list_display = (
        "rule_id",
        "table",
        "municipality",
        "zone",
        "valid_from",
        "valid_to",
        "value",
        "confirmed_flag",
        "confidence",
    )
    list_filter = (ConfirmedFilter, "table", "zone", "municipality")
    search_fields = ("rule_id", "source", "note")
    list_select_related = ("municipality",)
    ordering = ("table", "zone", "valid_from")

    @admin.display(description=_("sats"))
    def value(self, obj: RateRule) -> str:
        if obj.amount_ore is not None:
            return kr(obj.amount_ore)
        if obj.percent_bp is not None:
            return f"{_hundredths(obj.percent_bp)} %"
        if obj.hours_x100 is not None:
            return f"{_hundredths(obj.hours_x100)} t"
        return ""

    @admin.display(description=_("bekreftet"), boolean=True, ordering="confirmed")
    def confirmed_flag(self, obj: RateRule) -> bool:
        return obj.confirmed


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    list_display = ("municipality", "separate_approver")
    list_select_related = ("municipality",)


@admin.register(ZonePeriod)
class ZonePeriodAdmin(admin.ModelAdmin):
    list_display = ("municipality", "zone", "valid_from", "valid_to", "source")
    list_filter = ("zone", "municipality")
    list_select_related = ("municipality",)


@admin.register(MunicipalPrice)
class MunicipalPriceAdmin(_WarnUnconfirmed):
    list_display = (
        "municipality",
        "kind",
        "service",
        "unit",
        "place_type",
        "price",
        "valid_from",
        "valid_to",
        "confirmed_flag",
    )
    list_filter = (ConfirmedFilter, "kind", "service", "municipality")
    search_fields = ("unit__name", "source")
    list_select_related = ("municipality", "unit")
    raw_id_fields = ("unit",)

    @admin.display(description=_("pris per måned"), ordering="monthly_ore")
    def price(self, obj: MunicipalPrice) -> str:
        return kr(obj.monthly_ore)

    @admin.display(description=_("bekreftet"), boolean=True, ordering="confirmed")
    def confirmed_flag(self, obj: MunicipalPrice) -> bool:
        return obj.confirmed
