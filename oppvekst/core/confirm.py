"""The confirmation step before an irreversible change (commit an admission round, approve or
lock an invoice run, publish a timetable, decide a reduced fee).

A page form posts once without ``confirm=1``; the view answers with ``confirm.html``, which
repeats the submitted values as hidden fields and adds ``confirm=1``. Only that second post
makes the change. It is a plain form, so it works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmed(request: HttpRequest) -> bool:
    """True when the post comes from the confirmation page."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


@dataclass
class Confirmation:
    title: str
    intro: str
    button: str
    cancel_url: str
    action: str = ""
    facts: Sequence[tuple[str, Any]] = ()
    hidden: Iterable[tuple[str, Any]] = ()
    include: str = ""
    stylesheets: Sequence[str] = ()
    fields: Sequence[Any] = field(default_factory=list)


def confirm_page(request: HttpRequest, confirmation: Confirmation, **context: Any) -> HttpResponse:
    """The confirmation page (200: nothing has changed yet)."""
    return render(request, "confirm.html", {"confirm": confirmation, **context})
