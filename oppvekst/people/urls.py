from django.urls import path

from oppvekst.people import views

urlpatterns = [
    path("", views.children_list, name="children_list"),
    path("ny/", views.child_register_page, name="child_register"),
    path("<int:child_id>/", views.child_detail, name="child_detail"),
    path("<int:child_id>/innsyn/", views.child_access_log, name="child_access_log"),
]
