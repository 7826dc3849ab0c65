from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from oppvekst.access.models import AuditEvent
from oppvekst.access.services import service_token_create
from oppvekst.demo.models import DemoPersona
from tests.access.personas import objects_for

pytestmark = pytest.mark.django_db


def _count(child_id: int) -> int:
    return AuditEvent.objects.filter(target_id=child_id).count()


def _api(slug: str) -> dict[str, str]:
    _t, token = service_token_create(user=DemoPersona.objects.get(slug=slug).user, name="a")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("slug", "how"),
    [
        ("guardian", "front_page"),
        ("guardian", "page_detail"),
        ("guardian", "api_detail"),
        ("guardian", "api_me"),
        ("teacher", "front_page"),
        ("teacher", "page_detail"),
        ("teacher", "page_list"),
        ("teacher", "api_list"),
        ("caseworker", "api_detail"),
    ],
)
def test_each_way_of_reading_a_child_writes_exactly_one_row(slug: str, how: str) -> None:
    child_id = objects_for(slug).own_child
    assert child_id is not None
    user = DemoPersona.objects.get(slug=slug).user
    client = Client()
    client.force_login(user)
    first = __import__("oppvekst.people.models", fromlist=["Person"]).Person.objects.get(
        pk=child_id
    )
    urls = {
        "front_page": ("page", "/"),
        "page_detail": ("page", f"/barn/{child_id}/"),
        "page_list": ("page", f"/barn/?q={first.first_name}+{first.last_name}"),
        "api_detail": ("api", f"/api/v1/children/{child_id}"),
        "api_list": ("api", f"/api/v1/children?q={first.first_name}+{first.last_name}"),
        "api_me": ("api", "/api/v1/me"),
    }
    kind, url = urls[how]
    before = _count(child_id)
    response = client.get(url) if kind == "page" else Client().get(url, **_api(slug))
    assert response.status_code == 200
    assert _count(child_id) == before + 1
    event = AuditEvent.objects.filter(target_id=child_id).first()
    assert event is not None
    assert event.actor_user_id == user.pk
    assert event.endpoint.startswith(url.split("?")[0])
    assert event.client_address == "127.0.0.1"


def test_refused_reads_write_no_audit_row() -> None:
    other = objects_for("teacher").other_child
    before = _count(other)
    client = Client()
    client.force_login(DemoPersona.objects.get(slug="teacher").user)
    assert client.get(f"/barn/{other}/").status_code == 404
    assert _count(other) == before


def test_application_cannot_change_or_delete_audit_rows() -> None:
    Client().get("/")  # nothing
    child_id = objects_for("guardian").own_child
    client = Client()
    client.force_login(DemoPersona.objects.get(slug="guardian").user)
    client.get(f"/barn/{child_id}/")
    event = AuditEvent.objects.filter(target_id=child_id).first()
    assert event is not None
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger: PostgreSQL")
def test_postgres_trigger_refuses_update_and_delete() -> None:
    child_id = objects_for("guardian").own_child
    client = Client()
    client.force_login(DemoPersona.objects.get(slug="guardian").user)
    client.get(f"/barn/{child_id}/")
    pk = AuditEvent.objects.filter(target_id=child_id).values_list("pk", flat=True).first()
    assert pk is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=pk).update(action="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("DELETE FROM access_auditevent")


def test_guardian_sees_roles_and_times_not_names_in_the_portal() -> None:
    own = objects_for("guardian").own_child
    teacher = Client()
    teacher.force_login(DemoPersona.objects.get(slug="caseworker").user)
    teacher.get(f"/barn/{own}/")
    guardian = Client()
    guardian.force_login(DemoPersona.objects.get(slug="guardian").user)
    html = guardian.get(f"/barn/{own}/innsyn/").content.decode()
    assert "Saksbehandler ved sektorkontoret" in html
    assert ">caseworker<" not in html and "child.read" not in html  # words, never codes
    caseworker_user = DemoPersona.objects.get(slug="caseworker").user
    assert caseworker_user.username not in html
    assert caseworker_user.get_full_name() not in html


def test_unit_leader_sees_who_looked() -> None:
    own = objects_for("principal").own_child
    teacher = Client()
    teacher.force_login(DemoPersona.objects.get(slug="caseworker").user)
    teacher.get(f"/barn/{own}/")
    principal = Client()
    principal.force_login(DemoPersona.objects.get(slug="principal").user)
    html = principal.get(f"/barn/{own}/innsyn/").content.decode()
    caseworker = DemoPersona.objects.get(slug="caseworker").user
    assert caseworker.person.first_name in html and caseworker.person.last_name in html
