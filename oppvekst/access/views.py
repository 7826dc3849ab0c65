from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from oppvekst.access import login_options
from oppvekst.access.forms import PersonaLoginForm


@never_cache
@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    offer = login_options.provider() if settings.DEMO_MODE else None
    personas = list(offer.personas()) if offer is not None else []
    error = None
    if request.method == "POST":
        if offer is None:
            raise Http404
        form = PersonaLoginForm(request.POST)
        user = offer.user_for(form.cleaned_data["persona"]) if form.is_valid() else None
        if user is None:
            error = _("Velg en av personene i listen.")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect("/")
    return render(
        request,
        "access/login.html",
        {"personas": personas, "error": error},
        status=400 if error else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/")
