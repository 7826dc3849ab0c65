"""Work the timetable leaves for school leaders: a finished draft to look at and publish."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from oppvekst.workspace import tasks_registry


class TimetableTask(StrEnum):
    PUBLISH = "timetable.publish"


tasks_registry.register(TimetableTask.PUBLISH, _("Se over og publiser timeplan"))
