"""URLs of the talent pool's required courses, graduation and closing a cycle (included by
talent/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.talent.courses import views

urlpatterns: list[URLPattern] = [
    path("talent/pools/<int:pool_id>/courses/", views.course_list, name="talent_courses"),
    path("talent/pools/<int:pool_id>/courses/new/", views.course_create, name="talent_course_create"),
    path("talent/courses/<int:course_id>/edit/", views.course_edit, name="talent_course_edit"),
    path("talent/pools/<int:pool_id>/sessions/new/", views.session_create, name="talent_session_create"),
    path("talent/sessions/<int:session_id>/attendance/", views.attendance, name="talent_attendance"),
    path("talent/courses/<int:course_id>/results/", views.results, name="talent_results"),
    path(
        "talent/courses/<int:course_id>/cycles/<int:cycle_id>/cadres/<int:cadre_id>/mark/",
        views.result_mark,
        name="talent_result_mark",
    ),
    path("talent/cycles/<int:cycle_id>/graduation/", views.graduation, name="talent_graduation"),
    path("talent/cycles/<int:cycle_id>/close/", views.cycle_close, name="talent_cycle_close"),
]
