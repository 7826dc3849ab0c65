"""iCalendar (RFC 5545) feeds of published timetables, expanded over the school days.

Each occurrence of a weekly lesson is one VEVENT with a stable UID
(``lesson-<lesson id>-<yyyymmdd>@<host>``), so a later change to that one occurrence (a
substitution: OccurrenceChange) replaces it in the subscriber's calendar with a higher
SEQUENCE. Times are local Oslo time with a VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
from django.db.models import Prefetch, Q, QuerySet

from oppvekst.clock import OSLO
from oppvekst.core.calendar import school_days
from oppvekst.placements.models import Placement, Service
from oppvekst.staff.models import Employment
from oppvekst.timetable.models import (
    CalendarFeed,
    FeedKind,
    LessonPlacement,
    OccurrenceChange,
    Period,
    TeachingGroup,
    TeachingGroupKind,
    TimetableVersion,
    VersionStatus,
)

PRODID = "-//Oppvekst//Timeplan//NB"


@dataclass
class Occurrence:
    uid: str
    date: dt.date
    starts: dt.datetime
    ends: dt.datetime
    summary: str
    location: str
    description: str
    subject_code: str
    sequence: int
    cancelled: bool
    stamp: dt.datetime


def _published_versions(**filters: object) -> list[TimetableVersion]:
    return list(
        TimetableVersion.objects.filter(status=VersionStatus.PUBLISHED, **filters)
        .select_related("timetable__school_year", "timetable__municipality")
        .order_by("timetable__school_year__start_year")
    )


def _placements(version: TimetableVersion, q: Q) -> QuerySet[LessonPlacement]:
    return (
        LessonPlacement.objects.filter(q, version=version)
        .select_related("lesson__course__subject", "lesson__course__group", "room")
        .prefetch_related(
            Prefetch(
                "lesson__course__teachers",
                queryset=Employment.objects.select_related("person").order_by("pk"),
            )
        )
        .order_by("day", "period", "pk")
        .distinct()
    )


def feed_placements(feed: CalendarFeed) -> list[tuple[TimetableVersion, list[LessonPlacement]]]:
    """The published lessons a feed shows, per published version (school year)."""
    out: list[tuple[TimetableVersion, list[LessonPlacement]]] = []
    if feed.kind == FeedKind.CLASS and feed.group_id is not None:
        tt_ids = TeachingGroup.objects.filter(classes=feed.group_id).values("timetable_id")
        for v in _published_versions(timetable_id__in=tt_ids):
            out.append((v, list(_placements(v, Q(lesson__course__group__classes=feed.group_id)))))
    elif feed.kind == FeedKind.TEACHER and feed.teacher_id is not None:
        for v in _published_versions(timetable__unit_id=feed.unit_id):
            out.append((v, list(_placements(v, Q(lesson__course__teachers=feed.teacher_id)))))
    elif feed.kind == FeedKind.ROOM and feed.room_id is not None:
        for v in _published_versions(timetable__rooms=feed.room_id):
            out.append((v, list(_placements(v, Q(room_id=feed.room_id)))))
    elif feed.kind == FeedKind.PUPIL and feed.pupil_id is not None:
        classes = list(
            Placement.objects.filter(
                child_id=feed.pupil_id, service=Service.SCHOOL, group__isnull=False
            ).values_list("group_id", flat=True)
        )
        tt_ids = TeachingGroup.objects.filter(classes__in=classes).values("timetable_id")
        whole = Q(
            lesson__course__group__kind__in=[TeachingGroupKind.CLASS, TeachingGroupKind.COMBINED]
        )
        member = Q(lesson__course__group__members=feed.pupil_id)
        for v in _published_versions(timetable_id__in=tt_ids):
            q = Q(lesson__course__group__classes__in=classes) & (whole | member)
            out.append((v, list(_placements(v, q))))
    return out


def occurrences(feed: CalendarFeed, host: str) -> tuple[list[Occurrence], list[TimetableVersion]]:
    """Every dated occurrence of the feed's lessons on the school days of each school year."""
    result: list[Occurrence] = []
    versions: list[TimetableVersion] = []
    for version, placements in feed_placements(feed):
        versions.append(version)
        tt = version.timetable
        periods = {p.index: p for p in Period.objects.filter(timetable=tt)}
        by_weekday: dict[int, list[dt.date]] = defaultdict(list)
        for day in school_days(tt.municipality, tt.school_year):
            by_weekday[day.weekday()].append(day)
        changes = {
            (c.lesson_id, c.date): c
            for c in OccurrenceChange.objects.filter(
                lesson__in=[p.lesson_id for p in placements]
            ).select_related("substitute__person", "room")
        }
        stamp = (version.published_at or version.created_at).astimezone(dt.UTC)
        for pl in placements:
            first = periods.get(pl.period)
            last = periods.get(pl.period + pl.lesson.duration - 1)
            if first is None or last is None:
                continue
            course = pl.lesson.course
            teachers = [e.person.full_name for e in course.teachers.all()]
            if feed.kind == FeedKind.TEACHER:
                summary = f"{course.subject.name} – {course.group.name}"
            else:
                summary = course.subject.name
            for day in by_weekday.get(pl.day, []):
                change = changes.get((pl.lesson_id, day))
                room = pl.room.name if pl.room else ""
                who = ", ".join(teachers)
                sequence = 0
                cancelled = False
                description = who
                if change is not None:
                    sequence = change.sequence
                    cancelled = change.cancelled
                    if change.room is not None:
                        room = change.room.name
                    if change.substitute is not None:
                        description = f"Vikar: {change.substitute.person.full_name}"
                    if change.note:
                        description = f"{description}\n{change.note}".strip()
                    stamp_here = change.changed_at.astimezone(dt.UTC)
                else:
                    stamp_here = stamp
                result.append(
                    Occurrence(
                        uid=f"lesson-{pl.lesson_id}-{day:%Y%m%d}@{host}",
                        date=day,
                        starts=dt.datetime.combine(day, first.starts, tzinfo=OSLO),
                        ends=dt.datetime.combine(day, last.ends, tzinfo=OSLO),
                        summary=summary,
                        location=room,
                        description=description,
                        subject_code=course.subject.code,
                        sequence=sequence,
                        cancelled=cancelled,
                        stamp=stamp_here,
                    )
                )
    result.sort(key=lambda o: (o.starts, o.uid))
    return result, versions


def calendar_bytes(name: str, items: Iterable[Occurrence]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Oslo")
    cal.add("refresh-interval", dt.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    for o in items:
        ev = icalendar.Event()
        ev.add("uid", o.uid)
        ev.add("dtstamp", o.stamp)
        ev.add("dtstart", o.starts)
        ev.add("dtend", o.ends)
        ev.add("summary", o.summary)
        if o.location:
            ev.add("location", o.location)
        if o.description:
            ev.add("description", o.description)
        ev.add("categories", [o.subject_code])
        ev.add("sequence", o.sequence)
        ev.add("status", "CANCELLED" if o.cancelled else "CONFIRMED")
        ev.add("transp", "OPAQUE")
        cal.add_component(ev)
    cal.add_missing_timezones()
    result: bytes = cal.to_ical()
    return result
