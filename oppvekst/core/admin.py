from django.contrib import admin

from oppvekst.core.models import (
    ClosedDay,
    Group,
    Municipality,
    MunicipalityNumber,
    SchoolYear,
    Unit,
)


class MunicipalityNumberInline(admin.TabularInline):
    model = MunicipalityNumber
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "valid_from", "valid_to", "succeeded_by")
    list_select_related = ("succeeded_by",)
    search_fields = ("name", "number")
    inlines = [MunicipalityNumberInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "owner", "municipality", "organisation_number")
    list_filter = ("kind", "owner", "municipality", "is_special_school", "is_family_kindergarten")
    search_fields = ("name", "organisation_number")
    list_select_related = ("municipality",)
    raw_id_fields = ("school",)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "kind", "grade", "school_year")
    list_filter = ("kind", "municipality")
    search_fields = ("name", "unit__name")
    list_select_related = ("unit", "school_year")
    raw_id_fields = ("unit",)


admin.site.register(SchoolYear)


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ("date", "municipality", "kind", "applies_to", "description")
    list_select_related = ("municipality",)
    list_filter = ("municipality", "kind", "applies_to")
