from django.contrib import admin

from oppvekst.staff.models import Employment, GroupAssignment


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ("person", "position", "unit", "percentage", "valid_from", "valid_to")
    list_filter = ("position", "municipality")
    raw_id_fields = ("person", "unit")
    list_select_related = ("person", "unit")


@admin.register(GroupAssignment)
class GroupAssignmentAdmin(admin.ModelAdmin):
    list_display = ("person", "group", "role", "valid_from", "valid_to")
    raw_id_fields = ("person", "group", "employment")
    # A group prints its unit's name: fetch both with the list, not one query per row.
    list_select_related = ("person", "group__unit")
