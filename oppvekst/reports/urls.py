from __future__ import annotations

from django.urls import path

from oppvekst.reports import views

app_name = "reports"
urlpatterns = [
    path("<slug:kind>/", views.report, name="report"),
]
