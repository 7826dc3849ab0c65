"""Tokens, feeds and client addresses hold their limits: a token's scopes apply to /me too;
demo tokens work only in demo mode and expire; a deactivated account's calendar feeds stop;
X-Forwarded-For is believed only from the configured number of proxies; deleting a user never
rewrites (SQLite) or fails on (PostgreSQL) the append-only audit trail."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from axes.helpers import get_client_ip_address
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings

from oppvekst.access import audit
from oppvekst.access.actor import actor_for_user
from oppvekst.access.models import AuditEvent, ServiceToken, User
from oppvekst.access.services import service_token_create, token_now
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Person
from oppvekst.timetable import services as timetable_services
from oppvekst.timetable.models import FeedKind
from tests.timetable.helpers import persona_user, principal_school

pytestmark = pytest.mark.django_db


def _bearer(plaintext: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_me_applies_the_token_scopes_to_children() -> None:
    user = DemoPersona.objects.get(slug="guardian").user
    _, full = service_token_create(user=user, name="full")
    _, narrow = service_token_create(user=user, name="narrow", scopes=["unit.read"])
    assert Client().get("/api/v1/me", **_bearer(full)).json()["children"]
    before = AuditEvent.objects.count()
    response = Client().get("/api/v1/me", **_bearer(narrow))
    assert response.status_code == 200
    assert response.json()["children"] == []
    assert AuditEvent.objects.count() == before


def _demo_token(*args: str) -> str:
    out = StringIO()
    call_command("demo-token", *args, stdout=out)
    return out.getvalue().strip()


def test_demo_tokens_expire_and_stop_outside_demo_mode() -> None:
    plaintext = _demo_token("guardian")
    token = ServiceToken.objects.get(prefix=plaintext[:10])
    assert token.demo and token.expires_at is not None
    assert token.expires_at <= token_now() + dt.timedelta(hours=12, minutes=1)
    assert Client().get("/api/v1/me", **_bearer(plaintext)).status_code == 200
    with override_settings(DEMO_MODE=False):
        assert Client().get("/api/v1/me", **_bearer(plaintext)).status_code == 401
    ServiceToken.objects.filter(pk=token.pk).update(
        expires_at=token_now() - dt.timedelta(seconds=1)
    )
    assert Client().get("/api/v1/me", **_bearer(plaintext)).status_code == 401


def test_demo_token_for_any_person_by_id() -> None:
    person = Person.objects.filter(user__isnull=True, wards__isnull=False).first()
    assert person is not None
    plaintext = _demo_token("--person", str(person.pk))
    me = Client().get("/api/v1/me", **_bearer(plaintext)).json()
    assert me["person_id"] == person.pk
    again = _demo_token("--person", str(person.pk))  # the same login is reused
    assert again != plaintext and User.objects.filter(person=person).count() == 1


def test_demo_token_refuses_outside_demo_mode() -> None:
    with override_settings(DEMO_MODE=False), pytest.raises(Exception, match="demo mode"):
        _demo_token("guardian")


def test_a_deactivated_users_calendar_feed_stops() -> None:
    user = persona_user("teacher")
    employment = user.person.employments.get(unit=principal_school())
    feed = timetable_services.feed_create(
        actor=actor_for_user(user), user=user, kind=FeedKind.TEACHER, teacher=employment
    )
    url = f"/timeplan/kalender/{timetable_services.feed_token(feed)}.ics"
    assert Client().get(url).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert Client().get(url).status_code == 404


def test_a_feed_key_used_by_another_person_is_never_a_server_error() -> None:
    employment = persona_user("teacher").person.employments.get(unit=principal_school())
    form = {"kind": "teacher", "target": employment.pk, "idempotency_key": "shared-key"}
    codes = []
    for slug in ("teacher", "principal"):
        c = Client(raise_request_exception=False)
        c.force_login(persona_user(slug))
        codes.append(c.post("/timeplan/kalender/", form).status_code)
    # Submissions are keyed per person: the second person's use of the key is their own.
    assert codes[0] == 302 and codes[1] in (302, 409)


def _request(forwarded: str | None, remote: str = "10.0.0.9"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),
        (0, None, "10.0.0.9"),
        (1, "6.6.6.6", "6.6.6.6"),
        (1, "1.2.3.4, 6.6.6.6", "6.6.6.6"),
        (2, "1.2.3.4, 6.6.6.6, 10.0.0.2", "6.6.6.6"),
        (1, "not-an-address", None),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(
    proxies: int, forwarded: str | None, expected: str | None
) -> None:
    request = _request(forwarded)
    with override_settings(TRUSTED_PROXIES=proxies):
        assert audit.client_address(request) == expected
        # Login throttling (django-axes) keys on the same address.
        assert get_client_ip_address(request) == expected


def test_the_audit_trail_stores_the_proxy_checked_address() -> None:
    guardian = DemoPersona.objects.get(slug="guardian").user
    _, plaintext = service_token_create(user=guardian, name="x")
    Client().get(
        "/api/v1/me", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.1.2.3", **_bearer(plaintext)
    )
    latest = AuditEvent.objects.order_by("-pk").first()
    assert latest is not None and latest.client_address == "10.1.2.3"


@pytest.mark.django_db(transaction=True)
def test_deleting_a_user_keeps_the_audit_rows_unchanged() -> None:
    user = User.objects.create(username="leaving")
    target = Person.objects.filter(identity_number__isnull=False).first()
    assert target is not None
    actor = actor_for_user(user)
    audit.record(actor, "child.read_basic", [target.pk], endpoint="/x")
    row = AuditEvent.objects.filter(actor_user_id=user.pk).values().get()
    user.delete()  # on PostgreSQL the append-only trigger would refuse an UPDATE here
    assert AuditEvent.objects.filter(pk=row["id"]).values().get() == row
