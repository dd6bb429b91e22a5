"""URLs of one Excel import of a pool: its page and the progress partial it polls (issue 13)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent import views_excel

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/excel/imports/<uuid:import_id>/", views_excel.import_detail, name="talent_import"),
    path(
        "talent/pools/<int:pool_id>/excel/imports/<uuid:import_id>/progress/",
        views_excel.import_progress,
        name="talent_import_progress",
    ),
]
