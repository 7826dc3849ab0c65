"""Forms of the caseworkers' admission pages: parsing and the Norwegian messages next to the
fields. The services check the rules (domain/admission.md); the forms check the shapes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oppvekst.admission.models import CriterionKind


class RoundCreateForm(forms.Form):
    municipality = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Velg kommune.")},
    )
    name = forms.CharField(required=False, max_length=200)
    service = forms.CharField(required=False)
    kind = forms.CharField(required=False)
    deadline = forms.DateField(
        error_messages={"required": _("Oppgi søknadsfrist."), "invalid": _("Oppgi søknadsfrist.")}
    )
    start_date = forms.DateField(
        error_messages={
            "required": _("Oppgi oppstartsdato."),
            "invalid": _("Oppgi oppstartsdato."),
        }
    )

    def __init__(self, *args: Any, municipalities: dict[int, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipalities = municipalities
        field = self.fields["municipality"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(pk, str(m)) for pk, m in municipalities.items()]

    def clean_municipality(self) -> Any:
        pk = self.cleaned_data.get("municipality")
        if pk is None and len(self.municipalities) == 1:
            return next(iter(self.municipalities.values()))
        if pk is None:
            raise forms.ValidationError(_("Velg kommune."))
        return self.municipalities[pk]


class RoundCommitForm(forms.Form):
    """Committing a round; before the deadline only as a logged exception with a reason."""

    early = forms.BooleanField(required=False)
    early_reason = forms.CharField(required=False)


class ClaimVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("approve", "approve"), ("reject", "reject")),
        error_messages={
            "required": _("Velg godkjenn eller avslå."),
            "invalid_choice": _("Velg godkjenn eller avslå."),
        },
    )
    reason = forms.CharField(required=False, max_length=2000)


class CapacityForm(forms.Form):
    """Seats per unit and age group, posted as `seats-<unit id>-<age group>`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.data:
            if name.startswith("seats-"):
                self.fields[name] = forms.IntegerField(
                    error_messages={
                        "required": _("Skriv et helt tall."),
                        "invalid": _("Skriv et helt tall."),
                    }
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in list(self.fields):
            parts = name.split("-", 2)
            if len(parts) != 3 or not parts[1].isdigit():
                self.add_error(name, _("Skriv et helt tall."))
        return data

    def changes(self) -> list[tuple[int, str, int]]:
        """(unit id, age group, seats) for every field, in the order posted."""
        out = []
        for name in self.fields:
            _prefix, unit_part, group = name.split("-", 2)
            out.append((int(unit_part), group, int(self.cleaned_data[name])))
        return out


class CriteriaForm(forms.Form):
    """The unit's admission criteria in order: `kind-1` … `kind-N` (empty slots are left out
    by the service)."""

    form = forms.CharField(
        error_messages={"required": _("Skjemaet var ufullstendig. Prøv igjen.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, len(CriterionKind.choices) + 1):
            self.fields[f"kind-{i}"] = forms.CharField(required=False)

    def clean_form(self) -> str:
        value = str(self.cleaned_data.get("form") or "")
        if value != "criteria":
            raise forms.ValidationError(_("Skjemaet var ufullstendig. Prøv igjen."))
        return value

    def kinds(self) -> list[str]:
        return [
            str(self.cleaned_data.get(f"kind-{i}") or "")
            for i in range(1, len(CriterionKind.choices) + 1)
        ]
