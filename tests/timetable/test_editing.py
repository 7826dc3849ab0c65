"""Editing a draft by hand: moves are checked (a clash is refused and changes nothing),
lessons can be locked, and only published versions reach teachers and guardians."""

from __future__ import annotations

import json

import pytest

from oppvekst.errors import ConflictError
from oppvekst.timetable import services
from oppvekst.timetable.adapters import build_instance, room_key, solution_from_placements
from oppvekst.timetable.engine.moves import Occupancy
from oppvekst.timetable.models import LessonPlacement, TimetableVersion
from tests.timetable.helpers import generated, persona_user, solved_version

pytestmark = pytest.mark.django_db


def _teacher_clash(version: TimetableVersion) -> tuple[LessonPlacement, LessonPlacement]:
    """Two single lessons of the same teacher for different classes at different times."""
    placements = list(
        LessonPlacement.objects.filter(version=version, lesson__duration=1)
        .select_related("lesson__course__group")
        .prefetch_related("lesson__course__teachers")
        .order_by("pk")
    )
    for p in placements:
        teachers = {t.pk for t in p.lesson.course.teachers.all()}
        for q in placements:
            if (
                q.pk != p.pk
                and teachers & {t.pk for t in q.lesson.course.teachers.all()}
                and q.lesson.course.group_id != p.lesson.course.group_id
                and (q.day, q.period) != (p.day, p.period)
            ):
                return p, q
    raise AssertionError("no two lessons of one teacher")


def test_moving_a_lesson_into_a_teacher_clash_is_refused_and_changes_nothing(
    django_capture_on_commit_callbacks,
) -> None:
    version = solved_version(django_capture_on_commit_callbacks)
    p, q = _teacher_clash(version)
    teacher = next(iter(set(p.lesson.course.teachers.all()) & set(q.lesson.course.teachers.all())))
    with pytest.raises(services.MoveRefused) as refused:
        services.placement_move(
            version_id=version.pk, placement_id=p.pk, day=q.day, period=q.period
        )
    message = str(refused.value.message)
    assert "kan ikke flyttes" in message and teacher.person.full_name in message
    p_after = LessonPlacement.objects.get(pk=p.pk)
    assert (p_after.day, p_after.period, p_after.room_id) == (p.day, p.period, p.room_id)
    assert TimetableVersion.objects.get(pk=version.pk).revision == version.revision


def test_a_free_move_is_made_and_bumps_the_revision(django_capture_on_commit_callbacks) -> None:
    version = solved_version(django_capture_on_commit_callbacks)
    built = build_instance(version.timetable)
    placements = list(LessonPlacement.objects.filter(version=version))
    sol = solution_from_placements(placements)
    for p in placements:
        occ = Occupancy(built.instance, sol, p.lesson_id)
        rooms = [room_key(r) for r in built.course_rooms[built.lessons[p.lesson_id].course_id]]
        free = [
            (d, h)
            for d in range(built.instance.n_days)
            for h in range(built.instance.n_hours)
            if (d, h) != (p.day, p.period) and occ.check(d, h, rooms).ok
        ]
        if free:
            break
    else:
        raise AssertionError("no free slot for any lesson")
    outcome = services.placement_move(
        version_id=version.pk, placement_id=p.pk, day=free[0][0], period=free[0][1]
    )
    assert (outcome.placement.day, outcome.placement.period) == free[0]
    assert outcome.revision == version.revision + 1
    # a stale revision is refused
    with pytest.raises(ConflictError):
        services.placement_move(
            version_id=version.pk,
            placement_id=p.pk,
            day=p.day,
            period=p.period,
            revision=version.revision,
        )


def test_a_locked_lesson_cannot_be_moved(django_capture_on_commit_callbacks) -> None:
    version = solved_version(django_capture_on_commit_callbacks)
    p = LessonPlacement.objects.filter(version=version).order_by("pk").first()
    assert p is not None
    services.placement_set_locked(version_id=version.pk, placement_id=p.pk, locked=True)
    with pytest.raises(services.MoveRefused) as refused:
        services.placement_move(
            version_id=version.pk, placement_id=p.pk, day=(p.day + 1) % 5, period=p.period
        )
    assert "låst" in str(refused.value.message)


def test_move_endpoint_answers_json_and_refuses_a_clash(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    version = solved_version(django_capture_on_commit_callbacks)
    p, q = _teacher_clash(version)
    c = persona_client("principal")
    targets = c.get(
        f"/timeplan/versjon/{version.pk}/mal/?plassering={p.pk}", HTTP_ACCEPT="application/json"
    ).json()
    by_slot = {(t["day"], t["period"]): t for t in targets["targets"]}
    assert by_slot[(q.day, q.period)]["status"] == "conflict"
    assert by_slot[(p.day, p.period)]["status"] == "current"
    r = c.post(
        f"/timeplan/versjon/{version.pk}/flytt/",
        {"plassering": p.pk, "day": q.day, "period": q.period, "revision": version.revision},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 409
    body = json.loads(r.content)
    assert body["ok"] is False and "kan ikke flyttes" in body["message"]
    # the form way (no script) shows the same refusal on the page
    r = c.post(
        f"/timeplan/versjon/{version.pk}/flytt/",
        {"plassering": p.pk, "slot": f"{q.day}:{q.period}"},
    )
    assert r.status_code == 200 and "kan ikke flyttes" in r.content.decode()


def test_publishing_shows_the_timetable_to_teachers_and_guardians_and_hides_drafts(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    from oppvekst.placements.models import Placement

    version = solved_version(django_capture_on_commit_callbacks)
    guardian = persona_user("guardian").person
    own_class = (
        Placement.objects.filter(
            child__guardianships__guardian=guardian,
            service="school",
            unit=version.timetable.unit,
        )
        .values_list("group_id", flat=True)
        .first()
    )
    teacher_url = f"/timeplan/versjon/{version.pk}/"
    guardian_url = f"{teacher_url}?klasse={own_class}"
    assert persona_client("teacher").get(teacher_url).status_code == 404
    assert persona_client("guardian").get(guardian_url).status_code == 404
    principal = persona_client("principal")
    r = principal.post(f"/timeplan/versjon/{version.pk}/publiser/", {"confirm": "1"})
    assert r.status_code == 302
    version.refresh_from_db()
    assert version.status == "published"
    assert persona_client("teacher").get(teacher_url).status_code == 200
    page = persona_client("guardian").get(guardian_url)
    assert page.status_code == 200 and "Mandag" in page.content.decode()
    # a new draft from the same timetable stays hidden
    draft = solved_version(django_capture_on_commit_callbacks, version.timetable)
    assert persona_client("teacher").get(f"/timeplan/versjon/{draft.pk}/").status_code == 404
    # publishing the new one archives the old one
    services.version_publish(version_id=draft.pk, user=None)
    version.refresh_from_db()
    assert version.status == "archived"


def test_a_version_that_breaks_hard_rules_cannot_be_published() -> None:
    from tests.timetable.helpers import unsolved_version

    version = unsolved_version(generated())
    with pytest.raises(ConflictError) as refused:
        services.version_publish(version_id=version.pk, user=None)
    assert "absolutte regler" in str(refused.value.message)
