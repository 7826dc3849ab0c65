from django.contrib import admin

from oppvekst.placements.models import Placement


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ("child", "unit", "service", "place_percent", "valid_from", "valid_to")
    list_filter = ("service", "municipality")
    raw_id_fields = ("child", "unit", "group")
    list_select_related = ("child", "unit")
