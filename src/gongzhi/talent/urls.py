"""URLs of the talent pool (青年干部人才库), all under /talent/, names prefixed talent_."""

from __future__ import annotations

from django.urls import URLPattern

from gongzhi.talent.activities import urls as urls_activities
from gongzhi.talent.awards import urls as urls_awards
from gongzhi.talent.courses import urls as urls_courses
from gongzhi.talent.excel import urls as urls_excel
from gongzhi.talent.people import urls as urls_people
from gongzhi.talent.research import urls as urls_research
from gongzhi.talent.reviews import urls as urls_reviews

urlpatterns: list[URLPattern] = [
    *urls_people.urlpatterns,
    *urls_courses.urlpatterns,
    *urls_activities.urlpatterns,
    *urls_reviews.urlpatterns,
    *urls_awards.urlpatterns,
    *urls_research.urlpatterns,
    *urls_excel.urlpatterns,
]
