"""The timetable's task in the workspace: a solved draft waits for a school leader to look at
it and publish it. One task per timetable; publishing closes it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from oppvekst.access.roles import RoleName
from oppvekst.timetable.models import Timetable, TimetableVersion
from oppvekst.timetable.task_kinds import TimetableTask
from oppvekst.workspace.task_services import task_publish, tasks_close

TIMETABLE = "timetable.timetable"


def draft_ready(timetable: Timetable, version: TimetableVersion) -> None:
    task_publish(
        kind=TimetableTask.PUBLISH,
        subject_type=TIMETABLE,
        subject_id=timetable.pk,
        title=_("Ny timeplanversjon %(number)s for %(name)s er klar")
        % {"number": version.number, "name": str(timetable)},
        url=reverse("timetable:version", args=[version.pk]),
        municipality_id=timetable.municipality_id,
        unit_id=timetable.unit_id,
        role=RoleName.UNIT_LEADER,
    )


def published(timetable_id: int) -> None:
    tasks_close(subject_type=TIMETABLE, subject_id=timetable_id)
