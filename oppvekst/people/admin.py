from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from oppvekst.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Staff only. System administrators configure; children's and families' data is read
    through the pages, under the access policy and the audit trail (DESIGN.md Access)."""

    list_display = ("last_name", "first_name", "municipality")
    search_fields = ("last_name", "first_name")
    list_select_related = ("municipality",)
    fields = ("first_name", "middle_name", "last_name", "email", "phone", "municipality")
    readonly_fields = ("municipality",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).filter(employments__isnull=False).distinct()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
