"""A child's access log ("who has looked at my child") speaks words, shows units, leaves the
reader's own reads out unless asked, and pages and filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oppvekst.access import audit
from oppvekst.access.labels import ACTION_LABELS, action_label, role_label
from oppvekst.access.models import AuditEvent
from oppvekst.access.policy import actor_for_user
from oppvekst.demo.models import DemoPersona
from oppvekst.staff.models import Employment
from tests.access.personas import objects_for

pytestmark = pytest.mark.django_db


def _client(slug: str) -> Client:
    client = Client()
    client.force_login(DemoPersona.objects.get(slug=slug).user)
    return client


def _visible_text(html: str) -> str:
    body = re.sub(r"<(script|style|select)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _read_as(slug: str, child_id: int, action: str = "child.read", times: int = 1) -> None:
    actor = actor_for_user(DemoPersona.objects.get(slug=slug).user)
    for _ in range(times):
        audit.record(actor, action, [child_id])


def test_guardian_sees_role_unit_and_action_in_words_never_codes() -> None:
    child = objects_for("guardian").own_child
    assert child is not None
    _read_as("teacher", child, "child.read_basic")
    _read_as("guardian", child, "timetable.feed_read")
    html = _client("guardian").get(f"/barn/{child}/innsyn/?egne=on").content.decode()
    text = _visible_text(html)
    for code in ("guardian", "contact_teacher", "child.read_basic", "timetable.feed_read"):
        assert code not in text
    assert "Så navn og fødselsdato i en liste" in text
    assert "Kalenderen hentet timeplanen" in text
    teacher = DemoPersona.objects.get(slug="teacher").user.person
    unit = Employment.objects.filter(person=teacher).select_related("unit").first()
    assert unit is not None and unit.unit is not None
    assert unit.unit.name in text


def test_own_reads_are_left_out_unless_asked_for() -> None:
    child = objects_for("guardian").own_child
    assert child is not None
    _read_as("guardian", child, "billing.read_fees")
    guardian = _client("guardian")
    default = _visible_text(guardian.get(f"/barn/{child}/innsyn/").content.decode())
    assert "Så foreldrebetalingen" not in default
    asked = _visible_text(guardian.get(f"/barn/{child}/innsyn/?egne=on").content.decode())
    assert "Så foreldrebetalingen" in asked


def test_repeated_reads_the_same_day_are_one_line_with_a_count() -> None:
    child = objects_for("guardian").own_child
    assert child is not None
    _read_as("caseworker", child, "reduction.read", times=7)
    html = _client("guardian").get(f"/barn/{child}/innsyn/?rolle=caseworker").content.decode()
    rows = re.findall(r"<tr><td>.*?</tr>", html, flags=re.S)
    matching = [r for r in rows if "Så en søknad om redusert betaling" in r]
    assert len(matching) == 1
    assert '<td class="num">7</td>' in matching[0]


def test_log_pages_and_filters_by_role_and_date() -> None:
    child = objects_for("principal").own_child
    assert child is not None
    for action in sorted(ACTION_LABELS)[:12]:
        _read_as("caseworker", child, action)
    _read_as("teacher", child, "child.read")
    principal = _client("principal")
    first = principal.get(f"/barn/{child}/innsyn/?rolle=caseworker").content.decode()
    assert "Side 1 av" not in first or "side=2" in first
    lines = int(re.search(r"(\d+) linje", first).group(1))  # type: ignore[union-attr]
    assert lines >= 12
    second = principal.get(f"/barn/{child}/innsyn/?rolle=caseworker&side=2").status_code
    assert second == 200
    tomorrow = (dt.date(2026, 11, 26)).isoformat()
    empty = principal.get(f"/barn/{child}/innsyn/?fra={tomorrow}").content.decode()
    assert "Ingen oppslag passer til filteret." in empty


def test_paging_has_a_next_page_beyond_one_screen() -> None:
    child = objects_for("principal").own_child
    assert child is not None
    actor = actor_for_user(DemoPersona.objects.get(slug="caseworker").user)
    # 30 distinct actions on distinct days would be contrived; distinct actions suffice.
    for i in range(30):
        AuditEvent.objects.create(
            at=dt.datetime(2026, 10, 1 + i % 28, 12, tzinfo=dt.UTC) - dt.timedelta(days=i // 28),
            actor_user_id=actor.user_id,
            actor_person=actor.person,
            actor_label="x",
            actor_role="caseworker",
            action="child.read",
            target_id=child,
            endpoint="/",
        )
    html = _client("principal").get(f"/barn/{child}/innsyn/").content.decode()
    assert 'rel="next"' in html and "Side 1 av 2" in html


def test_log_page_runs_a_fixed_number_of_queries() -> None:
    child = objects_for("principal").own_child
    assert child is not None
    principal = _client("principal")
    _read_as("caseworker", child, "child.read")
    principal.get(f"/barn/{child}/innsyn/")
    with CaptureQueriesContext(connection) as few:
        principal.get(f"/barn/{child}/innsyn/")
    for slug in ("teacher", "kindergarten-head", "guardian"):
        for action in ("child.read", "application.read", "offer.read"):
            _read_as(slug, child, action)
    with CaptureQueriesContext(connection) as many:
        principal.get(f"/barn/{child}/innsyn/")
    assert len(many.captured_queries) <= len(few.captured_queries) + 1


def test_unknown_codes_still_read_as_words() -> None:
    assert action_label("child.something_new") == "Oppslag på barnet"
    assert action_label("newmodule.read") == "Annet oppslag"
    assert role_label("") == "Ukjent rolle"
