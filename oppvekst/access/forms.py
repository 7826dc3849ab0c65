"""Forms of the login pages."""

from __future__ import annotations

from django import forms


class PersonaLoginForm(forms.Form):
    """The demo login: one button per persona, posting its slug (demo mode only)."""

    persona = forms.SlugField(max_length=100)
