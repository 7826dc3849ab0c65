"""One error shape for pages and API alike: a stable code, a message, field details."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

View = TypeVar("View", bound=Callable[..., HttpResponse])


class DomainError(Exception):
    """A refusal the user can act on. `message` is translatable; `fields` maps field -> text."""

    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: Mapping[str, str | Promise] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        self.fields: dict[str, str | Promise] = dict(fields or {})

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class ConflictError(DomainError):
    code = "conflict"


class NotFoundError(DomainError):
    code = "not_found"


def http_status(error: DomainError) -> int:
    """The HTTP status of a refusal, the same for the API and the pages' JSON answers."""
    if isinstance(error, NotFoundError):
        return 404
    return 409 if isinstance(error, ConflictError) else 400


def json_error(error: DomainError, *, status: int | None = None, **extra: Any) -> JsonResponse:
    """A refusal as JSON for a page's script: the API's shape {code, message, fields}, plus
    whatever the script also reads (the timetable grid reads `ok`)."""
    return JsonResponse(
        {**extra, **error.as_dict()}, status=http_status(error) if status is None else status
    )


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def json_errors(*, always: bool = False) -> Callable[[View], View]:
    """For page URLs whose scripts read JSON (always, or when the request asks for it): an
    unknown object or a refused request answers in the one error shape, not as an HTML page."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except Http404 as exc:
                if not (always or wants_json(request)):
                    raise
                message = str(exc) if exc.args else _("Fant ikke siden.")
                return json_error(NotFoundError(message), ok=False)
            except PermissionDenied:
                if not (always or wants_json(request)):
                    raise
                refused = DomainError(_("Du har ikke tilgang til dette."), code="forbidden")
                return json_error(refused, status=403, ok=False)

        return wrapped  # type: ignore[return-value]

    return decorate
