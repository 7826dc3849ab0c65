from django.contrib import admin
from django.urls import include, path

from oppvekst.access import views as access_views
from oppvekst.api.base import register_routers
from oppvekst.core import views as core_views
from oppvekst.workspace import views as workspace_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", workspace_views.front_page, name="front_page"),
    path("login/", access_views.login_page, name="login"),
    path("logout/", access_views.logout_view, name="logout"),
    path("auth/", include("oppvekst.access.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("barn/", include("oppvekst.people.urls")),
    path("portal/", include("oppvekst.portal.urls")),
    path("opptak/", include("oppvekst.admission.urls")),
    path("betaling/", include("oppvekst.billing.urls")),
    path("timeplan/", include("oppvekst.timetable.urls")),
    path("oppmote/", include("oppvekst.attendance.urls")),
    path("drift/jobber/", include("oppvekst.jobs.urls")),
    path("", include("oppvekst.workspace.urls")),
    path("rapporter/", include("oppvekst.reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", register_routers().urls),
]
