"""Login with OpenID Connect: ID-porten for guardians, Feide for staff and
pupils, Entra ID for staff.

Authorization code flow with PKCE (S256) through Authlib's requests client; the ID token is
verified with joserfc (the JOSE library Authlib itself uses): RS256 signature against the
provider's JWKS, then iss, aud (and azp), exp, iat and nonce with Authlib's `CodeIDToken`.
State, nonce and the PKCE verifier live in the server-side session and are single use.

Configuration is read from the environment at call time (no settings edits, easy to override
in tests). A provider is offered only when its three required variables are set:

    OPPVEKST_OIDC_<P>_ISSUER         e.g. https://idporten.no (discovery is <issuer>/.well-known/
                                     openid-configuration; its "issuer" must match exactly)
    OPPVEKST_OIDC_<P>_CLIENT_ID
    OPPVEKST_OIDC_<P>_CLIENT_SECRET
    OPPVEKST_OIDC_<P>_SCOPE          optional, default per provider (see SPECS)
    OPPVEKST_OIDC_<P>_TOKEN_AUTH     optional: client_secret_basic | client_secret_post
                                     (default: basic if the provider supports it, else post)

with <P> one of IDPORTEN, FEIDE, ENTRA. Further:

    OPPVEKST_OIDC_REDIRECT_BASE      optional public base URL, e.g. https://oppvekst.kommune.no;
                                     the redirect URI is <base>/auth/<provider>/callback/
                                     (default: built from the request)
    OPPVEKST_OIDC_ENTRA_MATCH        how an Entra ID login finds its person:
                                     "email" (default) or "identity_number"
    OPPVEKST_OIDC_ENTRA_CLAIM        the claim holding that value. Default "email", which also
                                     falls back to "preferred_username" and "upn" (the UPN is
                                     usually the work address). Email matching is
                                     case-insensitive, only among persons with an employment
                                     active today (Entra ID is for staff; a guardian's private
                                     address must never open a staff login), and must be
                                     unambiguous. With "identity_number" set the claim to one
                                     the tenant issues with the national identity number.

Person mapping: ID-porten `pid` → Person.identity_number, and the `acr` must be
idporten-loa-substantial or idporten-loa-high (requested with acr_values); Feide
`https://n.feide.no/claims/nin` (or plain `nin`) → Person.identity_number (scope userid-nin).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from oppvekst import clock
from oppvekst.access.models import User
from oppvekst.people.identity import normalise
from oppvekst.people.models import Person
from oppvekst.staff.models import Employment

# The protocol libraries (requests, Authlib, joserfc) are imported where a login needs them: the
# URL configuration imports this module, and every web worker would otherwise pay for them at
# start-up (docs/decisions/0003-serving.md).
if TYPE_CHECKING:
    from authlib.integrations.requests_client import OAuth2Session
    from joserfc.errors import ClaimError
    from joserfc.jwk import KeySet

log = logging.getLogger("oppvekst.access.oidc")

HTTP_TIMEOUT_SECONDS = 10
CACHE_SECONDS = 3600
LEEWAY_SECONDS = 60
# An ID token is used right after it is issued; an old one is a replay (OIDC Core §3.1.3.7.10).
MAX_TOKEN_AGE_SECONDS = 600
PENDING_MAX_AGE_SECONDS = 900
PENDING_MAX = 5
ALGORITHMS = ["RS256"]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
SESSION_PENDING = "oidc_pending"
SESSION_LOGIN = "oidc_login"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

IDPORTEN_ACCEPTED_ACR = frozenset({"idporten-loa-substantial", "idporten-loa-high"})
FEIDE_NIN_CLAIMS = ("https://n.feide.no/claims/nin", "nin")
ENTRA_EMAIL_FALLBACK_CLAIMS = ("preferred_username", "upn")


@dataclass(frozen=True)
class ProviderSpec:
    slug: str
    env: str
    name: str
    audience: Promise
    default_scope: str
    acr_values: str = ""
    accepted_acr: frozenset[str] | None = None


SPECS: dict[str, ProviderSpec] = {
    spec.slug: spec
    for spec in (
        ProviderSpec(
            "idporten",
            "IDPORTEN",
            "ID-porten",
            _("for foresatte"),
            "openid profile",
            acr_values="idporten-loa-substantial",
            accepted_acr=IDPORTEN_ACCEPTED_ACR,
        ),
        ProviderSpec("feide", "FEIDE", "Feide", _("for ansatte og elever"), "openid userid-nin"),
        ProviderSpec("entra", "ENTRA", "Entra ID", _("for ansatte"), "openid profile email"),
    )
}


@dataclass(frozen=True)
class Provider:
    spec: ProviderSpec
    issuer: str
    client_id: str
    client_secret: str
    scope: str
    token_auth: str

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def audience(self) -> Promise:
        return self.spec.audience


def _env(spec: ProviderSpec, key: str) -> str:
    configured: dict[str, dict[str, str]] = settings.OPPVEKST_OIDC_PROVIDERS
    return configured.get(spec.env, {}).get(key, "").strip()


def get_provider(slug: str) -> Provider | None:
    """The provider with this slug if it is configured, else None (then it is not offered)."""
    spec = SPECS.get(slug)
    if spec is None:
        return None
    issuer, client_id, secret = (_env(spec, k) for k in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET"))
    if not (issuer and client_id and secret):
        return None
    return Provider(
        spec=spec,
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        scope=_env(spec, "SCOPE") or spec.default_scope,
        token_auth=_env(spec, "TOKEN_AUTH"),
    )


def configured_providers() -> list[Provider]:
    return [p for p in (get_provider(slug) for slug in SPECS) if p is not None]


# --- refusals ------------------------------------------------------------------------------

_REJECTED = _("Innloggingen ble avvist")
NOT_LOGGED_IN = _("Du er ikke logget inn.")

REASONS: dict[str, tuple[int, Promise, Promise]] = {
    "provider_error": (
        400,
        _("Innloggingen ble avbrutt"),
        _("Innloggingstjenesten meldte om en feil, eller innloggingen ble avbrutt."),
    ),
    "state": (
        400,
        _("Innloggingen kunne ikke bekreftes"),
        _(
            "Svaret fra innloggingstjenesten hører ikke til en innlogging som er startet i "
            "denne nettleseren, eller innloggingen tok for lang tid. Start innloggingen på nytt."
        ),
    ),
    "signature": (400, _REJECTED, _("Signaturen på innloggingsbeviset er ikke gyldig.")),
    "audience": (400, _REJECTED, _("Innloggingsbeviset er utstedt til en annen tjeneste.")),
    "nonce": (400, _REJECTED, _("Innloggingsbeviset hører ikke til denne innloggingen.")),
    "expired": (
        400,
        _REJECTED,
        _("Innloggingsbeviset er utløpt. Start innloggingen på nytt."),
    ),
    "issuer": (
        400,
        _REJECTED,
        _("Innloggingsbeviset kommer fra en annen utsteder enn forventet."),
    ),
    "token": (400, _REJECTED, _("Innloggingsbeviset er ugyldig eller kunne ikke hentes.")),
    "acr": (
        403,
        _("For lavt sikkerhetsnivå"),
        _(
            "Du må logge inn med sikkerhetsnivå betydelig eller høyt, for eksempel BankID, "
            "Buypass eller MinID med app."
        ),
    ),
    "unknown_person": (
        403,
        _("Vi finner deg ikke"),
        _(
            "Innloggingen hos innloggingstjenesten gikk bra, men Oppvekst kjenner ikke til deg. "
            "Ta kontakt med barnehagen, skolen eller kommunen hvis du mener dette er feil."
        ),
    ),
    "inactive": (
        403,
        _("Brukeren er sperret"),
        _("Brukeren din er sperret. Ta kontakt med systemadministrator."),
    ),
    "unavailable": (
        502,
        _("Innloggingstjenesten svarer ikke"),
        _("Vi får ikke kontakt med innloggingstjenesten akkurat nå. Prøv igjen om litt."),
    ),
}


class LoginRefused(Exception):
    """A login that must not succeed. `reason` is a key of REASONS; `detail` goes to the log
    only (it may come from the provider and is never shown to the user)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def status(self) -> int:
        return REASONS[self.reason][0]

    @property
    def title(self) -> Promise:
        return REASONS[self.reason][1]

    @property
    def message(self) -> Promise:
        return REASONS[self.reason][2]


# --- discovery and keys (cached per issuer) ------------------------------------------------

_cache_lock = threading.Lock()
_metadata_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def clear_caches() -> None:
    with _cache_lock:
        _metadata_cache.clear()
        _jwks_cache.clear()


def _require_secure(url: str) -> None:
    """https, or plain http only on the loopback interface (a local test provider)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise LoginRefused("unavailable", f"insecure endpoint {url}")


def _get_json(url: str) -> dict[str, Any]:
    import requests

    _require_secure(url)
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise LoginRefused("unavailable", f"{url}: {exc}") from exc
    if not isinstance(data, dict):
        raise LoginRefused("unavailable", f"{url}: not a JSON object")
    return data


def server_metadata(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document, fetched once an hour."""
    now = time.monotonic()
    with _cache_lock:
        cached = _metadata_cache.get(provider.issuer)
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    data = _get_json(url)
    # OIDC Discovery §4.3: the issuer in the document must equal the configured issuer.
    if data.get("issuer") != provider.issuer:
        raise LoginRefused("unavailable", f"discovery issuer {data.get('issuer')!r} mismatch")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(data.get(key), str):
            raise LoginRefused("unavailable", f"discovery document lacks {key}")
        _require_secure(data[key])
    with _cache_lock:
        _metadata_cache[provider.issuer] = (now, data)
    return data


def _key_set(provider: Provider, force: bool = False) -> KeySet:
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    now = time.monotonic()
    with _cache_lock:
        cached = _jwks_cache.get(provider.issuer)
    if cached and not force and now - cached[0] < CACHE_SECONDS:
        return KeySet.import_key_set(cached[1])  # type: ignore[arg-type]
    data = _get_json(server_metadata(provider)["jwks_uri"])
    try:
        keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise LoginRefused("unavailable", f"bad JWKS: {exc}") from exc
    with _cache_lock:
        _jwks_cache[provider.issuer] = (now, data)
    return keys


# --- the flow ------------------------------------------------------------------------------


def redirect_uri(request: HttpRequest, provider: Provider) -> str:
    path = reverse("oidc_callback", args=[provider.slug])
    base = str(settings.OPPVEKST_OIDC_REDIRECT_BASE).strip().rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


def _token_auth(provider: Provider, metadata: dict[str, Any]) -> str:
    if provider.token_auth:
        return provider.token_auth
    supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return "client_secret_basic" if "client_secret_basic" in supported else "client_secret_post"


def _client(provider: Provider, request: HttpRequest, metadata: dict[str, Any]) -> OAuth2Session:
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scope,
        redirect_uri=redirect_uri(request, provider),
        code_challenge_method="S256",
        token_endpoint_auth_method=_token_auth(provider, metadata),
        default_timeout=HTTP_TIMEOUT_SECONDS,
    )


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def begin(request: HttpRequest, provider: Provider, next_url: str | None = None) -> str:
    """Remember state, nonce and PKCE verifier in the session; return the authorization URL."""
    metadata = server_metadata(provider)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43..128
    extra: dict[str, str] = {"nonce": nonce}
    if provider.spec.acr_values:
        extra["acr_values"] = provider.spec.acr_values
    language = getattr(request, "LANGUAGE_CODE", "")
    if language:
        extra["ui_locales"] = language
    url, _state = _client(provider, request, metadata).create_authorization_url(
        metadata["authorization_endpoint"], state=state, code_verifier=verifier, **extra
    )
    now = time.time()
    pending = {
        key: value
        for key, value in dict(request.session.get(SESSION_PENDING) or {}).items()
        if now - float(value.get("created", 0)) < PENDING_MAX_AGE_SECONDS
    }
    pending[state] = {
        "provider": provider.slug,
        "nonce": nonce,
        "verifier": verifier,
        "next": safe_next(request, next_url),
        "created": now,
    }
    # A few logins may be pending at once (several tabs); never an unbounded list.
    newest = sorted(pending.items(), key=lambda kv: kv[1]["created"])[-PENDING_MAX:]
    request.session[SESSION_PENDING] = dict(newest)
    return str(url)


@dataclass(frozen=True)
class Completed:
    person: Person
    claims: dict[str, Any]
    id_token: str
    next_url: str


def _take_pending(request: HttpRequest, provider: Provider, state: str) -> dict[str, Any]:
    pending = dict(request.session.get(SESSION_PENDING) or {})
    entry = pending.pop(state, None) if state else None
    request.session[SESSION_PENDING] = pending  # single use, also when the login fails below
    if not isinstance(entry, dict) or entry.get("provider") != provider.slug:
        raise LoginRefused("state", "unknown or reused state")
    if time.time() - float(entry.get("created", 0)) > PENDING_MAX_AGE_SECONDS:
        raise LoginRefused("state", "login took too long")
    return entry


def _claim_error_reason(exc: ClaimError) -> str:
    from joserfc.errors import ExpiredTokenError

    if isinstance(exc, ExpiredTokenError):
        return "expired"
    return {"aud": "audience", "azp": "audience", "nonce": "nonce", "iss": "issuer"}.get(
        exc.claim, "token"
    )


def verify_id_token(
    provider: Provider, raw: str, nonce: str, access_token: str | None = None
) -> dict[str, Any]:
    """Verify signature and claims of an ID token; return its claims or raise LoginRefused."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt
    from joserfc.errors import ClaimError, InvalidKeyIdError, JoseError
    from joserfc.jws import JWSRegistry

    metadata = server_metadata(provider)
    registry = JWSRegistry(algorithms=ALGORITHMS)
    try:
        try:
            token = jwt.decode(raw, key=_key_set(provider), registry=registry)
        except InvalidKeyIdError:
            # The provider may have rotated its keys: fetch the JWKS again, once.
            token = jwt.decode(raw, key=_key_set(provider, force=True), registry=registry)
    except (JoseError, ValueError, TypeError) as exc:
        # A bad signature, an unknown key, a malformed token, alg "none" or another algorithm
        # than RS256: in every case no valid signature from this provider.
        raise LoginRefused("signature", repr(exc)) from exc
    params: dict[str, Any] = {"nonce": nonce, "client_id": provider.client_id}
    if access_token:
        params["access_token"] = access_token
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": provider.client_id},
        "nonce": {"essential": True},
    }
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except ClaimError as exc:
        raise LoginRefused(_claim_error_reason(exc), repr(exc)) from exc
    except (JoseError, ValueError, TypeError) as exc:
        raise LoginRefused("token", repr(exc)) from exc
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or time.time() - issued > MAX_TOKEN_AGE_SECONDS:
        raise LoginRefused("expired", f"iat {issued!r} too old")
    return dict(claims)


def complete(request: HttpRequest, provider: Provider) -> Completed:
    """Handle the callback: state, code exchange with PKCE, token checks, person lookup."""
    import requests
    from authlib.integrations.requests_client import OAuthError

    params = request.GET
    if "error" in params:
        state = params.get("state", "")
        pending = dict(request.session.get(SESSION_PENDING) or {})
        if state in pending:
            pending.pop(state)
            request.session[SESSION_PENDING] = pending
        raise LoginRefused(
            "provider_error", f"{params.get('error')}: {params.get('error_description', '')}"
        )
    entry = _take_pending(request, provider, params.get("state", ""))
    code = params.get("code", "")
    if not code:
        raise LoginRefused("token", "callback without code")
    metadata = server_metadata(provider)
    client = _client(provider, request, metadata)
    try:
        token = client.fetch_token(
            metadata["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=entry["verifier"],
        )
    except OAuthError as exc:
        raise LoginRefused("token", f"token endpoint: {exc}") from exc
    except requests.RequestException as exc:
        raise LoginRefused("unavailable", f"token endpoint: {exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise LoginRefused("token", f"token response: {exc}") from exc
    raw = token.get("id_token")
    if not isinstance(raw, str):
        raise LoginRefused("token", "token response without id_token")
    claims = verify_id_token(provider, raw, entry["nonce"], token.get("access_token"))
    # ID-porten levels: guardians act on children's data, so at least "substantial".
    accepted = provider.spec.accepted_acr
    if accepted is not None and claims.get("acr") not in accepted:
        raise LoginRefused("acr", f"acr {claims.get('acr')!r}")
    person = find_person(provider, claims)
    return Completed(person=person, claims=claims, id_token=raw, next_url=entry["next"])


# --- who is it -----------------------------------------------------------------------------


def _identity_number(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    number = normalise(value)
    if len(number) == 11 and number.isascii() and number.isdigit():
        return number
    return None


def _by_identity_number(value: object) -> Person | None:
    number = _identity_number(value)
    if number is None:
        return None
    return Person.objects.filter(identity_number=number).first()


def _by_staff_email(claims: dict[str, Any], claim: str) -> Person | None:
    names = (claim, *ENTRA_EMAIL_FALLBACK_CLAIMS) if claim == "email" else (claim,)
    value = next((claims[n] for n in names if isinstance(claims.get(n), str) and claims[n]), "")
    if "@" not in value:
        return None
    employed = Employment.objects.active_on(clock.today()).values("person_id")
    matches = list(Person.objects.filter(email__iexact=value.strip(), pk__in=employed)[:2])
    if len(matches) != 1:
        if matches:
            log.warning("entra login: email matches several employed persons")
        return None
    return matches[0]


def find_person(provider: Provider, claims: dict[str, Any]) -> Person:
    person: Person | None = None
    if provider.slug == "idporten":
        person = _by_identity_number(claims.get("pid"))
    elif provider.slug == "feide":
        value = next((claims[c] for c in FEIDE_NIN_CLAIMS if c in claims), None)
        person = _by_identity_number(value)
    elif provider.slug == "entra":
        match = str(settings.OPPVEKST_OIDC_ENTRA_MATCH).strip() or "email"
        claim = str(settings.OPPVEKST_OIDC_ENTRA_CLAIM).strip() or "email"
        if match == "identity_number":
            person = _by_identity_number(claims.get(claim))
        else:
            person = _by_staff_email(claims, claim)
    if person is None:
        raise LoginRefused("unknown_person", f"{provider.slug} sub {claims.get('sub')!r}")
    return person


def user_for(person: Person) -> User:
    """The login for a person, created on first login (no password: OIDC only)."""
    user = User.objects.filter(person=person).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User(
                    username=f"p{person.pk}",
                    first_name=person.first_name[:150],
                    last_name=person.last_name[:150],
                    person=person,
                )
                user.set_unusable_password()
                user.save()
        except IntegrityError:
            # A concurrent first login created it.
            user = User.objects.get(person=person)
    if not user.is_active:
        raise LoginRefused("inactive", f"user {user.pk}")
    return user


def log_in(request: HttpRequest, provider: Provider, done: Completed) -> User:
    user = user_for(done.person)
    login(request, user, backend=MODEL_BACKEND)
    # Kept for RP-initiated logout (id_token_hint) and to know how this session logged in.
    request.session[SESSION_LOGIN] = {
        "provider": provider.slug,
        "id_token": done.id_token,
        "acr": done.claims.get("acr", ""),
    }
    return user


def end_session_url(request: HttpRequest, login_info: dict[str, Any] | None) -> str | None:
    """Where to send the browser to end the provider session too (RP-initiated logout), or
    None when the provider has no end_session_endpoint or the session came from elsewhere."""
    if not login_info:
        return None
    provider = get_provider(str(login_info.get("provider", "")))
    if provider is None:
        return None
    try:
        endpoint = server_metadata(provider).get("end_session_endpoint")
    except LoginRefused:
        return None
    if not isinstance(endpoint, str) or not endpoint:
        return None
    base = str(settings.OPPVEKST_OIDC_REDIRECT_BASE).strip().rstrip("/")
    after = base + "/" if base else request.build_absolute_uri("/")
    query = {
        "client_id": provider.client_id,
        "post_logout_redirect_uri": after,
        "state": secrets.token_urlsafe(16),
    }
    if login_info.get("id_token"):
        query["id_token_hint"] = str(login_info["id_token"])
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + urlencode(query)
