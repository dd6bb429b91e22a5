"""URLs of the talent pool's research: projects, milestones, reports, scores and the summary meeting
(included by talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent.research import views

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/research/", views.research_list, name="talent_research"),
    path(
        "talent/pools/<int:pool_id>/research/new/",
        views.project_create,
        name="talent_research_project_create",
    ),
    path("talent/research/<int:pk>/", views.project_detail, name="talent_research_project"),
    path("talent/research/<int:pk>/edit/", views.project_edit, name="talent_research_project_edit"),
    path("talent/research/<int:pk>/milestones/", views.milestone_add, name="talent_research_milestone_add"),
    path(
        "talent/research/milestones/<int:pk>/done/",
        views.milestone_done,
        name="talent_research_milestone_done",
    ),
    path("talent/research/<int:pk>/report/", views.report_upload, name="talent_research_report_upload"),
    path("talent/research/<int:pk>/report.pdf", views.report_download, name="talent_research_report"),
    path("talent/research/<int:pk>/score/", views.project_score, name="talent_research_score"),
    path(
        "talent/pools/<int:pool_id>/research/meetings/new/",
        views.meeting_create,
        name="talent_summary_meeting_create",
    ),
    path("talent/research/meetings/<int:pk>/", views.meeting_detail, name="talent_summary_meeting"),
    path(
        "talent/research/meetings/<int:pk>/agenda/",
        views.meeting_agenda,
        name="talent_summary_meeting_agenda",
    ),
    path(
        "talent/research/meetings/<int:pk>/record/",
        views.meeting_record,
        name="talent_summary_meeting_record",
    ),
    path(
        "talent/research/meetings/<int:pk>/print/",
        views.meeting_print,
        name="talent_summary_meeting_print",
    ),
]
