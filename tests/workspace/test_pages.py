from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Person

pytestmark = pytest.mark.django_db

PERSONAS = [
    "guardian",
    "teacher",
    "principal",
    "kindergarten-head",
    "private-kindergarten-head",
    "caseworker",
    "admin",
]


def test_login_page_lists_every_persona(client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in PERSONAS:
        assert f'data-persona="{slug}"' in html
    assert '<main id="main"' in html and 'lang="nb"' in html


def test_demo_login_logs_in_as_the_persona(client) -> None:
    response = client.post("/login/", {"persona": "guardian"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Mine barn" in page


def test_unknown_persona_gets_a_clear_message(client) -> None:
    response = client.post("/login/", {"persona": "nobody"})
    assert response.status_code == 400
    assert "Velg en av personene" in response.content.decode()


def test_demo_login_is_refused_outside_demo_mode(client, settings) -> None:
    settings.DEMO_MODE = False
    assert client.post("/login/", {"persona": "guardian"}).status_code == 404
    assert "data-persona" not in client.get("/login/").content.decode()


@pytest.mark.parametrize(
    ("slug", "heading"),
    [
        ("guardian", "Mine barn"),
        ("teacher", "Mine grupper"),
        ("principal", "Min enhet"),
        ("kindergarten-head", "Min enhet"),
        ("private-kindergarten-head", "Min enhet"),
        ("caseworker", "Enheter i kommunen"),
        ("admin", "Systemadministrasjon"),
    ],
)
def test_front_page_per_role(persona_client, slug: str, heading: str) -> None:
    response = persona_client(slug).get("/")
    assert response.status_code == 200
    assert heading in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_guardian_sees_only_own_children(persona_client) -> None:
    guardian = DemoPersona.objects.get(slug="guardian").user.person
    assert guardian is not None
    own = set(
        Person.objects.filter(guardianships__guardian=guardian).values_list(
            "last_name", "first_name"
        )
    )
    html = persona_client("guardian").get("/").content.decode()
    for last, first in own:
        assert first in html
    other = (
        Person.objects.exclude(guardianships__guardian=guardian)
        .filter(guardianships__isnull=False)
        .exclude(last_name=guardian.last_name)
        .first()
    )
    assert other is not None and other.full_name not in html


def test_english_switch_translates_the_page(client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/login/").content.decode()
    assert 'lang="en"' in html
    assert "Log in" in html


@pytest.mark.parametrize("slug", ["teacher", "caseworker", "guardian"])
def test_front_page_query_count_is_pinned(persona_client, slug: str) -> None:
    c = persona_client(slug)
    with CaptureQueriesContext(connection) as queries:
        assert c.get("/").status_code == 200
    # 14 for the page, plus two for "needs you today" (open tasks, unread notifications).
    assert len(queries) <= 16, [q["sql"] for q in queries]
