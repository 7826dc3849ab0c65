"""Pages of the OpenID Connect login: start, callback, refusal, and logout at the provider."""

from __future__ import annotations

import logging

from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from oppvekst.access import oidc

log = logging.getLogger("oppvekst.access.oidc")


def _provider_or_404(slug: str) -> oidc.Provider:
    provider = oidc.get_provider(slug)
    if provider is None:
        raise Http404
    return provider


def refusal(request: HttpRequest, provider: oidc.Provider, exc: oidc.LoginRefused) -> HttpResponse:
    # The detail may carry provider text or token contents: log it, never show it.
    log.warning(
        "oidc login refused: provider=%s reason=%s %s", provider.slug, exc.reason, exc.detail
    )
    return render(
        request,
        "access/login_refused.html",
        {
            "reason": exc.reason,
            "title": exc.title,
            "message": exc.message,
            "not_logged_in": oidc.NOT_LOGGED_IN,
            "provider": provider,
        },
        status=exc.status,
    )


@never_cache
@require_GET
def start(request: HttpRequest, provider: str) -> HttpResponse:
    chosen = _provider_or_404(provider)
    try:
        url = oidc.begin(request, chosen, request.GET.get("next"))
    except oidc.LoginRefused as exc:
        return refusal(request, chosen, exc)
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    chosen = _provider_or_404(provider)
    try:
        done = oidc.complete(request, chosen)
        oidc.log_in(request, chosen, done)
    except oidc.LoginRefused as exc:
        return refusal(request, chosen, exc)
    return HttpResponseRedirect(done.next_url)


@never_cache
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """Log out here and, when the session came from a provider that supports it, there too
    (RP-initiated logout). Without that, the same as POST /logout/.

    The provider is reached by a page that refreshes to it, not by a redirect: a redirect
    after a form POST would be blocked by the Content-Security-Policy's form-action 'self'."""
    login_info = request.session.get(oidc.SESSION_LOGIN)
    target = oidc.end_session_url(request, login_info if isinstance(login_info, dict) else None)
    logout(request)
    if target is None:
        return HttpResponseRedirect("/")
    response = render(request, "access/logged_out.html", {"end_session_url": target})
    response["Refresh"] = f"0;url={target}"
    return response
