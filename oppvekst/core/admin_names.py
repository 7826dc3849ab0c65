"""Norwegian names for every application and model the administration shows.

The administration is used by the municipality's staff, so it speaks Norwegian like every other
page (DESIGN.md "Language"). Names of third-party applications (login throttling, background
tasks) can only be set here, at start-up; the few project models without a `verbose_name` get
theirs here too, which keeps a display-only change out of the migration history.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APP_NAMES: dict[str, Any] = {
    "access": _("Brukere og tilgang"),
    "admission": _("Opptak"),
    "attendance": _("Oppmøte og hverdag"),
    "jobs": _("Drift og jobber"),
    "reports": _("Rapporter"),
    "auth": _("Autentisering"),
    "axes": _("Innloggingsforsøk"),
    "billing": _("Betaling"),
    "core": _("Kommuner og enheter"),
    "demo": _("Demo"),
    "django_tasks_database": _("Bakgrunnsjobber"),
    "outbox": _("Utsendinger"),
    "people": _("Personer"),
    "placements": _("Plasser"),
    "portal": _("Foresattportal"),
    "staff": _("Ansatte"),
    "timetable": _("Timeplan"),
    "workspace": _("Arbeidsflate"),
}

MODEL_NAMES: dict[str, tuple[Any, Any]] = {
    "core.schoolyear": (_("skoleår"), _("skoleår")),
    "core.closedday": (_("stengt dag"), _("stengte dager")),
    "timetable.gradehours": (_("timetall per trinn"), _("timetall per trinn")),
    "axes.accessattempt": (_("mislykket innloggingsforsøk"), _("mislykkede innloggingsforsøk")),
    "axes.accesslog": (_("innlogging"), _("innlogginger")),
    "axes.accessfailurelog": (_("avvist innlogging"), _("avviste innlogginger")),
    "django_tasks_database.dbtaskresult": (_("bakgrunnsjobb"), _("bakgrunnsjobber")),
}


def apply_names() -> None:
    for label, name in APP_NAMES.items():
        try:
            apps.get_app_config(label).verbose_name = name
        except LookupError:
            continue
    for key, (singular, plural) in MODEL_NAMES.items():
        app_label, model_name = key.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural


def hide_unused_admin() -> None:
    """Django's permission groups are not used (roles come from employments and guardianships,
    access/roles.py), and a second "Grupper" next to the units' groups misleads."""
    from django.contrib import admin
    from django.contrib.auth.models import Group

    if admin.site.is_registered(Group):
        admin.site.unregister(Group)
    admin.site.site_header = _("Oppvekst – administrasjon")
    admin.site.site_title = _("Oppvekst – administrasjon")
    admin.site.index_title = _("Oppsett og grunndata")
