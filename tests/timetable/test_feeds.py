"""Calendar feeds (RFC 5545): the published timetable over the school days, stable UIDs,
Europe/Oslo with VTIMEZONE, secret revocable addresses, audited pupil reads."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import icalendar
import pytest
from django.test import Client

from oppvekst.access.models import AuditEvent
from oppvekst.core.calendar import is_public_holiday, school_days
from oppvekst.core.models import ClosedDay
from oppvekst.timetable import ical, services
from oppvekst.timetable.models import CalendarFeed, LessonPlacement, OccurrenceChange
from tests.timetable.helpers import persona_user, solved_version

pytestmark = pytest.mark.django_db


def _published(capture):
    version = solved_version(capture)
    services.version_publish(version_id=version.pk, user=None)
    version.refresh_from_db()
    return version


def _create(c: Client, kind: str, target: int, key: str) -> CalendarFeed:
    r = c.post("/timeplan/kalender/", {"kind": kind, "target": target, "idempotency_key": key})
    assert r.status_code == 302, r.content.decode()[:500]
    return CalendarFeed.objects.get(pk=int(r["Location"].rsplit("#feed-", 1)[1]))


def _events(body: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return list(cal.walk("VEVENT"))


def test_teacher_feed_holds_every_lesson_on_every_school_day(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    version = _published(django_capture_on_commit_callbacks)
    tt = version.timetable
    teacher_user = persona_user("teacher")
    employment = teacher_user.person.employments.get(unit=tt.unit)
    c = persona_client("teacher")
    feed = _create(c, "teacher", employment.pk, "feed-1")
    # a repeat with the same key gives the same address
    assert _create(c, "teacher", employment.pk, "feed-1").pk == feed.pk
    url = f"/timeplan/kalender/{services.feed_token(feed)}.ics"
    assert url in c.get("/timeplan/kalender/").content.decode()
    r = Client().get(url)  # no login
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Oslo"]
    events = _events(r.content)
    mine = LessonPlacement.objects.filter(version=version, lesson__course__teachers=employment)
    days = school_days(tt.municipality, tt.school_year)
    per_weekday = Counter(d.weekday() for d in days)
    expected = sum(per_weekday[p.day] for p in mine)
    assert expected > 0 and len(events) == expected
    closed = set(
        ClosedDay.objects.filter(municipality=tt.municipality).values_list("date", flat=True)
    )
    dates = set()
    for ev in events:
        start = ev["DTSTART"]
        assert start.params.get("TZID") == "Europe/Oslo"
        day = start.dt.date()
        dates.add(day)
        assert not is_public_holiday(day) and day not in closed and day.weekday() < 5
    assert dt.date(2026, 12, 25) not in dates and dt.date(2027, 5, 17) not in dates
    uids = [str(ev["UID"]) for ev in events]
    assert len(set(uids)) == len(uids)
    # built again, the feed has the same UIDs (stable for later substitutions)
    again, _versions = ical.occurrences(feed, "testserver")
    assert [o.uid for o in again] == uids


def test_a_substitution_replaces_one_occurrence(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    version = _published(django_capture_on_commit_callbacks)
    c = persona_client("principal")
    group = version.timetable.teaching_groups.filter(kind="class").first().classes.first()
    feed = _create(c, "class", group.pk, "feed-class")
    url = f"/timeplan/kalender/{services.feed_token(feed)}.ics"
    first = _events(Client().get(url).content)[0]
    lesson_id = int(str(first["UID"]).split("-")[1])
    day = first["DTSTART"].dt.date()
    OccurrenceChange.objects.create(
        lesson_id=lesson_id, date=day, cancelled=True, sequence=2, changed_at=version.published_at
    )
    changed, _versions = ical.occurrences(feed, "testserver")
    event = next(o for o in changed if o.uid == str(first["UID"]))
    assert event.cancelled and event.sequence == 2
    body = ical.calendar_bytes("x", [event]).decode()
    assert "STATUS:CANCELLED" in body and "SEQUENCE:2" in body


def test_revoked_feed_stops_at_once(persona_client, django_capture_on_commit_callbacks) -> None:
    version = _published(django_capture_on_commit_callbacks)
    c = persona_client("principal")
    room = version.timetable.rooms.first()
    feed = _create(c, "room", room.pk, "feed-room")
    url = f"/timeplan/kalender/{services.feed_token(feed)}.ics"
    assert Client().get(url).status_code == 200
    assert persona_client("teacher").post(f"/timeplan/kalender/{feed.pk}/slett/").status_code == 404
    c = persona_client("principal")
    assert c.post(f"/timeplan/kalender/{feed.pk}/slett/", {"confirm": "1"}).status_code == 302
    assert Client().get(url).status_code == 404
    assert Client().get(url.replace("kal_", "kal_x")).status_code == 404


def test_pupil_feed_reads_are_audited_with_the_owner(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    _published(django_capture_on_commit_callbacks)
    guardian = persona_user("guardian")
    child = (
        guardian.person.wards.filter(child__placements__service="school")
        .select_related("child")
        .first()
        .child
    )
    c = persona_client("guardian")
    feed = _create(c, "pupil", child.pk, "feed-pupil")
    before = AuditEvent.objects.filter(target=child, action="timetable.feed_read").count()
    r = Client().get(f"/timeplan/kalender/{services.feed_token(feed)}.ics")
    assert r.status_code == 200 and len(_events(r.content)) > 0
    rows = AuditEvent.objects.filter(target=child, action="timetable.feed_read")
    assert rows.count() == before + 1
    row = rows.order_by("-pk").first()
    assert guardian.get_username() in row.actor_label and row.actor_role == "guardian"
    assert services.feed_token(feed) not in row.endpoint


def test_nobody_gets_a_feed_for_what_they_may_not_see(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    version = _published(django_capture_on_commit_callbacks)
    other_class = version.timetable.teaching_groups.filter(kind="class").last().classes.first()
    c = persona_client("guardian")
    before = CalendarFeed.objects.count()
    r = c.post(
        "/timeplan/kalender/", {"kind": "class", "target": other_class.pk, "idempotency_key": "x"}
    )
    assert r.status_code == 200 and "Fant ikke" in r.content.decode()
    assert CalendarFeed.objects.count() == before
