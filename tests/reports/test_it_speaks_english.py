"""The statistics pages, the admin area and the sync page speak English when a member of staff chooses
it (the `motcua_language` cookie), and none of the Vietnamese originals of their headings is left."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.utils import translation

from .conftest import MARCH


@pytest.fixture(autouse=True)
def _language_kept():
    """An English request leaves English active in this thread; later tests expect the language they had."""
    with translation.override(translation.get_language()):
        yield


def q_march() -> str:
    return urlencode(MARCH)


def english(client, url: str) -> str:
    client.cookies["motcua_language"] = "en"
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    assert '<html lang="en"' in page, url
    return page


def check(page: str, pairs: dict[str, str]) -> None:
    for english_text, vietnamese in pairs.items():
        assert english_text in page, english_text
        assert vietnamese not in page, vietnamese


def test_it_shows_the_dashboard_in_english(histories, people, login):
    page = english(login(people.supervisor), f"/can-bo/thong-ke/?{q_march()}")
    check(page, {
        "Statistics and supervision": "Thống kê, giám sát",
        "Received in the period": "Tiếp nhận trong kỳ",
        "In progress at the end of the period": "Đang xử lý cuối kỳ",
        "Completed in the period": "Đã xử lý xong trong kỳ",
        "QĐ 766 indicators": "Chỉ số QĐ 766",
        "Download:": "Tải về:",
    })


def test_it_shows_the_qd_766_indicators_in_english(histories, people, login):
    page = english(login(people.supervisor), f"/can-bo/thong-ke/chi-so/?{q_march()}")
    check(page, {
        "Service quality indicators (QĐ 766/QĐ-TTg)": "Chỉ số đánh giá chất lượng phục vụ",
        "Share of dossiers resolved on time": "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "Share of dossiers submitted online": "Tỷ lệ hồ sơ nộp trực tuyến",
        "How it is calculated": "Cách tính",
        "Indicators by receiving agency": "Chỉ số theo cơ quan tiếp nhận",
    })


def test_it_shows_the_admin_area_in_english(people, login):
    page = english(login(people.admin), "/can-bo/quan-tri/")
    check(page, {
        "administrative procedures": "Thủ tục hành chính của đơn vị",
        "Add a new procedure": "Thêm thủ tục mới",
        "Filter procedures": "Lọc thủ tục",
        "Admin sections": "Mục quản trị",
        "Change log": "Nhật ký thay đổi",
    })


def test_it_shows_the_sync_page_in_english(people, login):
    page = english(login(people.supervisor), "/can-bo/dong-bo/")
    check(page, {
        "National Public Service Portal sync": "Đồng bộ Cổng Dịch vụ công quốc gia",
        "Sync messages by status": "Số tin đồng bộ theo trạng thái",
        "Failed or retrying messages": "Tin gửi lỗi hoặc đang thử lại",
        "No failed messages.": "Không có tin nào gửi lỗi.",
    })
