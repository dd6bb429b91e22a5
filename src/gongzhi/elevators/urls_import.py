"""URLs of the registry import pages (included by config/urls.py at "")."""

from __future__ import annotations

from django.urls import path

from gongzhi.elevators import views_import

urlpatterns = [
    path("registry/import/", views_import.registry_import, name="registry_import"),
    path("registry/import/template.xlsx", views_import.registry_import_template, name="registry_import_template"),
    path("registry/import/<uuid:import_id>/", views_import.registry_import_detail, name="registry_import_detail"),
    path(
        "registry/import/<uuid:import_id>/progress/",
        views_import.registry_import_progress_partial,
        name="registry_import_progress",
    ),
]
