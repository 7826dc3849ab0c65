"""Login URLs under /auth/ (included from oppvekst/urls.py). All public: they are how an
anonymous visitor becomes a user; what the user may then do is decided by the policy."""

from __future__ import annotations

from django.urls import path

from oppvekst.access import oidc_views

urlpatterns = [
    path("logout/", oidc_views.logout_everywhere, name="oidc_logout"),
    path("<slug:provider>/login/", oidc_views.start, name="oidc_login"),
    path("<slug:provider>/callback/", oidc_views.callback, name="oidc_callback"),
]
