"""Pages of deliberation meetings under /meetings/, and the public minutes under /notices/meetings/."""

from __future__ import annotations

from django.urls import path

from gongzhi.meetings import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/status/", views.meeting_transition, name="meeting_transition"),
    path("meetings/<int:pk>/questions/", views.meeting_questions, name="meeting_questions"),
    path("meetings/<int:pk>/questions/<int:question_id>/moderate/", views.question_moderate, name="question_moderate"),
    path("meetings/<int:pk>/questions/<int:question_id>/answer/", views.question_answer, name="question_answer"),
    path("meetings/<int:pk>/moderation/", views.meeting_moderation, name="meeting_moderation"),
    path("meetings/<int:pk>/participants/", views.meeting_participants, name="meeting_participants"),
    path(
        "meetings/<int:pk>/participants/<int:participant_id>/attendance/",
        views.participant_attendance,
        name="participant_attendance",
    ),
    path("meetings/<int:pk>/pitches/", views.meeting_pitches, name="meeting_pitches"),
    path("meetings/<int:pk>/pitches/<int:pitch_id>/remove/", views.pitch_remove, name="pitch_remove"),
    path("meetings/<int:pk>/sign-in-qr/", views.meeting_sign_in_qr, name="meeting_sign_in_qr"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<uuid:public_id>/sign-in/", views.meeting_sign_in, name="meeting_sign_in"),
    path("notices/meetings/<uuid:public_id>/", views.meeting_minutes_notice, name="meeting_minutes_notice"),
]
