"""URLs of the talent pool's activities and feedback (included by talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent.activities import views

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/activities/", views.activity_list, name="talent_activities"),
    path("talent/pools/<int:pool_id>/activities/new/", views.activity_create, name="talent_activity_create"),
    path("talent/activities/<int:activity_id>/", views.activity_detail, name="talent_activity"),
    path("talent/activities/<int:activity_id>/edit/", views.activity_edit, name="talent_activity_edit"),
    path("talent/activities/<int:activity_id>/feedback/", views.feedback, name="talent_feedback"),
    path("talent/cycles/<int:cycle_id>/feedback/", views.cycle_feedback, name="talent_cycle_feedback"),
    path(
        "talent/cycles/<int:cycle_id>/feedback/summary/",
        views.feedback_summary,
        name="talent_feedback_summary",
    ),
]
