from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from oppvekst.access.models import User


@admin.register(User)
class OppvekstUserAdmin(UserAdmin):
    raw_id_fields = ("person",)
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Oppvekst", {"fields": ("person",)}))
