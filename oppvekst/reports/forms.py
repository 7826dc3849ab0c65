from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from oppvekst.core.models import Municipality


class ReportForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Municipality.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Velg en av kommunene i listen.")},
    )
    date = forms.DateField(
        label=_("Telledato"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Skriv datoen som dd.mm.åååå.")},
    )

    def __init__(self, *args: object, municipalities: object, default: dt.date, **kw: object):
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        self.fields["date"].initial = default
        first = municipalities.first()  # type: ignore[attr-defined]
        if first is not None:
            self.fields["municipality"].initial = first.pk
