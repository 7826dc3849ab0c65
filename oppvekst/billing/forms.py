"""Forms of the billing pages (caseworkers) and the guardian portal."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from oppvekst.billing.engine.money import to_ore


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (``<input type="month">``), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(f"{text[:7]}-01")
        except ValueError:
            raise forms.ValidationError(
                _("Skriv måneden som ÅÅÅÅ-MM, for eksempel 2026-11."), code="invalid"
            ) from None


class StartRunForm(forms.Form):
    municipality = forms.TypedChoiceField(label=_("Kommune"), coerce=int)
    month = MonthField(label=_("Måned"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, municipalities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = municipalities  # type: ignore[attr-defined]


class RunActionForm(forms.Form):
    ACTIONS = (
        ("approve", _("Godkjenn")),
        ("lock", _("Lås")),
        ("recompute", _("Beregn på nytt")),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Vedtak"),
        choices=(("grant", _("Innvilg")), ("refuse", _("Avslå"))),
        widget=forms.RadioSelect,
    )
    effective_from = MonthField(
        label=_("Gjelder fra (måned)"),
        required=False,
        help_text=_("Tom: fra søknadsmåneden (eller august for neste barnehageår)."),
    )
    reason = forms.CharField(
        label=_("Begrunnelse"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Påkrevd ved avslag. Står i vedtaksbrevet."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Et avslag må begrunnes."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReductionApplicationForm(forms.Form):
    year_start = forms.TypedChoiceField(label=_("Barnehageår"), coerce=int)
    income = forms.DecimalField(
        label=_("Husholdningens samlede inntekt per år (kr)"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "Personinntekt og skattepliktig kapitalinntekt for deg og ektefelle, registrert"
            " partner eller samboer (som i skattemeldingen)."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "1"}),
    )
    reduced_fee = forms.BooleanField(
        label=_("Redusert foreldrebetaling: maks 6 % av inntekten (barnehage og SFO 1.–4. trinn)"),
        required=False,
        initial=True,
    )
    free_core_hours = forms.BooleanField(
        label=_("Gratis kjernetid: 20 timer gratis i uka for barn fra 2 til 5 år"),
        required=False,
    )
    documents = MultipleFileField(
        label=_("Dokumentasjon av inntekten"),
        required=False,
        help_text=_("Skattemelding eller lønnsslipper. PDF, PNG eller JPG, høyst 10 MB per fil."),
    )
    note = forms.CharField(
        label=_("Merknad (valgfritt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year_start"].choices = [  # type: ignore[attr-defined]
            (y, f"{y}/{str(y + 1)[-2:]} (1.8.{y}–31.7.{y + 1})") for y in years
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("reduced_fee") or data.get("free_core_hours")):
            self.add_error("reduced_fee", _("Kryss av for minst én ordning."))
        return data

    @property
    def income_ore(self) -> int:
        return to_ore(self.cleaned_data["income"])
