"""The guardian-facing pages (mounted at /portal/ by oppvekst/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
