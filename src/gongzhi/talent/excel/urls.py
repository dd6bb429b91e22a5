"""URLs of the talent pool's Excel workbooks: the import page and template, the exports (pool roster,
one dossier), and one import's page with the progress partial it polls (issue 13)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent.excel import views

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/excel/", views.excel_page, name="talent_excel"),
    path("talent/pools/<int:pool_id>/excel/template.xlsx", views.excel_template, name="talent_excel_template"),
    path("talent/pools/<int:pool_id>/export.xlsx", views.export_pool, name="talent_export_pool"),
    path("talent/cadres/<int:pk>/dossier.xlsx", views.export_dossier, name="talent_export_dossier"),
    path("talent/pools/<int:pool_id>/excel/imports/<uuid:import_id>/", views.import_detail, name="talent_import"),
    path(
        "talent/pools/<int:pool_id>/excel/imports/<uuid:import_id>/progress/",
        views.import_progress,
        name="talent_import_progress",
    ),
]
