"""Idle timeout: a session without activity for longer than the limit is logged out at its
next request, which then continues as an anonymous one (pages send the visitor to the login page
as usual).

    settings.OPPVEKST_STAFF_IDLE_MINUTES     default 30: anyone with staff access — an
                                             employment active today, or a Django staff user
    settings.OPPVEKST_GUARDIAN_IDLE_MINUTES  default 30: everyone else (guardians, pupils)

The limit class is decided once per session from the person's data and kept in the session.
Place the middleware after AuthenticationMiddleware and MessageMiddleware (it leaves a message).
Wall-clock time is used (not oppvekst.clock, which may stand on a fixed demo date).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from oppvekst import clock
from oppvekst.staff.models import Employment

LAST_ACTIVITY = "idle_last_activity"
IDLE_CLASS = "idle_class"
# Writing the session on every request costs a database write; a minute's precision is enough.
TOUCH_EVERY_SECONDS = 60


def now() -> float:
    """Wall-clock seconds; tests replace this to move time forward."""
    return time.time()


def idle_limit_seconds(idle_class: str) -> int:
    if idle_class == "staff":
        return int(settings.OPPVEKST_STAFF_IDLE_MINUTES) * 60
    return int(settings.OPPVEKST_GUARDIAN_IDLE_MINUTES) * 60


def _idle_class(request: HttpRequest) -> str:
    user = request.user
    if getattr(user, "is_staff", False):
        return "staff"
    person_id = getattr(user, "person_id", None)
    if (
        person_id
        and Employment.objects.active_on(clock.today()).filter(person_id=person_id).exists()
    ):
        return "staff"
    return "guardian"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            moment = now()
            idle_class = session.get(IDLE_CLASS)
            if idle_class not in ("staff", "guardian"):
                idle_class = _idle_class(request)
                session[IDLE_CLASS] = idle_class
            last = session.get(LAST_ACTIVITY)
            if isinstance(last, int | float) and moment - last > idle_limit_seconds(idle_class):
                logout(request)
                messages.info(
                    request,
                    _("Du er logget ut fordi du ikke har vært aktiv på en stund."),
                    fail_silently=True,
                )
            elif not isinstance(last, int | float) or moment - last >= TOUCH_EVERY_SECONDS:
                session[LAST_ACTIVITY] = moment
        return self.get_response(request)
