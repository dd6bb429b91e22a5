from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Filled in by the web and API modules:
    # path("", include("gongzhi.core.urls")),          login, logout, home (dashboard)
    # path("", include("gongzhi.places.urls")),        estate / building / entrance pages
    # path("", include("gongzhi.elevators.urls")),     elevator, campaign, registry import pages
    # path("api/", gongzhi.config.api.api.urls),       the JSON API
]
