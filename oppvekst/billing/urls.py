"""Pages of the billing app (mounted at /betaling/ by oppvekst/urls.py)."""

from django.urls import path

from oppvekst.billing import views

urlpatterns = [
    path("", views.overview, name="billing_overview"),
    path("kjoring/<int:run_id>/", views.run_detail, name="billing_run"),
    path("kjoring/<int:run_id>/status/", views.run_status, name="billing_run_status"),
    path("kjoring/<int:run_id>/fakturaer/", views.run_invoices, name="billing_run_invoices"),
    path("kjoring/<int:run_id>/eksport.<str:fmt>", views.run_export, name="billing_run_export"),
    path("faktura/<int:invoice_id>/", views.invoice_detail, name="billing_invoice"),
    path("soknader/", views.reductions, name="billing_reductions"),
    path("soknader/<int:application_id>/", views.reduction_detail, name="billing_reduction"),
    path(
        "soknader/<int:application_id>/vedtak.pdf",
        views.reduction_letter,
        name="billing_reduction_letter",
    ),
    path(
        "soknader/<int:application_id>/dokument/<int:document_id>/",
        views.reduction_document,
        name="billing_reduction_document",
    ),
    path("kompensasjon/", views.compensation_units, name="billing_compensation_units"),
    path("kompensasjon/<int:unit_id>/", views.compensation, name="billing_compensation"),
]
