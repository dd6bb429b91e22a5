from django.contrib import admin
from django.urls import include, path

from gongzhi.config.api import api

# Branded 500 (JSON under /api/), and 503 with Retry-After when the database is unreachable.
handler500 = "gongzhi.core.http_errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("gongzhi.core.urls")),  # login, logout
    path("", include("gongzhi.portal.urls")),  # home of each role, community-affairs hub, campaign board
    path("", include("gongzhi.elevators.urls_places")),  # estate / building / entrance pages, with elevators
    path("", include("gongzhi.elevators.urls")),  # elevator and campaign pages
    path("", include("gongzhi.motions.urls")),  # motions: staff pages, voting links, public notices
    path("", include("gongzhi.meetings.urls")),  # deliberation meetings, sign-in, public minutes
    path("", include("gongzhi.renewals.urls")),  # renewal consultation: offers, comparison, funding plans
    path("", include("gongzhi.delivery.urls")),  # renewal delivery: stages, schedules, public progress
    path("", include("gongzhi.suggestions.urls")),  # residents' suggestions, the public board, Open311
    path("", include("gongzhi.ledgers.urls")),  # estates' public-revenue ledgers and statements
    path("", include("gongzhi.councils.urls")),  # deliberation councils
    path("", include("gongzhi.spaces.urls")),  # spaces lent for services in kind
    path("", include("gongzhi.talent.urls")),  # the young cadres' talent pool
    path("api/", api.urls),  # the JSON API (gongzhi.config.api); docs at /api/docs
    path("", include("gongzhi.elevators.urls_import")),  # registry import pages
]
