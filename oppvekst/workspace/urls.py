from __future__ import annotations

from django.urls import path

from oppvekst.workspace import task_views

urlpatterns = [
    path("oppgaver/", task_views.task_list, name="task_list"),
    path("oppgaver/<int:task_id>/", task_views.task_detail, name="task_detail"),
    path("varsler/", task_views.notification_list, name="notification_list"),
    path(
        "varsler/<int:notification_id>/", task_views.notification_action, name="notification_action"
    ),
    path("varsler/demp/", task_views.notification_mute, name="notification_mute"),
]
