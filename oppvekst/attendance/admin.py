"""Administration of the owners' holiday rules (domain/operations.md §3.2: local configuration,
not national law): one rule per municipality for its own kindergartens, or one per private
kindergarten. Configuration only; no child data is edited here."""

from __future__ import annotations

from django.contrib import admin

from oppvekst.attendance.models import HolidayRule


@admin.register(HolidayRule)
class HolidayRuleAdmin(admin.ModelAdmin[HolidayRule]):
    list_display = (
        "municipality",
        "unit",
        "total_weeks",
        "consecutive_weeks",
        "window_start",
        "window_end",
        "deadline",
        "planning_days_count",
        "school_starter_cutoff",
    )
    list_filter = ("municipality",)
    raw_id_fields = ("unit",)
