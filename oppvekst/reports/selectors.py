"""The statutory reports from live data: GSI on 1 October, BASIL on 15 December.

Aggregates only: the figures carry no person's data. The inputs are read in a fixed number of
queries for the whole municipality, whatever its size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from oppvekst.attendance.engine import staffing
from oppvekst.attendance.selectors import norm_inputs
from oppvekst.core.models import GroupKind, Municipality, Unit, UnitKind
from oppvekst.placements.models import Placement, Service
from oppvekst.reports.engine import basil, gsi
from oppvekst.staff.models import Employment, GroupAssignment, Position


def gsi_report(municipality: Municipality, day: dt.date) -> dict[str, Any]:
    schools = list(
        Unit.objects.filter(municipality=municipality, kind=UnitKind.SCHOOL).order_by("name", "pk")
    )
    ids = [s.pk for s in schools]
    placements = list(
        Placement.objects.active_on(day)
        .filter(unit_id__in=ids, service=Service.SCHOOL)
        .values_list("unit_id", "child_id", "group__grade", "child__sex")
    )
    in_sfo = set(
        Placement.objects.active_on(day)
        .filter(service=Service.SFO)
        .values_list("child_id", flat=True)
    )
    pupils: dict[int, list[gsi.Pupil]] = defaultdict(list)
    for unit_id, child_id, grade, sex in placements:
        pupils[unit_id].append(gsi.Pupil(child_id, grade or 0, sex or None, child_id in in_sfo))
    grades_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    for person_id, unit_id, grade in (
        GroupAssignment.objects.active_on(day)
        .filter(group__unit_id__in=ids, group__kind=GroupKind.CLASS)
        .values_list("person_id", "group__unit_id", "group__grade")
    ):
        if grade:
            grades_of[(person_id, unit_id)].add(grade)
    teachers: dict[int, list[gsi.Teacher]] = defaultdict(list)
    for pk, person_id, unit_id, percentage in (
        Employment.objects.active_on(day)
        .filter(unit_id__in=ids, position=Position.TEACHER)
        .values_list("pk", "person_id", "unit_id", "percentage")
    ):
        grades = tuple(sorted(grades_of.get((person_id, unit_id), set())))
        teachers[unit_id].append(gsi.Teacher(pk, Decimal(percentage) / 100, grades))
    reports = [
        gsi.school_report(
            gsi.School(
                unit_id=s.pk,
                name=s.name,
                first_grade=s.first_grade or 1,
                last_grade=s.last_grade or 10,
                pupils=pupils.get(s.pk, []),
                teachers=teachers.get(s.pk, []),
            )
        )
        for s in schools
    ]
    distinct = len({child_id for _u, child_id, _g, _s in placements})
    return {
        "municipality": municipality.number,
        "date": day.isoformat(),
        "schools": [r.figures for r in reports],
        "totals": gsi.totals(reports, distinct_pupils=distinct),
        "problems": [p.__dict__ for r in reports for p in r.problems],
    }


def basil_report(municipality: Municipality, day: dt.date) -> dict[str, Any]:
    kindergartens = list(
        Unit.objects.filter(municipality=municipality, kind=UnitKind.KINDERGARTEN).order_by(
            "name", "pk"
        )
    )
    inputs = norm_inputs([k.pk for k in kindergartens], day)
    rows: list[dict[str, Any]] = []
    problems: list[basil.Problem] = []
    children: set[str] = set()
    for kg in kindergartens:
        kids, staff = inputs.get(kg.pk, ([], []))
        children.update(c.id for c in kids)
        figures, found = basil.kindergarten_report(
            basil.Kindergarten(kg.pk, kg.name, kg.owner, kids, staff), day
        )
        rows.append(figures)
        problems.extend(found)
    return {
        "municipality": municipality.number,
        "date": day.isoformat(),
        "kindergartens": rows,
        "totals": basil.totals(rows, distinct_children=len(children)),
        "problems": [p.__dict__ for p in problems],
    }


__all__ = ["basil_report", "gsi_report", "staffing"]
