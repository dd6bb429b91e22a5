"""URLs of the talent pool: required courses, graduation, activities and feedback (included by
talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent import views_activities, views_courses

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/courses/", views_courses.course_list, name="talent_courses"),
    path("talent/pools/<int:pool_id>/courses/new/", views_courses.course_create, name="talent_course_create"),
    path("talent/courses/<int:course_id>/edit/", views_courses.course_edit, name="talent_course_edit"),
    path("talent/pools/<int:pool_id>/sessions/new/", views_courses.session_create, name="talent_session_create"),
    path("talent/sessions/<int:session_id>/attendance/", views_courses.attendance, name="talent_attendance"),
    path("talent/courses/<int:course_id>/results/", views_courses.results, name="talent_results"),
    path(
        "talent/courses/<int:course_id>/cycles/<int:cycle_id>/cadres/<int:cadre_id>/mark/",
        views_courses.result_mark,
        name="talent_result_mark",
    ),
    path("talent/cycles/<int:cycle_id>/graduation/", views_courses.graduation, name="talent_graduation"),
    path("talent/cycles/<int:cycle_id>/close/", views_courses.cycle_close, name="talent_cycle_close"),
    path("talent/pools/<int:pool_id>/activities/", views_activities.activity_list, name="talent_activities"),
    path("talent/pools/<int:pool_id>/activities/new/", views_activities.activity_create, name="talent_activity_create"),
    path("talent/activities/<int:activity_id>/", views_activities.activity_detail, name="talent_activity"),
    path("talent/activities/<int:activity_id>/edit/", views_activities.activity_edit, name="talent_activity_edit"),
    path("talent/activities/<int:activity_id>/feedback/", views_activities.feedback, name="talent_feedback"),
    path("talent/cycles/<int:cycle_id>/feedback/", views_activities.cycle_feedback, name="talent_cycle_feedback"),
    path(
        "talent/cycles/<int:cycle_id>/feedback/summary/",
        views_activities.feedback_summary,
        name="talent_feedback_summary",
    ),
]
