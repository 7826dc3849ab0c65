"""Pages of the admission app (mounted at /opptak/ by oppvekst/urls.py)."""

from django.urls import path

from oppvekst.admission import views

app_name = "admission"

urlpatterns = [
    path("", views.home, name="home"),
    path("soknader/", views.queue, name="queue"),
    path("soknader/<int:application_id>/", views.application_detail, name="application"),
    path("krav/<int:claim_id>/vurder/", views.claim_verify, name="claim_verify"),
    path("krav/<int:claim_id>/dokument/", views.claim_document, name="claim_document"),
    path("runder/ny/", views.round_create, name="round_create"),
    path("runder/<int:round_id>/", views.round_detail, name="round"),
    path("runder/<int:round_id>/kapasitet/", views.capacity_set, name="capacity"),
    path("runder/<int:round_id>/provekjoring/", views.round_preview, name="preview"),
    path("runder/<int:round_id>/vedtak/", views.round_commit, name="commit"),
    path("runder/<int:round_id>/rett-til-plass/", views.right_report, name="right_report"),
    path("runder/<int:round_id>/rett-til-plass/tilbud/", views.right_offer, name="right_offer"),
    path("enheter/<int:unit_id>/venteliste/", views.waiting_list, name="waiting_list"),
    path("enheter/<int:unit_id>/kriterier/", views.criteria, name="criteria"),
]
