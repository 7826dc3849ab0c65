"""The JSON API at /api/v1/: bearer-token auth, one error shape, pagination."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from oppvekst import clock
from oppvekst.access.models import ServiceToken
from oppvekst.access.policy import Actor, actor_for_user
from oppvekst.access.services import service_token_lookup
from oppvekst.errors import ConflictError, DomainError, NotFoundError

log = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ServiceToken | None:
        found = service_token_lookup(token)
        if found is None:
            return None
        actor = actor_for_user(found.user)
        if found.scopes:
            actor.token_scopes = frozenset(found.scopes)
        actor.label = f"token:{found.prefix}"
        request._oppvekst_actor = actor  # type: ignore[attr-defined]
        ServiceToken.objects.filter(pk=found.pk).update(last_used_at=clock.now())
        return found


def actor(request: HttpRequest) -> Actor:
    return request._oppvekst_actor  # type: ignore[attr-defined]


api = NinjaAPI(
    title="Oppvekst API",
    version="1",
    urls_namespace="api-v1",
    auth=BearerToken(),
    docs_url="/docs",
    # Without deep links Swagger UI puts no link inside its expand buttons (nested controls
    # fail WCAG 4.1.2 for screen readers).
    docs=Swagger(settings={"deepLinking": False}),
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **fields: str
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields}, status=status
    )


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _error(request, 401, "unauthorized", "A valid bearer token is required.")
    response["WWW-Authenticate"] = 'Bearer realm="oppvekst"'
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        # ninja's loc is e.g. ["body", "payload", "identity_number"]: keep the field path.
        loc = [str(p) for p in err.get("loc", [])]
        if loc and loc[0] in ("query", "body", "path", "header"):
            loc = loc[2:] if loc[0] == "body" and len(loc) > 2 else loc[1:]
        fields[".".join(loc) or "request"] = str(err.get("msg", "invalid"))
    return api.create_response(
        request,
        {"code": "validation_error", "message": "The request is not valid.", "fields": fields},
        status=422,
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, "forbidden", "You may not do this.")


@api.exception_handler(DomainError)
def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = (
        404 if isinstance(exc, NotFoundError) else 409 if isinstance(exc, ConflictError) else 400
    )
    return api.create_response(request, exc.as_dict(), status=status)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else is our fault: logged with its traceback for the operators, answered in the
    one error shape without internals. The request's transaction (if any) was rolled back, so
    a retry with the same idempotency key is safe."""
    log.exception("unexpected error in %s %s", request.method, request.path)
    return _error(
        request, 500, "server_error", "Something went wrong on our side. Try again later."
    )


def page_of(items: list[Any], count: int) -> dict[str, Any]:
    return {"items": items, "count": count}


_registered = False


def _api_modules() -> list[str]:
    """`oppvekst.<app>.api` for every installed Oppvekst app, in INSTALLED_APPS order."""
    from django.apps import apps

    names = [c.name for c in apps.get_app_configs() if c.name.startswith("oppvekst.")]
    return [f"{n}.api" for n in names]


def register_routers() -> NinjaAPI:
    """Mount each domain app's `api.router` (if the app has an api module)."""
    global _registered
    if _registered:
        return api
    _registered = True
    for name in _api_modules():
        if importlib.util.find_spec(name) is not None:
            api.add_router("/", importlib.import_module(name).router)
    return api
