from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from oppvekst.access.models import User


@admin.register(User)
class OppvekstUserAdmin(UserAdmin):
    """A login's person is never set here: what a user may do follows from the person's data,
    so linking a login to a person is an access request approved by a second administrator
    (oppvekst.staff.services, kind "user_link")."""

    fieldsets = (*(UserAdmin.fieldsets or ()), ("Oppvekst", {"fields": ("person",)}))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*super().get_readonly_fields(request, obj), "person")
