from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from oppvekst.access.selectors import AccessLogFilter
from oppvekst.people.identity import normalise
from oppvekst.people.models import validate_identity_number


class IdentityNumberFormField(forms.CharField):
    """Normalised (identity.normalise) before the validators see it."""

    def to_python(self, value: object) -> str:
        return normalise(super().to_python(value) or "")


class ChildRegisterForm(forms.Form):
    identity_number = IdentityNumberFormField(
        label=_("Fødselsnummer eller D-nummer"),
        max_length=13,
        validators=[validate_identity_number],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("Fornavn"), max_length=100)
    last_name = forms.CharField(label=_("Etternavn"), max_length=100)
    birth_date = forms.DateField(
        label=_("Fødselsdato"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    street_address = forms.CharField(label=_("Adresse"), max_length=150, required=False)
    postal_code = forms.CharField(label=_("Postnummer"), max_length=4, required=False)
    postal_town = forms.CharField(label=_("Poststed"), max_length=60, required=False)
    guardian_identity_number = IdentityNumberFormField(
        label=_("Foresattes fødselsnummer (valgfritt)"), max_length=13, required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, initial=uuid.uuid4)


class AccessLogForm(forms.Form):
    """Filters of a child's access log (query parameters in Norwegian, like the pages)."""

    # The roles offered come from the log itself (set by the view); any code is a harmless filter.
    rolle = forms.CharField(label=_("Rolle"), required=False, max_length=50, widget=forms.Select)
    fra = forms.DateField(
        label=_("Fra dato"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    til = forms.DateField(
        label=_("Til dato"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    egne = forms.BooleanField(label=_("Ta med mine egne oppslag"), required=False)

    def wanted(self) -> AccessLogFilter:
        data = self.cleaned_data
        return AccessLogFilter(
            role=data.get("rolle") or "",
            since=data.get("fra"),
            until=data.get("til"),
            include_own=bool(data.get("egne")),
        )
