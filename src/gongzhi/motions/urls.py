"""Staff pages of owners' motions (views.py) and the voter / public pages (views_vote.py, views_notice.py)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("motions/", include("gongzhi.motions.urls_staff")),
    path("", include("gongzhi.motions.urls_public")),
]
