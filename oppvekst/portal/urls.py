"""The guardian-facing pages (mounted at /portal/ by oppvekst/urls.py)."""

from django.urls import path

from oppvekst.admission import portal_views
from oppvekst.attendance import portal_views as attendance_portal
from oppvekst.billing import portal_views as billing_portal

app_name = "portal"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("soknader/ny/", portal_views.application_new, name="application_new"),
    path("soknader/<int:application_id>/", portal_views.application_page, name="application"),
    path("soknader/<int:application_id>/krav/", portal_views.claim_add, name="claim_add"),
    path(
        "soknader/<int:application_id>/svar.pdf",
        portal_views.no_offer_letter,
        name="no_offer_letter",
    ),
    path("tilbud/<int:offer_id>/", portal_views.offer_page, name="offer"),
    path("tilbud/<int:offer_id>/brev.pdf", portal_views.offer_letter, name="offer_letter"),
    path("plasser/<int:placement_id>/", portal_views.placement_page, name="placement"),
    # billing: fees, invoices, reduced-fee applications
    path("betaling/", billing_portal.fees, name="portal_billing_fees"),
    path(
        "betaling/faktura/<int:invoice_id>/", billing_portal.invoice, name="portal_billing_invoice"
    ),
    path(
        "betaling/redusert/ny/", billing_portal.reduction_new, name="portal_billing_reduction_new"
    ),
    path(
        "betaling/redusert/<int:application_id>/",
        billing_portal.reduction_detail,
        name="portal_billing_reduction",
    ),
    path(
        "betaling/redusert/<int:application_id>/vedtak.pdf",
        billing_portal.reduction_letter,
        name="portal_billing_reduction_letter",
    ),
    # daily life in kindergarten and SFO: times, absence and holidays, the pick-up list
    path("hverdag/", attendance_portal.daily, name="daily"),
    path("hverdag/<int:child_id>/fravaer/", attendance_portal.absence_new, name="absence_new"),
    path(
        "hverdag/fravaer/<int:absence_id>/trekk/",
        attendance_portal.absence_cancel,
        name="absence_cancel",
    ),
    path("hverdag/<int:child_id>/henting/", attendance_portal.pickup_new, name="pickup_new"),
    path("hverdag/<int:child_id>/kort/", attendance_portal.child_card, name="child_card"),
    path(
        "hverdag/henting/<int:pickup_id>/trekk/",
        attendance_portal.pickup_withdraw,
        name="pickup_withdraw",
    ),
]
