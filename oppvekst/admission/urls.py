"""Pages of the admission app (mounted by oppvekst/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
