from django.contrib import admin

from oppvekst.people.models import Guardianship, Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # System administrators configure; they do not browse children's data (DESIGN.md Access).
    list_display = ("last_name", "first_name", "birth_date", "municipality")
    search_fields = ("last_name", "first_name")
    list_select_related = ("municipality",)
    raw_id_fields = ("school_district",)
    exclude = ("street_address", "postal_code", "postal_town", "latitude", "longitude")


@admin.register(Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ("guardian", "child", "parental_responsibility", "daily_care", "valid_from")
    raw_id_fields = ("guardian", "child")
    list_select_related = ("guardian", "child")
