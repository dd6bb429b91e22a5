"""URLs of the talent pool: research projects, the summary meeting, Excel import and exports
(included by talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent import views_excel, views_research

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/research/", views_research.research_list, name="talent_research"),
    path(
        "talent/pools/<int:pool_id>/research/new/",
        views_research.project_create,
        name="talent_research_project_create",
    ),
    path("talent/research/<int:pk>/", views_research.project_detail, name="talent_research_project"),
    path("talent/research/<int:pk>/edit/", views_research.project_edit, name="talent_research_project_edit"),
    path("talent/research/<int:pk>/milestones/", views_research.milestone_add, name="talent_research_milestone_add"),
    path(
        "talent/research/milestones/<int:pk>/done/",
        views_research.milestone_done,
        name="talent_research_milestone_done",
    ),
    path("talent/research/<int:pk>/report/", views_research.report_upload, name="talent_research_report_upload"),
    path("talent/research/<int:pk>/report.pdf", views_research.report_download, name="talent_research_report"),
    path("talent/research/<int:pk>/score/", views_research.project_score, name="talent_research_score"),
    path(
        "talent/pools/<int:pool_id>/research/meetings/new/",
        views_research.meeting_create,
        name="talent_summary_meeting_create",
    ),
    path("talent/research/meetings/<int:pk>/", views_research.meeting_detail, name="talent_summary_meeting"),
    path(
        "talent/research/meetings/<int:pk>/agenda/",
        views_research.meeting_agenda,
        name="talent_summary_meeting_agenda",
    ),
    path(
        "talent/research/meetings/<int:pk>/record/",
        views_research.meeting_record,
        name="talent_summary_meeting_record",
    ),
    path(
        "talent/research/meetings/<int:pk>/print/",
        views_research.meeting_print,
        name="talent_summary_meeting_print",
    ),
    path("talent/pools/<int:pool_id>/excel/", views_excel.excel_page, name="talent_excel"),
    path("talent/pools/<int:pool_id>/excel/template.xlsx", views_excel.excel_template, name="talent_excel_template"),
    path("talent/pools/<int:pool_id>/export.xlsx", views_excel.export_pool, name="talent_export_pool"),
    path("talent/cadres/<int:pk>/dossier.xlsx", views_excel.export_dossier, name="talent_export_dossier"),
]
