"""Forms of the timetable pages: parsing and the Norwegian messages next to the fields.

Every form that creates something carries the page's idempotency key (a hidden field, or the
Idempotency-Key header from the pages' scripts); `oppvekst.core.idempotency.once` makes a
repeated post give the first result.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from oppvekst.staff.models import Employment
from oppvekst.timetable.models import FeedKind, TimetableVersion

EXPIRED = _("Skjemaet er utløpt. Prøv igjen.")


def new_key() -> str:
    return uuid.uuid4().hex


def posted(request: HttpRequest) -> QueryDict:
    """The post, with the key from the Idempotency-Key header when the body has none."""
    data = request.POST.copy()
    header = request.headers.get("Idempotency-Key", "")
    if not data.get("idempotency_key") and header:
        data["idempotency_key"] = header
    return data


class FlagField(forms.Field):
    """A checkbox or hidden flag posted as "1": anything else is off."""

    def __init__(self, *, default: bool = False, **kwargs: Any) -> None:
        self.default = default
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> bool:
        if value is None:
            return self.default
        return str(value) == "1"


class LenientIntegerField(forms.IntegerField):
    """An optional whole number whose empty value is `empty`."""

    def __init__(self, *, empty: int, **kwargs: Any) -> None:
        self.empty = empty
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> int:
        cleaned = super().clean(value)
        return self.empty if cleaned is None else int(cleaned)


class KeyedForm(forms.Form):
    idempotency_key = forms.CharField(max_length=100, error_messages={"required": EXPIRED})

    def key(self) -> str:
        return str(self.cleaned_data.get("idempotency_key") or "").strip()

    def messages(self) -> tuple[str, dict[str, str]]:
        """(the message above the form, the messages next to the fields)."""
        fields = {name: str(errs[0]) for name, errs in self.errors.items() if name != "__all__"}
        general = fields.pop("idempotency_key", "")
        if not general and self.non_field_errors():
            general = str(self.non_field_errors()[0])
        return general, fields


class TimetableCreateForm(KeyedForm):
    replace = FlagField()


class SolveForm(KeyedForm):
    time_limit = forms.IntegerField(
        error_messages={
            "required": _("Skriv tidsgrensen i hele sekunder."),
            "invalid": _("Skriv tidsgrensen i hele sekunder."),
        }
    )
    seed = LenientIntegerField(
        empty=0,
        min_value=0,
        error_messages={
            "invalid": _("Frøet må være et helt tall (0 eller større)."),
            "min_value": _("Frøet må være et helt tall (0 eller større)."),
        },
    )
    workers = LenientIntegerField(
        empty=0, error_messages={"invalid": _("Antall tråder må være et helt tall.")}
    )
    mode = forms.CharField(required=False)
    base_version = forms.ModelChoiceField(
        queryset=TimetableVersion.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Velg en versjon av denne timeplanen.")},
    )
    first_only = FlagField()

    def __init__(self, *args: Any, timetable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["base_version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = TimetableVersion.objects.filter(timetable=timetable)


class TeacherUnavailableForm(KeyedForm):
    teacher = forms.ModelChoiceField(
        queryset=Employment.objects.none(),
        error_messages={
            "required": _("Velg en lærer."),
            "invalid_choice": _("Velg en lærer."),
        },
    )
    day = forms.TypedMultipleChoiceField(coerce=int, required=False)
    period = forms.TypedMultipleChoiceField(coerce=int, required=False)
    hard = FlagField(default=True)
    weight = LenientIntegerField(empty=100)
    note = forms.CharField(required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        teachers: list[Employment],
        days: list[int],
        periods: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        teacher = self.fields["teacher"]
        assert isinstance(teacher, forms.ModelChoiceField)
        teacher.queryset = Employment.objects.filter(pk__in=[t.pk for t in teachers])
        for name, values in (("day", days), ("period", periods)):
            field = self.fields[name]
            assert isinstance(field, forms.TypedMultipleChoiceField)
            field.choices = [(str(v), str(v)) for v in values]


class MoveForm(forms.Form):
    """Where a lesson goes: `day` and `period`, or `slot` as "day:period" (the no-script page)."""

    plassering = forms.IntegerField(required=False)
    day = forms.IntegerField(required=False)
    period = forms.IntegerField(required=False)
    slot = forms.CharField(required=False)
    revision = forms.IntegerField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slot = data.get("slot") or ""
        if ":" in slot:
            day, _sep, period = slot.partition(":")
            data["day"] = int(day) if day.strip().lstrip("-").isdigit() else None
            data["period"] = int(period) if period.strip().lstrip("-").isdigit() else None
        if data.get("plassering") is None or data.get("day") is None or data.get("period") is None:
            raise forms.ValidationError(_("Velg timen og hvor den skal flyttes."))
        return data


class LockForm(forms.Form):
    locked = FlagField()
    revision = forms.IntegerField(required=False)


class FeedForm(KeyedForm):
    kind = forms.ChoiceField(
        choices=FeedKind.choices,
        error_messages={
            "required": _("Fant ikke timeplanen."),
            "invalid_choice": _("Fant ikke timeplanen."),
        },
    )
    target = LenientIntegerField(empty=0)
