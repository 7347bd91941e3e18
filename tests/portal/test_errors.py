"""Error pages: Vietnamese, friendly, and the 500 page needs neither the database nor context."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.test import RequestFactory

from motcua.core import views as core_views


@pytest.mark.parametrize(
    ("view", "status", "text"),
    [
        (core_views.error_400, 400, "Yêu cầu không hợp lệ"),
        (core_views.error_403, 403, "Không có quyền truy cập"),
        (core_views.error_404, 404, "Không tìm thấy trang"),
    ],
)
def test_it_renders_vietnamese_error_pages(view, status, text):
    # No django_db mark: any database query here would fail the test.
    response = view(RequestFactory().get("/khong-co/"), Exception("x"))
    assert response.status_code == status
    page = response.content.decode()
    assert text in page
    assert '<html lang="vi">' in page
    assert "Về trang chủ" in page


def test_it_renders_the_500_page_without_database_or_context():
    page = get_template("core/500.html").render({})
    response = core_views.error_500(RequestFactory().get("/"))
    assert response.status_code == 500
    for text in (page, response.content.decode()):
        assert "Hệ thống đang gặp lỗi" in text
        assert '<html lang="vi">' in text
        assert "{%" not in text


def test_it_keeps_the_500_template_free_of_tags():
    """The 500 page must render even when template tags, static files or the DB are broken."""
    source = get_template("core/500.html").template.source
    assert "{%" not in source and "{{" not in source
