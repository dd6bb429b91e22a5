"""A refused CSRF token gets the branded, Chinese-first 403 (JSON under /api/), never Django's English page."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from gongzhi.core.http_errors import csrf_failure

pytestmark = pytest.mark.django_db


def test_a_stale_form_gets_the_branded_page_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "someone", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期或浏览器没有保存 Cookie" in html
    assert "返回首页" in html
    assert "CSRF verification failed" not in html
    assert "Forbidden" not in html


def test_a_stale_form_in_english_is_english():
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    response = client.post(reverse("login"), {"username": "someone", "password": "x"})
    assert response.status_code == 403
    assert "refresh the page" in response.content.decode()


def test_under_api_the_refusal_is_json():
    request = RequestFactory().post("/api/motions/1/ballots")
    response = csrf_failure(request, reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["code"] == "csrf_failed"
    assert "CSRF cookie not set" not in body["detail"]
