"""Forms for the attendance pages: plain Django forms, Norwegian labels, one idempotency key."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from oppvekst.attendance.models import AbsenceReason, ConsentPurpose, NoteKind


class KeyedForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AbsenceForm(KeyedForm):
    reason = forms.ChoiceField(label=_("Hva gjelder det?"), choices=AbsenceReason.choices)
    first_day = forms.DateField(label=_("Fra og med"), widget=DateInput())
    last_day = forms.DateField(label=_("Til og med"), widget=DateInput())
    note = forms.CharField(
        label=_("Merknad til de ansatte (valgfritt)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PickupForm(KeyedForm):
    name = forms.CharField(label=_("Navn"), max_length=150)
    relation = forms.CharField(label=_("Relasjon til barnet"), max_length=60, required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=20, required=False)
    one_off = forms.BooleanField(label=_("Bare én dag («hentes av … i dag»)"), required=False)
    valid_from = forms.DateField(label=_("Gyldig fra"), widget=DateInput())
    valid_to = forms.DateField(
        label=_("Gyldig til (valgfritt)"), widget=DateInput(), required=False
    )


class DepartmentForm(KeyedForm):
    name = forms.CharField(label=_("Navn på avdelingen"), max_length=100)
    min_age = forms.IntegerField(
        label=_("Fra alder (år)"), min_value=0, max_value=16, required=False
    )
    max_age = forms.IntegerField(
        label=_("Til alder (år)"), min_value=0, max_value=16, required=False
    )


class MoveForm(KeyedForm):
    group = forms.TypedChoiceField(label=_("Ny avdeling"), coerce=int)
    from_day = forms.DateField(label=_("Fra og med"), widget=DateInput())


class ChildNoteForm(KeyedForm):
    kind = forms.ChoiceField(label=_("Type"), choices=NoteKind.choices)
    text = forms.CharField(label=_("Opplysning"), max_length=500)


class ConsentForm(KeyedForm):
    purpose = forms.ChoiceField(choices=ConsentPurpose.choices, widget=forms.HiddenInput)
    granted = forms.TypedChoiceField(
        choices=[("1", _("Ja")), ("0", _("Nei"))], coerce=lambda v: v == "1"
    )


class EmergencyContactForm(KeyedForm):
    name = forms.CharField(label=_("Navn"), max_length=150)
    relation = forms.CharField(label=_("Relasjon til barnet"), max_length=60, required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=20)


class ContactDetailsForm(KeyedForm):
    phone = forms.CharField(label=_("Din telefon"), max_length=20, required=False)
    email = forms.EmailField(label=_("Din e-post"), required=False)
