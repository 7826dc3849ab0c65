"""A local fake OpenID provider for the login tests, served over real HTTP.

One server on 127.0.0.1 (random port) hosts several issuers side by side, one per path prefix
(`http://127.0.0.1:PORT/idporten`, `/feide`, `/entra`), each with

    /.well-known/openid-configuration   discovery document
    /jwks                               the public signing key (RSA, generated at start)
    /authorize                          checks the request (PKCE S256, nonce, client, redirect)
                                        and redirects straight back with code and state
    /token                              checks client secret, code, redirect URI and the PKCE
                                        code_verifier; returns a signed ID token
    /logout                             end_session_endpoint (RP-initiated logout)

A test sets who logs in with `fake.claims = {...}` (pid, acr, nin, email ...) and can make the
provider misbehave with `fake.misbehave = {...}`:

    "tamper": {...}     change these claims after signing (True: the sub); the signature
                        no longer matches
    "wrong_key": True   sign with a key that is not in the JWKS (same kid)
    "alg_none": True    an unsigned token (alg "none")
    "aud": "other"      another audience
    "nonce": "x"        another nonce
    "iss": "https://x"  another issuer
    "expired": True     exp (and iat) in the past
    "error": "access_denied"   /authorize answers with an error instead of a code
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

ISSUERS = ("idporten", "feide", "entra")
KID = "fake-key-1"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Grant:
    issuer: str
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    acr_values: str


@dataclass
class FakeOIDC:
    clients: dict[str, tuple[str, str]] = field(
        default_factory=lambda: {name: (f"client-{name}", f"secret-{name}") for name in ISSUERS}
    )
    claims: dict[str, Any] = field(default_factory=dict)
    misbehave: dict[str, Any] = field(default_factory=dict)
    end_session: bool = True
    # What happened, for assertions.
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_refusals: list[str] = field(default_factory=list)
    logout_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        params = {"kid": KID, "use": "sig", "alg": "RS256"}
        self.key = RSAKey.generate_key(2048, parameters=params, private=True)
        self.other_key = RSAKey.generate_key(2048, parameters=params, private=True)
        self.grants: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.fake = self  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOIDC:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def issuer(self, name: str) -> str:
        return f"{self.base}/{name}"

    def reset(self) -> None:
        with self._lock:
            self.claims = {}
            self.misbehave = {}
            self.end_session = True
            self.grants.clear()
            self.authorize_requests.clear()
            self.token_requests.clear()
            self.token_refusals.clear()
            self.logout_requests.clear()

    # --- endpoints ---------------------------------------------------------------------------

    def discovery(self, name: str) -> dict[str, Any]:
        iss = self.issuer(name)
        doc: dict[str, Any] = {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/authorize",
            "token_endpoint": f"{iss}/token",
            "jwks_uri": f"{iss}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
        if name == "idporten":
            doc["acr_values_supported"] = ["idporten-loa-substantial", "idporten-loa-high"]
        if self.end_session:
            doc["end_session_endpoint"] = f"{iss}/logout"
        return doc

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def authorize(self, name: str, q: dict[str, str]) -> tuple[int, dict[str, str], str]:
        self.authorize_requests.append(q)
        client_id, _secret = self.clients[name]
        problems = [
            problem
            for problem, bad in (
                ("client_id", q.get("client_id") != client_id),
                ("response_type", q.get("response_type") != "code"),
                ("scope", "openid" not in q.get("scope", "").split()),
                ("redirect_uri", not q.get("redirect_uri")),
                ("state", not q.get("state")),
                ("nonce", not q.get("nonce")),
                ("pkce", q.get("code_challenge_method") != "S256" or not q.get("code_challenge")),
            )
            if bad
        ]
        if problems:
            return 400, {}, f"bad authorization request: {problems}"
        redirect = q["redirect_uri"]
        sep = "&" if "?" in redirect else "?"
        if self.misbehave.get("error"):
            query = {"error": self.misbehave["error"], "state": q["state"]}
            query["error_description"] = "Brukeren avbrøt innloggingen"
            return 302, {"Location": redirect + sep + urlencode(query)}, ""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.grants[code] = Grant(
                issuer=self.issuer(name),
                client_id=client_id,
                redirect_uri=redirect,
                nonce=q["nonce"],
                challenge=q["code_challenge"],
                acr_values=q.get("acr_values", ""),
            )
        return (
            302,
            {"Location": redirect + sep + urlencode({"code": code, "state": q["state"]})},
            "",
        )

    def _client_auth(self, name: str, headers: Any, form: dict[str, str]) -> bool:
        client_id, secret = self.clients[name]
        header = headers.get("Authorization", "")
        if header.startswith("Basic "):
            raw = base64.b64decode(header[6:]).decode()
            given_id, _, given_secret = raw.partition(":")
        else:
            given_id, given_secret = form.get("client_id", ""), form.get("client_secret", "")
        return given_id == client_id and given_secret == secret

    def token(self, name: str, headers: Any, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)

        def refuse(error: str, why: str) -> tuple[int, dict[str, Any]]:
            self.token_refusals.append(why)
            return 400, {"error": error, "error_description": why}

        if not self._client_auth(name, headers, form):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type", "grant_type")
        with self._lock:
            grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or grant.issuer != self.issuer(name):
            return refuse("invalid_grant", "unknown or used code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return refuse("invalid_grant", "redirect_uri")
        if s256(form.get("code_verifier", "")) != grant.challenge:
            return refuse("invalid_grant", "pkce")
        access_token = secrets.token_urlsafe(24)
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 120,
            "scope": "openid",
            "id_token": self.id_token(grant),
        }

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        bad = self.misbehave
        claims: dict[str, Any] = {
            "iss": bad.get("iss", grant.issuer),
            "sub": secrets.token_urlsafe(12),
            "aud": bad.get("aud", grant.client_id),
            "iat": now,
            "exp": now + 120,
            "auth_time": now,
            "nonce": bad.get("nonce", grant.nonce),
        }
        if bad.get("expired"):
            claims.update(iat=now - 7200, exp=now - 3600, auth_time=now - 7200)
        claims.update(self.claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        header = {"alg": "RS256", "kid": KID, "typ": "JWT"}
        if bad.get("alg_none"):
            head = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return f"{head}.{_b64(json.dumps(claims).encode())}."
        key = self.other_key if bad.get("wrong_key") else self.key
        token = jwt.encode(header, claims, key)
        if bad.get("tamper"):
            head, _payload, signature = token.split(".")
            changes = bad["tamper"] if isinstance(bad["tamper"], dict) else {"sub": "other"}
            tampered = dict(claims, **changes)
            return f"{head}.{_b64(json.dumps(tampered).encode())}.{signature}"
        return token

    def logout(self, q: dict[str, str]) -> tuple[int, dict[str, str], str]:
        self.logout_requests.append(q)
        after = q.get("post_logout_redirect_uri")
        if after:
            sep = "&" if "?" in after else "?"
            return 302, {"Location": after + sep + urlencode({"state": q.get("state", "")})}, ""
        return 200, {}, "logged out"


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def fake(self) -> FakeOIDC:
        return self.server.fake  # type: ignore[attr-defined]

    def _route(self) -> tuple[str, str, dict[str, str]]:
        parts = urlsplit(self.path)
        name, _, rest = parts.path.lstrip("/").partition("/")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        return name, rest, query

    def _send(self, status: int, headers: dict[str, str], body: str | dict[str, Any]) -> None:
        data = json.dumps(body) if isinstance(body, dict) else body
        raw = data.encode()
        self.send_response(status)
        content_type = "application/json" if isinstance(body, dict) else "text/plain"
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        name, rest, query = self._route()
        if name not in ISSUERS:
            return self._send(404, {}, "no such issuer")
        if rest == ".well-known/openid-configuration":
            return self._send(200, {}, self.fake.discovery(name))
        if rest == "jwks":
            return self._send(200, {}, self.fake.jwks())
        if rest == "authorize":
            return self._send(*self.fake.authorize(name, query))
        if rest == "logout" and self.fake.end_session:
            return self._send(*self.fake.logout(query))
        return self._send(404, {}, "not found")

    def do_POST(self) -> None:
        name, rest, _query = self._route()
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if name in ISSUERS and rest == "token":
            status, body = self.fake.token(name, self.headers, form)
            return self._send(status, {}, body)
        return self._send(404, {}, "not found")
