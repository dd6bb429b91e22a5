"""URLs of renewal delivery: stages and progress (urls_stages), construction planning (urls_plan),
the public progress page and district reporting (urls_public)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("gongzhi.delivery.urls_stages")),
    path("", include("gongzhi.delivery.urls_plan")),
    path("", include("gongzhi.delivery.urls_public")),
]
