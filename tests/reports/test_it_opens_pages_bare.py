"""A report page opened without its parameters (a bookmark, the address bar) offers a choice
instead of showing a raw parameter name such as «tham số chi_so»."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.utils import translation

from motcua.reports import metrics


@pytest.fixture(autouse=True)
def _language_kept():
    with translation.override(translation.get_language()):
        yield


def links(page: str) -> dict[str, str]:
    """The drill-down links of the chooser: label -> href."""
    section = page[page.index('id="rp-choose-title"'):]
    return {html_lib.unescape(label): html_lib.unescape(href)
            for href, label in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', section)}


@pytest.mark.parametrize("query", ["", "?chi_so=", "?tu=2026-03-01&den=2026-03-31"])
def test_the_drilldown_opened_bare_offers_the_figures(histories, people, login, query):
    response = login(people.supervisor).get(f"/can-bo/thong-ke/ho-so/{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "tham số" not in page and "«chi_so»" not in page and "Không rõ số liệu" not in page
    assert "Chọn số liệu cần xem danh sách hồ sơ" in page
    choices = links(page)
    for key in metrics.DASHBOARD_METRICS + ("i_on_time", "i_late", "i_complained"):
        label = str(metrics.METRIC_LABELS[key][0])
        assert f"chi_so={key}" in choices[label], key


def test_the_chooser_keeps_the_period_and_its_links_work(histories, people, login):
    client = login(people.supervisor)
    page = client.get("/can-bo/thong-ke/ho-so/?tu=2026-03-01&den=2026-03-31").content.decode()
    url = links(page)["Xử lý xong quá hạn"]
    assert "tu=2026-03-01" in url and "den=2026-03-31" in url
    listed = client.get(url).content.decode()
    assert histories["b"].code in listed and "2 hồ sơ" in listed


def test_an_unknown_figure_is_named_without_the_parameter(histories, people, login):
    page = login(people.supervisor).get("/can-bo/thong-ke/ho-so/?chi_so=khong-co").content.decode()
    assert "Không có số liệu «khong-co». Hãy chọn một số liệu dưới đây." in page
    assert "tham số" not in page and "Tiếp nhận trong kỳ" in links(page)


def test_the_chooser_speaks_english(histories, people, login):
    client = login(people.supervisor)
    client.cookies["motcua_language"] = "en"
    page = client.get("/can-bo/thong-ke/ho-so/").content.decode()
    assert "Choose a figure to list its dossiers" in page and "Received in the period" in links(page)
    assert "Chọn số liệu" not in page
