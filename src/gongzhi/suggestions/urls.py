"""URLs of residents' suggestions (suggestions.views): submitting and following one's own, the staff
and department inboxes, a suggestion's page and its actions, the public board, the dashboard; and
the read-only Open311 GeoReport v2 endpoint (suggestions.open311)."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.suggestions import open311, views

urlpatterns: list[URLPattern] = [
    path("suggestions/", views.inbox, name="suggestion_inbox"),
    path("suggestions/new/", views.submit, name="suggestion_submit"),
    path("suggestions/record/", views.record, name="suggestion_record"),
    path("suggestions/mine/", views.mine, name="suggestion_mine"),
    path("suggestions/department/", views.department_inbox, name="suggestion_department"),
    path("suggestions/deputy/", views.deputy_inbox, name="suggestion_deputy"),
    path("suggestions/board/", views.public_board, name="suggestion_board"),
    path("suggestions/dashboard/", views.dashboard, name="suggestion_dashboard"),
    path("suggestions/photos/<int:pk>/", views.photo, name="suggestion_photo"),
    path("suggestions/<uuid:public_id>/", views.detail, name="suggestion_detail"),
    path("suggestions/<uuid:public_id>/<slug:action>/", views.act, name="suggestion_act"),
    path("open311/v2/services.json", open311.services, name="open311_services"),
    path("open311/v2/requests.json", open311.requests, name="open311_requests"),
    path("open311/v2/requests/<str:request_id>.json", open311.request_detail, name="open311_request"),
]
