"""The DomainError family mapped to HTTP once for HTML (core.middleware.DomainErrorMiddleware), the
form helper that puts a refusal on its field (core.forms), and no view catching the family by hand."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse

from gongzhi.core.errors import AccessDeniedError, DomainError, ImportRefusedError, NotFoundError, RowProblem
from gongzhi.core.forms import refusals_caught, refusals_flashed, refusals_on
from gongzhi.core.middleware import DomainErrorMiddleware

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parent.parent / "src" / "gongzhi"

# --- tiny views that let a refusal through, mounted by `urls` below -----------------------------------


def _not_found(request: HttpRequest) -> HttpResponse:
    raise NotFoundError("没有这份档案。")


def _denied(request: HttpRequest) -> HttpResponse:
    raise AccessDeniedError("只有管理员可以执行此操作。")


def _refused(request: HttpRequest) -> HttpResponse:
    raise DomainError("表决已截止。", code="voting_closed")


def _import_refused(request: HttpRequest) -> HttpResponse:
    raise ImportRefusedError(problems=[RowProblem("电梯", 3, "注册代码", "重复")])


def _refused_after_writing(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        get_user_model().objects.create(username="written-then-refused")
        raise DomainError("名称已被占用。", code="name_taken")


def _api_refused(request: HttpRequest) -> HttpResponse:
    raise DomainError("接口不归这里管。")


urlpatterns = [
    path("t/not-found/", _not_found),
    path("t/denied/", _denied),
    path("t/refused/", _refused),
    path("t/import-refused/", _import_refused),
    path("t/refused-after-writing/", _refused_after_writing),
    path("api/t/refused/", _api_refused),
]

handler500 = "gongzhi.core.http_errors.server_error"  # as config.urls

URLS = pytest.mark.urls("tests.test_error_mapping")


def _html(response: Any) -> str:
    text: str = response.content.decode()
    assert "Traceback" not in text
    assert "Error" not in text  # no exception class name, no "Server Error"
    return text


@URLS
@pytest.mark.parametrize(
    ("url", "status", "shown"),
    [
        ("/t/not-found/", 404, "页面不存在"),
        ("/t/denied/", 403, "只有管理员可以执行此操作。"),
        ("/t/refused/", 400, "表决已截止。"),
        ("/t/import-refused/", 400, "导入被拒绝：发现 1 个问题"),
    ],
)
def test_each_family_gets_its_branded_page(url: str, status: int, shown: str) -> None:
    response = Client().get(url)
    assert response.status_code == status
    html = _html(response)
    assert shown in html
    assert "返回首页" in html  # the branded error layout
    assert response["Content-Type"].startswith("text/html")


@URLS
def test_not_found_hides_the_message_as_the_404_page_always_did() -> None:
    html = _html(Client().get("/t/not-found/"))
    assert "没有这份档案" not in html


@URLS
def test_the_400_page_leads_back_to_the_page_the_user_came_from() -> None:
    response = Client().get("/t/refused/", headers={"referer": "http://testserver/motions/7/"})
    assert 'href="http://testserver/motions/7/"' in response.content.decode()
    assert "返回上一页" in response.content.decode()
    elsewhere = Client().get("/t/refused/", headers={"referer": "https://evil.example/"})
    assert "evil.example" not in elsewhere.content.decode()


@URLS
def test_a_refusal_inside_a_transaction_leaves_nothing_written() -> None:
    response = Client().get("/t/refused-after-writing/")
    assert response.status_code == 400
    assert "名称已被占用。" in response.content.decode()
    assert not get_user_model().objects.filter(username="written-then-refused").exists()


@URLS
@pytest.mark.parametrize(
    ("url", "status", "shown"),
    [
        ("/t/denied/", 403, "只有管理员可以执行此操作。"),
        ("/t/refused/", 400, "表决已截止。"),
        ("/t/not-found/", 404, "页面不存在"),
    ],
)
def test_htmx_gets_a_fragment_with_the_status(url: str, status: int, shown: str) -> None:
    response = Client().get(url, headers={"hx-request": "true"})
    assert response.status_code == status  # htmx 2 does not swap 4xx: the page stays as it was
    text = _html(response)
    assert "<html" not in text
    assert 'role="alert"' in text
    assert shown in text
    assert "HX-Request" in response["Vary"]


@URLS
def test_under_api_the_middleware_stands_aside() -> None:
    response = Client(raise_request_exception=False).get("/api/t/refused/")
    assert response.status_code == 500  # not mapped here: the API's own handler maps its errors
    assert response.json()["code"] == "server_error"
    request = RequestFactory().get("/api/campaigns")
    assert DomainErrorMiddleware(lambda r: HttpResponse()).process_exception(request, DomainError("x")) is None


def test_other_exceptions_are_not_the_middleware_s() -> None:
    request = RequestFactory().get("/")
    assert DomainErrorMiddleware(lambda r: HttpResponse()).process_exception(request, ValueError("x")) is None


def test_the_api_still_answers_its_json_shape() -> None:
    client = Client()
    client.force_login(get_user_model().objects.create(username="someone"))
    response = client.get("/api/campaigns/999999")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "not_found"


def test_a_real_view_lets_not_found_through_to_the_404_page() -> None:
    response = Client().get(reverse("vote_link", args=["no-such-token"]))
    assert response.status_code == 404
    assert "页面不存在" in _html(response)


# --- the form helper ---------------------------------------------------------------------------------


class _SpaceForm(forms.Form):
    name = forms.CharField()
    area_m2 = forms.DecimalField()


def _valid_form() -> _SpaceForm:
    form = _SpaceForm({"name": "活动室", "area_m2": "30"})
    assert form.is_valid()
    return form


def test_a_refusal_goes_on_the_field_its_code_names() -> None:
    form = _valid_form()
    with refusals_on(form, {"bad_quantity": "area_m2"}) as refused:
        raise DomainError("面积须大于零。", code="bad_quantity")
    assert refused
    assert refused.code == "bad_quantity"
    assert form.errors == {"area_m2": ["面积须大于零。"]}
    assert not form.is_valid()


def test_an_unknown_code_goes_to_the_non_field_errors() -> None:
    form = _valid_form()
    with refusals_on(form, {"bad_quantity": "area_m2"}) as refused:
        raise DomainError("该社区已停用。", code="community_closed")
    assert refused
    assert form.non_field_errors() == ["该社区已停用。"]
    assert "area_m2" not in form.errors


def test_other_names_the_field_for_any_other_code() -> None:
    form = _valid_form()
    with refusals_on(form, {"bad_quantity": "area_m2"}, other="name"):
        raise DomainError("名称已被占用。", code="name_taken")
    assert form.errors == {"name": ["名称已被占用。"]}


def test_a_field_the_form_lacks_falls_back_to_the_non_field_errors() -> None:
    form = _valid_form()
    with refusals_on(form, {"bad_date": "date"}):
        raise DomainError("日期有误。", code="bad_date")
    assert form.non_field_errors() == ["日期有误。"]


def test_nothing_refused_leaves_the_form_valid_and_keeps_the_result() -> None:
    form = _valid_form()
    with refusals_on(form, {"bad_quantity": "area_m2"}) as refused:
        result = 42
    assert not refused
    assert refused.message == ""
    assert result == 42
    assert form.is_valid()


def test_the_user_input_stays_on_the_form() -> None:
    form = _valid_form()
    with refusals_on(form, other="name"):
        raise DomainError("名称已被占用。", code="name_taken")
    assert form["name"].value() == "活动室"
    assert 'value="活动室"' in str(form["name"])


def test_access_denied_goes_on_to_the_403_page() -> None:
    form = _valid_form()
    with pytest.raises(AccessDeniedError), refusals_on(form):
        raise AccessDeniedError("您无权执行此操作。")
    assert form.is_valid()


def test_not_found_is_a_refusal_on_the_form_as_before() -> None:
    form = _valid_form()
    with refusals_on(form) as refused:
        raise NotFoundError("所选表决不存在。")
    assert isinstance(refused.error, NotFoundError)
    assert form.non_field_errors() == ["所选表决不存在。"]


def test_other_exceptions_pass_through() -> None:
    form = _valid_form()
    with pytest.raises(ValueError, match="bug"), refusals_on(form):
        raise ValueError("bug")
    assert form.is_valid()


def test_refusals_flashed_adds_an_error_message() -> None:
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    with refusals_flashed(request) as refused:
        raise DomainError("验证码不正确。", code="code_wrong")
    assert refused.code == "code_wrong"
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [("error", "验证码不正确。")]


def test_refusals_caught_only_keeps_the_error() -> None:
    with refusals_caught() as refused:
        raise DomainError("周期已结束。", code="cycle_closed")
    assert refused.message == "周期已结束。"
    with pytest.raises(AccessDeniedError), refusals_caught():
        raise AccessDeniedError("no")


# --- no view catches the family by hand --------------------------------------------------------------

FAMILY = {"DomainError", "AccessDeniedError", "NotFoundError", "ImportRefusedError", "ResultsRefusedError"}

# (module under src/gongzhi, function, exception caught): why the view does something else with it.
ALLOWED = {
    ("motions/views_vote.py", "_session_hash", "AccessDeniedError"): (
        "an expired voter session is forgotten and the voter asked for a new code, not a 403"
    ),
    ("motions/views_vote.py", "vote_cast", "AccessDeniedError"): (
        "the session expired while voting: forget it and send the voter back to get a new code"
    ),
    ("motions/views_vote.py", "vote_cast", "DomainError"): (
        "the ballot page is re-entered with the refusal as a flash (pairs with the handler above)"
    ),
    ("delivery/views_stages.py", "delivery_renewal_add", "AccessDeniedError"): (
        "an elevator outside the user's scope is a wrong device code on the form, not a forbidden page"
    ),
    ("delivery/views_stages.py", "delivery_renewal_add", "DomainError"): "pairs with the handler above",
    ("suggestions/views.py", "record", "AccessDeniedError"): (
        "recording above the user's own level is a wrong community choice on the form, not a forbidden page"
    ),
    ("suggestions/views.py", "record", "DomainError"): "pairs with the handler above",
}


def _caught(handler: ast.ExceptHandler) -> set[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = set()
    for kind in kinds:
        if isinstance(kind, ast.Name):
            names.add(kind.id)
        elif isinstance(kind, ast.Attribute):
            names.add(kind.attr)
    return names & FAMILY


def _handlers() -> list[tuple[str, str, str, int]]:
    found = []
    for module in sorted(SRC.rglob("view*.py")):
        rel = module.relative_to(SRC).as_posix()
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ExceptHandler):
                    found += [(rel, func.name, name, node.lineno) for name in sorted(_caught(node))]
    return found


def test_no_view_catches_the_domain_error_family_by_hand() -> None:
    handlers = _handlers()
    unexplained = [
        f"{rel}:{line} {func}() catches {name}"
        for rel, func, name, line in handlers
        if (rel, func, name) not in ALLOWED
    ]
    assert not unexplained, (
        "Let the DomainError family through (core.middleware maps it to 404/403/400) or put it on the form "
        "with core.forms.refusals_on / refusals_flashed / refusals_caught:\n" + "\n".join(unexplained)
    )


def test_the_allow_list_has_no_stale_entries() -> None:
    seen = {(rel, func, name) for rel, func, name, _line in _handlers()}
    assert set(ALLOWED) <= seen, set(ALLOWED) - seen
