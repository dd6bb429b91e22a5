"""Staff pages of owners' motions, mounted under /motions/ (see motions.urls)."""

from __future__ import annotations

from django.urls import path

from gongzhi.motions import views, views_entry

urlpatterns = [
    path("", views.motion_list, name="motion_list"),
    path("new/", views.motion_create, name="motion_create"),
    path("<int:pk>/", views.motion_detail, name="motion_detail"),
    path("<int:pk>/tally/", views.motion_tally_fragment, name="motion_tally_fragment"),
    path("<int:pk>/open/", views.motion_open, name="motion_open"),
    path("<int:pk>/cancel/", views.motion_cancel, name="motion_cancel"),
    path("<int:pk>/rule/", views.motion_rule, name="motion_rule"),
    path("<int:pk>/close/", views.motion_close, name="motion_close"),
    path("<int:pk>/voters/", views.motion_voters, name="motion_voters"),
    path("<int:pk>/voters/paper-request/", views_entry.motion_paper_request, name="motion_paper_request"),
    path("<int:pk>/door-knocking/", views.motion_door_knocking, name="motion_door_knocking"),
    path("<int:pk>/paper/", views_entry.motion_paper_entry, name="motion_paper_entry"),
    path("<int:pk>/mismatches/", views_entry.motion_mismatches, name="motion_mismatches"),
    path("<int:pk>/proxy/", views_entry.motion_proxy, name="motion_proxy"),
    path("<int:pk>/proxy/<int:proxy_id>/scan", views_entry.motion_proxy_scan, name="motion_proxy_scan"),
]
