"""Staff pages for daily life in kindergarten and SFO (mounted at /oppmote/)."""

from django.urls import path

from oppvekst.attendance import views

app_name = "attendance"

urlpatterns = [
    path("", views.index, name="index"),
    path("enhet/<int:unit_id>/", views.day, name="day"),
    path("enhet/<int:unit_id>/inn/<int:child_id>/", views.check_in, name="check_in"),
    path("enhet/<int:unit_id>/ut/<int:child_id>/", views.check_out, name="check_out"),
    path("enhet/<int:unit_id>/angre/<int:attendance_id>/", views.undo, name="undo"),
    path("enhet/<int:unit_id>/opprop/", views.roll_call, name="roll_call"),
    path("enhet/<int:unit_id>/personale/", views.presence, name="presence"),
    path("enhet/<int:unit_id>/avdelinger/", views.departments, name="departments"),
    path("enhet/<int:unit_id>/flytt/<int:placement_id>/", views.move, name="move"),
    path("barn/<int:child_id>/", views.child_record, name="child"),
    path("bemanning/", views.staffing, name="staffing"),
    path("bemanning/<int:unit_id>/", views.staffing_unit, name="staffing_unit"),
]
