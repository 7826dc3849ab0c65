"""Pages of the timetable app (mounted at /timeplan/ by oppvekst/urls.py)."""

from django.urls import path

from oppvekst.timetable import views

app_name = "timetable"

urlpatterns = [
    path("", views.index, name="index"),
    path("skole/<int:unit_id>/<int:start_year>/lag/", views.timetable_create, name="create"),
    path("<int:timetable_id>/", views.timetable_detail, name="detail"),
    path("<int:timetable_id>/legg/", views.solve_start, name="solve"),
    path("<int:timetable_id>/status/", views.job_status, name="job_status"),
    path("<int:timetable_id>/regler/", views.rules, name="rules"),
    path("<int:timetable_id>/regler/<int:rule_id>/slett/", views.rule_delete, name="rule_delete"),
    path("versjon/<int:version_id>/", views.version_detail, name="version"),
    path("versjon/<int:version_id>/mal/", views.move_targets, name="targets"),
    path("versjon/<int:version_id>/flytt/", views.move, name="move"),
    path("versjon/<int:version_id>/las/", views.lock, name="lock"),
    path("versjon/<int:version_id>/publiser/", views.publish, name="publish"),
    path("versjon/<int:version_id>/pdf/", views.version_pdf, name="pdf"),
    path("min-uke/", views.my_week, name="my_week"),
    path("kalender/", views.feeds, name="feeds"),
    path("kalender/<int:feed_id>/slett/", views.feed_revoke, name="feed_revoke"),
    path("kalender/<str:token>.ics", views.feed, name="feed"),
]
