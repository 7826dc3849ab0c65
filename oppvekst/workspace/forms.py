from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class HandOverForm(forms.Form):
    to = forms.IntegerField(
        label=_("Gi oppgaven til"),
        min_value=1,
        max_value=2**62,
        error_messages={"required": _("Velg en kollega."), "invalid": _("Velg en kollega.")},
    )


class NotificationActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("read", _("Marker som lest")), ("done", _("Marker som utført"))],
        error_messages={"invalid_choice": _("Ukjent handling.")},
    )


class MuteForm(forms.Form):
    kind = forms.CharField(max_length=40)
    muted = forms.BooleanField(required=False)
