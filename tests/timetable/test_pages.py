"""The timetable pages: generating and solving through the page, the grids per class, teacher
and room (query counts pinned), the PDF, rules, the teacher's week, the index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oppvekst.timetable.models import SolveJob, Timetable, TimetableConstraint, TimetableVersion
from tests.timetable.helpers import principal_school, school_year, solved_version

pytestmark = pytest.mark.django_db


def test_the_principal_generates_and_solves_through_the_pages(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    c = persona_client("principal")
    unit, year = principal_school(), school_year()
    index = c.get("/timeplan/").content.decode()
    create_url = f"/timeplan/skole/{unit.pk}/{year.start_year}/lag/"
    assert create_url in index
    assert c.get(create_url).status_code == 200
    # without the form's key nothing happens
    assert c.post(create_url, {}).status_code == 200
    assert not Timetable.objects.filter(unit=unit, school_year=year).exists()
    r = c.post(create_url, {"idempotency_key": "k1"})
    tt = Timetable.objects.get(unit=unit, school_year=year)
    assert r.status_code == 302 and r["Location"] == f"/timeplan/{tt.pk}/"
    page = c.get(f"/timeplan/{tt.pk}/").content.decode()
    assert "Legg timeplan" in page and "progress.js" in page
    # a bad time limit is shown next to the field, nothing starts
    r = c.post(f"/timeplan/{tt.pk}/legg/", {"idempotency_key": "s0", "time_limit": "x"})
    assert r.status_code == 200 and "hele sekunder" in r.content.decode()
    assert not SolveJob.objects.filter(timetable=tt).exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            f"/timeplan/{tt.pk}/legg/",
            {"idempotency_key": "s1", "time_limit": "120", "workers": "2", "first_only": "1"},
            HTTP_ACCEPT="application/json",
        )
    assert r.status_code == 200 and r.json()["ok"]
    status = c.get(f"/timeplan/{tt.pk}/status/?nokkel=s1").json()
    assert status["status"] == "solved" and status["finished"]
    assert status["solutions"] >= 1 and status["version_url"]
    assert c.get(status["version_url"]).status_code == 200
    assert TimetableVersion.objects.filter(pk=status["version_id"], timetable=tt).exists()


def test_infeasible_input_is_explained_on_the_page(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    c = persona_client("principal")
    from tests.timetable.helpers import generated

    tt = generated()
    teacher = tt.courses.filter(teachers__isnull=False).first().teachers.first()
    periods = [p.index for p in tt.periods.filter(is_break=False)]
    r = c.post(
        f"/timeplan/{tt.pk}/regler/",
        {
            "idempotency_key": "r1",
            "teacher": teacher.pk,
            "day": ["0", "1", "2", "3", "4"],
            "period": [str(p) for p in periods],
            "hard": "1",
        },
    )
    assert r.status_code == 302
    assert TimetableConstraint.objects.filter(timetable=tt, teacher=teacher).exists()
    rules = c.get(f"/timeplan/{tt.pk}/regler/").content.decode()
    assert "ikke tilgjengelig" in rules
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/timeplan/{tt.pk}/legg/", {"idempotency_key": "s2", "time_limit": "120"})
    page = c.get(f"/timeplan/{tt.pk}/").content.decode()
    assert "Umulig med disse reglene" in page
    assert f"{teacher.person.full_name} er ikke tilgjengelig" in page


@pytest.mark.parametrize("view", ["klasse", "laerer", "rom"])
def test_grid_pages_have_a_fixed_number_of_queries(
    persona_client, django_capture_on_commit_callbacks, view: str
) -> None:
    version = solved_version(django_capture_on_commit_callbacks)
    tt = version.timetable
    target = {
        "klasse": tt.teaching_groups.filter(kind="class").first().classes.first().pk,
        "laerer": tt.courses.filter(teachers__isnull=False).first().teachers.first().pk,
        "rom": tt.rooms.filter(kind="gym").first().pk,
    }[view]
    c = persona_client("principal")
    url = f"/timeplan/versjon/{version.pk}/?{view}={target}"
    c.get(url)
    with CaptureQueriesContext(connection) as queries:
        r = c.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Mandag" in html and "Fredag" in html and "08:30" in html
    assert 'class="tt-lesson c-' in html
    assert len(queries) <= 26, [q["sql"][:100] for q in queries]


def test_pdf_of_a_class_and_of_all_classes(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    version = solved_version(django_capture_on_commit_callbacks)
    c = persona_client("principal")
    r = c.get(f"/timeplan/versjon/{version.pk}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    everything = c.get(f"/timeplan/versjon/{version.pk}/pdf/?alle=klasser")
    assert len(everything.content) > len(r.content)


def test_teacher_sees_her_week_at_a_glance_after_publishing(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    from oppvekst.timetable import services

    version = solved_version(django_capture_on_commit_callbacks)
    c = persona_client("teacher")
    assert "Min uke" in c.get("/").content.decode()
    before = c.get("/timeplan/min-uke/").content.decode()
    assert "ikke publisert" in before
    services.version_publish(version_id=version.pk, user=None)
    week = c.get("/timeplan/min-uke/").content.decode()
    assert "tt-grid" in week and "Mandag 23.11." in week
    with CaptureQueriesContext(connection) as queries:
        c.get("/timeplan/min-uke/")
    assert len(queries) <= 25, len(queries)


def test_guardian_front_page_and_index_link_to_the_childrens_classes(
    persona_client, django_capture_on_commit_callbacks
) -> None:
    from oppvekst.timetable import services

    version = solved_version(django_capture_on_commit_callbacks)
    services.version_publish(version_id=version.pk, user=None)
    c = persona_client("guardian")
    assert "/timeplan/" in c.get("/").content.decode()
    index = c.get("/timeplan/").content.decode()
    assert f"/timeplan/versjon/{version.pk}/?klasse=" in index
    assert "Barnas klasser" in index


@pytest.mark.parametrize("slug", ["principal", "teacher", "guardian"])
def test_index_and_calendar_pages_have_a_fixed_number_of_queries(
    persona_client, django_capture_on_commit_callbacks, slug: str
) -> None:
    from oppvekst.timetable import services

    version = solved_version(django_capture_on_commit_callbacks)
    services.version_publish(version_id=version.pk, user=None)
    c = persona_client(slug)
    for url in ("/timeplan/", "/timeplan/kalender/"):
        c.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        assert len(queries) <= 20, (url, [q["sql"][:90] for q in queries])
