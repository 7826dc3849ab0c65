"""OpenID Connect login end to end against a fake provider over real HTTP (tests/access/
fake_oidc.py): the Django test client plays the browser on our side, `requests` plays it at
the provider, and our server makes its own real token, discovery and JWKS requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from oppvekst.access import middleware, oidc
from oppvekst.access.models import User
from oppvekst.demo.models import DemoPersona
from oppvekst.people.models import Person
from tests import factories
from tests.access.fake_oidc import FakeOIDC

pytestmark = pytest.mark.django_db

SUBSTANTIAL = "idporten-loa-substantial"


@pytest.fixture(scope="session")
def fake_provider() -> Iterator[FakeOIDC]:
    with FakeOIDC() as fake:
        yield fake


@pytest.fixture
def fake(fake_provider: FakeOIDC, settings: Any) -> Iterator[FakeOIDC]:
    fake_provider.reset()
    providers: dict[str, dict[str, str]] = {}
    for name in ("idporten", "feide", "entra"):
        client_id, secret = fake_provider.clients[name]
        providers[name.upper()] = {
            "ISSUER": fake_provider.issuer(name),
            "CLIENT_ID": client_id,
            "CLIENT_SECRET": secret,
        }
    settings.OPPVEKST_OIDC_PROVIDERS = providers
    settings.OPPVEKST_OIDC_ENTRA_MATCH = "email"
    settings.OPPVEKST_OIDC_ENTRA_CLAIM = "email"
    oidc.clear_caches()
    yield fake_provider
    oidc.clear_caches()


def persona_person(slug: str) -> Person:
    person = DemoPersona.objects.get(slug=slug).user.person
    assert person is not None
    return person


def start(client: Client, provider: str, next_url: str = "") -> str:
    """Our login start; returns the URL the provider sends the browser back to."""
    query = f"?next={next_url}" if next_url else ""
    response = client.get(f"/auth/{provider}/login/{query}")
    assert response.status_code == 302, response.content[:500]
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    return str(at_provider.headers["Location"])


def callback(client: Client, url: str) -> Any:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def login(client: Client, provider: str, next_url: str = "") -> Any:
    return callback(client, start(client, provider, next_url))


def logged_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def assert_refused(response: Any, reason: str, status: int, client: Client) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert f'data-reason="{reason}"' in html
    assert "Du er ikke logget inn." in html
    assert logged_in_user(client) is None


# --- the three providers ---------------------------------------------------------------------


def test_idporten_login_lands_the_guardian_logged_in(client: Client, fake: FakeOIDC) -> None:
    guardian = persona_person("guardian")
    fake.claims = {"pid": guardian.identity_number, "acr": SUBSTANTIAL}

    response = login(client, "idporten")

    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in_user(client)
    assert user is not None and user.person_id == guardian.pk
    assert "Mine barn" in client.get("/").content.decode()
    # The authorization request carried PKCE S256, a nonce and the level asked of ID-porten.
    sent = fake.authorize_requests[-1]
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert sent["acr_values"] == SUBSTANTIAL and sent["nonce"]
    assert len(fake.token_requests[-1]["code_verifier"]) >= 43


def test_idporten_accepts_level_high(client: Client, fake: FakeOIDC) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": "idporten-loa-high"}
    assert login(client, "idporten").status_code == 302
    assert logged_in_user(client) is not None


def test_feide_login_maps_the_national_identity_number(client: Client, fake: FakeOIDC) -> None:
    teacher = persona_person("teacher")
    fake.claims = {"https://n.feide.no/claims/nin": teacher.identity_number}

    response = login(client, "feide", next_url="/barn/")

    assert response.status_code == 302 and response["Location"] == "/barn/"
    user = logged_in_user(client)
    assert user is not None and user == DemoPersona.objects.get(slug="teacher").user
    assert "Mine grupper" in client.get("/").content.decode()


def test_feide_plain_nin_claim_and_a_new_user_for_a_person_without_one(
    client: Client, fake: FakeOIDC
) -> None:
    pupil = factories.person(first="Ola", last="Elev")
    fake.claims = {"nin": pupil.identity_number}

    assert login(client, "feide").status_code == 302

    user = logged_in_user(client)
    assert user is not None and user.person_id == pupil.pk
    assert user.username == f"p{pupil.pk}" and not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("Ola", "Elev")
    # The next login finds the same user.
    client.logout()
    assert login(client, "feide").status_code == 302
    assert logged_in_user(client) == user and User.objects.filter(person=pupil).count() == 1


def test_entra_login_matches_staff_email_case_insensitively(client: Client, fake: FakeOIDC) -> None:
    principal = persona_person("principal")
    fake.claims = {"preferred_username": principal.email.upper(), "name": "Rektor"}

    assert login(client, "entra").status_code == 302

    user = logged_in_user(client)
    assert user is not None and user.person_id == principal.pk
    assert "Min enhet" in client.get("/").content.decode()


def test_entra_can_match_an_identity_number_claim(
    client: Client, fake: FakeOIDC, settings: Any
) -> None:
    settings.OPPVEKST_OIDC_ENTRA_MATCH = "identity_number"
    settings.OPPVEKST_OIDC_ENTRA_CLAIM = "extn_nin"
    principal = persona_person("principal")
    fake.claims = {"extn_nin": principal.identity_number, "email": "nobody@example.no"}
    assert login(client, "entra").status_code == 302
    user = logged_in_user(client)
    assert user is not None and user.person_id == principal.pk


def test_entra_does_not_match_the_email_of_someone_not_employed(
    client: Client, fake: FakeOIDC
) -> None:
    guardian = persona_person("guardian")
    guardian.email = "privat@example.no"
    guardian.save(update_fields=["email"])
    fake.claims = {"email": "privat@example.no"}
    assert_refused(login(client, "entra"), "unknown_person", 403, client)


def test_entra_refuses_an_ambiguous_email(client: Client, fake: FakeOIDC) -> None:
    teacher, principal = persona_person("teacher"), persona_person("principal")
    teacher.email = principal.email
    teacher.save(update_fields=["email"])
    fake.claims = {"email": principal.email}
    assert_refused(login(client, "entra"), "unknown_person", 403, client)


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("misbehave", "reason"),
    [
        ({"tamper": True}, "signature"),
        ({"wrong_key": True}, "signature"),
        ({"alg_none": True}, "signature"),
        ({"aud": "someone-elses-client"}, "audience"),
        ({"nonce": "not-the-nonce-we-sent"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"expired": True}, "expired"),
        ({"iss": "https://evil.example"}, "issuer"),
    ],
    ids=[
        "tampered",
        "unknown-key",
        "alg-none",
        "audience",
        "nonce",
        "no-nonce",
        "expired",
        "issuer",
    ],
)
def test_bad_id_tokens_are_refused_with_a_page(
    client: Client, fake: FakeOIDC, misbehave: dict[str, Any], reason: str
) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": SUBSTANTIAL}
    fake.misbehave = misbehave
    response = login(client, "idporten")
    assert_refused(response, reason, 400, client)
    assert "Innloggingen ble avvist" in response.content.decode()


def test_tampering_with_the_person_is_refused(client: Client, fake: FakeOIDC) -> None:
    # A token for one guardian, edited to name another: the signature gives it away.
    fake.claims = {"pid": factories.person().identity_number, "acr": SUBSTANTIAL}
    fake.misbehave = {"tamper": {"pid": persona_person("guardian").identity_number}}
    assert_refused(login(client, "idporten"), "signature", 400, client)


@pytest.mark.parametrize("acr", ["idporten-loa-low", "Level3", None])
def test_too_low_a_level_is_refused(client: Client, fake: FakeOIDC, acr: str | None) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": acr}
    response = login(client, "idporten")
    assert_refused(response, "acr", 403, client)
    assert "sikkerhetsnivå" in response.content.decode()


def test_a_person_the_system_does_not_know_is_refused(client: Client, fake: FakeOIDC) -> None:
    fake.claims = {"pid": "01017099999", "acr": SUBSTANTIAL}
    response = login(client, "idporten")
    assert_refused(response, "unknown_person", 403, client)
    assert "Oppvekst kjenner ikke til deg" in response.content.decode()


def test_feide_without_a_national_identity_number_is_refused(
    client: Client, fake: FakeOIDC
) -> None:
    fake.claims = {"email": persona_person("teacher").email}
    assert_refused(login(client, "feide"), "unknown_person", 403, client)


def test_an_error_from_the_provider_is_refused(client: Client, fake: FakeOIDC) -> None:
    fake.misbehave = {"error": "access_denied"}
    response = login(client, "idporten")
    assert_refused(response, "provider_error", 400, client)
    # The provider's own text is logged, not shown (it could be crafted by anyone).
    assert "avbrøt" not in response.content.decode()


def test_a_wrong_state_is_refused(client: Client, fake: FakeOIDC) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": SUBSTANTIAL}
    url = start(client, "idporten")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    response = client.get(f"{parts.path}?code={query['code'][0]}&state=forged")
    assert_refused(response, "state", 400, client)
    assert not fake.token_requests  # refused before the code was ever used


def test_a_callback_is_used_once_and_only_by_the_browser_that_started_it(
    client: Client, fake: FakeOIDC
) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": SUBSTANTIAL}
    url = start(client, "idporten")
    # Another browser (an attacker handing over their callback link) gets nothing.
    other = Client()
    assert_refused(callback(other, url), "state", 400, other)
    assert callback(client, url).status_code == 302
    client.logout()
    assert_refused(callback(client, url), "state", 400, client)


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(client: Client, fake: FakeOIDC) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": SUBSTANTIAL}
    url = start(client, "idporten")
    session = client.session
    pending = session[oidc.SESSION_PENDING]
    for entry in pending.values():
        entry["verifier"] = "x" * 64
    session[oidc.SESSION_PENDING] = pending
    session.save()
    assert_refused(callback(client, url), "token", 400, client)
    assert fake.token_refusals == ["pkce"]


def test_the_callback_must_match_the_provider_the_login_started_with(
    client: Client, fake: FakeOIDC
) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": SUBSTANTIAL}
    parts = urlsplit(start(client, "idporten"))
    assert_refused(client.get(f"/auth/feide/callback/?{parts.query}"), "state", 400, client)


def test_an_unreachable_provider_gives_a_page(
    client: Client, fake: FakeOIDC, settings: Any
) -> None:
    settings.OPPVEKST_OIDC_PROVIDERS["FEIDE"]["ISSUER"] = "http://127.0.0.1:9/feide"
    response = client.get("/auth/feide/login/")
    assert response.status_code == 502
    assert 'data-reason="unavailable"' in response.content.decode()


def test_an_open_redirect_through_next_is_not_possible(client: Client, fake: FakeOIDC) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": SUBSTANTIAL}
    response = login(client, "idporten", next_url="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"


# --- what is offered -------------------------------------------------------------------------


def test_only_configured_providers_are_offered(
    client: Client, fake: FakeOIDC, settings: Any
) -> None:
    settings.OPPVEKST_OIDC_PROVIDERS["ENTRA"]["CLIENT_SECRET"] = ""
    for demo in (True, False):
        settings.DEMO_MODE = demo
        html = client.get("/login/").content.decode()
        assert 'data-provider="idporten"' in html and 'data-provider="feide"' in html
        assert 'data-provider="entra"' not in html
        assert ('data-persona="guardian"' in html) is demo
    assert client.get("/auth/entra/login/").status_code == 404
    assert client.get("/auth/nosuch/login/").status_code == 404


def test_without_configuration_no_provider_is_offered(client: Client, settings: Any) -> None:
    settings.OPPVEKST_OIDC_PROVIDERS = {}
    settings.DEMO_MODE = False
    html = client.get("/login/").content.decode()
    assert "data-provider" not in html and "ikke satt opp" in html
    assert client.get("/auth/idporten/login/").status_code == 404


# --- logout and idle timeout -----------------------------------------------------------------


def test_logout_ends_the_session_here_and_at_the_provider(client: Client, fake: FakeOIDC) -> None:
    fake.claims = {"pid": persona_person("guardian").identity_number, "acr": SUBSTANTIAL}
    assert login(client, "idporten").status_code == 302

    response = client.post("/auth/logout/")

    assert logged_in_user(client) is None
    assert response.status_code == 200
    target = response["Refresh"].removeprefix("0;url=")
    assert target.startswith(fake.issuer("idporten") + "/logout?")
    assert "id_token_hint=" in target and "no-store" in response["Cache-Control"]
    at_provider = requests.get(target, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    assert at_provider.headers["Location"].startswith("http://testserver/")
    hint = fake.logout_requests[-1]["id_token_hint"]
    assert hint.count(".") == 2


def test_logout_needs_the_csrf_token(fake: FakeOIDC) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(DemoPersona.objects.get(slug="teacher").user)
    assert browser.post("/auth/logout/").status_code == 403
    assert logged_in_user(browser) is not None


def test_logout_without_a_provider_session_just_logs_out(client: Client, fake: FakeOIDC) -> None:
    client.force_login(DemoPersona.objects.get(slug="teacher").user)
    response = client.post("/auth/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_user(client) is None
    assert client.get("/auth/logout/").status_code == 405


def test_the_plain_logout_works_after_an_oidc_login(client: Client, fake: FakeOIDC) -> None:
    fake.claims = {"nin": persona_person("teacher").identity_number}
    assert login(client, "feide").status_code == 302
    assert client.post("/logout/").status_code == 302
    assert logged_in_user(client) is None


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def idle_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(middleware, "now", clock)
    return clock


def test_staff_are_logged_out_after_30_idle_minutes(client: Client, idle_clock: Clock) -> None:
    client.force_login(DemoPersona.objects.get(slug="teacher").user)
    assert "Mine grupper" in client.get("/").content.decode()
    idle_clock.advance(29)
    assert "Mine grupper" in client.get("/").content.decode()  # activity restarts the wait
    idle_clock.advance(29)
    assert logged_in_user(client) is not None
    client.get("/")
    idle_clock.advance(31)
    page = client.get("/").content.decode()
    assert logged_in_user(client) is None
    assert "Mine grupper" not in page and "ikke har vært aktiv" in page


def test_idle_limits_are_configurable_per_kind_of_user(
    client: Client, idle_clock: Clock, settings: Any
) -> None:
    settings.OPPVEKST_STAFF_IDLE_MINUTES = 5
    settings.OPPVEKST_GUARDIAN_IDLE_MINUTES = 120
    client.force_login(DemoPersona.objects.get(slug="guardian").user)
    client.get("/")
    idle_clock.advance(90)
    client.get("/")
    assert logged_in_user(client) is not None

    staff = Client()
    staff.force_login(DemoPersona.objects.get(slug="principal").user)
    staff.get("/")
    idle_clock.advance(6)
    staff.get("/")
    assert logged_in_user(staff) is None


def test_an_oidc_session_times_out_too(client: Client, fake: FakeOIDC, idle_clock: Clock) -> None:
    fake.claims = {"nin": persona_person("teacher").identity_number}
    assert login(client, "feide").status_code == 302
    client.get("/")
    idle_clock.advance(31)
    client.get("/")
    assert logged_in_user(client) is None
