"""Employments and group assignments in the configuration admin. What opens children's data —
a new employment, a group assignment, clearance for protected addresses — is never granted
here directly: the admin records an access request that a second system administrator approves
(oppvekst.staff.services; docs/decisions/0002-grants-need-a-second-person.md). Ending or
shortening access stays a one-person change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oppvekst.access.policy import actor_for_request, actor_for_user, can
from oppvekst.errors import DomainError, NotFoundError
from oppvekst.staff.models import AccessGrant, Employment, GroupAssignment
from oppvekst.staff.permissions import StaffAction
from oppvekst.staff.services import access_grant_decide, access_grant_request, grant_problems


class _ShortenOnly(forms.ModelForm):
    """The end date may move earlier (access ends sooner), never later or away."""

    def clean_valid_to(self) -> Any:
        new = self.cleaned_data.get("valid_to")
        old = self.instance.valid_to if self.instance.pk else None
        if self.instance.pk and old is not None and (new is None or new > old):
            raise forms.ValidationError(
                _("Sluttdatoen kan bare flyttes fram. Forlengelse er en ny tilgangsforespørsel.")
            )
        return new


class EmploymentForm(_ShortenOnly):
    class Meta:
        model = Employment
        fields = ("percentage", "valid_to")


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    form = EmploymentForm
    list_display = ("person", "position", "unit", "percentage", "valid_from", "valid_to")
    list_filter = ("position", "municipality")
    list_select_related = ("person", "unit")
    readonly_fields = (
        "person",
        "municipality",
        "unit",
        "position",
        "address_clearance",
        "valid_from",
    )
    fields = (*readonly_fields, "percentage", "valid_to")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class GroupAssignmentForm(_ShortenOnly):
    class Meta:
        model = GroupAssignment
        fields = ("valid_to",)


@admin.register(GroupAssignment)
class GroupAssignmentAdmin(admin.ModelAdmin):
    form = GroupAssignmentForm
    list_display = ("person", "group", "role", "valid_from", "valid_to")
    # A group prints its unit's name: fetch both with the list, not one query per row.
    list_select_related = ("person", "group__unit")
    readonly_fields = ("person", "group", "employment", "role", "valid_from")
    fields = (*readonly_fields, "valid_to")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class AccessGrantForm(forms.ModelForm):
    class Meta:
        model = AccessGrant
        fields = (
            "kind",
            "person",
            "municipality",
            "unit",
            "position",
            "percentage",
            "employment",
            "group",
            "role",
            "user",
            "valid_from",
            "valid_to",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("person") is None or data.get("valid_from") is None:
            return data
        problems = grant_problems(
            kind=data.get("kind", ""),
            person=data["person"],
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
            municipality=data.get("municipality"),
            unit=data.get("unit"),
            position=data.get("position") or "",
            percentage=data.get("percentage"),
            employment=data.get("employment"),
            group=data.get("group"),
            role=data.get("role") or "",
            user=data.get("user"),
        )
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    form = AccessGrantForm
    list_display = ("kind", "person", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status", "kind")
    raw_id_fields = ("person", "unit", "employment", "group", "user")
    list_select_related = ("person", "requested_by", "decided_by")
    actions = ("approve", "reject")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return (*AccessGrantForm.Meta.fields, "status", "requested_by", "decided_by")

    # Who may ask and decide is the access policy's decision (staff.permissions), not Django's
    # model permissions: any system administrator may ask; the service lets only another one
    # decide.
    def _administrator(self, request: HttpRequest) -> bool:
        return can(actor_for_request(request), StaffAction.GRANT_REQUEST)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and self._administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AccessGrant, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            grant = access_grant_request(
                actor=actor_for_user(request.user),
                kind=data["kind"],
                person=data["person"],
                valid_from=data["valid_from"],
                valid_to=data.get("valid_to"),
                municipality=data.get("municipality"),
                unit=data.get("unit"),
                position=data.get("position") or "",
                percentage=data.get("percentage"),
                employment=data.get("employment"),
                group=data.get("group"),
                role=data.get("role") or "",
                user=data.get("user"),
            )
        except NotFoundError as exc:
            raise PermissionDenied from exc
        obj.pk = grant.pk
        messages.info(
            request, _("Forespørselen er registrert. En annen administrator må godkjenne den.")
        )

    def _decide(self, request: HttpRequest, queryset: QuerySet[AccessGrant], ok: bool) -> None:
        actor = actor_for_user(request.user)
        done = refused = 0
        for grant in queryset:
            try:
                access_grant_decide(actor=actor, grant_id=grant.pk, approve=ok)
                done += 1
            except NotFoundError:
                refused += 1
            except DomainError as exc:
                messages.error(request, str(exc.message))
        if done:
            messages.success(request, _("%(n)s forespørsler er avgjort.") % {"n": done})
        if refused:
            messages.error(
                request,
                _(
                    "%(n)s forespørsler kan ikke avgjøres av deg: de er allerede avgjort, eller"
                    " du ba om dem selv eller skal få tilgangen."
                )
                % {"n": refused},
            )

    @admin.action(description=gettext_lazy("Godkjenn valgte forespørsler"))
    def approve(self, request: HttpRequest, queryset: QuerySet[AccessGrant]) -> None:
        self._decide(request, queryset, True)

    @admin.action(description=gettext_lazy("Avvis valgte forespørsler"))
    def reject(self, request: HttpRequest, queryset: QuerySet[AccessGrant]) -> None:
        self._decide(request, queryset, False)
